"""A llama.cpp or Ollama decode step pays a time per ggml graph node (llm/ggml_nodes.py): the
counts are read from llama.cpp's model builders, so a model whose layers build more nodes
(Gemma 3's extra norms, Gemma 3n's AltUp, an MoE block's routing and expert sum, a Gated
DeltaNet mixer) decodes slower per byte read than a plain Llama, by a time that does not shrink
on a faster memory."""

from __future__ import annotations

import pytest

from gpuatlas.calibration.fitting import decode_terms, observe
from gpuatlas.catalog.measurements import load_measurements
from gpuatlas.catalog.model_arch import ModelArch
from gpuatlas.catalog.model_names import resolve_model
from gpuatlas.performance import api
from gpuatlas.performance.engine_profiles import resolve_engine
from gpuatlas.performance.llm.ggml_nodes import ggml_nodes_per_token
from gpuatlas.performance.llm.predict import llm_runtime
from gpuatlas.performance.llm.step_kernels import paid_kernels_per_token, stages_per_token

from .conftest import priors_runtime


def _llm(name: str) -> ModelArch:
    model = resolve_model(name)
    assert isinstance(model, ModelArch)
    return model


# per layer: attention 15 (norm 2, q/k/v 3, RoPE 2, KV writes 2, KQ, softmax, KQV, copy,
# output, add), gated MLP 7 (norm 2, gate, up, swiglu, down, add); per token 6
def test_a_plain_llama_layer_is_22_nodes() -> None:
    assert ggml_nodes_per_token(_llm("llama-2-7b")) == 32 * 22 + 6
    assert ggml_nodes_per_token(_llm("llama-3.1-70b")) == 80 * 22 + 6


def test_gemma_3_adds_qk_norms_and_two_post_norms() -> None:
    # 22 + Q/K norms (2 x rms_norm and multiply) + 2 extra norms x 2 nodes = 30 per layer
    assert ggml_nodes_per_token(_llm("gemma-3-4b")) == 34 * 30 + 6


def test_gemma_3n_builds_about_twice_a_gemma_3_layers_nodes() -> None:
    # 30 as Gemma 3, the per-layer input 7, AltUp and LAuReL 27 = 64 per layer; 15 KV-shared
    # layers skip k, v, RoPE of the keys and the two cache writes (5 each); per token the
    # per-layer table 8, the streams' expansion and merge 30 and the usual 6
    model = _llm("gemma-3n-e4b")
    assert ggml_nodes_per_token(model) == 35 * 64 - 15 * 5 + 8 + 30 + 6
    assert ggml_nodes_per_token(model) / 35 > 2 * 30


def test_moe_blocks_count_routing_and_the_sum_of_the_chosen_experts() -> None:
    # Qwen3-30B-A3B: attention 15 + Q/K norms 4; experts: norm 2, router, softmax, top-k,
    # get_rows, sum/clamp/divide, three mul_mat_id, swiglu, weighting, residual add = 16,
    # and 7 adds summing k = 8 experts
    assert ggml_nodes_per_token(_llm("qwen3-30b-a3b")) == 48 * (19 + 16 + 7) + 6
    # gpt-oss-20b: k = 4 experts, no Q/K norm; q/k/v and output biases 4, the experts' and
    # the router's biases 4
    assert ggml_nodes_per_token(_llm("gpt-oss-20b")) == 24 * ((15 + 4) + (16 + 3 + 4)) + 6


def test_gated_deltanet_layers_and_shared_experts() -> None:
    # Qwen3.6-35B-A3B: 30 Gated DeltaNet mixers of 36 nodes, 10 gated attention layers with
    # Q/K norms (15 + 4 + 2), 40 MoE blocks of 8 experts and one shared expert (16 + 7 + 5)
    expected = 30 * 36 + 10 * 21 + 40 * 28 + 6
    assert ggml_nodes_per_token(_llm("qwen3.6-35b-a3b")) == expected


def test_latent_attention_adds_its_projections() -> None:
    # DeepSeek-V3: MLA 15 + 8 in all 61 layers; 3 dense MLPs (7), 58 MoE blocks of 8 experts
    # and one shared expert (16 + 7 + 5)
    assert ggml_nodes_per_token(_llm("deepseek-v3")) == 61 * 23 + 3 * 7 + 58 * 28 + 6


