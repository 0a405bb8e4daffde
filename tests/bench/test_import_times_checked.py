"""Imported times are checked and dated honestly. An AIPerf file whose time to first token was
1e12 ms imported and reached comparisons; a field of the wrong type was called 'missing'; and
AIPerf's and vLLM's start times, written without a zone in the benchmarking machine's local
time, were stored as written (AIPerf: no zone at all) or as UTC (vLLM). The files are the real
outputs of AIPerf 0.13 and vllm bench serve the importer tests use, edited by hand."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from gpuatlas.bench.importers import MAX_IMPORTED_MS, import_file
from gpuatlas.errors import DataFileError

REAL = Path(__file__).resolve().parents[1] / "fixtures" / "bench" / "real"


def _edited(tmp_path: Path, name: str, edit: dict[str, Any]) -> Path:
    document = json.loads((REAL / name).read_text(encoding="utf-8"))
    for key, value in edit.items():
        block, _, field = key.partition(".")
        if field:
            document[block][field] = value
        else:
            document[block] = value
    path = tmp_path / f"edited-{name}"
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


def _problems(path: Path, tool: str = "auto") -> list[str]:
    with pytest.raises(DataFileError) as refused:
        import_file(path, tool)
    return refused.value.problems


def test_a_time_to_first_token_of_a_trillion_ms_is_refused(tmp_path: Path) -> None:
    path = _edited(tmp_path, "aiperf-c4.json", {"time_to_first_token.p50": 1e12})
    problem, *others = _problems(path)
    assert "ttft_ms median" in problem and "1e+12 ms" in problem and "a day" in problem
    assert all("below the median 1e+12 ms" in other for other in others)  # p90, p99 under it


def test_negative_and_over_a_day_times_are_each_named(tmp_path: Path) -> None:
    edit = {"time_to_first_token.p90": -3.0, "request_latency.p99": MAX_IMPORTED_MS * 2}
    problems = _problems(_edited(tmp_path, "aiperf-c4.json", edit))
    assert any("ttft_ms p90: -3 ms" in p for p in problems), problems
    assert any("e2e_ms p99: 1.728e+08 ms" in p for p in problems), problems
    vllm = _problems(_edited(tmp_path, "vllm-c4.json", {"p99_ttft_ms": MAX_IMPORTED_MS * 2}))
    assert vllm == [
        "run 1 (external-vllm-bench-serve), ttft_ms p99: 1.728e+08 ms is not a time a request "
        "takes (0 to 86,400,000 ms, a day)"
    ]


def test_a_first_token_later_than_the_whole_request_is_refused(tmp_path: Path) -> None:
    document = json.loads((REAL / "aiperf-c4.json").read_text(encoding="utf-8"))
    mean_e2e = document["request_latency"]["avg"]
    path = _edited(tmp_path, "aiperf-c4.json", {"time_to_first_token.avg": mean_e2e * 2})
    assert any("above the mean whole request" in p for p in _problems(path))


def test_the_real_files_still_import() -> None:
    for name in ("aiperf-c4.json", "vllm-c4.json", "guidellm-c4.json"):
        assert import_file(REAL / name)


def test_a_wrong_typed_field_is_not_called_missing(tmp_path: Path) -> None:
    path = _edited(tmp_path, "aiperf-c4.json", {"time_to_first_token": 5})
    (problem,) = _problems(path, "aiperf")
    assert "5 is not an object" in problem and "missing" not in problem
    listed = tmp_path / "list.json"
    listed.write_text("[1, 2]", encoding="utf-8")
    (problem,) = _problems(listed, "vllm")
    assert "holds a JSON list, not an object" in problem


@pytest.fixture
def berlin_time() -> Iterator[None]:
    before = os.environ.get("TZ")
    os.environ["TZ"] = "Europe/Berlin"
    time.tzset()
    yield
    if before is None:
        del os.environ["TZ"]
    else:
        os.environ["TZ"] = before
    time.tzset()


@pytest.mark.usefixtures("berlin_time")
def test_a_zoneless_start_time_is_read_as_local_time_and_said() -> None:
    (aiperf,) = import_file(REAL / "aiperf-c4.json")  # start_time 2026-12-01T23:24:08.663896
    assert aiperf.created_at == "2026-12-01T22:24:08Z"  # 23:24 in Berlin (UTC+1) is 22:24 UTC
    assert any("without a time zone" in w and "UTC+01:00" in w for w in aiperf.warnings)
    (vllm,) = import_file(REAL / "vllm-c4.json")
    document = json.loads((REAL / "vllm-c4.json").read_text(encoding="utf-8"))
    hour = int(document["date"][9:11])  # '%Y%m%d-%H%M%S' in the local time of the machine
    assert int(str(vllm.created_at)[11:13]) == (hour - 1) % 24
    assert any("without a time zone" in w for w in vllm.warnings)


def test_a_percentile_below_a_lower_one_is_refused(tmp_path: Path) -> None:
    """A p99 TTFT of 10 ms beside a median of 24 ms imported (a regression tester's file)."""
    problems = _problems(_edited(tmp_path, "vllm-c4.json", {"p99_ttft_ms": 10.0}))
    assert problems == [
        "run 1 (external-vllm-bench-serve), ttft_ms: p99 10 ms is below the median 24.4327 ms "
        "(a percentile cannot be below a lower one)"
    ]


def test_a_throughput_its_own_totals_contradict_is_refused(tmp_path: Path) -> None:
    """output_throughput 1e9 tok/s beside the file's own 128 tokens in 0.11 s imported and
    was shown as 1,000,000,000 tok/s; vLLM writes it as total_output_tokens / duration."""
    (problem,) = _problems(_edited(tmp_path, "vllm-c4.json", {"output_throughput": 1e9}))
    assert problem.startswith("field output_throughput: 1e+09 tok/s is not total_output_tokens")
    assert "= 1,137.4 tok/s" in problem
