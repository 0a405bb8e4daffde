"""llama.cpp builds a token's graph two ways where a run or a build chooses (llm/ggml_nodes.py
GraphPath): flash attention runs KQ, the soft_max, KQV and the copy of its output as one node,
and builds with ggml's fused gated_delta_net op run a Gated DeltaNet layer's twelve recurrence
nodes as one, which also stops every one of them streaming the layer's fp32 state. Ollama's
own graph of those models keeps the unfused recurrence."""

from __future__ import annotations

from dataclasses import replace

import pytest

from gpuatlas.catalog.model_arch import ModelArch
from gpuatlas.catalog.model_names import resolve_model
from gpuatlas.performance.engine_profiles import resolve_engine
from gpuatlas.performance.llm.ggml_nodes import (
    GraphPath,
    ggml_nodes_per_token,
    recurrent_state_passes,
)
from gpuatlas.performance.llm.predict import llm_runtime

FLASH = GraphPath(flash_attention=True)
FUSED = GraphPath(fused_recurrence=True)


def _llm(name: str) -> ModelArch:
    model = resolve_model(name)
    assert isinstance(model, ModelArch)
    return model


def test_flash_attention_runs_the_score_chain_as_one_node() -> None:
    # KQ, the masked soft_max, KQV and the copy of its permuted output: 4 nodes -> 1
    model = _llm("llama-2-7b")
    assert ggml_nodes_per_token(model, FLASH) == 32 * (22 - 3) + 6
    assert ggml_nodes_per_token(model) - ggml_nodes_per_token(model, FLASH) == 32 * 3


def test_biased_projections_add_one_node_each() -> None:
    # Qwen2.5 7B: q, k and v biases (3 adds) in each of its 28 layers
    assert ggml_nodes_per_token(_llm("qwen2.5-7b")) == 28 * (22 + 3) + 6
    # gpt-oss-20b: q/k/v biases 3 and the output bias 1; the experts' three add_id and the
    # router's bias 4; top-4 of 32 experts: 16 + 3 adds
    assert ggml_nodes_per_token(_llm("gpt-oss-20b")) == 24 * ((15 + 3 + 1) + (16 + 3 + 4)) + 6


def test_glm_biases_its_qkv_projections_but_not_its_output() -> None:
    # GLM-4.5's config says attention_bias true, which transformers applies to q, k and v only
    # (its o_proj is built with bias=False), so a layer pays the three adds and not a fourth
    for name in ("glm-4.5-air", "glm-4.5", "glm-4.6"):
        model = _llm(name)
        assert model.attention_bias
        assert not model.attention_output_bias
    # a GLM-4.5-Air layer pays the three q/k/v adds and no fourth: one node a layer fewer than
    # the same model with an output bias
    air = _llm("glm-4.5-air")
    biased_output = replace(air, attention_output_bias=True)
    assert ggml_nodes_per_token(biased_output) - ggml_nodes_per_token(air) == air.num_layers
    # gpt-oss biases its output projection too (transformers: o_proj bias=attention_bias)
    assert _llm("gpt-oss-20b").attention_output_bias


def test_the_fused_op_runs_a_gated_deltanet_recurrence_as_one_node() -> None:
    model = _llm("qwen3.6-35b-a3b")  # 30 Gated DeltaNet layers of 36 nodes, 25 fused
    assert ggml_nodes_per_token(model) - ggml_nodes_per_token(model, FUSED) == 30 * 11
    mamba = _llm("nemotron-nano-9b-v2")  # Mamba-2's ssm_scan is one node on every build
    assert ggml_nodes_per_token(mamba, FUSED) == ggml_nodes_per_token(mamba)


def test_an_unfused_recurrence_streams_the_state_at_every_node() -> None:
    gated_deltanet, mamba = _llm("qwen3.6-35b-a3b"), _llm("nemotron-nano-9b-v2")
    assert recurrent_state_passes(gated_deltanet) == 16
    assert recurrent_state_passes(gated_deltanet, FUSED) == 4
    assert recurrent_state_passes(mamba) == recurrent_state_passes(mamba, FUSED) == 4


def test_each_profile_takes_its_builds_path() -> None:
    current = llm_runtime("rtx-4090", "qwen3.6-35b-a3b", "q4_k_m", "llama.cpp").graph_path
    assert current == GraphPath(flash_attention=True, fused_recurrence=True)
    # builds b6902-b9436: llama-bench's '-fa 0', the fused op from 2026-02
    fused_moe = llm_runtime("rtx-4090", "qwen3.6-35b-a3b", "q4_k_m", "llama.cpp-2025-fused-moe")
    assert fused_moe.graph_path == GraphPath(flash_attention=False, fused_recurrence=True)
    # builds b4000-b6901 (2024-11 to 2025-10): before the op
    bench_2025 = llm_runtime("rtx-4090", "qwen3-30b-a3b", "q4_k_m", "llama.cpp-2025").graph_path
    assert bench_2025 == GraphPath(flash_attention=False, fused_recurrence=False)
    assert not resolve_engine("ollama").fused_recurrence
    assert not resolve_engine("ollama-go").fused_recurrence


def test_the_state_traffic_follows_the_path() -> None:
    # Qwen3.6-35B-A3B keeps 64.4 MB of fp32 state per sequence in its 30 recurrent layers:
    # llama.cpp's fused op and write-back move it 4 times a token, Ollama's unfused graph 16
    # times, a fused kernel that updates the cache in place (vLLM) twice
    state = _llm("qwen3.6-35b-a3b").recurrent_state_bytes()
    llamacpp = llm_runtime("rtx-4090", "qwen3.6-35b-a3b", "q4_k_m", "llama.cpp")
    ollama = llm_runtime("rtx-4090", "qwen3.6-35b-a3b", "q4_k_m", "ollama")
    vllm = llm_runtime("h100", "qwen3.6-35b-a3b", "fp8", "vllm")
    assert llamacpp.recurrent_state_step_bytes == pytest.approx(4 * state)
    assert ollama.recurrent_state_step_bytes == pytest.approx(16 * state)
    assert vllm.recurrent_state_step_bytes == pytest.approx(2 * state)


def test_vulkan_accumulates_in_fp16_on_geforce() -> None:
    # ggml-vulkan's f16acc pipelines: a GeForce card runs them at its fp16-accumulate tensor
    # rate, twice its fp32-accumulate rate; an AMD card quotes one rate for both
    vulkan = resolve_engine("llama.cpp-vulkan")
    assert vulkan.fp16_accumulate
    geforce = llm_runtime("rtx-4090", "llama-3.1-8b", "q4_0", "llama.cpp vulkan")
    assert geforce.matrix_peak_flops == pytest.approx(330.3e12)  # 165.2 with fp32 accumulators
    radeon = llm_runtime("rx-7900-xtx", "llama-3.1-8b", "q4_0", "llama.cpp vulkan")
    assert radeon.matrix_peak_flops == pytest.approx(122.88e12)


def test_an_engine_of_its_own_kernels_pays_no_ggml_state_traffic() -> None:
    # ExLlama extends llama.cpp's profile for its priors but runs no ggml graph: its recurrent
    # state moves twice a token, as in any kernel that updates it in place
    exllama = llm_runtime("rtx-4090", "qwen3.6-27b", "exl3-4bpw", "exllamav3")
    assert exllama.engine.kernel_graph == "own-kernels"
    state = _llm("qwen3.6-27b").recurrent_state_bytes()
    assert exllama.recurrent_state_step_bytes == pytest.approx(2 * state)
