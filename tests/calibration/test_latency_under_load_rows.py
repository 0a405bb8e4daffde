"""The latency-under-load data set: packaged rows load with their load stated, bad rows are
refused naming the line and field."""

from __future__ import annotations

from pathlib import Path

import pytest

from gpuatlas.catalog.latency_under_load import (
    LATENCY_METRICS,
    STATISTICS,
    load_latency_under_load,
    under_load_dir,
)
from gpuatlas.catalog.measurements import load_measurements
from gpuatlas.errors import DataFileError

HEADER = (
    "gpu,gpu_count,engine,engine_version,model,weights,input_tokens,output_tokens,concurrency,"
    "request_rate_rps,requests,metric,statistic,value,unit,source,source_date,notes"
)
GOOD = (
    "h100-sxm,1,vllm,0.6.3,meta-llama/Llama-3.1-8B-Instruct,bf16,1000,200,{concurrency},"
    "{rate},{requests},ttft_ms,{statistic},{value},ms,https://example.org/run,2025-01,a note"
)


def _write(tmp_path: Path, **cells: object) -> Path:
    values = {"concurrency": 8, "rate": "", "requests": 100, "statistic": "p95", "value": 120}
    values.update(cells)
    path = tmp_path / "run.csv"
    path.write_text(f"{HEADER}\n{GOOD.format(**values)}\n", encoding="utf-8")
    return path


def test_packaged_rows_load_with_a_stated_load_and_a_known_statistic() -> None:
    rows = load_latency_under_load()
    assert len(rows) >= 700
    assert {row.metric for row in rows} == set(LATENCY_METRICS)
    assert {row.statistic for row in rows} <= set(STATISTICS)
    assert all(row.concurrency or row.request_rate_rps or row.requests for row in rows)
    assert any(row.request_rate_rps for row in rows)  # Poisson-paced runs, as plan assumes
    assert all(row.source.startswith("https://") for row in rows)
    assert all(row.source_date or "undated" in row.notes for row in rows)


def test_the_calibrated_data_set_never_reads_the_latency_rows() -> None:
    files = {row.file for row in load_measurements()}
    assert not files & {path.name for path in under_load_dir().glob("*.csv")}


def test_a_row_reads_its_load_and_statistic(tmp_path: Path) -> None:
    (row,) = load_latency_under_load(_write(tmp_path, rate=4.5, concurrency=""))
    assert (row.request_rate_rps, row.concurrency, row.requests) == (4.5, None, 100)
    assert (row.metric, row.statistic, row.value, row.line) == ("ttft_ms", "p95", 120.0, 2)


def test_a_row_without_a_load_is_refused(tmp_path: Path) -> None:
    path = _write(tmp_path, concurrency="", rate="", requests="")
    with pytest.raises(DataFileError, match="line 2, field concurrency: state the load"):
        load_latency_under_load(path)


def test_an_unknown_statistic_is_refused_with_the_choices(tmp_path: Path) -> None:
    with pytest.raises(DataFileError, match="line 2, field statistic: .*'p95'"):
        load_latency_under_load(_write(tmp_path, statistic="p97"))
