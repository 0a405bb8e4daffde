"""The result file: round trip, validation errors that name fields, JSON Schema export."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from gpuatlas.errors import DataFileError
from gpuatlas.records.result import (
    SCHEMA_VERSION,
    BenchResult,
    Headline,
    MetricSummary,
    Sample,
    dump_result,
    load_result,
    result_json_schema,
)


def _result() -> BenchResult:
    return BenchResult(
        benchmark="llm-serving-8b-c16",
        benchmark_version=1,
        category="llm-serving",
        headline=Headline(metric="output_tok_s", unit="tok/s", higher_is_better=True, value=812.5),
        metrics={
            "ttft_ms": MetricSummary(
                median=40.0, mean=41.0, p90=55.0, p99=70.0, n=100, ci_low=38.0, ci_high=42.0
            )
        },
        samples=[Sample(index=0, ttft_ms=40.0, e2e_ms=900.0, output_tokens=128)],
        failures={"timeout": 1},
    )


def test_round_trip_keeps_every_field(tmp_path: Path) -> None:
    original = _result()
    path = dump_result(original, tmp_path / "sub" / "r.json")
    loaded = load_result(path)
    assert loaded == original
    assert loaded.schema_version == SCHEMA_VERSION
    assert loaded.created_at.endswith("Z")


def test_each_result_gets_its_own_id() -> None:
    assert _result().result_id != _result().result_id


def test_bad_file_lists_every_bad_field(tmp_path: Path) -> None:
    document = json.loads(json.dumps(_result().model_dump(mode="json")))
    document["headline"]["value"] = "fast"
    document["metrics"]["ttft_ms"]["n"] = "many"
    document["surprise"] = 1
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(document))
    with pytest.raises(DataFileError) as caught:
        load_result(path)
    problems = "\n".join(caught.value.problems)
    assert "headline.value" in problems
    assert "metrics.ttft_ms.n" in problems
    assert "surprise" in problems
    assert len(caught.value.problems) == 3


def test_unknown_schema_version_is_refused(tmp_path: Path) -> None:
    document = _result().model_dump(mode="json")
    document["schema_version"] = "gpuatlas.result/2"
    path = tmp_path / "future.json"
    path.write_text(json.dumps(document))
    with pytest.raises(DataFileError, match="schema_version"):
        load_result(path)


def test_invalid_json_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text('{\n  "benchmark": \n}')
    with pytest.raises(DataFileError, match="line 3"):
        load_result(path)


def test_json_schema_describes_the_required_fields() -> None:
    schema = result_json_schema()
    assert schema["$id"] == SCHEMA_VERSION
    assert {"benchmark", "benchmark_version", "category", "headline"} <= set(schema["required"])
    summary = schema["$defs"]["MetricSummary"]["properties"]
    assert {"median", "mean", "p90", "p99", "n", "ci_low", "ci_high"} <= set(summary)
