"""Catalog gaps users hit: Qwen3.5 0.8B/4B/9B, OpenLLaMA 3B, llama.cpp's Q2_K_S and Colab's A100.

Expected values come from the models' config.json shapes and llama.cpp's own tables, not from
today's output: a Qwen3.5 dense model caches K and V only in its full-attention layers (one in
four), OpenLLaMA 3B is a 26-layer LLaMA of width 3200, Q2_K_S was 2.16 GiB for LLaMA-v1-7B in
llama.cpp's quantize table (the Q2_K mix 2.63 GiB), and Google Colab's A100 is the 40 GB card."""

from __future__ import annotations

import pytest

from gpuatlas.catalog.formats import resolve_format
from gpuatlas.catalog.gpus import read_gpu_name
from gpuatlas.catalog.model_arch_llm import ModelArch
from gpuatlas.catalog.model_names import resolve_model_reference
from gpuatlas.catalog.models import get_model
from gpuatlas.errors import UnknownNameError
from gpuatlas.performance.llm.shape import kv_bytes_per_token

LLAMA_V1_7B_PARAMS = 6.74e9  # the model llama.cpp's older quantize table measured sizes on
GIB = 2**30


def _llm(model_id: str) -> ModelArch:
    model = get_model(model_id)
    assert isinstance(model, ModelArch)
    return model


def _qwen35_dense_params(shape: tuple[int, int, int, int, int, int], tied: bool) -> int:
    """Text parameters of a Qwen3.5 dense model counted by hand from config.json, shape =
    (layers, hidden, FFN, Q heads, KV heads, linear value heads): one gated-attention layer in
    four (Q and its gate 2 x Q heads x 256, K and V KV heads x 256 each, O, q/k norms), the
    others Gated DeltaNet (Q and K 16 x 128, V and Z value heads x 128, beta and alpha per value
    head, a 4-tap conv over Q K V, per-head A and dt, a 128-wide gated norm, the output
    projection), a SwiGLU MLP and two norms per layer, the final norm and the embeddings."""
    layers, hidden, ffn, q_heads, kv_heads, value_heads = shape
    q, kv, key_dim, value_dim = q_heads * 256, kv_heads * 256, 16 * 128, value_heads * 128
    attention = hidden * 2 * q + 2 * hidden * kv + q * hidden + 2 * 256
    deltanet = (
        hidden * (2 * key_dim + 2 * value_dim + 2 * value_heads)
        + (2 * key_dim + value_dim) * 4
        + 2 * value_heads
        + 128
        + value_dim * hidden
    )
    per_layer = 3 * hidden * ffn + 2 * hidden
    embeddings = 248320 * hidden * (1 if tied else 2)
    full = layers // 4
    return full * attention + (layers - full) * deltanet + layers * per_layer + hidden + embeddings


@pytest.mark.unit
@pytest.mark.parametrize(
    ("model_id", "shape", "tied"),
    [
        ("qwen3.5-0.8b", (24, 1024, 3584, 8, 2, 16), True),
        ("qwen3.5-4b", (32, 2560, 9216, 16, 4, 32), True),
        ("qwen3.5-9b", (32, 4096, 12288, 16, 4, 32), False),
    ],
)
def test_qwen35_dense_models_count_their_config_by_hand(
    model_id: str, shape: tuple[int, int, int, int, int, int], tied: bool
) -> None:
    """The hand count equals the language-model tensors of the released checkpoints
    (752,393,024, 4,205,751,296 and 8,953,803,264 as public audits of the shards itemize them)."""
    model = _llm(model_id)
    assert model.total_params() == _qwen35_dense_params(shape, tied)


@pytest.mark.unit
@pytest.mark.parametrize("model_id", ["qwen3.5-4b", "qwen3.5-9b"])
def test_qwen35_dense_models_cache_kv_in_8_of_32_layers(model_id: str) -> None:
    """2 (K, V) x 4 KV heads x 256 x 8 full-attention layers x 2 bytes (bf16)."""
    model = _llm(model_id)
    assert len(model.linear_attention_layers) == 24
    assert kv_bytes_per_token(model, 2.0, 0) == 2 * 4 * 256 * 8 * 2


@pytest.mark.unit
def test_qwen35_0_8b_caches_kv_in_6_of_24_layers() -> None:
    """2 (K, V) x 2 KV heads x 256 x 6 full-attention layers x 2 bytes (bf16)."""
    model = _llm("qwen3.5-0.8b")
    assert len(model.linear_attention_layers) == 18
    assert kv_bytes_per_token(model, 2.0, 0) == 2 * 2 * 256 * 6 * 2


