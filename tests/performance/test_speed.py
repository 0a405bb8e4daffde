"""LLM, diffusion and training speed: physical bounds, monotonicity, hand-computed parts."""

from __future__ import annotations

import pytest

from gpuatlas.catalog.gpus import gpu_by_id
from gpuatlas.catalog.models import all_llms, resolve_model
from gpuatlas.catalog.systems import build_system, resolve_system
from gpuatlas.performance import api
from gpuatlas.performance.llm.predict import llm_runtime
from gpuatlas.performance.llm.shape import llm_shape
from gpuatlas.performance.resolve import as_format
from gpuatlas.performance.training.memory import TrainingSetup
from gpuatlas.performance.training.optimizer import optimizer_step_s
from gpuatlas.performance.training.token_traffic import token_traffic_s


def test_single_stream_decode_is_never_faster_than_the_bandwidth_roofline() -> None:
    # Reading 16.06 GB of weights per token from 1008 GB/s takes at least 15.9 ms.
    step_s = api.decode_step_s(
        "rtx-4090", "llama-3-8b", "fp16", "llama.cpp", batch=1, context_tokens=512
    )
    assert step_s > 16.06e9 / 1008e9


def test_decode_time_follows_bytes_per_token_across_formats() -> None:
    def rate(weights: str) -> float:
        prediction = api.predict_llm(
            "rtx-4090",
            "llama-3-8b",
            weights,
            "llama.cpp",
            batch=1,
            input_tokens=16,
            output_tokens=256,
        )
        return prediction.decode_tok_s.value

    assert rate("q4_k_m") > rate("q8_0") > rate("gguf-f16")


def test_batching_raises_aggregate_and_lowers_per_sequence_speed() -> None:
    predictions = [
        api.predict_llm(
            "h100-sxm", "llama-3-8b", "bf16", "vllm", batch=b, input_tokens=512, output_tokens=256
        )
        for b in (1, 8, 64)
    ]
    aggregate = [p.decode_tok_s.value for p in predictions]
    per_sequence = [p.per_sequence_tok_s.value for p in predictions]
    assert aggregate[0] < aggregate[1] < aggregate[2]
    assert per_sequence[0] > per_sequence[1] > per_sequence[2]


def test_longer_context_and_longer_prompts_cost_more() -> None:
    args = ("a100-80gb-sxm", "llama-3-8b", "bf16", "vllm")
    assert api.decode_step_s(*args, batch=16, context_tokens=16000) > api.decode_step_s(
        *args, batch=16, context_tokens=1000
    )
    assert api.prefill_s(*args, tokens=4096) > api.prefill_s(*args, tokens=512)


def test_moe_experts_touched_at_a_batch() -> None:
    # Mixtral: 8 experts, top-2. Batch 1 touches 2; batch 4: 8·(1 − 0.75⁴) = 5.47.
    shape = llm_shape(resolve_model("mixtral-8x7b"), as_format("bf16"))  # type: ignore[arg-type]
    assert shape.distinct_experts(1) == pytest.approx(2.0)
    assert shape.distinct_experts(4) == pytest.approx(8 * (1 - 0.75**4))
    assert shape.distinct_experts(512) == pytest.approx(8.0, rel=1e-6)


def test_moe_decodes_faster_than_a_dense_model_of_its_size() -> None:
    moe = api.predict_llm(
        "h100-sxm", "qwen3-30b-a3b", "bf16", "vllm", batch=1, input_tokens=128, output_tokens=128
    )
    dense = api.predict_llm(
        "h100-sxm", "qwen3-32b", "bf16", "vllm", batch=1, input_tokens=128, output_tokens=128
    )
    assert moe.decode_tok_s.value > 3 * dense.decode_tok_s.value


def test_ring_allreduce_matches_the_formula_on_pcie_without_p2p() -> None:
    system = resolve_system("4x rtx-4090")
    link = system.link
    assert link is not None and not link.peer_to_peer
    wire_s = 2 * 3 / 4 * 1e9 / (link.per_direction_gb_s * link.allreduce_efficiency * 1e9)
    latency_s = link.latency_us * 1e-6 * 3  # 1 + log2(4)
    assert api.allreduce_s(system, 1e9) == pytest.approx(wire_s + latency_s)


def test_allreduce_is_slower_over_pcie_than_nvlink_and_across_nodes() -> None:
    assert api.allreduce_s("4x rtx-4090", 1e9) > api.allreduce_s("4x a100-80gb-sxm", 1e9)
    assert api.allreduce_s("16x h100-sxm", 1e9) > api.allreduce_s("8x h100-sxm", 1e9)
    assert api.allreduce_s("h100-sxm", 1e9) == 0.0


