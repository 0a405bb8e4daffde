"""Engine generations, image engines, the ridge/TP communication terms and --json ranges."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from gpuatlas.catalog.systems import resolve_system
from gpuatlas.cli.main import app
from gpuatlas.performance.collectives import allreduce_s, tensor_parallel_step_s
from gpuatlas.performance.engine_profiles import resolve_engine
from gpuatlas.performance.engine_specs import engine_for_version
from gpuatlas.performance.llm.step_times import soft_max_s
from gpuatlas.performance.media.diffusion import image_engine

RANGE_KEYS = {"value", "low", "high"}


@pytest.mark.parametrize(
    ("engine", "version", "expected"),
    [
        ("tensorrt-llm", "0.6.1", "tensorrt-llm-0.x"),
        ("TensorRT-LLM", "v0.5", "tensorrt-llm-0.x"),
        ("tensorrt-llm", "1.0 (PyTorch backend)", "tensorrt-llm"),
        ("tensorrt-llm", "0.12.0", "tensorrt-llm-trt-engine"),
        ("tensorrt-llm", None, "tensorrt-llm"),
        ("vllm", "0.6.1", "vllm-pre-hybrid-kv"),  # sliding layers held in full before 0.9.1
        ("vllm", "0.9.1", "vllm"),
    ],
)
def test_trt_llm_static_batching_releases_are_their_own_engine(
    engine: str, version: str | None, expected: str
) -> None:
    assert engine_for_version(engine, version) == expected
    assert resolve_engine(expected).id == expected


def test_image_engine_names() -> None:
    assert image_engine("TensorRT") == "tensorrt"
    assert image_engine("torch.compile") == "diffusers-compiled"
    assert image_engine("ComfyUI") == "diffusers"


def test_rounded_ridge_equals_roofline_far_from_the_ridge_and_adds_at_it() -> None:
    assert soft_max_s(1.0, 0.01) == pytest.approx(1.0, rel=1e-3)
    # at the ridge both sides take time: sqrt(2) x the roofline with sharpness 2
    assert soft_max_s(1.0, 1.0) == pytest.approx(2**0.5)


def test_tp_decode_all_reduce_pays_the_ring_latency_on_eight_gpus() -> None:
    system = resolve_system("8x h100-sxm")
    layers, hidden = 126, 16384
    step = tensor_parallel_step_s(system, layers, 1, hidden)
    # 2 all-reduces per layer, each at least 2(n-1) link latencies (2 us per hop: 28 us)
    assert step >= 2 * layers * 2 * 7 * system.link.latency_us * 1e-6
    assert step > 2 * layers * allreduce_s(system, hidden * 2.0)


def _json(*arguments: str) -> dict:  # type: ignore[type-arg]
    result = CliRunner().invoke(app, [*arguments, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_train_json_gives_ranges_for_communication_and_utilisation() -> None:
    document = _json(
        "predict",
        "train",
        "4x rtx-4090",
        "llama-3.2-1b",
        "--micro-batch",
        "1",
        "--recompute",
        "--sharding",
        "fsdp",
    )
    step = document["step_s"]
    for key in (
        "allreduce_s",
        "exposed_allreduce_s",
        "scaling_efficiency",
        "mfu",
        "overlap_fraction",
    ):
        value = document[key]
        assert set(value) >= RANGE_KEYS, key
        assert value["low"] <= value["value"] <= value["high"], key
    allreduce = document["allreduce_s"]
    # the same relative band as the step time
    assert allreduce["high"] / allreduce["value"] == pytest.approx(step["high"] / step["value"])
    assert document["mfu"]["high"] <= 1.0 and document["scaling_efficiency"]["high"] <= 1.0
    # utilisation falls when the step is slower: its low goes with the step's high
    mfu = document["mfu"]
    assert mfu["low"] / mfu["value"] == pytest.approx(step["value"] / step["high"])
    total = document["memory"]["total_gb"]
    assert total["low"] == total["value"] == total["high"] > 0


def test_fit_json_gives_exact_gb_ranges() -> None:
    document = _json("fit", "rtx-4090", "llama-3.1-8b")
    weights = document["per_gpu"]["weights_gb"]
    assert weights["low"] == weights["value"] == weights["high"]
    # 8.03B params at 2 bytes: ~16 GB of weights
    assert weights["value"] == pytest.approx(16.06, rel=0.02)
    assert isinstance(document["gpu_memory_gb"], float)
    training = _json("fit", "rtx-4090", "llama-3.1-8b", "--training", "lora")
    assert set(training["optimizer_gb"]) >= RANGE_KEYS
