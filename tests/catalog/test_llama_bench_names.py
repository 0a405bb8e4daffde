"""Model names as llama-bench prints them: '<arch> <size> <llama.cpp file-type name>'."""

from __future__ import annotations

import pytest

from gpuatlas.catalog.formats import resolve_format
from gpuatlas.catalog.model_arch_llm import ModelArch
from gpuatlas.catalog.model_arch_media import DiffusionArch
from gpuatlas.catalog.model_names import resolve_model_reference
from gpuatlas.errors import UnknownNameError


@pytest.mark.unit
@pytest.mark.parametrize(
    ("written", "model_id", "format_id"),
    [
        ("llama 7B Q4_K - Medium", "llama-7b", "q4_k_m"),
        ("llama 13B Q3_K - Small", "llama-13b", "q3_k_s"),
        ("llama 7B Q2_K - Medium", "llama-7b", "q2_k"),
        ("qwen3 14B Q5_K - Medium", "qwen3-14b", "q5_k_m"),
        ("llama 1B IQ4_NL - 4.5 bpw", "llama-3.2-1b", "iq4_nl"),
        ("llama 8B IQ3_S - 3.4375 bpw", "llama-3.1-8b", "iq3_s"),
        ("llama 8B Q4_0", "llama-3.1-8b", "q4_0"),
        ("llama 7B Q4_0", "llama-7b", "q4_0"),
        ("qwen3moe 30B.A3B Q4_K - Medium", "qwen3-30b-a3b", "q4_k_m"),
        ("qwen3moe 30B.A3B Q2_K - Medium", "qwen3-30b-a3b", "q2_k"),
        ("qwen3moe 235B.A22B Q4_K - Medium", "qwen3-235b-a22b", "q4_k_m"),
        # llama.cpp's file type MXFP4_MOE: experts MXFP4, the rest Q8_0 (formats.toml)
        ("gpt-oss 20B MXFP4 MoE", "gpt-oss-20b", "mxfp4_moe"),
        ("gpt-oss 120B MXFP4 MoE", "gpt-oss-120b", "mxfp4_moe"),
    ],
)
def test_llama_bench_model_column_resolves_to_model_and_format(
    written: str, model_id: str, format_id: str
) -> None:
    """llama.cpp names a Llama-architecture model by layer count and vocabulary (16 layers:
    1B; 32 layers with a 128256-token vocabulary: 8B; with 32000: 7B) and the file type by
    llama_model_ftype_name ('Q4_K - Medium' is Q4_K_M; i-quants carry their bitrate). A MoE
    architecture is named 'qwen3moe' with its type as total.active ('30B.A3B', llama.cpp's
    LLM_TYPE_30B_A3B), and gpt-oss's file type is 'MXFP4 MoE'."""
    reference = resolve_model_reference(written, allow_hub=False)
    assert (reference.model.id, reference.format_id) == (model_id, format_id)


@pytest.mark.unit
def test_iq3_s_carries_its_block_bitrate() -> None:
    """ggml's block_iq3_s: 110 bytes per 256 weights."""
    assert resolve_format("IQ3_S").bits_per_weight == pytest.approx(110 * 8 / 256)


@pytest.mark.unit
def test_a_written_weights_column_reads_a_bare_gguf_bit_count_like_a_model_tag() -> None:
    """'Q6' in a source's weights column is Q6_K (ggml's one 6-bit type), as in a model name."""
    from gpuatlas.calibration.written_rows import resolve_written_row

    cells = {
        "gpu": "RTX 4090", "gpu_count": "1", "engine": "llama.cpp", "engine_version": "",
        "model": "llama3 8b", "weights": "Q6", "kv_cache": "", "batch": "1",
        "input_tokens": "", "output_tokens": "", "resolution": "", "steps": "",
        "metric": "decode_tok_s", "value": "100", "unit": "tok/s", "source": "https://x.org",
        "source_date": "", "notes": "", "parallelism": "", "backend": "", "variant": "",
    }  # fmt: skip
    row = resolve_written_row(cells, "file.csv", 2)
    assert getattr(row, "weights", None) == "q6_k"


@pytest.mark.unit
def test_a_bracketed_size_after_the_name_is_read_when_the_model_has_that_size() -> None:
    """Benchmark tables write 'Phi3-mini (3.8B)' and a family with its size, 'Qwen2.5 (14B)';
    a size that contradicts the name is refused."""
    assert resolve_model_reference("Phi3-mini (3.8B)", allow_hub=False).model.id == "phi-3-mini"
    assert resolve_model_reference("Qwen2.5 (14B)", allow_hub=False).model.id == "qwen2.5-14b"
    for contradicting in ("Qwen3-8B (14B)", "Llama-3.1-8B (70B)"):
        with pytest.raises(UnknownNameError):
            resolve_model_reference(contradicting, allow_hub=False)


@pytest.mark.unit
@pytest.mark.parametrize(
    ("written", "model_id"),
    [
        ("SDXL LCM", "sdxl-lcm"),
        ("latent-consistency/lcm-sdxl", "sdxl-lcm"),
        ("sd-legacy/stable-diffusion-v1-5", "sd-1.5"),
        ("Comfy-Org/stable-diffusion-v1-5-archive", "sd-1.5"),
    ],
)
def test_image_model_names_tables_and_mirrors_use(written: str, model_id: str) -> None:
    assert resolve_model_reference(written, allow_hub=False).model.id == model_id


@pytest.mark.unit
def test_the_lcm_sdxl_is_sdxls_unet_run_once_per_step_at_four_steps() -> None:
    lcm = resolve_model_reference("SDXL LCM", allow_hub=False).model
    base = resolve_model_reference("sdxl-base-1.0", allow_hub=False).model
    assert isinstance(lcm, DiffusionArch) and isinstance(base, DiffusionArch)
    assert lcm.denoiser_params == base.denoiser_params
    assert (lcm.default_steps, lcm.forwards_per_step) == (4, 1)


@pytest.mark.unit
def test_deepseek_v2_lite_adds_up_to_its_published_size_and_llama_bench_names_it() -> None:
    """DeepSeek-V2-Lite: 15.7B parameters (llama-bench '15.71 B'), MLA with no query low-rank
    projection, 64 routed experts of which 6 per token plus 2 shared; llama.cpp's deepseek2
    architecture with 27 layers is its '16B' type."""
    reference = resolve_model_reference("deepseek2 16B Q4_K - Medium", allow_hub=False)
    model = reference.model
    assert (model.id, reference.format_id) == ("deepseek-v2-lite", "q4_k_m")
    assert isinstance(model, ModelArch)
    assert model.total_params() == pytest.approx(15.71e9, rel=0.002)
    assert (model.q_lora_rank, model.kv_lora_rank, model.num_experts) == (0, 512, 64)
    assert resolve_model_reference("deepseek-v2:16b", allow_hub=False).model.id == model.id