@pytest.mark.unit
@pytest.mark.parametrize(
    ("written", "model_id"),
    [
        ("Qwen/Qwen3.5-4B", "qwen3.5-4b"),
        ("qwen3.5-4b", "qwen3.5-4b"),
        ("Qwen3.5 4B", "qwen3.5-4b"),
        ("unsloth/Qwen3.5-4B-GGUF", "qwen3.5-4b"),
        ("Qwen/Qwen3.5-9B", "qwen3.5-9b"),
        ("Qwen/Qwen3.5-0.8B", "qwen3.5-0.8b"),
        ("openlm-research/open_llama_3b_v2", "open-llama-3b"),
        ("openlm-research/open_llama_3b", "open-llama-3b"),
        ("open_llama_3b", "open-llama-3b"),
        ("OpenLLaMA 3B", "open-llama-3b"),
    ],
)
def test_new_models_resolve_as_people_write_them(written: str, model_id: str) -> None:
    assert resolve_model_reference(written, allow_hub=False).model.id == model_id


@pytest.mark.unit
def test_open_llama_3b_is_a_26_layer_llama_of_width_3200() -> None:
    """26 x (4 x 3200^2 attention + 3 x 3200 x 8640 MLP + 2 x 3200 norms) + 3200
    + 2 x 32000 x 3200 untied embeddings = 3.426 B; MHA: 2 x 32 x 100 x 26 x 2 bytes of KV."""
    model = _llm("open-llama-3b")
    per_layer = 4 * 3200**2 + 3 * 3200 * 8640 + 2 * 3200
    assert model.total_params() == 26 * per_layer + 3200 + 2 * 32000 * 3200
    assert kv_bytes_per_token(model, 2.0, 0) == 2 * 32 * 100 * 26 * 2


@pytest.mark.unit
def test_llama_bench_llama_3b_stays_ambiguous() -> None:
    """llama.cpp prints 'llama 3B' for 26 layers (OpenLLaMA 3B) and 28 (Llama 3.2 3B)."""
    with pytest.raises(UnknownNameError):
        resolve_model_reference("llama 3B", allow_hub=False)


@pytest.mark.unit
def test_q2_k_s_bits_follow_llama_cpp_quantize_table() -> None:
    """Q2_K_S: 2.16 GiB for LLaMA-v1-7B (Q2_K: 2.63 GiB); the block stays ggml's Q2_K."""
    fmt = resolve_format("Q2_K_S")
    assert fmt.id == "q2_k_s"
    assert fmt.bits_per_weight == pytest.approx(84 * 8 / 256)
    expected_bpw = 2.16 * GIB * 8 / LLAMA_V1_7B_PARAMS
    assert fmt.effective_bits_per_weight == pytest.approx(expected_bpw, abs=0.01)
    assert fmt.effective_bits_per_weight < resolve_format("Q2_K").effective_bits_per_weight


@pytest.mark.unit
@pytest.mark.parametrize(
    ("written", "model_id"),
    [("llama 7B Q2_K - Small", "llama-7b"), ("unsloth/Qwen3.5-4B-GGUF Q2_K_S", "qwen3.5-4b")],
)
def test_q2_k_s_reads_from_model_names(written: str, model_id: str) -> None:
    reference = resolve_model_reference(written, allow_hub=False)
    assert (reference.model.id, reference.format_id) == (model_id, "q2_k_s")


@pytest.mark.unit
@pytest.mark.parametrize(
    "written", ["A100 (Colab)", "Colab A100", "Google Colab A100", "colab a100"]
)
def test_colabs_a100_is_the_40gb_sxm4(written: str) -> None:
    gpu, assumption = read_gpu_name(written)
    assert (gpu.id, gpu.memory_gb) == ("a100-40gb-sxm", 40.0)
    assert assumption is None


@pytest.mark.unit
def test_a_bare_a100_keeps_its_declared_default() -> None:
    assert read_gpu_name("A100")[0].id == "a100-80gb-sxm"


@pytest.mark.unit
@pytest.mark.parametrize("engine", ["llama.cpp", "ollama", "llama.cpp b2xxx", "llama.cpp b1xxx"])
def test_llama_cpp_family_engines_load_q2_k_s(engine: str) -> None:
    """LLAMA_FTYPE_MOSTLY_Q2_K_S (ftype 21) came with the 2-bit i-quants in early 2024 builds."""
    from gpuatlas.performance.engine_specs import engine_profile

    assert "q2_k_s" in engine_profile(engine).formats
