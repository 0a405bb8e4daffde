"""`plan` with llama.cpp/Ollama on a GPU that cannot hold the model whole: the engine splits it
between GPU and CPU by itself (as `fit` and `predict llm` answer), so the GPU is a candidate
served one request at a time at the split's speed, not a 'lost on memory' rejection."""

from __future__ import annotations

import pytest

from gpuatlas.app.economics_requests import PlanRequest, run_plan
from gpuatlas.catalog.gpus import resolve_gpu
from gpuatlas.catalog.systems import build_system
from gpuatlas.economics.serving_candidate import Slo, Workload, assess
from gpuatlas.performance import api
from gpuatlas.performance.llm.host_memory import with_host_ram
from gpuatlas.performance.llm.offload_speed import offloaded_decode_step_s

# a desktop with 64 GB of RAM: Ollama's split keeps ~28 GB of weights and its CPU layers' KV
RTX_4090 = with_host_ram(build_system(resolve_gpu("rtx-4090"), 1), 64)


def _workload(engine: str, weights: str = "q4_k_m") -> Workload:
    return Workload("llama-3.1-70b", weights, 0.01, 512, 256, engine=engine)


@pytest.mark.unit
def test_ollama_serves_a_model_too_big_for_the_gpu_partly_on_the_cpu() -> None:
    found = assess(RTX_4090, _workload("ollama"), Slo())
    split = api.engine_offload(
        RTX_4090, "llama-3.1-70b", "q4_k_m", "ollama", context_tokens=512 + 256
    )
    assert split is not None
    assert found.status == "ok" and found.max_batch == 1
    assert f"{split.gpu_layers} of 80 layers on the GPU" in found.offload
    assert found.steps is not None
    # a decode step at the mean context (prompt + half the output): the all-GPU step less
    # the host-held share, plus those bytes and the CPU layers' KV at the host's bandwidth
    all_gpu_s = api.decode_step_s(
        RTX_4090, "llama-3.1-70b", "q4_k_m", "ollama", batch=1, context_tokens=512 + 128
    )
    expected_s = offloaded_decode_step_s(all_gpu_s, split, 1, 512 + 128)
    assert found.steps.decode_step_s[1] == pytest.approx(expected_s)
    assert found.steps.decode_step_s[1] > 5 * all_gpu_s  # host memory, not HBM, sets the pace


@pytest.mark.unit
def test_vllm_still_loses_on_memory() -> None:
    found = assess(RTX_4090, _workload("vllm", "awq-int4"), Slo())
    assert found.status == "memory" and not found.offload
    assert "usable" in found.reason


@pytest.mark.unit
def test_ollama_serves_each_request_with_its_num_ctx_of_kv() -> None:
    # qwen3:32b q4_k_m fits a 24 GiB card at 768 tokens, but Ollama 0.15.5+ holds 32,768
    # tokens of KV per sequence there (context_defaults.toml) and splits the model; 0.12's
    # 4,096 tokens leave it whole
    newest = assess(RTX_4090, Workload("qwen3-32b", "q4_k_m", 0.01, 512, 256, "ollama"), Slo())
    old = assess(RTX_4090, Workload("qwen3-32b", "q4_k_m", 0.01, 512, 256, "ollama 0.12.6"), Slo())
    assert newest.status == "ok" and "num_ctx 32,768" in newest.offload
    assert old.status == "ok" and not old.offload and old.max_batch >= 1
    assert newest.steps is not None and old.steps is not None
    assert newest.steps.decode_step_s[1] > 3 * old.steps.decode_step_s[1]


@pytest.mark.unit
def test_a_split_that_does_not_fit_the_assumed_32_gb_desktop_is_rejected_with_the_numbers() -> None:
    bare = build_system(resolve_gpu("rtx-4090"), 1)
    found = assess(bare, _workload("ollama"), Slo())
    assert found.status != "ok"
    assert "does not fit in host memory" in found.reason and "--host-ram-gb" in found.reason


@pytest.mark.unit
def test_plan_says_the_winner_runs_partly_on_the_cpu_and_that_requests_queue() -> None:
    plan = run_plan(
        PlanRequest(
            "llama3.1:70b",
            ("q4_k_m",),
            0.05,
            512,
            256,
            Slo(),
            gpus=("rtx-4090",),
            gpu_counts=(1,),
            host_ram_gb=64,  # the split's ~28 GB of weights and its CPU layers' KV fit
        )
    )
    winner = plan.options[0]
    assert winner.offload and winner.label == "rtx-4090 q4_k_m partly on the CPU"
    assert plan.explanation is not None
    text = " ".join(plan.explanation.lines)
    assert "RTX 4090 q4_k_m runs ollama partly on the CPU: " in text
    assert "of 80 layers on the GPU" in text
    # one request at a time at ~0.44 s a token: one replica would queue for minutes; with no
    # target the plan is sized for the default p95 TTFT (2 s), so it takes several replicas
    assert plan.slo.default_ttft and plan.slo.p95_ttft_ms == 2000.0
    assert winner.p95_ttft_ms <= 2000.0 and winner.meets_slo
    assert winner.replicas > 1 and winner.utilization < 1.0


@pytest.mark.unit
def test_plan_without_stated_ram_rejects_the_split_for_host_memory() -> None:
    plan = run_plan(
        PlanRequest(
            "llama3.1:70b", ("q4_k_m",), 0.05, 512, 256, Slo(), gpus=("rtx-4090",), gpu_counts=(1,)
        )
    )
    assert not plan.options


@pytest.mark.unit
def test_plan_refuses_a_host_ram_of_zero() -> None:
    from gpuatlas.errors import GpuAtlasError

    request = PlanRequest(
        "llama3.1:70b", ("q4_k_m",), 0.05, 512, 256, Slo(), gpus=("rtx-4090",), host_ram_gb=0
    )
    with pytest.raises(GpuAtlasError, match="host-ram-gb must be more than 0"):
        run_plan(request)
