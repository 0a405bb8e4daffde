"""Gemma 4 E2B and E4B: per-layer embeddings and layers that attend with another layer's cache.

Expected values are hand counts from the published configs (E2B: hidden 1536, 35 layers in
(4 sliding + 1 full) x 7, MLP 6144 and 12288 on the 20 KV-shared layers, 1 KV head; E4B:
hidden 2560, 42 layers in (5 sliding + 1 full) x 7, MLP 10240, 2 KV heads, 18 KV-shared layers;
both 8 query heads, head 256 / global 512, a 262,144 x layers x 256 per-layer table), not
today's output."""

from __future__ import annotations

import pytest

from gpuatlas.catalog.model_arch_llm import ModelArch
from gpuatlas.catalog.model_config import arch_from_config
from gpuatlas.catalog.model_names import resolve_model_reference
from gpuatlas.performance.engine_profiles import resolve_engine
from gpuatlas.performance.llm.fit_answer import answer_fit
from gpuatlas.performance.llm.memory import MemoryInputs
from gpuatlas.performance.llm.offload import split_for
from gpuatlas.performance.llm.offload_speed import OffloadSpeed, offload_at, offloaded_prefill_s
from gpuatlas.performance.llm.shape import kv_bytes_per_token, llm_shape
from gpuatlas.performance.llm.step_kernels import kernels_per_token, stages_per_token
from gpuatlas.performance.llm.step_times import build_runtime
from gpuatlas.performance.resolve import as_format, as_llm, as_system

pytestmark = pytest.mark.unit

BF16 = 2.0
VOCAB = 262_144


@pytest.mark.parametrize(
    ("model_id", "layers", "table", "without_table"),
    [
        # Google: '2.3B effective' for E2B (the model less its per-layer table)
        ("gemma-4-e2b", 35, VOCAB * 35 * 256, 2.30e9),
        ("gemma-4-e4b", 42, VOCAB * 42 * 256, 4.70e9),
    ],
)
def test_the_per_layer_table_is_held_but_not_counted_as_block_weights(
    model_id: str, layers: int, table: int, without_table: float
) -> None:
    model = as_llm(model_id)
    assert model.per_layer_embedding_params() == table
    assert model.total_params() - table == pytest.approx(without_table, rel=0.01)
    # the table is a lookup: not in the FLOPs of a token, not among the quantised linear layers
    skipped = model.shared_kv_projection_params()  # held, not run by the KV-shared layers
    assert model.active_non_embedding_params() == (
        model.total_params() - table - skipped - model.embedding_params()
    )
    assert model.quantizable_params() < model.total_params() - table - model.embedding_params()
    # held with the weights (bf16 run: 2 bytes each); a step reads everything else (the tied
    # embedding as the output layer included), the table one row per token only
    shape = llm_shape(model, as_format("bf16"))
    assert shape.total_weight_bytes == pytest.approx(model.total_params() * BF16, rel=1e-3)
    assert shape.step_read_bytes == pytest.approx(
        (model.total_params() - table - skipped) * BF16, rel=1e-3
    )


def test_the_kv_shared_layers_keep_no_cache_of_their_own() -> None:
    e2b, e4b = as_llm("gemma-4-e2b"), as_llm("gemma-4-e4b")
    assert (e2b.kv_cache_layers, e2b.cached_full_layers, e2b.cached_sliding_layers) == (15, 3, 12)
    assert (e4b.kv_cache_layers, e4b.cached_full_layers, e4b.cached_sliding_layers) == (24, 4, 20)
    # every layer still attends: 7 full-attention layers each
    assert e2b.full_attention_layers == e4b.full_attention_layers == 7
    # per token, every cached layer in full (bf16): sliding 2 x KV heads x 256 x 2 bytes,
    # global 2 x KV heads x 512 x 2 bytes
    assert kv_bytes_per_token(e2b, BF16, 0) == 12 * 2 * 1 * 256 * 2 + 3 * 2 * 1 * 512 * 2
    assert kv_bytes_per_token(e4b, BF16, 0) == 20 * 2 * 2 * 256 * 2 + 4 * 2 * 2 * 512 * 2


