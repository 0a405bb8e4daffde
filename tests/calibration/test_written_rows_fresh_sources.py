"""The second round of the fresh held-out set (as_written/): its sources are new, and the names
they write (front ends such as SwarmUI, GPU labels such as 'RTX4090' or the iGPU name llama.cpp
prints) resolve the way a user's command resolves them."""

from __future__ import annotations

import csv

import pytest

from gpuatlas.calibration.validation import source_key
from gpuatlas.calibration.written_rows import resolve_written_row, written_dir
from gpuatlas.catalog.measurements import MeasuredRow, load_holdout, load_measurements
from gpuatlas.catalog.systems import resolve_system
from gpuatlas.errors import UnknownNameError
from gpuatlas.performance.engine_specs import parse_engine_spec
from gpuatlas.performance.media.unet_flops import SDXL_UNET, UNET_SHAPES
from gpuatlas.performance.resolve import as_diffusion

# The files this round added, each citing publications no other measured-data file cites.
FRESH_FILES = (
    "gparemsky_48gb4090_ollama.csv",
    "kyuz0_strix_halo_toolboxes.csv",
    "furkangozukara_rtx5090_swarmui.csv",
    "llm_ie_benchmarks_deepseek_r1_h200.csv",
    "premai_benchmarks_llama2_7b.csv",
    "user_threads_vllm_lmstudio_llamacpp.csv",
    "btbtyler09_mi100_vllm.csv",
    "homelab_android19_rtx5060ti_vllm.csv",
    "llmq_training_throughput.csv",
    "mlx_inference_server_m4.csv",
    "comfyui_issue7332_radeon_rocm.csv",
    "nexveridian_m4max_lmstudio.csv",
    "llamacpp_vulkan_pr_threads.csv",
    "llmfit_community_bench.csv",
    "pollinations_flux_schnell_h100.csv",
    "tt_inference_server_issue356_16xh100.csv",
    "vllm_issue25915_h100_qwen3_8b.csv",
    "xdit_issue392_rtx4090_sd3.csv",
    "sglang_serving_threads.csv",
    "more_threads_llmfit_m2pro_vllm_b200.csv",
    "visionatrix_comfyui_hardware_results.csv",
)

ROW = {
    "gpu": "RTX 5090",
    "gpu_count": "1",
    "engine": "SwarmUI",
    "engine_version": "",
    "model": "SD 3.5 Medium",
    "weights": "FP8",
    "kv_cache": "",
    "batch": "1",
    "input_tokens": "",
    "output_tokens": "",
    "resolution": "1024x1024",
    "steps": "20",
    "metric": "image_s",
    "value": "3.88",
    "unit": "s/image",
    "source": "https://example.org/bench",
    "source_date": "",
    "notes": "as written",
    "parallelism": "",
    "backend": "",
    "variant": "",
}


def _sources_of(file_name: str) -> set[str]:
    with (written_dir() / file_name).open(encoding="utf-8", newline="") as handle:
        return {source_key(cells["source"]) for cells in csv.DictReader(handle)}


def _resolved(**changes: str) -> MeasuredRow:
    row = resolve_written_row({**ROW, **changes}, "file.csv", 2)
    assert isinstance(row, MeasuredRow), row
    return row


def test_swarmui_is_read_as_the_pytorch_pipeline_it_drives() -> None:
    assert parse_engine_spec("SwarmUI").engine == "diffusers"
    row = _resolved()
    assert [row.gpu, row.engine, row.model, row.weights] == [
        "rtx-5090",
        "diffusers",
        "sd-3.5-medium",
        "fp8",
    ]


@pytest.mark.parametrize(
    ("written", "gpu_id"),
    [
        ("RTX4090", "rtx-4090"),
        ("A6000-48GB", "rtx-a6000"),
        ("AMD Radeon 8060S Graphics", "ryzen-ai-max-plus-395"),
        ("NVIDIA H200", "h200-sxm"),
        ("RTX 3090 Ti", "rtx-3090-ti"),
        ("NVIDIA GeForce RTX 5060 Ti (16GB GDDR7)", "rtx-5060-ti-16gb"),
        ("RTX 3090 24GB GDDR6X", "rtx-3090"),
        ("RX 7900 XTX 24GB GDDR6", "rx-7900-xtx"),
        ("4 x MI100", "mi100"),
        ("Radeon RX 9070 XT 16 Gb", "rx-9070-xt"),
        ("6900xt", "rx-6900-xt"),
        ("7900xtx", "rx-7900-xtx"),
        ("Mac Studio M4 Max 128GB (40 GPU cores)", "apple-m4-max-40c"),
        ("MacBook Air M4 (10 GPU cores)", "apple-m4-10c"),
        ("16 H100", "h100-sxm"),
        ("4070TiS", "rtx-4070-ti-super"),
        ("RTX 4070 TiS", "rtx-4070-ti-super"),
        ("7900XTX", "rx-7900-xtx"),
    ],
)
def test_gpu_labels_these_sources_write_resolve(written: str, gpu_id: str) -> None:
    assert _resolved(gpu=written).gpu == gpu_id


