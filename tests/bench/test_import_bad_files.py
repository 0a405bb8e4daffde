"""A tool's output file with bad content is refused with every problem, each naming its line
(a CSV row) or test and its field, and nothing is written. Before, a llama-bench CSV with a
short row ended in a traceback (`int(None)`), `avg_ts` 'fast' was imported as "no value", a
negative `n_prompt` became a benchmark named `pp-5-tg128`, and a vllm bench serve file with
`completed: -1` and `output_throughput: "fast"` imported with rc 0. The files are the real
outputs the importer tests use, with fields broken by hand."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from gpuatlas.bench.importers import import_file
from gpuatlas.cli.main import app
from gpuatlas.errors import DataFileError

REAL = Path(__file__).resolve().parents[1] / "fixtures" / "bench" / "real"


def _llama_bench_csv(tests: list[dict[str, object]]) -> str:
    """llama-bench's `-o csv` of these tests (its columns in its order, lists left out)."""
    columns = [k for k, v in tests[0].items() if not isinstance(v, list)]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    writer.writerows([[test[column] for column in columns] for test in tests])
    return buffer.getvalue()


def test_a_llama_bench_csv_with_broken_rows_names_each_line_and_field(tmp_path: Path) -> None:
    tests = json.loads((REAL / "llama-bench.json").read_text())
    good = _llama_bench_csv(tests)
    assert len(import_file(_write(tmp_path / "good.csv", good))) == 2  # the real rows import
    broken = [dict(tests[0], avg_ts="fast"), dict(tests[1], n_prompt=-5)]
    text = _llama_bench_csv(broken) + "garbage,line\n"
    source = _write(tmp_path / "bad.csv", text)
    with pytest.raises(DataFileError) as raised:
        import_file(source)
    assert raised.value.problems == [
        "line 2, field avg_ts: 'fast' is not a number",
        "line 3, field n_prompt: must be a whole number >= 0, got -5",
        f"line 4: 2 fields, the header has {len(good.splitlines()[0].split(','))}",
    ]
    result = CliRunner().invoke(app, ["bench", "import", str(source), "-o", str(tmp_path / "out")])
    assert result.exit_code == 2 and "3 problem(s)" in result.output
    assert not (tmp_path / "out").exists()  # nothing written


def test_a_llama_bench_csv_without_n_gen_is_refused(tmp_path: Path) -> None:
    """Without n_gen the tg16 test imported as a prefill benchmark (`external-llama-bench-`,
    prefill 17,607 tok/s from the decode rate), rc 0."""
    tests = json.loads((REAL / "llama-bench.json").read_text())
    without = [{k: v for k, v in test.items() if k != "n_gen"} for test in tests]
    source = _write(tmp_path / "no-n-gen.csv", _llama_bench_csv(without))
    with pytest.raises(DataFileError) as raised:
        import_file(source)
    assert raised.value.problems == [
        f"line {line}, field n_gen: missing (llama-bench writes it in every test)"
        for line in (2, 3)
    ]


def test_a_vllm_file_with_impossible_fields_lists_them_all(tmp_path: Path) -> None:
    document = json.loads((REAL / "vllm-c4.json").read_text())
    assert import_file(_write(tmp_path / "good.json", json.dumps(document)))
    document |= {"completed": -1, "total_output_tokens": "x", "output_throughput": "fast"}
    with pytest.raises(DataFileError) as raised:
        import_file(_write(tmp_path / "bad.json", json.dumps(document)))
    assert raised.value.problems == [
        "field completed: must not be negative, got -1",
        "field total_output_tokens: 'x' is not a number",
        "field output_throughput: 'fast' is not a number",
    ]


def _write(path: Path, text: str) -> Path:
    path.write_text(text)
    return path
