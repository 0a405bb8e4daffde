"""`agent --push DIR --once` against a server that is down waited for ever (killed by a
60 s timeout); it gives up after a few failed pushes, keeps the results spooled, exits 1."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest_pg import free_port, result_document
from gpuatlas.cli.main import app

pytestmark = pytest.mark.unit


def test_once_gives_up_on_a_server_that_is_down(tmp_path: Path) -> None:
    results = tmp_path / "results"
    results.mkdir()
    document = result_document()
    (results / "one.json").write_text(json.dumps(document), encoding="utf-8")
    token = tmp_path / "token"
    token.write_text("not-a-real-token\n", encoding="utf-8")
    arguments = ["agent", "--server", f"http://127.0.0.1:{free_port()}"]
    arguments += ["--token-file", str(token), "--push", str(results), "--once"]
    arguments += ["--spool", str(tmp_path / "spool")]
    result = CliRunner().invoke(app, arguments)
    assert result.exit_code == 1
    assert list((tmp_path / "spool").rglob("*.json"))  # still spooled for the next push
