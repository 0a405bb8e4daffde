"""Request-length distributions and prompt datasets (JSONL, ShareGPT-style): what each
request asks for, and the custom id that says the run is not the suite's fixed shape."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from gpuatlas.bench.workloads import LengthSpread, load_dataset, prompt_source
from gpuatlas.cli.main import app
from gpuatlas.errors import DataFileError
from gpuatlas.records.result import load_result


def test_length_spread_draws_seeded_per_request_lengths() -> None:
    spread = LengthSpread(100, 20.0)
    lengths = [spread.draw(3, index, 0) for index in range(400)]
    assert lengths == [spread.draw(3, index, 0) for index in range(400)]
    assert 95 < sum(lengths) / len(lengths) < 105
    assert min(lengths) >= 1 and len(set(lengths)) > 20
    assert LengthSpread(64).draw(0, 5, 1) == 64


def test_jsonl_and_sharegpt_files_become_prompts(tmp_path: Path) -> None:
    jsonl = tmp_path / "p.jsonl"
    jsonl.write_text('{"prompt": "hello there", "output_tokens": 7}\n{"text": "second"}\n')
    dataset = load_dataset(jsonl)
    source = prompt_source(LengthSpread(10), LengthSpread(5), None, dataset)
    first, second, third = source(0, 0), source(0, 1), source(0, 2)
    assert first[0].endswith("hello there") and first[1] == 7
    assert second[0].endswith("second") and second[1] == 5
    assert third[0].endswith("hello there") and third[0] != first[0]  # unique prefix
    share = tmp_path / "share.json"
    share.write_text(
        json.dumps(
            [
                {
                    "conversations": [
                        {"from": "human", "value": "why is the sky blue"},
                        {"from": "gpt", "value": "because of Rayleigh scattering of light"},
                    ]
                }
            ]
        )
    )
    [row] = load_dataset(share).rows
    assert (row.prompt, row.output_tokens) == ("why is the sky blue", 6)
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"prompt": 3}\nnot json\n')
    with pytest.raises(DataFileError) as error:
        load_dataset(bad)
    assert "line 1" in str(error.value) and "line 2" in str(error.value)


def _run(url: str, target: Path, *extra: str) -> Any:
    outcome = CliRunner().invoke(
        app,
        [
            "bench",
            "run",
            "llm-serving-qwen3-4b-c16",
            "--endpoint",
            url,
            "--model",
            "reference-model",
            "--requests",
            "12",
            "--concurrency",
            "2",
            "--input-tokens",
            "40",
            "--output-tokens",
            "20",
            "--repeats",
            "1",
            "--warmup",
            "0",
            *extra,
            "-o",
            str(target),
        ],
    )
    assert outcome.exit_code == 0, outcome.output
    return load_result(target)


def test_spread_lengths_reach_the_server_and_name_the_run(
    reference_server: str, tmp_path: Path
) -> None:
    result = _run(
        reference_server,
        tmp_path / "spread.json",
        "--output-tokens-stddev",
        "6",
        "--input-tokens-stddev",
        "8",
    )
    outputs = {s.output_tokens for s in result.samples}
    assert len(outputs) > 3  # the server streamed each request's own length
    assert result.benchmark.endswith(".sd8-6.completions")
    assert result.settings.extra["output_tokens_stddev"] == 6


def test_a_dataset_run_is_labelled_with_the_files_digest(
    reference_server: str, tmp_path: Path
) -> None:
    data = tmp_path / "prompts.jsonl"
    data.write_text(
        "".join(
            json.dumps({"prompt": f"question {n}", "output_tokens": 3 + n}) + "\n" for n in range(4)
        )
    )
    result = _run(reference_server, tmp_path / "ds.json", "--dataset", str(data))
    assert result.benchmark.endswith(f".{load_dataset(data).label}.completions")
    assert {s.output_tokens for s in result.samples} == {3, 4, 5, 6}
    assert result.settings.extra["input_length_method"] == "dataset prompts.jsonl"


def test_a_trace_is_replayed_at_its_timestamps(reference_stats: str, tmp_path: Path) -> None:
    """Mooncake-style rows (timestamp in ms): requests leave at those offsets."""
    import httpx

    trace = tmp_path / "trace.jsonl"
    stamps_ms = [0, 0, 150, 400, 410, 900]
    trace.write_text(
        "".join(
            json.dumps({"timestamp": t, "prompt": f"q{t}", "output_tokens": 4}) + "\n"
            for t in stamps_ms
        )
    )
    result = _run(
        reference_stats,
        tmp_path / "trace.json",
        "--dataset",
        str(trace),
        "--requests",
        "6",
        "--concurrency",
        "6",
    )
    assert result.settings.arrival == "trace"
    assert result.benchmark.endswith(f".{load_dataset(trace).label}.completions")
    assert load_dataset(trace).label.startswith("trace-")
    scheduled = sorted(s.scheduled_ms or 0.0 for s in result.samples)
    assert [round(x) for x in scheduled] == stamps_ms
    records = httpx.get(reference_stats + "/stats").json()
    assert len(records.get("requests", records)) >= 6
