"""Importers: other tools' files (fixtures written from their documented formats) become
gpuatlas.result/1 documents that validate and keep the tools' own figures."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from gpuatlas.bench.importers import detect_tool, import_file
from gpuatlas.cli.main import app
from gpuatlas.errors import DataFileError
from gpuatlas.records.result import load_result, parse_result

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "bench"


def _round_trip(result: object) -> None:
    document = json.loads(json.dumps(result.model_dump(mode="json")))  # type: ignore[attr-defined]
    assert parse_result(document) == result


def test_vllm_bench_serve_keeps_its_percentiles_and_counts_the_failure() -> None:
    [result] = import_file(FIXTURES / "vllm_bench_serve.json")
    assert result.source == "imported:vllm-bench-serve"
    assert result.category == "llm-serving"
    assert result.settings.concurrency == 4 and result.settings.rate_rps is None
    assert result.metrics["ttft_ms"].median == 45.9 and result.metrics["ttft_ms"].p99 == 63.5
    assert result.metrics["e2e_ms"].mean == 1750.1
    assert result.headline.value == 279.1
    assert result.failures == {"imported_error": 1}
    failed = [s for s in result.samples if not s.ok]
    assert len(failed) == 1 and "prompt too long" in (failed[0].error or "")
    assert result.samples[0].ttft_ms == pytest.approx(41.2)  # seconds in, ms out
    assert result.created_at == "2026-11-04T15:30:12Z"
    _round_trip(result)


def test_guidellm_report_gives_one_result_per_benchmark() -> None:
    results = import_file(FIXTURES / "guidellm_report.json")
    assert [r.settings.concurrency for r in results] == [1, 16]
    assert [r.category for r in results] == ["llm-single", "llm-serving"]
    single, serving = results
    assert single.metrics["e2e_ms"].median == pytest.approx(1520.0)  # seconds in, ms out
    assert serving.metrics["tpot_ms"].median == pytest.approx(14.9 * 0.99)
    assert serving.headline.value == 1020.0
    assert serving.failures == {"errored": 2}
    assert serving.settings.model == "meta-llama/Llama-3.1-8B-Instruct"
    for result in results:
        _round_trip(result)


def test_llama_bench_tests_become_prefill_and_decode_results() -> None:
    prefill, decode = import_file(FIXTURES / "llama_bench.json")
    assert prefill.headline.metric == "prefill_tok_s"
    assert decode.headline.metric == "decode_tok_s"
    samples = [128.0, 127.87, 127.74, 127.55, 127.49]
    assert decode.headline.value == pytest.approx(sorted(samples)[2])
    assert decode.metrics["decode_tok_s"].n == 5
    assert decode.fingerprint.gpus[0].name == "NVIDIA GeForce RTX 4090"
    assert decode.fingerprint.engine is not None
    assert decode.fingerprint.engine.name == "llama.cpp"
    assert decode.settings.output_tokens == 128 and prefill.settings.input_tokens == 512
    _round_trip(decode)


def test_aiperf_export_maps_its_metrics_and_errors() -> None:
    [result] = import_file(FIXTURES / "aiperf_profile_export_aiperf.json")
    assert result.metrics["ttft_ms"].median == 91.2
    assert result.metrics["ttft_ms"].p90 == 140.3
    assert result.metrics["tpot_ms"].mean == 18.2
    assert result.metrics["ttft_ms"].n == 200
    assert result.headline.value == 1684.5
    assert result.failures == {"InternalServerError": 3}
    assert result.settings.concurrency == 32 and result.settings.model == "Qwen/Qwen3-8B"
    _round_trip(result)


def test_detection_and_unknown_files(tmp_path: Path) -> None:
    assert detect_tool({"benchmarks": []}) == "guidellm"
    assert detect_tool([{"avg_ts": 1.0}]) == "llama-bench"
    unknown = tmp_path / "other.json"
    unknown.write_text('{"hello": 1}')
    with pytest.raises(DataFileError, match="--from"):
        import_file(unknown)
    with pytest.raises(DataFileError, match="time_to_first_token"):
        import_file(FIXTURES / "llama_bench.json", "aiperf")


def test_import_command_writes_result_files(tmp_path: Path) -> None:
    outcome = CliRunner().invoke(
        app,
        ["bench", "import", str(FIXTURES / "guidellm_report.json"), "-o", str(tmp_path), "--json"],
    )
    assert outcome.exit_code == 0, outcome.output
    files = json.loads(outcome.output)["files"]
    assert len(files) == 2
    assert {load_result(f).settings.concurrency for f in files} == {1, 16}


# --- real files of each tool's current version (benchmarks/harness_import_fixtures.py) -----
REAL = FIXTURES / "real"


@pytest.mark.parametrize(
    ("name", "concurrency", "category"),
    [("guidellm-c4.json", 4, "llm-serving"), ("guidellm-sync.json", 1, "llm-single")],
)
def test_guidellm_real_reports_import_the_means_it_reports(
    name: str, concurrency: int, category: str
) -> None:
    report = json.loads((REAL / name).read_text())
    [result] = import_file(REAL / name)
    reported = report["benchmarks"][0]["metrics"]
    assert result.headline.value == pytest.approx(
        reported["output_tokens_per_second"]["successful"]["mean"]
    )
    assert result.metrics["request_s"].median == pytest.approx(
        reported["requests_per_second"]["successful"]["mean"]
    )
    assert result.settings.model == "reference-model"
    assert result.settings.concurrency == concurrency and result.category == category
    assert (result.settings.input_tokens, result.settings.output_tokens) == (32, 16)
    assert result.settings.requests == 8
    assert result.fingerprint.tools == {"guidellm": "0.8.1"}
    _round_trip(result)


@pytest.mark.parametrize(
    ("name", "concurrency", "category"),
    [("aiperf-c4.json", 4, "llm-serving"), ("aiperf-c1.json", 1, "llm-single")],
)
def test_aiperf_013_real_exports_keep_concurrency_model_count_and_version(
    name: str, concurrency: int, category: str
) -> None:
    export = json.loads((REAL / name).read_text())
    [result] = import_file(REAL / name)
    assert result.headline.value == pytest.approx(export["output_token_throughput"]["avg"])
    assert result.settings.concurrency == concurrency and result.category == category
    assert result.settings.model == "reference-model"
    assert result.settings.requests == 8
    assert (result.settings.input_tokens, result.settings.output_tokens) == (32, 16)
    assert result.fingerprint.tools == {"aiperf": "0.13.0"}
    assert result.metrics["ttft_ms"].n == 8
    assert result.metrics["ttft_ms"].mean == pytest.approx(export["time_to_first_token"]["avg"])
    assert result.comparable
    _round_trip(result)


def test_vllm_032_real_file_imports_the_figures_it_reports() -> None:
    report = json.loads((REAL / "vllm-c4.json").read_text())
    [result] = import_file(REAL / "vllm-c4.json")
    assert result.headline.value == pytest.approx(report["output_throughput"])
    assert result.metrics["request_s"].median == pytest.approx(report["request_throughput"])
    for ours, theirs in (("ttft_ms", "ttft"), ("tpot_ms", "tpot"), ("itl_ms", "itl")):
        summary = result.metrics[ours]
        assert (summary.mean, summary.median, summary.p99) == pytest.approx(
            (report[f"mean_{theirs}_ms"], report[f"median_{theirs}_ms"], report[f"p99_{theirs}_ms"])
        )
    assert result.settings.model == "reference-model" and result.category == "llm-serving"
    assert (result.settings.concurrency, result.settings.requests) == (4, 8)
    assert (result.settings.input_tokens, result.settings.output_tokens) == (32, 16)
    assert any("totals over its completed requests" in w for w in result.warnings)
    _round_trip(result)


def test_import_takes_the_gpu_from_the_command_line(tmp_path: Path) -> None:
    outcome = CliRunner().invoke(
        app,
        [
            "bench",
            "import",
            str(REAL / "aiperf-c4.json"),
            "--gpu",
            "rtx-4090",
            "--gpu-count",
            "2",
            "-o",
            str(tmp_path / "r.json"),
        ],
    )
    assert outcome.exit_code == 0, outcome.output
    result = load_result(tmp_path / "r.json")
    assert (result.gpu_id, result.gpu_count) == ("rtx-4090", 2)
    outcome = CliRunner().invoke(
        app, ["bench", "import", str(REAL / "aiperf-c4.json"), "--gpu", "rtx-9999"]
    )
    assert outcome.exit_code != 0 and "rtx-9999" in outcome.output


def test_llama_bench_real_output_keeps_its_samples_and_build() -> None:
    tests = json.loads((REAL / "llama-bench.json").read_text())
    prefill, decode = import_file(REAL / "llama-bench.json")
    assert (prefill.headline.metric, decode.headline.metric) == ("prefill_tok_s", "decode_tok_s")
    for result, test in ((prefill, tests[0]), (decode, tests[1])):
        samples = sorted(test["samples_ts"])
        assert result.metrics[result.headline.metric].n == len(samples) == 3
        assert result.headline.value == pytest.approx(samples[1])
        assert result.fingerprint.engine is not None
        assert result.fingerprint.engine.details["build_commit"] == test["build_commit"]
        assert result.settings.model == test["model_filename"]
        _round_trip(result)
    assert prefill.settings.input_tokens == 32 and decode.settings.output_tokens == 16
