"""`db import` and `agent --push` take other tools' output files as `bench import` reads them:
one file may hold several runs (llama-bench writes one per test), each stored or spooled as a
result of its own."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from gpuatlas.bench.importers import import_file
from gpuatlas.cli.main import app
from gpuatlas.fleet.spool import Spool

LLAMA_BENCH = Path(__file__).resolve().parents[1] / "fixtures" / "bench" / "llama_bench.json"


def test_db_import_stores_every_run_of_a_llama_bench_file(tmp_path: Path) -> None:
    runs = len(import_file(LLAMA_BENCH))  # a prompt-processing and a generation test
    assert runs == 2
    url = f"sqlite:///{tmp_path / 'store.db'}"
    outcome = CliRunner().invoke(app, ["db", "import", str(LLAMA_BENCH), "--url", url, "--json"])
    assert outcome.exit_code == 0, outcome.output
    document = json.loads(outcome.stdout)
    assert document["files"] == 1 and len(document["accepted"]) == runs


def test_agent_push_spools_every_run_of_a_llama_bench_file(tmp_path: Path) -> None:
    spool = Spool(tmp_path / "spool")
    arguments = ["agent", "--server", "http://127.0.0.1:9", "--token", "t", "--once"]
    arguments += ["--push", str(LLAMA_BENCH), "--max-attempts", "1", "--spool", str(spool.root)]
    outcome = CliRunner().invoke(app, [*arguments, "--json"])
    assert outcome.exit_code == 1, outcome.output  # nothing acknowledged: still spooled
    assert json.loads(outcome.stdout)["ran"] == 2
    assert len(spool.pending()) == 2
