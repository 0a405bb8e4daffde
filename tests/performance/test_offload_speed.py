"""llama.cpp / Ollama partial offload: the layer count each engine picks by itself and the
speed of a run with layers in host memory (performance/llm/offload_speed.py)."""

from __future__ import annotations

import pytest

from gpuatlas.calibration.case_columns import predict_table
from gpuatlas.calibration.case_files import REQUIRED_COLUMNS
from gpuatlas.errors import GpuAtlasError
from gpuatlas.performance.cases import Case, predict_case
from gpuatlas.performance.llm.host_memory import with_host_ram
from gpuatlas.performance.llm.memory import (
    GB,
    gpu_memory_gb,
    kv_per_sequence_gb,
    max_context_one_sequence,
    max_sequences,
)
from gpuatlas.performance.llm.offload import fewest_expert_layers_on_cpu, layer_bytes
from gpuatlas.performance.llm.offload_speed import (
    HOST_MEMORY_EFFICIENCY,
    OLLAMA_MINIMUM_MEMORY_BYTES,
    allocated_context,
    automatic_offload,
    offload_at,
    offload_for,
    offloaded_decode_step_s,
    offloaded_prefill_s,
    ollama_gpu_layers,
)
from gpuatlas.performance.llm.predict import llm_runtime, predict_runtime
from gpuatlas.performance.llm.refusal import memory_inputs
from gpuatlas.performance.llm.vectorised import predict_llm_many
from gpuatlas.performance.resolve import as_system


def _inputs(system: str, model: str, weights: str, engine: str):  # type: ignore[no-untyped-def]
    return memory_inputs(llm_runtime(system, model, weights, engine), "fp16")


def _ollama_graph_bytes(hidden: int, heads: int, kv_heads: int, head_dim: int, vocab: int) -> float:
    """Ollama's GraphSize for the llama architecture at num_ctx 4096, batch 512, written out
    from fs/ggml/ggml.go."""
    b, e, c = 512, hidden, 4096
    full = max(4 * b * (1 + 4 * e + c * (1 + heads)), 4 * b * (e + vocab))
    partial = 4 * b * e + max(
        4 * b * (1 + e + max(c, e)) + e * e * 9 / 16 + 4 * c * (b * heads + head_dim * kv_heads),
        4 * b * (e + vocab) + e * vocab * 105 / 128,
    )
    return max(full, partial)


def test_ollama_layer_count_is_the_most_that_leave_its_reserve() -> None:
    """Ollama keeps 457 MiB, one spare layer and the compute graph free, then places whole
    layers (weights + f16 KV at num_ctx 4096): the count n satisfies
    reserve + n x layer < free <= reserve + (n + 1) x layer."""
    inputs = _inputs("rtx-4060-ti-8gb", "qwen3-14b", "q4_k_m", "ollama")
    model = inputs.model
    per_layer = layer_bytes(inputs) + kv_per_sequence_gb(inputs, 1, 4096) * GB / model.num_layers
    graph = _ollama_graph_bytes(
        model.hidden_size,
        model.num_attention_heads,
        model.num_kv_heads,
        model.head_dim,
        model.vocab_size,
    )
    free = (gpu_memory_gb(inputs.system) - inputs.engine.cuda_context_gb) * GB
    reserve = OLLAMA_MINIMUM_MEMORY_BYTES + per_layer + graph
    layers, output = ollama_gpu_layers(inputs, 4096)
    assert 0 < layers < model.num_layers and not output
    assert reserve + layers * per_layer <= free < reserve + (layers + 1) * per_layer


def test_a_longer_num_ctx_leaves_fewer_layers_on_the_gpu() -> None:
    """Ollama 0.15.5+ picks num_ctx by VRAM; a longer one holds more KV per layer."""
    inputs = _inputs("rtx-4060-ti-8gb", "qwen3-14b", "q4_k_m", "ollama")
    assert ollama_gpu_layers(inputs, 32768)[0] < ollama_gpu_layers(inputs, 4096)[0]


def test_a_model_that_fits_is_whole_on_the_gpu_with_its_output_layer() -> None:
    inputs = _inputs("rtx-4090", "llama-3.1-8b", "q4_k_m", "ollama")
    assert ollama_gpu_layers(inputs, 4096) == (inputs.model.num_layers, True)


