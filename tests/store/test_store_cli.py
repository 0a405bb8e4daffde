"""The store's commands end to end: db init/import/export/release/status, tokens."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest_pg import result_document
from gpuatlas.catalog.measurements import all_measurements
from gpuatlas.cli.main import app
from gpuatlas.store.migrate import head_revision

runner = CliRunner()


@pytest.fixture
def url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'cli.db'}"


def _run(*arguments: str) -> str:
    result = runner.invoke(app, list(arguments))
    assert result.exit_code == 0, result.output
    return result.output


def test_init_creates_the_schema_and_loads_the_public_data_set(url: str) -> None:
    report = json.loads(_run("db", "init", "--url", url, "--json"))
    assert report["revision_before"] is None and report["revision"] == head_revision()
    assert report["results"] == len(all_measurements()) and report["public_data_loaded"]
    again = json.loads(_run("db", "upgrade", "--url", url, "--json"))
    assert again["revision_before"] == again["revision"] == head_revision()


def test_import_export_quarantine_and_release(url: str, tmp_path: Path) -> None:
    _run("db", "init", "--url", url, "--empty")
    documents = [result_document(headline_value=v) for v in (118.0, 121.0, 4000.0)]
    for index, document in enumerate(documents):
        (tmp_path / f"r{index}.json").write_text(json.dumps(document))
    imported = json.loads(
        _run(
            "db",
            "import",
            str(tmp_path / "r0.json"),
            str(tmp_path / "r1.json"),
            str(tmp_path / "r2.json"),
            "--url",
            url,
            "--json",
        )
    )
    assert len(imported["accepted"]) == 3
    assert [q["result_id"] for q in imported["quarantined"]] == [documents[2]["result_id"]]
    again = json.loads(_run("db", "import", str(tmp_path / "r0.json"), "--url", url, "--json"))
    assert again["duplicates"] == [documents[0]["result_id"]]
    listed = json.loads(_run("db", "quarantined", "--url", url, "--json"))["results"]
    assert [row["result_id"] for row in listed] == [documents[2]["result_id"]]
    _run("db", "release", documents[2]["result_id"], "--url", url)
    assert json.loads(_run("db", "status", "--url", url, "--json"))["quarantined"] == 0
    exported = [json.loads(line) for line in _run("db", "export", "--url", url).splitlines()]
    assert {doc["result_id"] for doc in exported} == {doc["result_id"] for doc in documents}
    assert all(len(doc["samples"]) == 3 for doc in exported)


def test_import_reports_every_bad_file_and_writes_nothing(url: str, tmp_path: Path) -> None:
    _run("db", "init", "--url", url, "--empty")
    (tmp_path / "good.json").write_text(json.dumps(result_document()))
    (tmp_path / "broken.json").write_text("{not json")
    bad = result_document()
    del bad["benchmark"]
    (tmp_path / "bad.json").write_text(json.dumps(bad))
    result = runner.invoke(app, ["db", "import", str(tmp_path), "--url", url])
    assert result.exit_code == 2
    assert "broken.json" in result.output and "benchmark" in result.output
    assert json.loads(_run("db", "status", "--url", url, "--json"))["results"] == 0


def test_token_create_prints_the_token_alone_on_the_last_line(url: str) -> None:
    output = _run("token", "create", "node-7", "--url", url)
    token = output.strip().splitlines()[-1]
    assert token.startswith("gpa_") and " " not in token
    from gpuatlas.store import open_store

    assert open_store(url).verify_token(token) == "node-7"
    listed = json.loads(_run("token", "list", "--url", url, "--json"))["tokens"]
    assert [(t["name"], t["active"]) for t in listed] == [("node-7", True)]
    _run("token", "revoke", "node-7", "--url", url)
    assert open_store(url).verify_token(token) is None
    assert runner.invoke(app, ["token", "revoke", "node-7", "--url", url]).exit_code == 2
