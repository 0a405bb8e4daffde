"""`plan` of an Ollama tag or a GGUF: the tag fixes the engine to Ollama/llama.cpp, whose num_ctx
allocation holds a few sequences per replica; the plan also prices the same traffic on the
model's Hub checkpoint with each GPU's serving engine (vLLM), and says so when that is cheaper
or meets targets the tag's plan does not."""

from __future__ import annotations

from dataclasses import replace

import pytest

from gpuatlas.app.economics_requests import PlanRequest, run_plan
from gpuatlas.economics.planning import Plan, PlanOption, server_engine_line
from gpuatlas.economics.serving_candidate import Slo, Workload
from gpuatlas.economics.serving_engine import server_checkpoint

pytestmark = pytest.mark.unit

H100_PAIRS = {"gpus": ("h100-sxm",), "gpu_counts": (2,)}


def _request(model: str, **changes: object) -> PlanRequest:
    base = PlanRequest(model, ("auto",), 5.0, 512, 256, Slo(), **H100_PAIRS)  # type: ignore[arg-type]
    return replace(base, **changes)  # type: ignore[arg-type]


def _server_lines(plan: Plan) -> list[str]:
    return [line for line in plan.engine_notes if "server engine" in line]


def test_server_checkpoint_of_ollama_tags_and_ggufs_is_the_hub_model() -> None:
    assert server_checkpoint("llama3.3:70b") == "llama-3.3-70b"
    assert server_checkpoint("unsloth/Qwen3-30B-A3B-GGUF:Q4_K_M") == "qwen3-30b-a3b"
    assert server_checkpoint("llama-3.3-70b") is None  # a Hub checkpoint already
    assert server_checkpoint("Qwen/Qwen3-32B-AWQ") is None


def test_llama33_70b_tag_at_5_rps_names_the_vllm_plan_and_its_cost() -> None:
    """On 2x H100 Ollama holds a couple of 131,072-token sequences per replica (its 256k
    default capped at the model's context); vLLM pages its KV cache and batches hundreds:
    the same traffic costs many times less, and the note carries the vLLM plan's own figures."""
    own = run_plan(_request("llama3.3:70b"))
    server = run_plan(_request("llama-3.3-70b"))
    lines = _server_lines(own)
    assert len(lines) == 1
    best, mine = server.options[0], own.options[0]
    assert mine.engine == "ollama" and best.engine == "vllm"
    assert mine.max_batch <= 4 < best.max_batch
    assert best.monthly_cost_usd < mine.monthly_cost_usd / 5
    assert f"${best.monthly_cost_usd:,.0f}/month" in lines[0]
    assert f"{mine.monthly_cost_usd / best.monthly_cost_usd:,.1f}× less" in lines[0]
    assert "--model llama-3.3-70b" in lines[0]


def test_no_server_line_for_a_hub_model_or_a_named_engine_or_fixed_replicas() -> None:
    assert _server_lines(run_plan(_request("llama-3.3-70b"))) == []
    assert _server_lines(run_plan(_request("llama3.3:70b", engine="ollama"))) == []
    assert _server_lines(run_plan(_request("llama3.3:70b", replicas=1))) == []


def _option(cost: float, engine: str, max_batch: int, meets: bool = True) -> PlanOption:
    return PlanOption(
        "h100-sxm", "H100 SXM5", 1, "fp8", 1, "p", "on-demand", "2026-01", "s", "o", "exact",
        cost / 730, cost / 730, cost, 1, True, 100.0, 200.0, 20.0, 30.0, 9000.0, 0.5, 4.0,
        max_batch, 1.0, meets, engine=engine,
    )  # fmt: skip


def _plan(*options: PlanOption) -> Plan:
    workload = Workload("m", "fp8", 1.0, 512, 256, "auto")
    return Plan(workload, Slo(), options, (), None, None, 1, 1)


def test_server_line_only_when_at_least_ten_percent_cheaper() -> None:
    own = _plan(_option(1000.0, "ollama", 2))
    assert server_engine_line(own, _plan(_option(950.0, "vllm", 256)), "m") is None
    line = server_engine_line(own, _plan(_option(500.0, "vllm", 256)), "m")
    assert line is not None and "2.0× less than with ollama (batch up to 2" in line


def test_server_line_when_only_the_server_engine_meets_the_targets() -> None:
    own = _plan(_option(1000.0, "ollama", 2, meets=False))
    line = server_engine_line(own, _plan(_option(5000.0, "vllm", 256)), "m")
    assert line is not None and line.startswith("Meets the targets with a server engine")
    assert server_engine_line(own, _plan(_option(500.0, "vllm", 256, meets=False)), "m") is None
