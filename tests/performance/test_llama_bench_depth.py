"""A test at depth (llama-bench -d: `pp512 @ d8192`, `tg128 @ d8192`): tokens already in the KV
cache when the test starts. The prompt attends to them and decode runs after them, in the
row path, the vectorised path, `predict --cases`, measured and written rows, and `predict llm
--depth`."""

from __future__ import annotations

import csv
from dataclasses import replace
from pathlib import Path

import pytest

from gpuatlas.app.predict import PredictLlmRequest, predict_llm_document
from gpuatlas.calibration.case_columns import predict_table
from gpuatlas.calibration.case_files import REQUIRED_COLUMNS, predict_fields
from gpuatlas.calibration.fitting import case_from_row, observations, prefill_terms
from gpuatlas.calibration.written_rows import load_written
from gpuatlas.catalog.measurements import COLUMNS, load_measurements
from gpuatlas.errors import InvalidRequestError
from gpuatlas.performance.cases import Case, predict_case
from gpuatlas.performance.llm.predict import llm_runtime
from gpuatlas.performance.llm.vectorised import predict_llm_many

pytestmark = pytest.mark.unit

GPU, MODEL, WEIGHTS, ENGINE = "rtx-4090", "llama-3.1-8b", "q4_0", "llama.cpp b7000"


def _case(metric: str, input_tokens: int, output_tokens: int, depth: int | None) -> Case:
    return Case(
        gpu=GPU,
        gpu_count=1,
        model=MODEL,
        weights=WEIGHTS,
        engine=ENGINE,
        batch=1,
        input_tokens=input_tokens,
        output_tokens=output_tokens,
        metric=metric,
        variant="fa 1",
        depth=depth,
    )


def test_a_prompt_after_a_filled_cache_attends_to_it() -> None:
    """pp512 @ d32768 takes the 512 tokens' time with 32,768 cached positions attended."""
    runtime = llm_runtime(GPU, MODEL, WEIGHTS, ENGINE)
    runtime = replace(runtime, flash_attention=True)
    at_depth = predict_case(_case("prefill_tok_s", 512, 0, 32768)).value
    empty = predict_case(_case("prefill_tok_s", 512, 0, None)).value
    expected = 512 / (runtime.prefill_s(512, 1, 32768) + runtime.call_wire_s)
    assert at_depth == pytest.approx(expected, rel=1e-9)
    assert at_depth < 0.8 * empty


def test_decode_at_depth_is_decode_after_that_context() -> None:
    """tg128 @ d8192 generates after 8,192 cached tokens: the same steps as a 8,192-token
    prompt's decode."""
    at_depth = predict_case(_case("decode_tok_s", 0, 128, 8192)).value
    after_prompt = predict_case(_case("decode_tok_s", 8192, 128, None)).value
    empty = predict_case(_case("decode_tok_s", 0, 128, None)).value
    assert at_depth == pytest.approx(after_prompt, rel=1e-12)
    assert at_depth < empty


def test_unfused_scores_grow_with_the_cache_they_score_against() -> None:
    """Without flash attention each new token's scores against every cached position go
    through memory: tokens x (depth + tokens / 2) per head and layer."""
    runtime = llm_runtime(GPU, MODEL, WEIGHTS, ENGINE)
    empty, deep = runtime.score_bytes(512, 1), runtime.score_bytes(512, 1, cached_tokens=8192)
    assert empty > 0
    assert deep / empty == pytest.approx((8192 + 256) / 256)


def test_the_vectorised_path_gives_the_row_paths_values_at_depth() -> None:
    cases = [
        _case(metric, tokens, out, depth)
        for metric in ("prefill_tok_s", "ttft_ms", "decode_tok_s", "tpot_ms")
        for tokens, out in ((512, 128), (2048, 1))
        for depth in (None, 4096, 65536)
    ]
    many = predict_llm_many(cases)
    for case, value in zip(cases, many, strict=True):
        assert value == pytest.approx(predict_case(case).value, rel=1e-9), case


