"""`bench run --json` and `bench import --json` are answer documents (gpuatlas.bench-run/1,
gpuatlas.bench-import/1): the records with their validity, ids and the files they were written
to; so are `bench run --max-goodput`, `bench host` and one `agent` cycle; `agent status --json`
comes from its app builder (gpuatlas.agent-status/1)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from gpuatlas.app.agent_status import agent_status_document
from gpuatlas.app.bench_results import bench_host_document
from gpuatlas.app.registry import ANSWERS
from gpuatlas.bench.importers import import_file
from gpuatlas.cli.main import app
from gpuatlas.fleet.spool import Spool
from gpuatlas.records.result import load_result
from test_json_unit_suffixes import unconventional_keys

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "bench"
PUBLISHED = {answer.schema_version for answer in ANSWERS}


def _json(arguments: list[str], exit_code: int = 0) -> Any:
    outcome = CliRunner().invoke(app, [*arguments, "--json"])
    assert outcome.exit_code == exit_code, outcome.output
    document = json.loads(outcome.stdout)
    assert unconventional_keys(document) == {}  # the unit-suffix convention holds here too
    return document


def test_an_import_names_each_record_its_validity_and_the_file_written(tmp_path: Path) -> None:
    output = tmp_path / "imported.json"
    source = FIXTURES / "vllm_bench_serve.json"
    document = _json(["bench", "import", str(source), "--gpu", "rtx-4090", "-o", str(output)])
    assert document["schema_version"] == "gpuatlas.bench-import/1" in PUBLISHED
    assert document["request"] == {
        "file": str(source),
        "tool": "auto",
        "gpu": "rtx-4090",
        "gpu_count": 1,
        "output": str(output),
    }
    [entry] = document["results"]
    # the fixture's run had 1 failed request of 8: kept, but not valid for comparison
    assert entry["valid_for_comparison"] is False and document["valid_for_comparison"] is False
    assert entry["not_valid_reasons"] == ["1 of 8 requests failed (12% > 5%)"]
    assert entry["file"] == str(output) and document["files"] == [str(output)]
    written = load_result(output)
    assert entry["record"] == written.model_dump(mode="json")
    assert entry["result_id"] == written.result_id == entry["record"]["result_id"]
    assert entry["benchmark"] == "external-vllm-bench-serve" == entry["benchmark_key"]
    # an imported run's id does not name its settings: its identity carries their digest
    assert entry["run_identity"].startswith("settings:")


def test_an_import_without_output_stores_nothing() -> None:
    document = _json(["bench", "import", str(FIXTURES / "llama_bench.json")])
    assert document["files"] == [] and document["results"]
    assert all(entry["file"] is None for entry in document["results"])
    assert all(entry["valid_for_comparison"] for entry in document["results"])
    assert document["valid_for_comparison"] is True


def test_a_run_lists_its_result_with_the_custom_id_its_settings_earn(tmp_path: Path) -> None:
    folder = tmp_path / "results"
    folder.mkdir()
    arguments = ["bench", "run", "system-cpu-single", "--param", "seconds=0.05", "--repeats", "1"]
    document = _json([*arguments, "-o", str(folder)])
    assert document["schema_version"] == "gpuatlas.bench-run/1" in PUBLISHED
    assert document["request"] == {
        "selector": "system-cpu-single",
        "concurrency": [],
        "rate_rps": [],
        "output": str(folder),
    }
    assert document["skipped"] == []
    [entry] = document["results"]
    # a parameter other than the suite's makes a custom benchmark, never the suite id
    assert entry["benchmark"] == "custom-system-cpu-single.seconds0.05"
    assert entry["valid_for_comparison"] is True and entry["not_valid_reasons"] == []
    assert document["files"] == [entry["file"]]
    assert load_result(entry["file"]).model_dump(mode="json") == entry["record"]


def test_agent_status_comes_from_the_answer_layer(tmp_path: Path) -> None:
    spool = Spool(tmp_path / "spool").ensure()
    bad = spool.pending_dir / "broken.json"
    bad.write_text("{", encoding="utf-8")
    spool.reject(bad, ["unreadable spool file: JSONDecodeError"])
    (spool.raw_dir / "full.json").write_text("{}", encoding="utf-8")
    document = _json(["agent", "status", "--spool", str(spool.root)])
    assert document == agent_status_document(spool.root)
    assert document == {
        "schema_version": "gpuatlas.agent-status/1",
        "request": {"spool": str(spool.root)},
        "spool": str(spool.root),
        "pending": 0,
        "rejected": [
            {"file": "broken.json", "reasons": ["unreadable spool file: JSONDecodeError"]}
        ],
        "raw_kept": ["full.json"],
    }
    assert document["schema_version"] in PUBLISHED


@pytest.mark.parametrize(
    "command",
    [
        "bench run SELECTOR",
        "bench import FILE",
        "bench run ID --max-goodput",
        "bench host --config FILE",
        "agent --server URL",
        "agent status",
    ],
)
def test_the_registry_lists_these_answers_for_the_cli_only(command: str) -> None:
    [answer] = [answer for answer in ANSWERS if answer.command == command]
    assert answer.route == ""


def test_an_agent_cycle_is_a_document_without_the_server_s_credentials(tmp_path: Path) -> None:
    result_file = tmp_path / "one.json"
    _json(["bench", "import", str(FIXTURES / "vllm_bench_serve.json"), "-o", str(result_file)])
    spool = tmp_path / "spool"
    arguments = ["agent", "--server", "http://node:secret@127.0.0.1:9", "--token", "t"]
    arguments += ["--push", str(result_file), "--once", "--max-attempts", "1"]
    document = _json([*arguments, "--spool", str(spool)], exit_code=1)  # 1: still spooled
    assert document["schema_version"] == "gpuatlas.agent-cycle/1" in PUBLISHED
    assert document["request"] == {
        "server": "http://127.0.0.1:9",
        "spool": str(spool),
        "suite": None,
        "push": [str(result_file)],
        "flush": False,
        "once": True,
    }
    assert (document["ran"], document["pending"], document["skipped"]) == (1, 1, [])
    assert document["pushed"]["acknowledged"] == 0 and document["pushed"]["attempts"] == 1
    assert "secret" not in json.dumps(document)


def test_a_host_pass_lists_its_results_and_what_it_could_not_run() -> None:
    [result] = import_file(FIXTURES / "vllm_bench_serve.json")
    request = {"config": "host.toml", "spool": "/s", "server": "https://u:p@atlas", "loop": False}
    skipped = [{"benchmark": "llm-single-qwen3-8b", "reason": "engine vllm not installed"}]
    document = bench_host_document(request, [result], skipped, pushed=0, pending=1)
    assert document["schema_version"] == "gpuatlas.bench-host/1" in PUBLISHED
    assert document["request"]["server"] == "https://atlas"
    [entry] = document["results"]
    assert entry["result_id"] == result.result_id and entry["file"] is None
    assert entry["valid_for_comparison"] is False  # 1 of its 8 requests failed
    assert (document["skipped"], document["pushed"], document["pending"]) == (skipped, 0, 1)