def test_a_llama_bench_build_line_and_its_backend_are_kept() -> None:
    lengths = {"input_tokens": "0", "output_tokens": "128", "resolution": "", "steps": ""}
    names = {
        "engine": "llama.cpp",
        "engine_version": "build: 0253fb21f (9187)",
        "backend": "vulkan",
    }
    row = _resolved(
        **lengths,
        **names,
        model="gpt-oss-20b-mxfp4.gguf",
        weights="",
        metric="decode_tok_s",
        unit="tok/s",
    )
    assert [row.engine, row.engine_version, row.backend, row.model] == [
        "llama.cpp",
        "b9187",
        "vulkan",
        "gpt-oss-20b",
    ]


def test_the_new_files_cite_only_publications_no_other_file_cites() -> None:
    fresh = set().union(*(_sources_of(name) for name in FRESH_FILES))
    others = {source_key(row.source) for row in load_measurements() + load_holdout()}
    for path in sorted(written_dir().glob("*.csv")):
        if path.name not in FRESH_FILES:
            others |= _sources_of(path.name)
    assert len(fresh) >= len(FRESH_FILES)
    assert fresh.isdisjoint(others), sorted(fresh & others)


@pytest.mark.parametrize(
    ("written", "version"),
    [
        ("vLLM 0.9.1.dev59+gb6a6e7a52", "0.9.1.dev59+gb6a6e7a52"),
        ("vllm==0.6.4.post2.dev371+g8d5aa466", "0.6.4.post2.dev371+g8d5aa466"),
    ],
)
def test_a_source_build_s_version_with_its_local_label_parses(written: str, version: str) -> None:
    spec = parse_engine_spec(written)
    assert (spec.engine, spec.version) == ("vllm", version)


def test_a_model_number_with_a_glued_suffix_is_not_a_gpu_count() -> None:
    """'6900xt' is one RX 6900 XT, not 6900 GPUs named 't'; '4x 7900xtx' is four RX 7900 XTX."""
    assert (resolve_system("6900xt").gpu.id, resolve_system("6900xt").gpu_count) == (
        "rx-6900-xt",
        1,
    )
    four = resolve_system("4x 7900xtx")
    assert (four.gpu.id, four.gpu_count) == ("rx-7900-xtx", 4)
    with pytest.raises(UnknownNameError, match="rtx-9999"):
        resolve_system("4x rtx-9999")


def test_a_training_row_of_llm_q_resolves_its_framework() -> None:
    row = _resolved(
        engine="llm.q",
        model="Qwen2.5-1.5B",
        weights="bf16",
        batch="4",
        input_tokens="1024",
        resolution="",
        steps="",
        metric="train_tok_s",
        unit="tok/s",
    )
    assert [row.engine, row.model, row.weights] == ["llmq", "qwen2.5-1.5b", "bf16"]


def test_a_count_written_before_the_name_without_an_x_is_a_count() -> None:
    """'16 H100' is sixteen H100s; '3090 Ti' and '80 GB A100' stay one GPU."""
    sixteen = resolve_system("16 H100")
    assert (sixteen.gpu.id, sixteen.gpu_count) == ("h100-sxm", 16)
    assert resolve_system("3090 Ti").gpu_count == 1
    assert resolve_system("80 GB A100").gpu_count == 1


def test_a_vendor_written_before_the_engine_is_its_backend() -> None:
    """premAI's table writes 'Nvidia TensorRT-LLM'; an unknown engine keeps its own error."""
    spec = parse_engine_spec("Nvidia TensorRT-LLM")
    assert (spec.engine, spec.backend) == ("tensorrt-llm", "cuda")
    with pytest.raises(UnknownNameError, match="Nvidia Foo"):
        parse_engine_spec("Nvidia Foo")


def test_sdxl_lightning_is_the_sdxl_unet_run_without_guidance() -> None:
    assert _resolved(model="SDXL Lightning", steps="8", weights="").model == "sdxl-lightning"
    names = ("SDXL Lightning", "ByteDance/SDXL-Lightning", "sdxl-lightning-8step")
    assert {as_diffusion(name).id for name in names} == {"sdxl-lightning"}
    lightning, sdxl = as_diffusion("sdxl-lightning"), as_diffusion("sdxl")
    assert lightning.denoiser_params == sdxl.denoiser_params
    assert (lightning.default_steps, lightning.forwards_per_step) == (4, 1)
    assert lightning.default_resolution_px == 1024
    assert UNET_SHAPES["sdxl-lightning"] == SDXL_UNET
