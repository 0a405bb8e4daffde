"""Models and checkpoint names users write in this year's benchmarks (issue 10, round 7).

MiniMax-M2 and GLM-4.7-Flash are in the library with their configs' shapes; Unsloth Dynamic GGUF
files, GGUF types written without their mix ("Q6", "Q4") and "EXL2 8-bit" resolve to the base
model and a catalog format, saying how they were read; a format the catalog lacks is refused
instead of read as the 16-bit original; families whose layers are not one repeated block
(Gemma 3n: per-layer embeddings with AltUp layers) are refused by name with the reason (Gemma 4
E2B/E4B are modelled since round 30: tests/catalog/test_gemma4_edge_models.py). Qwen3.5/3.6
(Gated DeltaNet) are modelled: tests/catalog/test_linear_attention_hybrids.py; Nemotron-H /
Nemotron 3 and Granite 4.0 H (Mamba-2, round 8): tests/catalog/test_mamba2_hybrids.py; Gemma 4
26B-A4B: tests/catalog/test_model_library_december_2026.py.
"""

from __future__ import annotations

import pytest

from gpuatlas.catalog.gpus import resolve_gpu
from gpuatlas.catalog.model_arch import DiffusionArch, ModelArch
from gpuatlas.catalog.model_config import validate_llm_config
from gpuatlas.catalog.model_names import UnmodelledModelError, resolve_model_reference
from gpuatlas.catalog.model_weights import choose_weights, native_weights
from gpuatlas.catalog.models import get_model
from gpuatlas.errors import InvalidRequestError
from gpuatlas.performance.llm.shape import kv_bytes_per_token

pytestmark = pytest.mark.unit

BF16_BYTES = 2.0


def _llm(model_id: str) -> ModelArch:
    model = get_model(model_id)
    assert isinstance(model, ModelArch)
    return model


def test_minimax_m2_counts_230b_total_and_10b_active_without_embeddings() -> None:
    model = _llm("minimax-m2")
    assert model.total_params() == pytest.approx(230e9, rel=0.02)
    # 256 experts of 3 x 3072 x 1536 in each of 62 layers, 8 routed per token
    assert model.moe_layers == 62 and model.dense_layers == 0
    assert model.expert_params() == 3 * 3072 * 1536
    assert model.active_non_embedding_params() == pytest.approx(10e9, rel=0.03)
    assert model.checkpoint_format == "fp8"


def test_minimax_m2_kv_cache_is_full_gqa_in_every_layer() -> None:
    # 2 (K and V) x 8 KV heads x 128 x 62 layers x 2 bytes = 253,952 bytes per token
    assert kv_bytes_per_token(_llm("minimax-m2"), BF16_BYTES, 0) == 253_952


def test_glm_47_flash_is_a_30b_mla_moe_with_its_own_context() -> None:
    model = _llm("glm-4.7-flash")
    assert model.total_params() == pytest.approx(29.94e9, rel=0.005)  # GGUF metadata: 29.94B
    assert model.attention_type == "mla"
    assert model.max_position_embeddings == 202_752
    # MLA caches the 512-wide latent and the 64-wide rope key: 576 x 47 layers x 2 bytes
    assert kv_bytes_per_token(model, BF16_BYTES, 0) == 54_144


@pytest.mark.parametrize(
    ("name", "model_id"),
    [
        ("zai-org/GLM-4.7-Flash", "glm-4.7-flash"),
        ("unsloth/GLM-4.7-Flash-GGUF", "glm-4.7-flash"),
        ("zai-org/GLM-4.7", "glm-4.6"),  # the 355B model keeps GLM-4.6's shapes
        ("MiniMaxAI/MiniMax-M2.5", "minimax-m2"),
        ("MiniMax-M2.7", "minimax-m2"),
    ],
)
def test_new_model_names_resolve(name: str, model_id: str) -> None:
    assert resolve_model_reference(name, allow_hub=False).model.id == model_id


