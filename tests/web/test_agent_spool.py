"""The agent against an in-process server: a poisoned spool never blocks good results (bad
files, unencodable strings, results the server refuses, conflicts, results over the cap),
collision-free spool names, minimal documents, private files, tokens from files, and
`gpuatlas agent status`."""

from __future__ import annotations

import json
import stat
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from conftest_pg import result_document
from gpuatlas.cli.main import app as cli_app
from gpuatlas.fleet.agent import Pusher, minimal_document
from gpuatlas.fleet.spool import Spool, spool_file_name
from gpuatlas.records.result import parse_result
from gpuatlas.store import Store
from gpuatlas.web import ingest
from gpuatlas.web.app import create_app


def _pusher(store: Store, token: str, spool: Spool, **options: Any) -> Pusher:
    app = create_app(store)
    return Pusher(
        "http://testserver",
        token,
        spool,
        sleep=lambda _s: None,
        client_factory=lambda: TestClient(app),
        **options,
    )


def _put(spool: Spool, **overrides: Any) -> str:
    result = parse_result(result_document(**overrides))
    spool.put(result)
    return result.result_id


def _rejected_reasons(spool: Spool) -> str:
    return " | ".join("; ".join(reasons) for _path, reasons in spool.rejected())


def test_a_poisoned_spool_never_blocks_good_results(
    store: Store, token: str, tmp_path: Path
) -> None:
    spool = Spool(tmp_path / "spool").ensure()
    (spool.pending_dir / "corrupt.json").write_text("{not json", encoding="utf-8")
    (spool.pending_dir / "binary.json").write_bytes(b"\xff\xfe\x00garbage")
    surrogate = result_document(source="bench \ud800 tool")
    (spool.pending_dir / "surrogate.json").write_text(json.dumps(surrogate), encoding="utf-8")
    refused = _put(spool, created_at="9999-01-01T00:00:00Z")
    good = [_put(spool, headline_value=100.0 + i) for i in range(5)]
    report = _pusher(store, token, spool, batch_size=3).push_all(max_attempts=3)
    assert spool.pending() == []
    assert report.accepted == 5 and report.rejected == 4
    assert {doc["result_id"] for doc in store.export_documents()} == set(good)
    reasons = _rejected_reasons(spool)
    assert "unreadable spool file" in reasons and "surrogate" in reasons
    assert "in the future" in reasons and refused not in {
        d["result_id"] for d in store.export_documents()
    }


def test_a_conflicting_resend_is_kept_and_reported(
    store: Store, token: str, tmp_path: Path
) -> None:
    spool = Spool(tmp_path / "spool").ensure()
    document = result_document(result_id="run-7", headline_value=120.0)
    spool.put(parse_result(document))
    assert _pusher(store, token, spool).push_all(max_attempts=2).accepted == 1
    changed = {**document, "headline": {**document["headline"], "value": 60.0}}
    spool.put(parse_result(changed))
    report = _pusher(store, token, spool).push_all(max_attempts=2)
    assert report.conflicts == 1 and report.acknowledged == 0 and spool.pending() == []
    [(kept, reasons)] = spool.rejected()
    assert json.loads(kept.read_text())["headline"]["value"] == 60.0
    assert "different content" in reasons[0]


def test_a_result_over_the_cap_is_pushed_without_samples_and_kept_raw(
    store: Store, token: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ingest, "MAX_BODY_BYTES", 120_000)  # the server's cap is lower
    spool = Spool(tmp_path / "spool").ensure()
    big = result_document()
    big["samples"] = [
        {"index": i, "ttft_ms": 20.0, "values": {"decode_tok_s": 120.0}} for i in range(3000)
    ]
    spool.put(parse_result(big))
    small = _put(spool)
    report = _pusher(store, token, spool).push_all(max_attempts=3)
    assert spool.pending() == [] and report.accepted == 2 and report.summarised == 1
    stored = store.get_document(big["result_id"])
    assert stored is not None and stored["samples"] == []
    assert any("raw samples" in warning for warning in stored["warnings"])
    [raw] = list(spool.raw_dir.glob("*.json"))
    assert len(json.loads(raw.read_text())["samples"]) == 3000
    assert store.get_document(small) is not None


def test_a_result_too_large_even_without_samples_is_rejected_locally(
    store: Store, token: str, tmp_path: Path
) -> None:
    spool = Spool(tmp_path / "spool").ensure()
    huge = _put(spool, warnings=["w" * 5000] * 10)
    good = _put(spool)
    report = _pusher(store, token, spool, max_request_bytes=100_000).push_all(max_attempts=2)
    assert report.accepted == 1 and spool.pending() == []
    assert "over the server's cap" in _rejected_reasons(spool)
    assert store.get_document(good) is not None and store.get_document(huge) is None


def test_spool_names_never_collide_and_files_are_private(tmp_path: Path) -> None:
    spool = Spool(tmp_path / "spool").ensure()
    ids = ["x:1", "x_1", "x/1", "x.1", "X:1"]
    for result_id in ids:
        spool.put(parse_result(result_document(result_id=result_id)))
    assert len({spool_file_name(result_id) for result_id in ids}) == len(ids)
    assert len(spool.pending()) == len(ids)
    for path in spool.pending():
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(spool.root.stat().st_mode) == 0o700


def test_only_non_default_fields_are_sent() -> None:
    result = parse_result(result_document())
    document = minimal_document(result)
    text = json.dumps(document)
    assert '"endpoint"' not in text and '"interrupted"' not in text and '"energy"' not in text
    assert parse_result(document) == result


def test_agent_status_lists_pending_and_rejected_with_reasons(tmp_path: Path) -> None:
    spool = Spool(tmp_path / "spool").ensure()
    _put(spool)
    bad = spool.pending_dir / "broken.json"
    bad.write_text("{", encoding="utf-8")
    spool.reject(bad, ["unreadable spool file: JSONDecodeError"])
    output = CliRunner().invoke(cli_app, ["agent", "status", "--spool", str(spool.root), "--json"])
    assert output.exit_code == 0, output.output
    document = json.loads(output.output)
    assert document["pending"] == 1
    assert document["rejected"] == [
        {"file": "broken.json", "reasons": ["unreadable spool file: JSONDecodeError"]}
    ]


def test_tokens_come_from_a_private_file(store: Store, tmp_path: Path) -> None:
    token_file = tmp_path / "agent.token"
    url = store.url
    created = CliRunner().invoke(
        cli_app, ["token", "create", "node-9", "--output", str(token_file), "--url", url]
    )
    assert created.exit_code == 0, created.output
    assert stat.S_IMODE(token_file.stat().st_mode) == 0o600
    assert store.verify_token(token_file.read_text().strip()) == "node-9"
    from gpuatlas.cli.store_agent import resolve_token

    assert resolve_token(None, token_file) == token_file.read_text().strip()
    missing = CliRunner().invoke(
        cli_app,
        ["agent", "--server", "http://127.0.0.1:9", "--flush", "--spool", str(tmp_path / "s")],
        env={"GPUATLAS_TOKEN": "", "GPUATLAS_AGENT_TOKEN": ""},
    )
    assert missing.exit_code == 2 and "--token-file" in missing.output
