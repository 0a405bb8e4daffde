"""Models the round-15 held-out sources run that the library lacked (issue 10): Qwen3.8-27B (the
Qwen3.5 hybrid shapes: 16 of 64 layers cache K and V) and Qwen1.5-7B (the Qwen2 code with
multi-head attention). Values from the configs' shapes, worked out
here from first principles."""

from __future__ import annotations

import pytest

from gpuatlas.catalog.model_arch import ModelArch
from gpuatlas.catalog.model_names import resolve_model_reference
from gpuatlas.catalog.models import get_model
from gpuatlas.errors import UnknownNameError
from gpuatlas.performance.llm.fit_answer import answer_fit
from gpuatlas.performance.llm.shape import kv_bytes_per_token

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("written", "format_id"),
    [
        ("Qwen3.8-27B", None),
        ("Qwen/Qwen3.8-27B", None),
        ("Qwen3.8-27B-ABLITERATED-Q4_K_M.gguf", "q4_k_m"),
        ("Qwen/Qwen3.8-27B-FP8", "fp8"),
        ("Qwen3.8-27B UD-Q4_K_XL", "q4_k_m"),
    ],
)
def test_qwen38_27b_as_users_write_it(written: str, format_id: str | None) -> None:
    reference = resolve_model_reference(written, allow_hub=False)
    assert (reference.model.id, reference.format_id) == ("qwen3.8-27b", format_id)


def test_qwen38_27b_caches_k_and_v_in_its_16_full_attention_layers_only() -> None:
    model = get_model("qwen3.8-27b")
    assert isinstance(model, ModelArch) and not model.is_moe
    assert model.kv_cache_layers == 16
    assert kv_bytes_per_token(model, 2.0, 0) == 2 * 4 * 256 * 16 * 2
    assert model.max_position_embeddings == 262_144


def test_an_ollama_tag_nobody_published_is_refused_with_the_model_first() -> None:
    with pytest.raises(UnknownNameError) as refused:
        resolve_model_reference("qwen3.8:27b", allow_hub=False)
    assert "qwen3.8-27b" in str(refused.value)


def _qwen2_code_params(
    hidden: int, ffn: int, layers: int, heads: int, kv_heads: int, vocab: int, *, tied: bool
) -> int:
    head_dim = hidden // heads
    kv_width = kv_heads * head_dim
    attention = hidden * hidden * 2 + hidden * kv_width * 2 + hidden + 2 * kv_width  # + QKV bias
    per_layer = attention + 3 * hidden * ffn + 2 * hidden
    return layers * per_layer + hidden + vocab * hidden * (1 if tied else 2)


@pytest.mark.parametrize("written", ["qwen1.5-7b", "Qwen/Qwen1.5-7B-Chat", "qwen:7b"])
def test_qwen15_7b_counts_its_config_shapes(written: str) -> None:
    model = resolve_model_reference(written, allow_hub=False).model
    assert model.id == "qwen1.5-7b"
    assert isinstance(model, ModelArch)
    assert model.total_params() == _qwen2_code_params(4096, 11008, 32, 32, 32, 151936, tied=False)
    assert model.total_params() == pytest.approx(7.721e9, rel=0.001)  # the Hub's count


def test_qwen15_7b_is_multi_head_so_its_kv_cache_is_8x_qwen2_7b() -> None:
    qwen15 = get_model("qwen1.5-7b")
    assert kv_bytes_per_token(qwen15, 2.0, 0) == 2 * 32 * 32 * 128 * 2  # 512 KiB per token
    assert qwen15.max_position_embeddings == 32_768


def test_qwen15_names_with_their_quantisation_read_the_format() -> None:
    reference = resolve_model_reference("Qwen1.5-7B-Chat-GPTQ-Int4", allow_hub=False)
    assert (reference.model.id, reference.format_id) == ("qwen1.5-7b", "gptq-int4")
    assert resolve_model_reference("qwen1.5-7b-chat-q4_k_m.gguf").format_id == "q4_k_m"


def test_qwen15_sizes_the_library_lacks_are_refused_not_read_as_another_size() -> None:
    with pytest.raises(UnknownNameError):
        resolve_model_reference("Qwen/Qwen1.5-3B-Chat", allow_hub=False)  # no such size


def test_qwen38_27b_q4_k_m_fits_one_24_gb_card_as_the_held_out_users_ran_it() -> None:
    reference = resolve_model_reference("Qwen3.8-27B-ABLITERATED-Q4_K_M.gguf", allow_hub=False)
    answer = answer_fit("rtx-3090", reference, [], engine="llama.cpp", context_tokens=4096)
    # 26.9B weights at Q4_K_M's ~4.85 bits per weight: about 16.3 GB (15.2 GiB)
    assert answer.weights.format_id == "q4_k_m"
    assert 15.5 < answer.detail.per_gpu.weights_gb < 17.5
    assert answer.detail.fits


@pytest.mark.parametrize(
    ("written", "format_id"),
    [("zai-org/GLM-5.1-FP8", "fp8"), ("GLM-5.1-FP8", "fp8"), ("zai-org/GLM-5.1", None)],
)
def test_glm51_as_users_write_it(written: str, format_id: str | None) -> None:
    reference = resolve_model_reference(written, allow_hub=False)
    assert (reference.model.id, reference.format_id) == ("glm-5.1", format_id)


def test_glm51_caches_mla_latents_and_dsa_indexer_keys_in_78_layers() -> None:
    model = get_model("glm-5.1")
    assert isinstance(model, ModelArch) and model.is_moe
    # MLA: kv_lora_rank 512 + rope 64 per token and layer; DSA indexer: 128 FP8 bytes + a
    # 4-byte scale
    assert kv_bytes_per_token(model, 1.0, 0) == 78 * (576 * 1 + 132)
    assert model.total_params() == pytest.approx(744e9, rel=0.01)


def test_glm52_is_not_read_as_glm51() -> None:
    with pytest.raises(UnknownNameError):
        resolve_model_reference("zai-org/GLM-5.2", allow_hub=False)
