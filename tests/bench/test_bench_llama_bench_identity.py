"""A llama-bench file holds several tests (pp, tg, pp+tg; per model, quantisation, offload,
threads and batch setting): each is a result of its own, with a benchmark id naming its test
and an identity naming its setup, so the store keeps each with its own metric and quarantines
none for "a different headline metric".

Every test reads the REAL llama-bench output in tests/fixtures/bench/real (made by
benchmarks/harness_import_fixtures.py: pp32 and tg16 of the tiny GGUF on CPU, 3 repetitions);
the JSONL, CSV and other-setting variants are that file rewritten as llama-bench writes those
formats, one field changed where a test says so."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from gpuatlas.bench.importers import import_file, with_gpu
from gpuatlas.cli.main import app
from gpuatlas.records.identity import identity_key
from gpuatlas.records.result import BenchResult
from gpuatlas.store.opening import open_store

REAL_FILE = Path(__file__).resolve().parents[1] / "fixtures" / "bench" / "real" / "llama-bench.json"
PP32_MEDIAN_TOK_S = 43779.5  # the middle of its samples_ts 38356.5, 43779.5, 44326.7
TG16_MEDIAN_TOK_S = 24710.4  # the middle of its samples_ts 24710.4, 24807.1, 3304.52


def _real_tests() -> list[dict[str, Any]]:
    tests = json.loads(REAL_FILE.read_text(encoding="utf-8"))
    assert [(t["n_prompt"], t["n_gen"]) for t in tests] == [(32, 0), (0, 16)]
    return list(tests)


def _write_json(path: Path, tests: list[dict[str, Any]]) -> Path:
    path.write_text(json.dumps(tests), encoding="utf-8")
    return path


def _store_on_h100(tmp_path: Path, results: list[BenchResult]) -> Any:
    store = open_store(f"sqlite:///{tmp_path / 'store.db'}")
    outcome = store.add_results(with_gpu(results, "h100-sxm"))
    return store, outcome


def test_each_test_of_the_real_file_has_its_own_benchmark_and_exact_value() -> None:
    prefill, decode = import_file(REAL_FILE)
    assert (prefill.benchmark, decode.benchmark) == (
        "external-llama-bench-pp32",
        "external-llama-bench-tg16",
    )
    assert prefill.result_id != decode.result_id
    assert identity_key(prefill) != identity_key(decode)
    assert (prefill.headline.metric, prefill.headline.value) == ("prefill_tok_s", PP32_MEDIAN_TOK_S)
    assert (decode.headline.metric, decode.headline.value) == ("decode_tok_s", TG16_MEDIAN_TOK_S)
    assert prefill.settings.extra["llama_bench_test"] == "pp32"
    assert decode.settings.extra["n_threads"] == 1


def test_both_tests_are_stored_on_a_gpu_and_none_is_quarantined(tmp_path: Path) -> None:
    store, outcome = _store_on_h100(tmp_path, import_file(REAL_FILE))
    assert len(outcome.accepted) == 2 and not outcome.quarantined
    measured = {m.benchmark: m for m in store.leaderboard_inputs()}
    pp32 = measured["external-llama-bench-pp32"]
    tg16 = measured["external-llama-bench-tg16"]
    assert (pp32.metric, [v.value for v in pp32.by_system["h100-sxm"]]) == (
        "prefill_tok_s",
        [PP32_MEDIAN_TOK_S],
    )
    assert (tg16.metric, [v.value for v in tg16.by_system["h100-sxm"]]) == (
        "decode_tok_s",
        [TG16_MEDIAN_TOK_S],
    )


def test_db_import_of_the_real_file_stores_both_unquarantined(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'store.db'}"
    outcome = CliRunner().invoke(app, ["db", "import", str(REAL_FILE), "--url", url, "--json"])
    assert outcome.exit_code == 0, outcome.output
    document = json.loads(outcome.stdout)
    assert len(set(document["accepted"])) == 2 and document["quarantined"] == []
    listed = {s.benchmark: s for s in open_store(url).result_summaries()}
    assert listed["external-llama-bench-pp32"].value == PP32_MEDIAN_TOK_S
    assert listed["external-llama-bench-tg16"].metric == "decode_tok_s"


def test_agent_push_spools_each_test_under_its_own_benchmark(tmp_path: Path) -> None:
    spool = tmp_path / "spool"
    arguments = ["agent", "--server", "http://127.0.0.1:9", "--token", "t", "--once"]
    arguments += ["--push", str(REAL_FILE), "--max-attempts", "1", "--spool", str(spool)]
    outcome = CliRunner().invoke(app, [*arguments, "--json"])
    assert outcome.exit_code == 1, outcome.output  # nobody listens on port 9: kept in the spool
    spooled = [json.loads(p.read_text()) for p in spool.rglob("*.json")]
    assert sorted(d["benchmark"] for d in spooled if "benchmark" in d) == [
        "external-llama-bench-pp32",
        "external-llama-bench-tg16",
    ]


def test_a_prompt_then_generation_test_is_its_own_benchmark_with_its_own_metric(
    tmp_path: Path,
) -> None:
    pp32, tg16 = _real_tests()
    combined = pp32 | {"n_gen": 16, "n_depth": 512}  # what `llama-bench -pg 32,16 -d 512` names
    results = import_file(_write_json(tmp_path / "pg.json", [pp32, tg16, combined]))
    assert [r.benchmark for r in results] == [
        "external-llama-bench-pp32",
        "external-llama-bench-tg16",
        "external-llama-bench-pp32-tg16-d512",
    ]
    assert results[2].headline.metric == "prefill_decode_tok_s"
    assert results[2].settings.extra["llama_bench_test"] == "pp32+tg16@d512"
    _, outcome = _store_on_h100(tmp_path, results)
    assert len(outcome.accepted) == 3 and not outcome.quarantined


def test_tests_differing_in_threads_or_offload_share_a_benchmark_not_an_identity(
    tmp_path: Path,
) -> None:
    pp32, _ = _real_tests()
    variants = [pp32, pp32 | {"n_threads": 8}, pp32 | {"n_gpu_layers": 0}, pp32 | {"n_batch": 512}]
    results = import_file(_write_json(tmp_path / "threads.json", variants))
    assert {r.benchmark for r in results} == {"external-llama-bench-pp32"}
    assert len({identity_key(r) for r in results}) == 4
    store, outcome = _store_on_h100(tmp_path, results)
    assert len(outcome.accepted) == 4 and not outcome.quarantined
    groups = [m for m in store.leaderboard_inputs() if m.benchmark == "external-llama-bench-pp32"]
    assert len(groups) == 4  # never pooled into one comparison


def test_jsonl_output_imports_as_the_json_does(tmp_path: Path) -> None:
    jsonl = tmp_path / "llama-bench.jsonl"
    jsonl.write_text("".join(json.dumps(t) + "\n" for t in _real_tests()), encoding="utf-8")
    from_jsonl = import_file(jsonl)
    from_json = import_file(REAL_FILE)
    assert [r.benchmark for r in from_jsonl] == [r.benchmark for r in from_json]
    assert [r.headline.value for r in from_jsonl] == [PP32_MEDIAN_TOK_S, TG16_MEDIAN_TOK_S]


def test_csv_output_keeps_the_average_llama_bench_printed(tmp_path: Path) -> None:
    tests = _real_tests()
    columns = [name for name in tests[0] if not name.startswith("samples_")]  # CSV has none
    path = tmp_path / "llama-bench.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, quoting=csv.QUOTE_ALL)  # llama-bench quotes every value
        writer.writerow(columns)
        writer.writerows([[test[name] for name in columns] for test in tests])
    prefill, decode = import_file(path)
    assert (prefill.benchmark, decode.benchmark) == (
        "external-llama-bench-pp32",
        "external-llama-bench-tg16",
    )
    assert prefill.headline.value == tests[0]["avg_ts"] == 42154.249353
    assert decode.headline.value == tests[1]["avg_ts"]
    assert prefill.settings.input_tokens == 32 and decode.settings.output_tokens == 16
