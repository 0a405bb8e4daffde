"""Case inputs the calibration keys on: llama.cpp generations, image variants, UNet FLOPs."""

from __future__ import annotations

import pytest

from gpuatlas.performance.calibration_table import group_keys
from gpuatlas.performance.engine_profiles import resolve_engine
from gpuatlas.performance.engine_specs import engine_for_version


@pytest.mark.parametrize(
    ("version", "date", "expected"),
    [
        ("builds of Dec 2023 (~b1680)", None, "llama.cpp-2023"),
        ("b1786 (32d9f7d9)", None, "llama.cpp-2023"),
        ("PR #4766 branch (Jan 2024)", None, "llama.cpp-2023"),
        ("b2833 (d46dbc76)", None, "llama.cpp-2024"),
        ("builds of May 2024 (b28xx)", None, "llama.cpp-2024"),
        ("b4500", None, "llama.cpp-2025"),  # llama-bench without flash attention
        ("build 8cf6b42", "2025-08", "llama.cpp-2025"),
        ("build 8cf6b42", "2023-11", "llama.cpp-2023"),
        (None, None, "llama.cpp"),
    ],
)
def test_llama_cpp_generation_from_build_month_or_source_date(
    version: str | None, date: str | None, expected: str
) -> None:
    assert engine_for_version("llama.cpp", version, date) == expected
    assert resolve_engine(expected).formats == resolve_engine("llama.cpp").formats


def test_older_llama_cpp_refines_the_current_keys() -> None:
    keys = group_keys("prefill", "llama.cpp-2023", "ada/gddr", "4bit")
    assert keys[0] == "prefill|llama.cpp|*|*"
    assert keys[-1] == "prefill|llama.cpp-2023|ada/gddr|4bit"
    assert len(keys) == 12


# ----- diffusion: UNet FLOPs from the architecture, variants -----------------------------------


def _library_unet_config(model_id: str) -> dict:  # type: ignore[type-arg]
    import json
    from importlib import resources

    path = resources.files("gpuatlas.catalog") / "data" / "models" / f"{model_id}.json"
    return json.loads(path.read_text(encoding="utf-8"))  # type: ignore[no-any-return]


@pytest.mark.parametrize(
    "model_id", ["sd-1.5", "sd-2.1", "sd-2.1-base", "sdxl-base-1.0", "sd-turbo", "sdxl-turbo"]
)
def test_unet_shapes_are_the_library_configs(model_id: str) -> None:
    from gpuatlas.performance.media.unet_flops import UNET_SHAPES

    config, shape = _library_unet_config(model_id), UNET_SHAPES[model_id]
    assert list(shape.block_out_channels) == config["block_out_channels"]
    assert shape.layers_per_block == config["layers_per_block"]
    assert shape.cross_attention_dim == config["cross_attention_dim"]
    depths = config.get("transformer_layers_per_block", 1)
    depths = depths if isinstance(depths, list) else [depths] * len(shape.block_out_channels)
    with_attention = ["CrossAttn" in kind for kind in config["down_block_types"]]
    expected = [d if a else 0 for d, a in zip(depths, with_attention, strict=True)]
    assert list(shape.transformer_depth) == expected
    assert shape.mid_depth == depths[-1]
    heads = config["attention_head_dim"]  # diffusers reads it as heads per block
    heads = heads if isinstance(heads, list) else [heads]
    assert list(shape.attention_heads) == heads


def test_sd15_unet_count_matches_the_published_thop_count() -> None:
    """BK-SDM's thop count of the SD 1.x U-Net at 512 px: 338.7 G MACs = 677.5 GFLOPs of
    conv/linear layers (the library's forward_gflops source), counted here independently."""
    from gpuatlas.performance.media.unet_flops import UNET_SHAPES, unet_forward_flops

    counted = unet_forward_flops(UNET_SHAPES["sd-1.5"], 64)
    assert counted.linear == pytest.approx(677.5e9, rel=0.01)


