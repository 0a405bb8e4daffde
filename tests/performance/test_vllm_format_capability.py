"""vLLM refuses quantised formats below a compute capability (each quantization config's
get_min_capability: FP8 and MXFP4 8.0, AWQ and W8A8 INT8 7.5), so a T4 or V100 user must never
be offered them: `fit t4 llama-3.1-8b` listed fp8 at 8.5 GiB and said "fits in fp8", and `cost`
told a V100 user to try `--weights fp8`, which vLLM refuses to start with."""

from __future__ import annotations

from types import SimpleNamespace
from typing import cast

import pytest

from gpuatlas.app.cost import RentingCostRequest, cost_report, memory_way_outs
from gpuatlas.app.fit import FitRequest, fit_answer
from gpuatlas.catalog.gpus import resolve_gpu
from gpuatlas.errors import InvalidRequestError
from gpuatlas.performance import api
from gpuatlas.performance.predictions import LlmPrediction
from gpuatlas.report.context import ReportContext
from gpuatlas.report.sections.hardware import _fp8_fallback_words

pytestmark = pytest.mark.unit


def _predict(gpu: str, weights: str) -> LlmPrediction:
    return api.predict_llm(
        gpu,
        "llama-3.1-8b",
        weights=weights,
        engine="vllm",
        batch=1,
        input_tokens=512,
        output_tokens=128,
    )


@pytest.mark.parametrize(
    ("gpu", "weights", "needed"),
    [("t4", "fp8", "7.5; it needs 8.0"), ("v100-sxm2-16gb", "awq-int4", "7.0; it needs 7.5")],
)
def test_a_format_below_its_capability_is_refused_with_the_capability(
    gpu: str, weights: str, needed: str
) -> None:
    with pytest.raises(InvalidRequestError, match=rf"compute capability {needed}"):
        _predict(gpu, weights)


def test_the_formats_the_gpu_runs_still_predict() -> None:
    assert _predict("t4", "awq-int4").decode_tok_s.value > 0  # a T4 AWQ row is measured
    assert _predict("a100-80gb-sxm", "fp8").decode_tok_s.value > 0  # weight-only (Marlin)


def _formats(gpu: str) -> set[str]:
    answer = fit_answer(FitRequest(system=gpu, model="llama-3.1-8b", engine="vllm"))
    return {row.format_id for row in answer.rows}


def test_fit_lists_only_the_formats_vllm_runs_on_the_gpu() -> None:
    t4, v100, a100 = _formats("t4"), _formats("v100-sxm2-16gb"), _formats("a100-80gb-sxm")
    assert {"fp8", "mxfp4"}.isdisjoint(t4) and {"awq-int4", "int8"} <= t4
    assert {"fp8", "mxfp4", "awq-int4", "int8"}.isdisjoint(v100) and "gptq-int4" in v100
    assert {"fp8", "mxfp4", "awq-int4", "int8"} <= a100


def test_cost_suggests_a_format_the_gpu_runs() -> None:
    request = RentingCostRequest(gpus=["v100-sxm2-16gb"], model="llama-3.1-8b", workload="llm")
    report = cost_report(request)
    assert report.cannot_run and not report.ranking
    (way_out,) = memory_way_outs(request, report)
    assert "--weights gptq-int4" in way_out and "fp8" not in way_out


def _fp8_words(a: str, b: str) -> str:
    context = SimpleNamespace(a_label=a, b_label=b, a_gpu=resolve_gpu(a), b_gpu=resolve_gpu(b))
    return _fp8_fallback_words(cast(ReportContext, context))


def test_compare_says_where_fp8_runs_weight_only_and_where_not_at_all() -> None:
    assert "weight-only" in _fp8_words("rtx-3090", "a100-80gb-sxm")
    assert _fp8_words("t4", "v100-sxm2-16gb") == (
        "vLLM does not run FP8 weights on either (it needs compute capability 8.0)."
    )
    assert _fp8_words("t4", "a100-80gb-sxm") == (
        "FP8 weights run weight-only on a100-80gb-sxm; vLLM does not run them on t4 (it needs "
        "compute capability 8.0)."
    )
