"""The serving curve's 1-stream point and single-user decode are two models of nearly the same
case (llama-3.1-8b bf16 on an H100 SXM5 with vLLM, 1,024 in / 1,024 out: 111 vs 117 tok/s),
and neither answer said so. The serving-curve answer now puts `predict llm`'s single-user
decode beside its 1-stream point, with why they differ; compare's curve table says the same."""

from __future__ import annotations

import pytest

from gpuatlas.app.predict import PredictLlmRequest, predict_llm_document
from gpuatlas.app.serving_curve import ServingCurveRequest, serving_curve_document
from gpuatlas.report.build import build_comparison

pytestmark = pytest.mark.unit


def test_the_curve_states_single_user_decode_for_the_same_case() -> None:
    curve = serving_curve_document(ServingCurveRequest(system="h100-sxm", model="llama-3.1-8b"))
    single = curve["single_stream"]
    assert single["per_user_tok_s"] == curve["points"][0]["per_user_tok_s"]["value"]
    decode = predict_llm_document(
        PredictLlmRequest(
            system="h100-sxm",
            model="llama-3.1-8b",
            input_tokens=curve["input_tokens"],
            output_tokens=curve["output_tokens"],
        )
    )["decode_tok_s"]
    assert single["single_user_decode_tok_s"]["value"] == pytest.approx(decode["value"])
    assert "prefill" in single["note"] and "single-user decode" in single["note"]
    ttft_s = single["ttft_ms"] / 1e3
    request_s = ttft_s + (curve["output_tokens"] - 1) / decode["value"]  # first token, the rest
    assert single["single_user_request_tok_s"] == pytest.approx(curve["output_tokens"] / request_s)
    left = single["per_user_tok_s"] / single["single_user_request_tok_s"] - 1
    assert single["calibration_difference_pct"] == pytest.approx(left * 100)


def test_the_compare_curve_table_labels_its_one_stream_row() -> None:
    comparison = build_comparison("h100-sxm", "a100-80gb-sxm", model="llama-3.1-8b")
    tables = {table.id: table for section in comparison.sections for table in section.tables}
    notes = tables["serving-curve"].notes
    assert any("The 1-stream row is not the single-user decode" in note for note in notes)
