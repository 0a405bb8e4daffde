"""`plan --num-ctx`: the context Ollama (num_ctx, OLLAMA_CONTEXT_LENGTH) or llama.cpp (-c)
allocates per sequence sets how many requests a replica holds and whether the model splits
between GPU and CPU, as `predict llm --num-ctx` does for one run; engines that page their KV
cache (vLLM, SGLang) are left as they are."""

from __future__ import annotations

import pytest

from gpuatlas.app.economics_requests import PlanRequest, run_plan
from gpuatlas.app.fleet import FleetPlanRequest, fleet_plan
from gpuatlas.app.plan import ServingPlanRequest, plan_document
from gpuatlas.catalog.gpus import resolve_gpu
from gpuatlas.catalog.systems import build_system
from gpuatlas.economics.fleet import FleetPlan
from gpuatlas.economics.serving_candidate import Slo, Workload, assess
from gpuatlas.economics.simulation_step_times import EstimatorStepSource, with_num_ctx
from gpuatlas.errors import InvalidRequestError
from gpuatlas.performance.llm.memory import max_sequences
from gpuatlas.performance.llm.predict import llm_runtime
from gpuatlas.performance.llm.refusal import memory_inputs

pytestmark = pytest.mark.unit

RTX_4090 = build_system(resolve_gpu("rtx-4090"), 1)


def _qwen3_32b(engine: str, num_ctx: int | None) -> Workload:
    return Workload("qwen3-32b", "q4_k_m", 0.01, 512, 256, engine, num_ctx=num_ctx)


def _sequences_of(tokens: int) -> int:
    inputs = memory_inputs(llm_runtime(RTX_4090, "qwen3-32b", "q4_k_m", "ollama"), "fp16")
    return max_sequences(inputs, 1, tokens)


def test_num_ctx_8192_keeps_qwen3_32b_whole_where_ollamas_32k_default_splits_it() -> None:
    """18.5 GiB of q4_k_m weights leave room for the KV of a few 8,192-token sequences on a
    24 GiB card, none of 32,768 (Ollama 0.15.5+'s default there): at 8,192 the replica runs on
    the GPU alone, decoding 3x+ faster than split, one request at a time (OLLAMA_NUM_PARALLEL's
    default 1 from 0.10, performance/data/server_slots.toml), though more would fit."""
    default = assess(RTX_4090, _qwen3_32b("ollama", None), Slo())
    given = assess(RTX_4090, _qwen3_32b("ollama", 8192), Slo())
    assert "num_ctx 32,768" in default.offload and default.max_batch == 1
    assert given.status == "ok" and not given.offload
    assert given.max_batch == 1 < _sequences_of(8192)
    assert default.steps is not None and given.steps is not None
    assert default.steps.decode_step_s[1] > 3 * given.steps.decode_step_s[1]


def test_a_num_ctx_longer_than_the_engines_default_splits_and_says_it_was_given() -> None:
    """Ollama 0.12.6 allocates 4,096 tokens (the model fits whole); 32,768 set by hand does
    not fit beside the weights, so Ollama moves layers to the CPU at that num_ctx."""
    old = assess(RTX_4090, _qwen3_32b("ollama 0.12.6", None), Slo())
    given = assess(RTX_4090, _qwen3_32b("ollama 0.12.6", 32768), Slo())
    assert not old.offload and old.max_batch >= 1
    assert given.max_batch == 1
    assert "num_ctx 32,768, as given" in given.offload


def test_engines_that_page_their_kv_cache_ignore_num_ctx() -> None:
    vllm = EstimatorStepSource(RTX_4090, "qwen3-8b", "fp8", "vllm")
    ollama = EstimatorStepSource(RTX_4090, "qwen3-8b", "q4_k_m", "ollama")
    assert with_num_ctx(vllm, 8192) is vllm
    assert with_num_ctx(ollama, 8192) == EstimatorStepSource(
        RTX_4090, "qwen3-8b", "q4_k_m", "ollama", num_ctx=8192
    )
    assert with_num_ctx(ollama, None) is ollama


def _refusal(**given: object) -> str:
    request = PlanRequest("qwen3:32b", ("auto",), 0.05, 512, 256, Slo(), gpus=("rtx-4090",))
    for name, value in given.items():
        object.__setattr__(request, name, value)
    with pytest.raises(InvalidRequestError) as caught:
        run_plan(request)
    return str(caught.value)


def test_bad_num_ctx_values_are_refused_with_the_limit_to_use() -> None:
    assert "shorter than a request's prompt plus output (768 tokens)" in _refusal(num_ctx=500)
    assert "use at least 768" in _refusal(num_ctx=500)
    # qwen3-32b's config: max_position_embeddings 40,960
    assert "longer than qwen3:32b's 40,960-token context" in _refusal(num_ctx=65536)


def test_num_ctx_on_an_engine_without_it_is_refused_naming_the_engines_that_have_it() -> None:
    message = _refusal(num_ctx=8192, model="llama-3.1-8b", weights=("fp16",), engine="vllm")
    assert "--num-ctx is an Ollama/llama.cpp option; vllm has none" in message
    assert "--engine ollama" in message


def test_the_document_echoes_num_ctx_and_the_plan_says_where_it_applies() -> None:
    request = ServingPlanRequest.model_validate(
        {"model": "qwen3:32b", "weights": ["q4_k_m"], "rps": 0.05, "gpus": ["rtx-4090"]}
        | {"gpu_counts": [1], "num_ctx": 8192}
    )
    document = plan_document(request)
    assert document["request"]["num_ctx"] == 8192
    assert "num_ctx 8,192 tokens per sequence (--num-ctx) on ollama" in document["engine_notes"]
    assert document["options"] and not any(option["offload"] for option in document["options"])


def _fleet(*models: str, gpu: str = "rtx-4090", num_ctx: int | None = 8192) -> FleetPlan:
    request = FleetPlanRequest.model_validate(
        {"models": list(models), "rps": 0.1, "gpus": [gpu], "gpu_counts": [1], "num_ctx": num_ctx}
    )
    return fleet_plan(request)


def test_a_fleet_takes_num_ctx_for_its_ollama_pools_and_vllm_pools_ignore_it() -> None:
    default = _fleet("qwen3:32b=0.5", "llama-3.1-8b=0.5", num_ctx=None)
    given = _fleet("qwen3:32b=0.5", "llama-3.1-8b=0.5")
    # qwen3:32b whole on one RTX 4090 at 8,192 tokens instead of split at Ollama's 32,768
    assert given.mixed_monthly_cost_usd < default.mixed_monthly_cost_usd
    with pytest.raises(InvalidRequestError, match="is an Ollama/llama.cpp option; vllm has none"):
        _fleet("llama-3.1-8b=1", gpu="h100")