def test_all_layers_on_the_cpu_run_at_the_host_bandwidth() -> None:
    """-ngl 0: every weight a token reads comes from host memory. Qwen2.5-Coder-14B Q4_K_M
    reads ~8.5 GB per token; on dual-channel DDR4-2400 (38.4 GB/s) at the host efficiency
    that is ~2.7 tok/s (InventiveHQ measured 2.89 on an i7-8700)."""
    inputs = _inputs("rtx-5060-ti-16gb", "qwen2.5-coder-14b", "q4_k_m", "llama.cpp")
    split = offload_at(inputs, 0, False, "-ngl 0", 38.4)
    assert split.cpu_read_gb == pytest.approx(split.read_gb)
    step_s = offloaded_decode_step_s(0.02, split)
    assert step_s == pytest.approx(split.cpu_read_gb / (38.4 * HOST_MEMORY_EFFICIENCY))
    assert 2.4 < 1 / step_s < 3.1


def test_each_layer_moved_to_the_gpu_makes_decode_faster() -> None:
    inputs = _inputs("rtx-5060-ti-16gb", "qwen2.5-coder-14b", "q4_k_m", "llama.cpp")
    steps = [
        offloaded_decode_step_s(0.023, offload_at(inputs, n, False, "", 38.4)) for n in (8, 24, 40)
    ]
    assert steps[0] > steps[1] > steps[2] > 0.023


def test_prefill_copies_the_host_layers_over_pcie_once_per_512_tokens() -> None:
    """A prompt of 32 tokens or more runs every layer on the GPU; the host-held weights cross
    PCIe once per 512-token batch (1,024 tokens: twice)."""
    inputs = _inputs("rtx-4060-ti-8gb", "qwen3-14b", "q4_k_m", "llama.cpp")
    split = offload_at(inputs, 30, False, "", None)
    added_s = offloaded_prefill_s(1.0, 1024, split) - 1.0
    assert added_s == pytest.approx(2 * split.cpu_weights_gb / split.pcie_gb_s)
    assert split.pcie_gb_s == pytest.approx(inputs.system.gpu.pcie_per_direction_gb_s)


def test_predict_llm_on_ollama_answers_with_the_split_instead_of_refusing() -> None:
    runtime = llm_runtime("rtx-4060-ti-8gb", "qwen3-14b", "q4_k_m", "ollama")
    prediction = predict_runtime(runtime, batch=1, input_tokens=512, output_tokens=256)
    inputs = memory_inputs(runtime, "fp16")
    split = automatic_offload(inputs, 768)
    assert split is not None
    assert any(f"{split.gpu_layers} of 40 layers on the GPU" in note for note in prediction.notes)
    assert "Ollama's layer estimate" in prediction.tpot_ms.notes[0]
    all_gpu_s = runtime.decode_step_s(1, 512 + 128)
    assert prediction.tpot_ms.value / 1e3 == pytest.approx(
        offloaded_decode_step_s(all_gpu_s, split, 1, 512 + 128), rel=1e-6
    )
    assert prediction.tpot_ms.extrapolated


def test_vllm_still_refuses_a_model_that_does_not_fit() -> None:
    runtime = llm_runtime("rtx-4060-ti-8gb", "qwen3-14b", "awq", "vllm")
    with pytest.raises(GpuAtlasError, match="do not fit on"):
        predict_runtime(runtime, batch=1, input_tokens=512, output_tokens=256)


def test_a_row_with_gpu_layers_is_predicted_with_that_split() -> None:
    base = Case(
        "rtx-5060-ti-16gb",
        1,
        "qwen2.5-coder-14b",
        "q4_k_m",
        "llama.cpp",
        1,
        0,
        128,
        "decode_tok_s",
        host_bandwidth_gb_s=38.4,
    )
    layers_40 = predict_case(Case(**{**base.__dict__, "gpu_layers": 40})).value
    all_gpu = predict_case(Case(**{**base.__dict__, "gpu_layers": 99})).value
    assert all_gpu == pytest.approx(predict_case(base).value)
    assert all_gpu / 5 < layers_40 < all_gpu / 2  # InventiveHQ: 12.5 vs 43.2 tok/s


def test_the_batch_path_predicts_an_offloaded_row_as_the_row_path_does() -> None:
    case = Case("rtx-4060-ti-8gb", 1, "qwen3-14b", "q4_k_m", "ollama", 1, 512, 256, "decode_tok_s")
    row = [str(getattr(case, column)) for column in REQUIRED_COLUMNS]
    value, _low, _high, error = predict_table(list(REQUIRED_COLUMNS), [row])[0]
    assert error == ""
    expected = predict_case(case).value
    assert float(value) == pytest.approx(expected, rel=1e-5)


