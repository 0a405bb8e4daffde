"""`plan`, `fleet` and `cost` default to `--engine auto`, resolved per candidate GPU as `predict`
and `fit` resolve it: llama.cpp on a Mac (vLLM has no Metal backend), vLLM on NVIDIA, vLLM-ROCm
on Instinct, and the checkpoint's own engine for an Ollama tag or a GGUF quantisation."""

from __future__ import annotations

from pathlib import Path

import pytest

from gpuatlas.app.economics_requests import (
    CostRequest,
    PlanRequest,
    auto_format_ids,
    run_cost,
    run_plan,
)
from gpuatlas.app.plan import ServingPlanRequest
from gpuatlas.catalog.gpus import resolve_gpu
from gpuatlas.catalog.prices import PriceSnapshot
from gpuatlas.catalog.systems import build_system, resolve_system
from gpuatlas.economics.planning import plan_options
from gpuatlas.economics.serving_candidate import Slo, Workload
from gpuatlas.economics.serving_engine import checkpoint_engine, engine_notes, serving_engine
from gpuatlas.performance.engine_specs import resolve_engine_on

M2_ULTRA = resolve_system("apple-m2-ultra-76c")
H100 = build_system(resolve_gpu("h100-sxm"), 1)
MI300X = build_system(resolve_gpu("mi300x"), 1)
RTX_4090 = build_system(resolve_gpu("rtx-4090"), 1)
MAC_OFFER = PriceSnapshot("MacRent", "apple-m2-ultra-76c", 0.90, "on-demand", "2026-11-01", "t")
H100_OFFER = PriceSnapshot("Lambda", "h100-sxm", 3.99, "on-demand", "2026-09-20", "t", 8)


@pytest.mark.parametrize(
    ("model", "weights", "system", "engine"),
    [
        ("llama-3.1-8b", "bf16", M2_ULTRA, "llama.cpp-metal"),  # no Metal backend in vLLM
        ("llama-3.1-8b", "bf16", H100, "vllm"),
        ("llama-3.1-8b", "bf16", MI300X, "vllm-rocm"),
        ("llama-3.1-8b", "bf16", RTX_4090, "vllm"),  # GeForce with a Hub checkpoint: vLLM
        ("llama3.1:8b", "q4_k_m", RTX_4090, "ollama"),  # an Ollama tag: Ollama
        ("llama3.1:8b", "q8_0", RTX_4090, "ollama"),  # in every format it is pulled in
        ("llama-3.1-8b", "q4_k_m", H100, "llama.cpp"),  # a GGUF quantisation: llama.cpp
    ],
)
def test_auto_is_the_engine_people_run_there(
    model: str, weights: str, system: object, engine: str
) -> None:
    assert serving_engine("auto", model, weights, system) == engine  # type: ignore[arg-type]


def test_a_named_engine_is_used_as_given() -> None:
    assert serving_engine("sglang", "llama-3.1-8b", "bf16", H100) == "sglang"
    assert checkpoint_engine("llama-3.1-8b") is None


def test_plan_defaults_to_auto() -> None:
    assert ServingPlanRequest(model="llama-3.1-8b", rps=1.0).engine == "auto"
    assert PlanRequest("llama-3.1-8b", ("auto",), 1.0, 512, 256, Slo()).engine == "auto"
    assert CostRequest(systems=()).engine == "auto"


def test_auto_formats_are_those_of_each_engine_picked() -> None:
    """A bf16 checkpoint: vLLM weighs FP8 and AWQ too; llama.cpp runs GGUF builds of it, its
    default Q4_K_M (llama.cpp's -hf default) and Q8_0, not the 16-bit Hub files."""
    assert "fp8" in auto_format_ids("llama-3.1-8b", "auto", [H100])
    assert auto_format_ids("llama-3.1-8b", "auto", [M2_ULTRA]) == ["q4_k_m", "q8_0"]
    both = auto_format_ids("llama-3.1-8b", "auto", [M2_ULTRA, H100])
    assert both[0] == "q4_k_m" and "bf16" in both and "fp8" in both


def test_a_plan_on_a_mac_runs_llama_cpp_and_says_why() -> None:
    workload = Workload("llama-3.1-8b", "bf16", 2.0, 512, 256, "auto")
    plan = plan_options(workload, Slo(), [M2_ULTRA, H100], [MAC_OFFER, H100_OFFER], ["bf16"])
    engines = {option.gpu: option.engine for option in plan.options}
    assert engines["apple-m2-ultra-76c"] == "llama.cpp-metal"
    assert engines["h100-sxm"] == "vllm"
    notes = engine_notes("auto", "llama-3.1-8b", [M2_ULTRA, H100])
    assert any("llama.cpp (Metal)" in n and "no Metal backend" in n for n in notes)
    assert any(n.startswith("engine: vLLM on H100") for n in notes)


def test_an_auto_plan_skips_formats_the_gpus_engine_does_not_load() -> None:
    """FP8 is weighed on the H100 (vLLM) but is no candidate on the Mac (llama.cpp)."""
    workload = Workload("llama-3.1-8b", "bf16", 1.0, 512, 256, "auto")
    plan = plan_options(workload, Slo(), [M2_ULTRA, H100], [MAC_OFFER, H100_OFFER], ["bf16", "fp8"])
    assessed = {(o.gpu, o.weights) for o in plan.options} | {
        (r.gpu, r.weights) for r in plan.rejected
    }
    assert ("h100-sxm", "fp8") in assessed
    assert ("apple-m2-ultra-76c", "fp8") not in assessed


def _mac_prices(folder: Path) -> Path:
    """A price file renting a Mac Studio (M2 Ultra): the catalog has no Mac offer."""
    prices = folder / "mac.csv"
    prices.write_text(
        "provider,gpu,gpu_match,offer,gpus_per_instance,usd_per_gpu_hour,tier,observed_date,"
        "source,notes\nMacRent,apple-m2-ultra-76c,exact,Mac Studio,1,0.90,on-demand,"
        "2026-11-01,test,test\n"
    )
    return prices


def test_run_plan_names_the_engine_of_the_gpus_it_lists(tmp_path: Path) -> None:
    prices = _mac_prices(tmp_path)
    request = PlanRequest(
        "llama-3.1-8b", ("auto",), 2.0, 512, 256, Slo(), gpus=("m2 ultra",), price_files=(prices,)
    )
    plan = run_plan(request)
    gpu = M2_ULTRA.gpu
    assert plan.options  # the GGUF builds it plans run llama.cpp, on its Metal backend there
    assert {resolve_engine_on(o.engine, gpu).id for o in plan.options} == {"llama.cpp-metal"}
    assert len(plan.engine_notes) == 1 and "llama.cpp (Metal)" in plan.engine_notes[0]


def test_cost_on_a_mac_runs_llama_cpp(tmp_path: Path) -> None:
    prices = _mac_prices(tmp_path)
    report = run_cost(
        CostRequest(
            systems=("apple-m2-ultra-76c",),
            model="llama-3.1-8b",
            weights="auto",
            price_files=(prices,),
        )
    )
    assert report.serving and report.serving[0].sustained.engine == "llama.cpp-metal"


def test_a_named_engine_still_applies_everywhere() -> None:
    workload = Workload("llama-3.1-8b", "bf16", 1.0, 512, 256, "vllm")
    plan = plan_options(workload, Slo(), [H100], [H100_OFFER], ["bf16"])
    assert {o.engine for o in plan.options} == {"vllm"}