def test_each_engine_pays_for_what_its_graph_runs() -> None:
    model = _llm("qwen3-30b-a3b")
    assert resolve_engine("llama.cpp").kernel_graph == "ggml-nodes"
    assert resolve_engine("ollama").kernel_graph == "ggml-nodes"
    assert resolve_engine("llama.cpp-rocm").kernel_graph == "ggml-nodes"
    assert resolve_engine("mlx-lm").kernel_graph == "mlx-stages"
    assert paid_kernels_per_token(model, "ggml-nodes") == ggml_nodes_per_token(model)
    assert paid_kernels_per_token(model, "mlx-stages") == stages_per_token(model)
    assert resolve_engine("exllamav2").kernel_overhead_us == 0.0  # not a ggml graph


def test_the_node_time_does_not_shrink_with_bandwidth() -> None:
    # The same Llama 2 7B under llama.cpp's priors on a 1 TB/s and a 3.35 TB/s GPU: the
    # graph's 614 nodes (flash attention, the current profile's path: 32 layers of 12 + 7 and
    # 6 per token) cost 614 x 2 us on both, so the faster memory saves only the bytes' time.
    slow, fast = priors_runtime("rtx-4090", "llama.cpp"), priors_runtime("h100", "llama.cpp")
    assert slow.paid_kernels == 32 * (12 + 7) + 6
    assert slow.kernels_ms == pytest.approx(614 * 2.0e-3)
    assert fast.kernels_ms == pytest.approx(slow.kernels_ms)
    bytes_slow = float(slow.decode_step_s(1, 128)) - slow.decode_overhead_s
    bytes_fast = float(fast.decode_step_s(1, 128)) - fast.decode_overhead_s
    assert bytes_fast < bytes_slow / 2  # 3.35 vs 1 TB/s: the bytes' time shrinks, the nodes' not


def _decode_notes(system: str, model: str, weights: str) -> tuple[str, ...]:
    prediction = api.predict_llm(
        system, model, weights, "llama.cpp", batch=1, input_tokens=512, output_tokens=128
    )
    return prediction.decode_tok_s.notes


def test_a_decode_step_says_when_its_kernels_take_a_large_share() -> None:
    # Qwen3-30B-A3B reads ~2 GB a token but runs 1,878 nodes (48 layers of 16 attention nodes
    # with flash attention and 23 MoE nodes, 6 per token): on a 1 TB/s card the nodes' fixed
    # time is a large share of the step, and the answer says how much and why.
    notes = _decode_notes("rtx-4090", "qwen3-30b-a3b", "q4_k_m")
    assert any("1,878 GPU kernels (ggml graph nodes)" in note for note in notes)
    # Llama 3.1 8B on a 360 GB/s card: 614 nodes beside ~13 ms of weights, no note
    assert not any("GPU kernels" in n for n in _decode_notes("rtx-3060", "llama-3.1-8b", "q4_k_m"))


def test_the_time_per_node_is_the_profiles_not_a_fitted_one() -> None:
    # A group's rows hardly tell a time per node from η_m (a family's nodes grow with its
    # layers as its bytes do): the fit keeps the profile's value and refits η_m and the step
    # overhead around it, so a row's terms carry its nodes' time as fixed time.
    rows = [
        row
        for row in load_measurements()
        if row.engine == "llama.cpp" and row.metric == "decode_tok_s" and row.gpu == "rtx-4090"
    ]
    observation = next(o for o in map(observe, rows) if o is not None)
    terms = decode_terms(observation)
    assert terms is not None and terms.kernels == 0.0
    runtime = llm_runtime(
        "rtx-4090", observation.case.model, observation.case.weights, observation.case.engine
    )
    assert not runtime.engine.fits_kernel_overhead and runtime.kernels_ms > 0.0
    assert runtime.time_per_kernel_us == runtime.engine.kernel_overhead_us
    assert resolve_engine("mlx-lm").fits_kernel_overhead
