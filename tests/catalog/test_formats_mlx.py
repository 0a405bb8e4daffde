"""MLX's affine formats (mlx-community '-4bit'/'-6bit'/'-8bit' checkpoints) as catalog formats."""

from __future__ import annotations

import pytest

from gpuatlas.catalog.formats import resolve_format
from gpuatlas.errors import GpuAtlasError


@pytest.mark.parametrize(
    ("name", "format_id", "bits"),
    [
        ("mlx-3bit", "mlx-3bit", 3.5),
        ("mlx-4bit", "mlx-4bit", 4.5),
        ("mlx_5bit", "mlx-5bit", 5.5),
        ("MLX_6bit", "mlx-6bit", 6.5),
        ("mlx-8bit", "mlx-8bit", 8.5),
    ],
)
def test_mlx_formats_count_a_scale_and_a_bias_per_group_of_64(
    name: str, format_id: str, bits: float
) -> None:
    weight_format = resolve_format(name)
    assert weight_format.id == format_id
    assert weight_format.bits_per_weight == bits  # bits + 2 x 16 / 64


def test_mlx_formats_are_weight_only_and_native_on_apple_gpus_only() -> None:
    weight_format = resolve_format("mlx-4bit")
    assert weight_format.weight_only
    assert weight_format.is_native_on("apple9")
    assert not weight_format.is_native_on("ada")


def test_a_bare_4bit_is_not_guessed_but_suggests_the_mlx_format() -> None:
    with pytest.raises(GpuAtlasError, match="mlx-4bit"):
        resolve_format("4bit")


@pytest.mark.parametrize(("bits", "format_id"), [("3bit", "mlx-3bit"), ("5bit", "mlx-5bit")])
def test_mlx_community_3_and_5_bit_checkpoints_read_as_their_mlx_format(
    bits: str, format_id: str
) -> None:
    from gpuatlas.catalog.model_names import resolve_model_reference

    reference = resolve_model_reference(f"mlx-community/Qwen3-8B-{bits}", allow_hub=False)
    assert (reference.model.id, reference.format_id) == ("qwen3-8b", format_id)


def test_mlx_lm_loads_the_3_and_5_bit_checkpoints() -> None:
    from gpuatlas.performance.engine_profiles import all_engines

    mlx_lm = next(engine for engine in all_engines() if engine.id == "mlx-lm")
    assert {"mlx-3bit", "mlx-5bit"} <= set(mlx_lm.formats)
