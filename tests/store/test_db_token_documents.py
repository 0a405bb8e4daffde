"""Every `db` and `token` command's --json is a versioned answer document (app/database.py,
listed in the registry): schema_version first, a database URL without its password, a token
only in the document of the command that created it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from conftest_pg import result_document
from gpuatlas.app.registry import ANSWERS
from gpuatlas.cli.main import app
from gpuatlas.store import Store, open_store
from gpuatlas.store.migrate import head_revision
from test_json_unit_suffixes import unconventional_keys

PUBLISHED = {answer.schema_version for answer in ANSWERS}


@pytest.fixture
def url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'cli.db'}"


def _json(*arguments: str, exit_code: int = 0) -> Any:
    outcome = CliRunner().invoke(app, [*arguments, "--json"])
    assert outcome.exit_code == exit_code, outcome.output
    document = json.loads(outcome.stdout)
    assert document["schema_version"] in PUBLISHED
    assert unconventional_keys(document) == {}  # the unit-suffix convention holds here too
    return document


def test_init_status_import_and_quarantine_documents(url: str, tmp_path: Path) -> None:
    created = _json("db", "init", "--url", url, "--empty")
    assert created["schema_version"] == "gpuatlas.db-schema/1"
    assert (created["revision_before"], created["revision"]) == (None, head_revision())
    assert created["results"] == 0 and created["public_data_loaded"] is False
    good, held = result_document(), result_document(headline_value=5000.0)  # 5000: implausible
    conflicting = {**good, "headline": {**good["headline"], "value": 99.0}}
    for name, document in (("good", good), ("held", held), ("other", conflicting)):
        (tmp_path / f"{name}.json").write_text(json.dumps(document), encoding="utf-8")
    files = [str(tmp_path / "good.json"), str(tmp_path / "held.json")]
    imported = _json("db", "import", *files, "--url", url)
    assert imported["schema_version"] == "gpuatlas.db-import/1"
    assert imported["request"] == {"files": files, "tool": "auto", "agent": None}
    assert set(imported["accepted"]) == {good["result_id"], held["result_id"]}
    assert [item["result_id"] for item in imported["quarantined"]] == [held["result_id"]]
    clash = _json("db", "import", str(tmp_path / "other.json"), "--url", url, exit_code=1)
    assert clash["conflicts"] == [good["result_id"]] and clash["accepted"] == []
    listed = _json("db", "quarantined", "--url", url)
    assert listed["schema_version"] == "gpuatlas.db-quarantined/1"
    assert [row["result_id"] for row in listed["results"]] == [held["result_id"]]
    released = _json("db", "release", held["result_id"], "--url", url)
    assert released == {
        "schema_version": "gpuatlas.db-result-state/1",
        "result_id": held["result_id"],
        "quarantined": False,
    }
    status = _json("db", "status", "--url", url)
    assert status["schema_version"] == "gpuatlas.db-status/1"
    assert (status["results"], status["quarantined"], status["tokens"]) == (2, 0, 0)
    assert _json("db", "quarantine", good["result_id"], "--reason", "x", "--url", url)[
        "quarantined"
    ]


def test_a_database_password_never_appears() -> None:
    url = "postgresql+psycopg://atlas:s3cret@db.example:5432/atlas"
    engine = sa.create_engine(url)  # never connects
    assert Store(engine, url).shown_url == "postgresql+psycopg://atlas:***@db.example:5432/atlas"


def test_token_documents(url: str, tmp_path: Path) -> None:
    created = _json("token", "create", "node-7", "--url", url)
    assert created["schema_version"] == "gpuatlas.token-created/1"
    assert (created["name"], created["scope"]) == ("node-7", "ingest")
    assert open_store(url).verify_token(created["token"]) == "node-7"
    token_file = tmp_path / "admin.token"
    to_file = _json(
        "token", "create", "ops", "--scope", "admin", "-o", str(token_file), "--url", url
    )
    assert to_file == {
        "schema_version": "gpuatlas.token-created/1",
        "name": "ops",
        "scope": "admin",
        "token_file": str(token_file),
    }
    listed = _json("token", "list", "--url", url)
    assert listed["schema_version"] == "gpuatlas.tokens/1"
    assert [(t["name"], t["scope"], t["active"]) for t in listed["tokens"]] == [
        ("node-7", "ingest", True),
        ("ops", "admin", True),
    ]
    assert "token" not in listed["tokens"][0] and "token_hash" not in listed["tokens"][0]
    revoked = _json("token", "revoke", "node-7", "--url", url)
    assert revoked == {
        "schema_version": "gpuatlas.token-revoked/1",
        "name": "node-7",
        "revoked": True,
    }
