"""Tensor parallelism over GeForce PCIe without peer-to-peer barely beats one GPU at short
prompts and high concurrency: hholtmann/llm-consumer-gpu-benchmark (vLLM 0.12) measured two RTX
5090s at TP2 serving Qwen3-8B NVFP4, 256 in / 256 out, at 0.95x (c64) and 0.93x (c128) one
card's throughput, and 1.29-1.31x at 8-16k prompts and 8 requests."""

from __future__ import annotations

from gpuatlas.catalog.systems import resolve_system
from gpuatlas.performance import api

SHORT = {"input_tokens": 256, "output_tokens": 256}


def _tp2_over_one(gpu: str, concurrency: int, input_tokens: int, output_tokens: int) -> float:
    lengths = {"input_tokens": input_tokens, "output_tokens": output_tokens}
    pair = api.serving_layout(
        f"2x {gpu}",
        "Qwen/Qwen3-8B",
        "nvfp4",
        "vllm",
        layout="tensor",
        concurrency=concurrency,
        **lengths,
    )
    one = api.serving_throughput(
        gpu, "Qwen/Qwen3-8B", "nvfp4", "vllm", concurrency=concurrency, **lengths
    )
    return pair.output_tok_s.value / one.value


def test_geforce_pcie_link_is_host_staged_with_its_fitted_cost() -> None:
    link = resolve_system("2x rtx-5090").link
    assert link is not None and not link.peer_to_peer
    assert link.latency_us == 20.0
    assert link.effective_allreduce_gb_s == 63.0 * 0.35


def test_tp2_of_two_5090s_gains_little_at_short_prompts_and_high_concurrency() -> None:
    for concurrency in (64, 128):
        assert _tp2_over_one("rtx-5090", concurrency, **SHORT) < 1.1


def test_tp2_of_two_5090s_gains_more_on_long_prompts_than_on_many_short_requests() -> None:
    # Measured: 1.29x at 8 requests of 8k prompts, 0.95x at 64 requests of 256 tokens: a long
    # prompt's KV reads split over two cards, while many short requests pay an all-reduce of a
    # large activation batch per layer over host-staged PCIe.
    assert _tp2_over_one("rtx-5090", 8, 8192, 512) > _tp2_over_one("rtx-5090", 64, **SHORT)


def test_four_4090s_without_p2p_prefer_replicas_for_a_model_that_fits_one() -> None:
    auto = api.serving_layout(
        "4x rtx-4090", "llama-3.1-8b", "fp16", "vllm", input_tokens=512, output_tokens=256
    )
    assert (auto.layout.replicas, auto.layout.tensor_parallel) == (4, 1)