def test_unet_convolutions_grow_with_pixels_and_self_attention_with_pixels_squared() -> None:
    from gpuatlas.performance.media.unet_flops import UNET_SHAPES, unet_forward_flops

    small = unet_forward_flops(UNET_SHAPES["sdxl-base-1.0"], 64)
    large = unet_forward_flops(UNET_SHAPES["sdxl-base-1.0"], 128)
    # 4x the positions; the cross-attention k/v over the 77 text tokens stay fixed
    assert 3.85 < large.linear / small.linear <= 4.0
    assert 12.0 < large.attention / small.attention <= 16.0


def test_denoise_loop_timing_leaves_out_text_encoders_and_vae() -> None:
    from gpuatlas.catalog.systems import resolve_system
    from gpuatlas.performance.media.diffusion import diffusion_work
    from gpuatlas.performance.resolve import as_model

    system, model = resolve_system("a100-80gb-sxm"), as_model("sdxl")
    settings = {"resolution_px": 1024, "steps": 30, "batch": 2, "cfg": None, "weights": "fp16"}
    whole = diffusion_work(system, model, **settings)  # type: ignore[arg-type]
    loop = diffusion_work(system, model, variant="denoise-loop", **settings)  # type: ignore[arg-type]
    assert loop.other_flops == 0 and whole.other_flops > 0
    assert loop.forward_flops == whole.forward_flops
    assert loop.pipeline_s(0.3) == 0 < whole.pipeline_s(0.3)


def test_torch_compile_variant_is_its_own_level_over_eager_diffusers() -> None:
    from gpuatlas.performance.media.diffusion import image_engine

    assert image_engine("diffusers", "denoise-loop+torch.compile") == "diffusers-compiled"
    assert image_engine("diffusers", "denoise-loop") == "diffusers"
    assert image_engine("tensorrt", "torch.compile") == "tensorrt"
    keys = group_keys("image", "diffusers-compiled", "ampere/hbm", "unet")
    assert keys[0] == "image|diffusers|*|*"
    assert keys[-1] == "image|diffusers-compiled|ampere/hbm|unet"


def test_small_image_batches_are_launch_bound_large_ones_compute_bound() -> None:
    from gpuatlas.performance.media.diffusion import overlapped_s

    assert overlapped_s(0.001, 0.040) == pytest.approx(0.040, rel=0.01)
    assert overlapped_s(0.400, 0.040) == pytest.approx(0.400, rel=0.01)
    assert overlapped_s(0.040, 0.040) > 0.040


def test_roofline_baseline_resolves_engines_without_fixed_costs() -> None:
    from gpuatlas.performance.engine_profiles import engine_overheads_off

    assert resolve_engine("llama.cpp-2023").kernel_overhead_us > 0
    with engine_overheads_off():
        plain = resolve_engine("llama.cpp-2023")
        fixed = (plain.layer_overhead_ms, plain.kernel_overhead_us, plain.step_overhead_ms)
        assert fixed == (0.0, 0.0, 0.0) and plain.sequence_overhead_us == 0.0
    assert resolve_engine("transformers").layer_overhead_ms > 0


def test_batch_rows_take_a_variant_column() -> None:
    from gpuatlas.calibration.case_files import predict_rows

    common = {
        "gpu": "RTX 4090",
        "gpu_count": "1",
        "model": "sdxl",
        "weights": "fp16",
        "engine": "diffusers",
        "batch": "1",
        "input_tokens": "",
        "output_tokens": "",
        "metric": "image_s",
        "resolution": "1024x1024",
        "steps": "30",
    }
    rows = [{**common, "variant": ""}, {**common, "variant": "denoise-loop"}]
    whole, loop = predict_rows(rows)
    assert not whole["error"] and not loop["error"]
    assert float(loop["value"]) < float(whole["value"])