def test_a_decode_step_reads_the_shared_cache_in_every_layer_and_writes_only_its_own() -> None:
    runtime = build_runtime(
        as_system("rtx-4090"),
        as_llm("gemma-4-e4b"),
        as_format("bf16"),
        resolve_engine("vllm"),
        BF16,
    )
    sliding, full = 2 * 2 * 256 * BF16, 2 * 2 * 512 * BF16
    # one cached token: all 35 sliding and 7 global layers read it, 20 + 4 wrote it
    assert runtime.kv_read_bytes(1) == pytest.approx(35 * sliding + 7 * full)
    assert runtime.kv_write_bytes_per_token == pytest.approx(20 * sliding + 4 * full)


def test_the_kv_shared_layers_of_e2b_run_a_double_wide_mlp() -> None:
    model = as_llm("gemma-4-e2b")
    assert model.layer_intermediate_sizes == (6144,) * 15 + (12288,) * 20
    e4b = as_llm("gemma-4-e4b")  # use_double_wide_mlp false: one width for every layer
    assert e4b.layer_intermediate_sizes == () and e4b.intermediate_size == 10240


def test_a_config_without_use_double_wide_mlp_widens_the_shared_layers() -> None:
    """transformers' and mlx-lm's default for use_double_wide_mlp is True."""
    shape = dict(hidden_size=64, num_hidden_layers=4, num_attention_heads=4, head_dim=16)
    config = {"model_type": "gemma4_text", "num_key_value_heads": 1, "vocab_size": 256, **shape}
    config |= {"intermediate_size": 128, "max_position_embeddings": 4096}
    config |= {"hidden_size_per_layer_input": 8, "num_kv_shared_layers": 1}
    model = arch_from_config(config, model_id="tiny-gemma4-edge")
    assert model.layer_intermediate_sizes == (128, 128, 128, 256)
    assert model.kv_shared_layers == (3,)
    assert model.per_layer_vocab_size == 256  # vocab_size_per_layer_input absent: the vocab
    assert model.per_layer_embedding_params() == 256 * 4 * 8


def test_mlx_counts_the_per_layer_input_kernels() -> None:
    """mlx-lm's gemma4_text: gate, gelu, multiply, projection, norm and add in every layer
    (6 kernels, a chain of 6), and 7 kernels (a chain of 5) once per token."""
    model = as_llm("gemma-4-e4b")
    plain = ModelArch(**{**model.__dict__, "per_layer_input_size": 0, "per_layer_vocab_size": 0})
    assert kernels_per_token(model) - kernels_per_token(plain) == 42 * 6 + 7
    assert stages_per_token(model) - stages_per_token(plain) == 42 * 6 + 5


@pytest.mark.parametrize(
    ("written", "model_id"),
    [
        ("gemma4:e4b", "gemma-4-e4b"),
        ("gemma4:e2b", "gemma-4-e2b"),
        ("google/gemma-4-E4B-it", "gemma-4-e4b"),
        ("gemma4:e4b-it-q4_K_M", "gemma-4-e4b"),
        ("gemma-4-e4b-it-8bit", "gemma-4-e4b"),
    ],
)
def test_names_people_write_resolve(written: str, model_id: str) -> None:
    assert resolve_model_reference(written, allow_hub=False).model.id == model_id


def _weights_gb(system: str, name: str, engine: str, weights: str) -> tuple[float, str]:
    answer = answer_fit(
        system, resolve_model_reference(name, allow_hub=False), [weights], engine=engine
    )
    return answer.detail.per_gpu.weights_gb, " ".join(answer.engine_notes)