def test_tensor_parallel_over_pcie_pays_more_communication() -> None:
    pcie = llm_runtime("2x rtx-4090", "llama-3-8b", "fp16", "vllm")
    nvlink = llm_runtime("2x a100-80gb-sxm", "llama-3-8b", "fp16", "vllm")
    assert pcie.communication_s(1) > 3 * nvlink.communication_s(1)


def test_layer_split_does_not_speed_up_a_single_stream() -> None:
    one = api.decode_step_s(
        "rtx-4090", "llama-3-8b", "q4_k_m", "llama.cpp", batch=1, context_tokens=256
    )
    two = api.decode_step_s(
        "2x rtx-4090", "llama-3-8b", "q4_k_m", "llama.cpp", batch=1, context_tokens=256
    )
    assert two >= one


def test_serving_throughput_at_max_batch_beats_batch_one() -> None:
    args = ("h100-sxm", "llama-3-8b", "fp8", "vllm")
    at_max = api.serving_throughput(*args, concurrency="max", input_tokens=512, output_tokens=512)
    single = api.serving_throughput(*args, concurrency=1, input_tokens=512, output_tokens=512)
    assert at_max.value > 10 * single.value
    assert api.max_serving_batch(*args, context_tokens=1024) <= 256  # vLLM max_num_seqs


def test_training_data_parallel_scaling_pcie_vs_nvlink() -> None:
    fitting = {"micro_batch": 1, "recompute": True, "sharding": "fsdp"}  # fits a 24 GB card
    pcie = api.predict_training("4x rtx-4090", "llama-3.2-1b", tokens=1e9, **fitting)
    nvlink = api.predict_training("2x a100-80gb-sxm", "llama-3.2-1b", tokens=1e9, **fitting)
    assert pcie.allreduce_s > nvlink.allreduce_s
    assert pcie.scaling_efficiency < nvlink.scaling_efficiency <= 1.0
    expected_h = 1e9 / pcie.tok_s.value / 3600
    assert pcie.time_for_budget_h.value == pytest.approx(expected_h)


def test_recompute_costs_a_third_more_compute() -> None:
    plain = api.predict_training("h100-sxm", "llama-3.2-1b", tokens=1e9)
    recompute = api.predict_training("h100-sxm", "llama-3.2-1b", tokens=1e9, recompute=True)
    # the optimizer step after the backward pass (training/optimizer.py) is not recomputed, and
    # the memory traffic outside the matmuls (training/token_traffic.py) has its own rule: the
    # element-wise work is recomputed once more, the loss over the logits is not
    model = {model.id: model for model in all_llms()}["llama-3.2-1b"]
    setup = TrainingSetup("full", 2048, plain.tokens_per_step // 2048, False, "none")
    system = build_system(gpu_by_id("h100-sxm"), 1)
    optimizer_s = optimizer_step_s(system, model, setup)
    plain_s = plain.step_s.value - optimizer_s - token_traffic_s(system, model, setup, False)
    recompute_s = recompute.step_s.value - optimizer_s - token_traffic_s(system, model, setup, True)
    compute_ratio = recompute_s / plain_s
    assert compute_ratio == pytest.approx(4 / 3, rel=0.01)


def test_diffusion_steps_resolution_and_cfg() -> None:
    base = api.predict_diffusion("rtx-4090", "sdxl", steps=30, resolution=1024)
    more_steps = api.predict_diffusion("rtx-4090", "sdxl", steps=60, resolution=1024)
    smaller = api.predict_diffusion("rtx-4090", "sdxl", steps=30, resolution=512)
    no_cfg = api.predict_diffusion("rtx-4090", "sdxl", steps=30, resolution=1024, cfg=False)
    assert more_steps.s_per_image.value > 1.8 * base.s_per_image.value
    assert smaller.s_per_image.value < base.s_per_image.value
    assert no_cfg.s_per_image.value < base.s_per_image.value
    assert base.images_per_min.value == pytest.approx(60 / base.s_per_image.value)


def test_flux_in_bf16_needs_offload_on_24gb_but_not_on_80gb() -> None:
    assert api.predict_diffusion("rtx-4090", "flux.1-dev").needs_cpu_offload
    assert not api.predict_diffusion("a100-80gb-sxm", "flux.1-dev").needs_cpu_offload
    assert not api.predict_diffusion("rtx-4090", "sd-1.5").needs_cpu_offload


def test_vision_and_ocr_give_positive_rates() -> None:
    small = api.predict_vision("a100-80gb-sxm", "llava-1.5-7b", batch=1)
    batched = api.predict_vision("a100-80gb-sxm", "llava-1.5-7b", batch=16)
    assert batched.value > small.value > 0
    assert api.predict_ocr("t4", "trocr-base", batch=8).value > 0
