"""vLLM refuses bf16 below compute capability 8.0 ('Bfloat16 is only supported on GPUs with
compute capability of at least 8.0 ... --dtype=half', its worker's dtype check): a bf16
prediction there says so and is computed in fp16, the dtype that runs."""

from __future__ import annotations

import pytest

from gpuatlas.app.predict import PredictLlmRequest, predict_llm_document
from gpuatlas.performance.engine_specs import dtype_notes, resolve_engine_on
from gpuatlas.performance.resolve import as_system


def _predicted(system: str, weights: str, engine: str = "vllm") -> dict[str, object]:
    request = {"system": system, "model": "llama-3.2-1b", "weights": weights, "engine": engine}
    return predict_llm_document(PredictLlmRequest.model_validate(request))


@pytest.mark.parametrize(("system", "capability"), [("v100-32gb-sxm2", "7.0"), ("t4", "7.5")])
def test_bf16_on_vllm_before_ampere_says_it_runs_as_fp16(system: str, capability: str) -> None:
    note = str(_predicted(system, "bf16")["engine_note"])
    assert "refuses bf16" in note and f"compute capability {capability}" in note
    assert "--dtype half" in note and "8.0" in note


def test_bf16_before_ampere_is_predicted_as_fp16_runs() -> None:
    bf16, fp16 = _predicted("t4", "bf16"), _predicted("t4", "fp16")
    assert bf16["decode_tok_s"] == fp16["decode_tok_s"]
    assert bf16["prefill_tok_s"] == fp16["prefill_tok_s"]


@pytest.mark.parametrize(
    ("system", "weights", "engine"),
    [("a100-80gb-sxm", "bf16", "vllm"), ("t4", "fp16", "vllm"), ("t4", "bf16", "llama.cpp")],
)
def test_no_note_where_the_dtype_runs(system: str, weights: str, engine: str) -> None:
    gpu = as_system(system).gpu
    assert dtype_notes(resolve_engine_on(engine, gpu), gpu, weights) == ()