def test_cpu_moe_reads_only_the_active_experts_from_host_memory() -> None:
    """--cpu-moe: every layer on the GPU, the routed experts in host memory; a token reads
    its k experts per layer there (gpt-oss-120b: 4 of 128)."""
    with_ram = with_host_ram(as_system("rtx-4090"), 128)  # ~62 GB of experts need the RAM
    inputs = memory_inputs(llm_runtime(with_ram, "gpt-oss-120b", "mxfp4", "llama.cpp"), "fp16")
    split = offload_for(inputs, 1, 640, experts_on_cpu=True)
    assert split is not None and split.experts_on_cpu
    assert split.cpu_weights_gb > 50  # ~60 GB of experts held in host memory
    assert split.cpu_read_gb < split.cpu_weights_gb * 4 / 128 * 1.05


def test_llama_cpp_fit_moves_the_experts_of_as_few_layers_as_make_room() -> None:
    """llama.cpp's --fit keeps every layer on the GPU and moves the experts of the fewest
    layers (-ot ...exps=CPU) that leave the rest fitting; that beats moving all of them."""
    with_ram = with_host_ram(as_system("rtx-4090"), 128)  # every expert may move: ~62 GB
    inputs = memory_inputs(llm_runtime(with_ram, "gpt-oss-120b", "mxfp4", "llama.cpp"), "fp16")
    moved = fewest_expert_layers_on_cpu(inputs, 640)
    assert moved is not None and 0 < moved < inputs.model.num_layers
    auto = automatic_offload(inputs, 640)
    every = offload_for(inputs, 1, 640, experts_on_cpu=True)
    assert auto is not None and every is not None and auto.experts_on_cpu
    assert f"--n-cpu-moe {moved}" in auto.rule
    assert auto.cpu_read_gb < every.cpu_read_gb


def test_cpu_moe_on_a_dense_model_is_refused() -> None:
    with pytest.raises(GpuAtlasError, match="mixture-of-experts"):
        offload_for(
            _inputs("rtx-4090", "qwen3-14b", "q4_k_m", "llama.cpp"), 1, 640, None, None, True
        )


def test_ollamas_split_is_sized_at_its_default_num_ctx_for_the_version() -> None:
    """Ollama 0.15.5+ allocates num_ctx 32,768 on a 24 GiB card (4,096 from 0.6.7 to 0.15.4):
    each layer also holds its f16 KV at that context, so fewer layers stay on the GPU; the
    count is Ollama's rule at that num_ctx (context_defaults.toml)."""
    inputs = _inputs("rtx-4090", "llama-3.1-70b", "q4_k_m", "ollama")
    newest = automatic_offload(inputs, 768)
    old = automatic_offload(inputs, 768, engine_text="Ollama 0.12.6")
    assert newest is not None and old is not None
    assert newest.gpu_layers == ollama_gpu_layers(inputs, 32768)[0]
    assert old.gpu_layers == ollama_gpu_layers(inputs, 4096)[0]
    assert newest.gpu_layers < old.gpu_layers
    assert "num_ctx 32,768" in newest.rule and "num_ctx 4,096" in old.rule


def test_ollama_spills_at_its_num_ctx_even_when_the_prompt_would_fit() -> None:
    """qwen3:32b q4_k_m (18.5 GiB) fits a 24 GiB card at a 768-token context, but Ollama
    0.15.5+ holds KV for num_ctx 32,768 there (8 GiB more: ollama/ollama#14082, 'DeepSeek R1
    32b ... very slow' after 0.15.5), so it splits the model; Ollama 0.12 (num_ctx 4,096)
    keeps it whole. The CSV path answers as the row path does."""
    inputs = _inputs("rtx-4090", "qwen3-32b", "q4_k_m", "ollama")
    assert max_sequences(inputs, 1, 768) >= 1 and max_sequences(inputs, 1, 32768) < 1
    assert allocated_context(inputs, 768) == 32768
    assert allocated_context(inputs, 768, "Ollama 0.12.6") == 4096
    split = offload_for(inputs, 1, 768)
    assert split is not None
    assert offload_for(inputs, 1, 768, engine_text="Ollama 0.12.6") is None
    # the way out it names: the longest context that fits whole, in whole KiB tokens
    longest = max_context_one_sequence(inputs, 1) // 1024 * 1024
    assert 768 < longest < 32768
    assert f"OLLAMA_CONTEXT_LENGTH={longest} or less keeps every layer on the GPU" in split.rule
    cases = [
        Case("rtx-4090", 1, "qwen3-32b", "q4_k_m", engine, 1, 512, 256, metric)
        for engine in ("ollama", "ollama 0.12.6")
        for metric in ("decode_tok_s", "ttft_ms")
    ]
    rows = [predict_case(case).value for case in cases]
    assert predict_llm_many(cases).tolist() == pytest.approx(rows, rel=1e-12)
    assert rows[0] < rows[2] / 3  # host memory sets the pace of the split run