@pytest.mark.parametrize(
    ("name", "model_id", "format_id"),
    [
        ("unsloth/Qwen3-30B-A3B-GGUF/Qwen3-30B-A3B-UD-Q4_K_XL.gguf", "qwen3-30b-a3b", "q4_k_m"),
        ("Qwen3-30B-A3B-UD-Q8_K_XL-00001-of-00003.gguf", "qwen3-30b-a3b", "q8_0"),
        ("unsloth/GLM-4.7-Flash-GGUF:UD-Q4_K_XL", "glm-4.7-flash", "q4_k_m"),
        ("Llama-3.1-8B-Instruct-UD-Q6_K_XL.gguf", "llama-3.1-8b", "q6_k"),
        ("llama-3.1-8b-instruct Q6", "llama-3.1-8b", "q6_k"),
        ("Llama 3.1 8B Q4", "llama-3.1-8b", "q4_k_m"),
        ("Llama 3.1 8B Q8", "llama-3.1-8b", "q8_0"),
        ("Llama-3.1-8B-Instruct EXL2 8-bit", "llama-3.1-8b", "exl2-8bpw"),
        ("Llama 3.1 8B EXL2 4-bit", "llama-3.1-8b", "exl2-4bpw"),
    ],
)
def test_quant_names_as_written_resolve_to_base_and_format(
    name: str, model_id: str, format_id: str
) -> None:
    reference = resolve_model_reference(name, allow_hub=False)
    assert reference.model.id == model_id
    assert native_weights(reference).format_id == format_id


def test_a_mix_read_from_a_bare_bit_count_says_it_is_assumed() -> None:
    assumed = native_weights(resolve_model_reference("Llama 3.1 8B Q4", allow_hub=False))
    assert "assumed" in assumed.reason and "Q4_K_M" in assumed.reason
    unique = native_weights(resolve_model_reference("Llama 3.1 8B Q6", allow_hub=False))
    assert "assumed" not in unique.reason and "only 6-bit" in unique.reason
    dynamic = native_weights(resolve_model_reference("Qwen3-8B-UD-Q4_K_XL.gguf", allow_hub=False))
    assert "Unsloth Dynamic" in dynamic.reason


def test_a_gguf_type_the_catalog_lacks_is_refused_not_read_as_bf16() -> None:
    """(IQ4_KS: an ik_llama.cpp type.)"""
    reference = resolve_model_reference("unsloth/Qwen3-30B-A3B-GGUF:IQ4_KS", allow_hub=False)
    with pytest.raises(InvalidRequestError, match="IQ4_KS"):
        native_weights(reference)


def test_an_i_quant_tag_reads_as_its_type() -> None:
    """Since round 25 the catalog has the i-quants (IQ1_S … IQ3_M)."""
    reference = resolve_model_reference("unsloth/Qwen3-30B-A3B-GGUF:UD-IQ1_S", allow_hub=False)
    choice = native_weights(reference)
    assert choice.format_id == "iq1_s"
    assert "IQ1_S" in choice.reason


def test_weights_flag_reads_a_bare_bit_count_and_says_so() -> None:
    reference = resolve_model_reference("llama-3.1-8b", allow_hub=False)
    choice = choose_weights("Q6", reference)
    assert choice.format_id == "q6_k" and "Q6" in choice.reason
    assert choose_weights("EXL2 8-bit", reference).format_id == "exl2-8bpw"


@pytest.mark.parametrize(
    ("name", "family"),
    [
        ("tiiuae/Falcon-H1-34B-Instruct", "Falcon-H1"),
        ("ai21labs/AI21-Jamba-Mini-1.6", "Jamba"),
    ],
)
def test_hybrid_and_mixed_head_families_are_refused_by_name(name: str, family: str) -> None:
    with pytest.raises(UnmodelledModelError, match=family):
        resolve_model_reference(name, allow_hub=False)