def test_cases_csv_takes_a_depth_column_and_refuses_it_on_serving_rows() -> None:
    header = [*REQUIRED_COLUMNS, "variant", "depth"]
    base = [GPU, "1", MODEL, WEIGHTS, ENGINE, "1", "512", "128"]
    rows = [
        [*base, "prefill_tok_s", "fa 1", ""],
        [*base, "prefill_tok_s", "fa 1", "32768"],
        [*base, "serving_output_tok_s", "", "8192"],
        [*base, "decode_tok_s", "", "-5"],
    ]
    got = predict_table(header, rows)
    for row, answer in zip(rows, got, strict=True):
        slow = predict_fields(dict(zip(header, row, strict=True)))
        assert answer == (slow["value"], slow["low"], slow["high"], slow["error"]), row
    assert float(got[1][0]) < 0.8 * float(got[0][0])
    assert "applies to prefill and decode rows" in got[2][3]
    assert "depth must not be negative" in got[3][3]
    with pytest.raises(InvalidRequestError, match="applies to prefill and decode"):
        predict_case(_case("serving_output_tok_s", 512, 128, 8192))


def _write(path: Path, header: list[str], rows: list[list[str]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)


def test_a_measured_row_states_its_depth_and_is_fitted_at_it(tmp_path: Path) -> None:
    header = [*COLUMNS, "variant", "depth"]
    row = {
        "gpu": "rtx-4090",
        "gpu_count": "1",
        "engine": "llama.cpp",
        "engine_version": "b7000",
        "model": "meta-llama/Llama-3.1-8B",
        "weights": "q4_0",
        "kv_cache": "f16",
        "batch": "1",
        "input_tokens": "512",
        "output_tokens": "0",
        "resolution": "",
        "steps": "",
        "metric": "prefill_tok_s",
        "value": "3000",
        "unit": "tok/s",
        "source": "https://example.org/llama-bench-depth",
        "source_date": "2026-01",
        "notes": "pp512 @ d32768",
        "variant": "flash-attention",
        "depth": "32768",
    }
    _write(tmp_path / "depth.csv", header, [[row[name] for name in header]])
    _write(tmp_path / "empty.csv", header, [[{**row, "depth": ""}[name] for name in header]])
    deep, empty = sorted(load_measurements(tmp_path), key=lambda found: found.file)
    assert (deep.depth, empty.depth) == (32768, None)
    assert deep.workload_key != empty.workload_key
    assert case_from_row(deep).depth == 32768
    deep_terms, empty_terms = (prefill_terms(found) for found in observations([deep, empty]))
    assert deep_terms is not None and empty_terms is not None
    # the cached positions' attention is work of the 512 tokens: more compute time
    assert deep_terms.x_s > 1.2 * empty_terms.x_s


def test_a_written_row_reads_its_depth(tmp_path: Path) -> None:
    header = [*COLUMNS, "backend", "variant", "depth"]
    cells = [
        "NVIDIA GeForce RTX 4090",
        "1",
        "llama.cpp",
        "b7000",
        "llama 8B Q4_0",
        "Q4_0",
        "",
        "1",
        "512",
        "",
        "",
        "",
        "prefill_tok_s",
        "3000",
        "tok/s",
        "https://example.org/written",
        "2026-01",
        "pp512 @ d32768",
        "CUDA",
        "fa 1",
        "32768",
    ]
    _write(tmp_path / "written.csv", header, [cells])
    found = load_written(tmp_path)
    (row,) = found.rows
    assert row.depth == 32768


def test_predict_llm_depth_answers_at_that_cache_and_checks_the_model_maximum() -> None:
    def document(**given: object) -> dict[str, object]:
        request = PredictLlmRequest.model_validate(
            {"system": GPU, "model": MODEL, "weights": WEIGHTS, "engine": ENGINE, **given}
        )
        return predict_llm_document(request)

    deep, empty = document(depth=32768, flash_attention="on"), document(flash_attention="on")
    assert deep["request"]["depth"] == 32768  # type: ignore[index]
    assert deep["ttft_ms"]["value"] > 1.2 * empty["ttft_ms"]["value"]  # type: ignore[index]
    assert deep["decode_tok_s"]["value"] < empty["decode_tok_s"]["value"]  # type: ignore[index]
    with pytest.raises(InvalidRequestError, match="131,072"):
        document(depth=131_000)