def test_llama_cpp_and_ollama_keep_the_per_layer_table_in_host_memory_on_a_discrete_gpu() -> None:
    """ggml places input-layer tensors (token_embd, per_layer_token_embd) in a CPU buffer; vLLM
    holds everything on the GPU; on a Mac the table sits in the same unified memory, 16-bit in
    Ollama's files (its quantizer skips per_layer_token_embd)."""
    model = as_llm("gemma-4-e4b")
    shape = llm_shape(model, as_format("q4_k_m"))
    table_gb = shape.per_layer_table_bytes / 1e9
    assert table_gb == pytest.approx(model.per_layer_embedding_params() * 4.85 / 8 / 1e9, rel=0.05)
    ollama, note = _weights_gb("rtx-4060", "gemma4:e4b", "ollama", "q4_k_m")
    assert ollama == pytest.approx(shape.held_weight_bytes / 1e9 - table_gb)
    assert "stays in host memory" in note
    vllm, vllm_note = _weights_gb("rtx-4060", "gemma-4-e4b", "vllm", "q4_k_m")
    assert vllm == pytest.approx(shape.held_weight_bytes / 1e9)
    assert "held with the weights" in vllm_note
    mac, _ = _weights_gb("apple-m4-10c", "gemma4:e4b", "ollama", "q4_k_m")
    table_16_bit = model.per_layer_embedding_params() * 2 / 1e9
    assert mac == pytest.approx(shape.held_weight_bytes / 1e9 - table_gb + table_16_bit)


def test_a_partial_offload_keeps_the_table_with_the_cpu_share() -> None:
    model = as_llm("gemma-4-e4b")
    shape = llm_shape(model, as_format("q4_k_m"))
    inputs = MemoryInputs(
        as_system("rtx-4060"), model, as_format("q4_k_m"), resolve_engine("llama.cpp"), 2.0, "fp16"
    )
    split = split_for(inputs, gpu_layers=0)
    assert split.gpu_held == 0.0
    assert split.cpu_held == pytest.approx(shape.total_weight_bytes)


def _offloaded_e4b(gpu_layers: int) -> OffloadSpeed:
    inputs = MemoryInputs(
        as_system("rtx-3060-8gb"),
        as_llm("gemma-4-e4b"),
        as_format("bf16"),
        resolve_engine("llama.cpp"),
        BF16,
        "fp16",
    )
    return offload_at(inputs, gpu_layers, False, "test", None)


def test_an_offloaded_prompt_does_not_copy_the_table_to_the_gpu() -> None:
    """ggml gathers the table's rows on the CPU: a 512-token batch copies the CPU's layers (and
    token_embd, as for every model) over PCIe, not the 2.82B-weight table."""
    offload = _offloaded_e4b(36)
    table_gb = as_llm("gemma-4-e4b").per_layer_embedding_params() * BF16 / 1e9
    assert offload.cpu_lookup_gb == pytest.approx(table_gb)
    one_batch = offloaded_prefill_s(0.0, 512, offload)
    assert one_batch == pytest.approx((offload.cpu_weights_gb - table_gb) / offload.pcie_gb_s)


def test_the_cpus_layers_read_the_shared_cache_too() -> None:
    """With every layer on the CPU, a decode step's KV read there is the all-GPU step's: 35
    sliding layers (at most the 512-token window) and 7 global ones, 2 KV heads each."""
    offload = _offloaded_e4b(0)
    sliding, full = 2 * 2 * 256 * BF16, 2 * 2 * 512 * BF16
    expected = (35 * sliding * 512 + 7 * full * 32_768) / 1e9
    assert offload.cpu_kv_read_gb(1, 32_768) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("engine", "on_host"),
    [
        ("llama.cpp", True),
        ("ollama", True),
        ("exllamav2", False),
        ("exllamav3", False),
        ("mlx-lm", False),
        ("vllm", False),
    ],
)
def test_only_ggml_engines_keep_input_tables_in_host_memory(engine: str, on_host: bool) -> None:
    assert resolve_engine(engine).host_input_tables is on_host


def test_the_kv_shared_layers_skip_their_kv_projections() -> None:
    """E4B's 18 shared layers: 15 sliding (2 KV heads x 256, K and V) and 3 global (2 x 512)
    projections from 2,560 wide are held but not run; mlx-lm skips k_proj, v_proj, k_norm,
    RoPE on the keys and the two cache updates (6 kernels, one stage) in each."""
    model = as_llm("gemma-4-e4b")
    expected = 15 * 2560 * 2 * 256 * 2 + 3 * 2560 * 2 * 512 * 2
    assert model.shared_kv_projection_params() == expected
    unshared = ModelArch(**{**model.__dict__, "kv_shared_layers": ()})
    assert kernels_per_token(unshared) - kernels_per_token(model) == 18 * 6
    assert stages_per_token(unshared) - stages_per_token(model) == 18