@pytest.mark.parametrize("name", ["gemma-3-4b", "google/gemma-3-4b-it", "qwen3-4b", "qwen2.5-3b"])
def test_refusal_patterns_leave_modelled_neighbours_alone(name: str) -> None:
    assert resolve_model_reference(name, allow_hub=False).model.id == name.split("/")[-1].replace(
        "-it", ""
    )


@pytest.mark.parametrize("model_type", ["falcon_h1", "jamba", "mamba2"])
def test_configs_of_those_families_are_refused_by_model_type(model_type: str) -> None:
    config = {"model_type": model_type, "hidden_size": 64, "num_hidden_layers": 2}
    problems = validate_llm_config(config)
    assert len(problems) == 1 and "is not modelled" in problems[0]


def test_granite_33_8b_counts_the_safetensors_parameters() -> None:
    model = _llm("granite-3.3-8b")
    assert model.total_params() == 8_170_864_640  # the Hub's safetensors count
    # 2 x 8 KV heads x 128 x 40 layers x 2 bytes
    assert kv_bytes_per_token(model, BF16_BYTES, 0) == 163_840


def test_granite_33_2b_kv_matches_its_head_size_from_hidden_over_heads() -> None:
    model = _llm("granite-3.3-2b")
    assert model.head_dim == 2048 // 32
    assert kv_bytes_per_token(model, BF16_BYTES, 0) == 81_920  # 2 x 40 x 8 x 64 x 2
    assert model.total_params() == pytest.approx(2.5e9, rel=0.02)


@pytest.mark.parametrize(
    ("name", "model_id"),
    [
        ("granite3.3:8b", "granite-3.3-8b"),
        ("ibm-granite/granite-3.3-2b-instruct", "granite-3.3-2b"),
    ],
)
def test_granite_33_names_resolve(name: str, model_id: str) -> None:
    assert resolve_model_reference(name, allow_hub=False).model.id == model_id


@pytest.mark.parametrize(
    ("name", "model_id"),
    [
        ("stabilityai/stable-diffusion-3-medium-diffusers", "sd-3-medium"),
        ("SD3 Medium", "sd-3-medium"),
        ("stabilityai/stable-diffusion-3.5-medium", "sd-3.5-medium"),
        ("sd3.5-medium", "sd-3.5-medium"),
    ],
)
def test_sd3_medium_is_its_own_entry_beside_sd35_medium(name: str, model_id: str) -> None:
    assert resolve_model_reference(name, allow_hub=False).model.id == model_id


def test_sd3_medium_is_a_2b_mmdit_with_the_sd3_encoders() -> None:
    model = get_model("sd-3-medium")
    assert isinstance(model, DiffusionArch)
    assert model.denoiser_params == 2.0e9
    assert model.default_steps == 28 and model.latent_channels == 16
    encoders = get_model("sd-3.5-medium")
    assert isinstance(encoders, DiffusionArch)
    assert [e.params for e in model.text_encoders] == [e.params for e in encoders.text_encoders]


@pytest.mark.parametrize(
    ("name", "gpu_id"),
    [
        ("M5 Max 36GB", "apple-m5-max-32c"),
        ("MacBook Pro M5 Max 36GB", "apple-m5-max-32c"),
        ("Apple M5 Max 32-core", "apple-m5-max-32c"),
        ("M5 Max", "apple-m5-max-40c"),
        ("M5 Max 128GB", "apple-m5-max-40c"),
    ],
)
def test_m5_max_names_pick_the_variant_sold_with_that_memory(name: str, gpu_id: str) -> None:
    assert resolve_gpu(name).id == gpu_id


def test_m5_max_32_core_is_the_binned_part_at_460_gb_s() -> None:
    binned, full = resolve_gpu("apple-m5-max-32c"), resolve_gpu("apple-m5-max-40c")
    assert binned.gpu_cores == 32 and binned.memory_bandwidth_gb_s == 460.0
    # the same per-core rates as the 40-core part: 32/40 of its fp16 matrix rate
    assert binned.fp16_dense_tflops == pytest.approx(full.fp16_dense_tflops * 32 / 40, rel=0.001)
