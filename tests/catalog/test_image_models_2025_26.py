"""Image models of 2025-26 (Z-Image, Qwen-Image and its edit models, FLUX.2 dev and klein): each
transformer's blocks are read from its config.json, and a forward's FLOPs count what each token
goes through.

Expected values are hand counts from the published configs and diffusers' block code, not
today's output: per token and block, Z-Image 4·3840² + 3·3840·10240 = 176.9M multiply-adds
(SwiGLU 10240 = int(3840 / 3 * 8)), Qwen-Image 4·3072² + 2·3072·12288 = 113.2M (4x GELU),
FLUX.2 dev 4·6144² + 3·6144·18432 = 490.7M (SwiGLU 3x), klein 4B 122.6M, klein 9B 218.1M."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import Any

import pytest

from gpuatlas.catalog.model_library_file import arch_from_library_document
from gpuatlas.catalog.model_names import resolve_model_reference
from gpuatlas.errors import DataFileError
from gpuatlas.performance import api
from gpuatlas.performance.media.dit_flops import dit_forward_flops
from gpuatlas.performance.resolve import as_diffusion

pytestmark = pytest.mark.unit

MODELS = Path(str(resources.files("gpuatlas.catalog") / "data" / "models"))


@pytest.mark.parametrize(
    ("model_id", "joint", "single", "hidden", "macs_per_token_block"),
    [
        ("z-image-turbo", 0, 30, 3840, 4 * 3840**2 + 3 * 3840 * 10240),
        ("qwen-image", 60, 0, 3072, 4 * 3072**2 + 2 * 3072 * 12288),
        ("flux.2-dev", 8, 48, 6144, 490_733_568),
        ("flux.2-klein-4b", 5, 20, 3072, 122_683_392),
        ("flux.2-klein-9b", 8, 24, 4096, 218_103_808),
    ],
)
def test_blocks_and_multiply_adds_per_token_come_from_the_config(
    model_id: str, joint: int, single: int, hidden: int, macs_per_token_block: int
) -> None:
    blocks = as_diffusion(model_id).transformer_blocks
    assert blocks is not None
    assert (blocks.joint_blocks, blocks.single_blocks, blocks.hidden) == (joint, single, hidden)
    assert blocks.block_h2 * hidden**2 == pytest.approx(macs_per_token_block)


def test_z_image_refiners_see_one_stream_each() -> None:
    model = as_diffusion("z-image-turbo")
    blocks = model.transformer_blocks
    assert blocks is not None and blocks.image_refiner_blocks == blocks.text_refiner_blocks == 2
    image, text, h, macs = 4096, blocks.text_tokens, 3840, 176_947_200

    def block(tokens: int) -> float:
        return 2 * macs * tokens + 4 * tokens**2 * h

    expected = 30 * block(image + text) + 2 * block(image) + 2 * block(text)
    assert model.sequence_image_tokens(1024) == image
    assert dit_forward_flops(blocks, image) == pytest.approx(expected)


def test_an_edit_model_joins_its_input_image_to_the_sequence() -> None:
    edit, text_to_image = as_diffusion("qwen-image-edit"), as_diffusion("qwen-image")
    # 1024 px output: 64 x 64 patches, and as many for the input image (encoded at ~1024 px)
    assert edit.sequence_image_tokens(1024) == 2 * 4096
    # a 512 px output still carries the 1024 px input image's tokens
    assert edit.sequence_image_tokens(512) == 1024 + 4096
    assert text_to_image.sequence_image_tokens(1328) == 83 * 83
    slower = api.predict_diffusion("h200", "qwen-image-edit", resolution=1024, steps=50)
    faster = api.predict_diffusion("h200", "qwen-image", resolution=1024, steps=50)
    assert slower.s_per_image.value > 1.5 * faster.s_per_image.value


def test_forwards_and_steps_follow_each_models_recipe() -> None:
    turbo, klein = as_diffusion("z-image-turbo"), as_diffusion("flux.2-klein-4b")
    assert (turbo.default_steps, turbo.forwards_per_step) == (8, 1)
    assert (klein.default_steps, klein.forwards_per_step) == (4, 1)
    assert as_diffusion("flux.2-klein-base-4b").forwards_per_step == 2
    assert as_diffusion("flux.2-dev").forwards_per_step == 1  # guidance-distilled
    assert as_diffusion("qwen-image").forwards_per_step == 2  # true CFG with a negative prompt
    with_cfg = api.predict_diffusion("h100", "qwen-image", resolution=1024)
    without = api.predict_diffusion("h100", "qwen-image", resolution=1024, cfg=False)
    assert with_cfg.s_per_image.value == pytest.approx(2 * without.s_per_image.value, rel=0.1)


def test_flux2_dev_needs_offload_on_an_h100_and_fits_an_h200() -> None:
    # black-forest-labs' README: an H100 needs CPU offload for the text encoder (24B),
    # transformer (32B) and VAE together; an H200 holds them (~113 GB in bf16)
    assert api.predict_diffusion("h100", "flux.2-dev").needs_cpu_offload
    assert not api.predict_diffusion("h200", "flux.2-dev").needs_cpu_offload


def test_smaller_transformers_of_one_family_are_faster_at_equal_settings() -> None:
    def seconds(model_id: str) -> float:
        prediction = api.predict_diffusion("h100", model_id, resolution=1024, steps=4, cfg=False)
        return prediction.s_per_image.value

    assert seconds("flux.2-klein-4b") < seconds("flux.2-klein-9b") < seconds("flux.2-dev")


@pytest.mark.parametrize(
    ("written", "model_id"),
    [
        ("Tongyi-MAI/Z-Image-Turbo", "z-image-turbo"),
        ("Z-Image-Turbo", "z-image-turbo"),
        ("Qwen Image", "qwen-image"),
        ("Qwen/Qwen-Image-Edit-2509", "qwen-image-edit-2509"),
        # 2511 runs 2509's pipeline on the same transformer: not the first edit model's
        ("Qwen/Qwen-Image-Edit-2511", "qwen-image-edit-2509"),
        ("black-forest-labs/FLUX.2-dev", "flux.2-dev"),
        ("FLUX.2-klein-4B", "flux.2-klein-4b"),
        ("black-forest-labs/FLUX.2-klein-base-9B", "flux.2-klein-base-9b"),
    ],
)
def test_names_as_people_write_them(written: str, model_id: str) -> None:
    assert resolve_model_reference(written).model.id == model_id


def _document(name: str) -> dict[str, Any]:
    document: dict[str, Any] = json.loads((MODELS / name).read_text(encoding="utf-8"))
    return document


def test_a_transformer_config_without_its_text_sequence_names_the_field() -> None:
    document = _document("z-image-turbo.json")
    del document["gpuatlas"]["text_tokens"]
    with pytest.raises(DataFileError, match=r"gpuatlas\.text_tokens"):
        arch_from_library_document(document, "z-image-turbo.json")


def test_a_transformer_config_missing_a_block_count_names_the_key() -> None:
    document = _document("flux.2-dev.json")
    del document["num_single_layers"]
    with pytest.raises(DataFileError, match="num_single_layers"):
        arch_from_library_document(document, "flux.2-dev.json")


def test_model_show_prints_the_blocks_and_an_edit_models_input_image() -> None:
    import re

    from typer.testing import CliRunner

    from gpuatlas.cli.main import app

    runner = CliRunner()

    def shown(model_id: str) -> str:
        result = runner.invoke(app, ["model", "show", model_id])
        assert result.exit_code == 0
        cells = re.sub(r"[│┌┐└┘├┤┬┴┼─]", " ", result.output)  # table borders at any width
        return " ".join(cells.split())

    edit = shown("qwen-image-edit")
    assert "60 joint; width 3,072, 12h² MACs per token;" in edit and "1,440 text" in edit
    assert "1, encoded at 1024 px" in edit
    turbo = shown("z-image-turbo")
    assert "30 single-stream, 2 image refiner, 2 text refiner; width 3,840" in turbo
    assert "input images" not in turbo
