"""`compare --mean-output-tokens`: requests that stop at end-of-sequence before the report's
256 output tokens. The serving throughput is the full-load figure `cost` gives (predict
serving's for the same run), the scenario needs fewer replicas, a request costs less, every
table says the mean it used, and a mean outside 1 to 256 is refused with the request's other
problems."""

from __future__ import annotations

from typing import Any

import pytest

from gpuatlas.app.compare import ComparisonRequest, comparison_document
from gpuatlas.app.requests import parse_request
from gpuatlas.catalog.systems import resolve_system
from gpuatlas.economics.full_load import full_load_serving
from gpuatlas.errors import InvalidRequestError

pytestmark = pytest.mark.unit

PAIR = {"a": "rtx-4090", "b": "rtx-3090", "model": "llama-3.1-8b", "weights": "fp8"}


def _tables(mean: float | None) -> dict[str, dict[str, Any]]:
    document = comparison_document(
        parse_request(ComparisonRequest, {**PAIR, "mean_output_tokens": mean})
    )
    assert document["options"]["mean_output_tokens"] == mean
    return {t["id"]: t for s in document["sections"] for t in s.get("tables", [])}


def _row(table: dict[str, Any], starts: str) -> list[Any]:
    return next(r for r in table["rows"] if r[0]["text"].startswith(starts))


def test_shorter_requests_in_every_llm_table() -> None:
    full, half = _tables(None), _tables(128)
    serving = _row(half["llm-speed"], "Serving throughput")
    assert "mean 128 of 256 out tokens" in serving[0]["text"]
    # the full-load figure `cost` gives, which is predict serving's for the same run
    expected = full_load_serving(
        resolve_system("rtx-4090"),
        "llama-3.1-8b",
        "fp8",
        "vllm",
        input_tokens=512,
        output_tokens=256,
        mean_output_tokens=128,
    ).output_tok_s.value
    assert serving[1]["value"] == pytest.approx(expected)

    def replicas(tables: dict[str, dict[str, Any]]) -> list[int]:
        rows = tables["serving-scenario"]["rows"]
        return [int(row[2]["text"].split(" ")[0]) for row in rows if " × " in row[2]["text"]]

    assert sum(replicas(half)) < sum(replicas(full))
    per_request = [row[4]["value"] for row in half["llm-cost"]["rows"]]
    before = [row[4]["value"] for row in full["llm-cost"]["rows"]]
    assert len(per_request) == len(before) > 0
    assert all(now < then for now, then in zip(per_request, before, strict=True))
    for table in ("serving-scenario", "llm-cost"):
        assert "≤ 256 (mean 128, end-of-sequence)" in half[table]["notes"][0]
        assert "end-of-sequence" not in full[table]["notes"][0]


@pytest.mark.parametrize("mean", [300, 0.5])
def test_a_mean_outside_one_to_the_output_length_is_refused(mean: float) -> None:
    with pytest.raises(InvalidRequestError) as refused:
        comparison_document(
            parse_request(
                ComparisonRequest, {**PAIR, "provider": "nobody", "mean_output_tokens": mean}
            )
        )
    problems = refused.value.problems
    assert len(problems) == 2  # with the unknown provider, at once
    assert any("from 1 to the output length" in p and "(256)" in p for p in problems)
