"""Issue 11 over HTTP: a token of another scope gets 403 naming the scope it needs (an admin
token used is shown as used), a body declared as something other than JSON gets 415, admin
errors come in the problems format, a second release adds no audit record, misspelt suite ids,
contradicting categories and ids ending in .json are refused with every problem of every
result, and the GPU page names the model of each imported llama-bench run."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner
from web_support import auth

from conftest_pg import result_document
from gpuatlas.bench.importers import import_file
from gpuatlas.cli.main import app as cli_app
from gpuatlas.fleet import agent as agent_module
from gpuatlas.fleet.agent import server_base_url
from gpuatlas.fleet.spool import Spool
from gpuatlas.records.result import parse_result
from gpuatlas.store import Store
from gpuatlas.web.app import create_app

URL = "/api/v1/results"


def release_url(result_id: str) -> str:
    return f"/api/v1/admin/results/{result_id}/release"


def test_an_admin_token_pushing_results_gets_403_naming_the_scope(
    client: TestClient, store: Store
) -> None:
    admin = store.create_token("boss", scope="admin")
    before = store.count_results()
    response = client.post(URL, json=result_document(), headers=auth(admin))
    assert response.status_code == 403
    assert response.json()["detail"] == (
        "token 'boss' has scope 'admin'; pushing results needs an ingest-scoped token "
        "(gpuatlas token create NAME)"
    )
    assert store.count_results() == before


def test_a_body_declared_as_text_gets_415(client: TestClient, store: Store, token: str) -> None:
    before = store.count_results()
    body = json.dumps(result_document())
    headers = {**auth(token), "Content-Type": "text/plain"}
    response = client.post(URL, content=body, headers=headers)
    assert response.status_code == 415
    assert "application/json" in response.json()["detail"]
    assert store.count_results() == before
    declared = {**auth(token), "Content-Type": "application/json; charset=utf-8"}
    assert client.post(URL, content=body, headers=declared).status_code == 200


def test_admin_errors_use_the_problems_format_and_a_second_release_is_a_no_op(
    client: TestClient, store: Store, token: str
) -> None:
    held = result_document(headline_value=5000.0)
    assert client.post(URL, json=held, headers=auth(token)).json()["quarantined"]
    admin = store.create_token("boss", scope="admin")
    missing_reason = client.post(release_url(held["result_id"]), json={}, headers=auth(admin))
    assert missing_reason.status_code == 422
    assert missing_reason.json()["schema_version"] == "gpuatlas.error/1"
    assert missing_reason.json()["problems"] == ["field reason: Field required"]
    ingest_scope = client.post(
        release_url(held["result_id"]), json={"reason": "x"}, headers=auth(token)
    )
    assert ingest_scope.status_code == 403
    assert "needs an admin-scoped token" in ingest_scope.json()["problems"][0]
    unknown = client.post(release_url("no-such-id"), json={"reason": "x"}, headers=auth(admin))
    assert unknown.status_code == 404 and unknown.json()["problems"] == [
        "no stored result 'no-such-id'"
    ]
    first = client.post(release_url(held["result_id"]), json={"reason": "ok"}, headers=auth(admin))
    second = client.post(release_url(held["result_id"]), json={"reason": "ok"}, headers=auth(admin))
    assert first.json()["changed"] is True
    assert second.status_code == 200 and second.json()["changed"] is False
    document = store.get_document(held["result_id"])
    assert document is not None and len(document["store"]["audit"]) == 1
    (boss,) = [entry for entry in store.list_tokens() if entry.name == "boss"]
    assert boss.last_used_at is not None


def test_every_refused_result_of_a_batch_is_reported_at_once(
    client: TestClient, store: Store, token: str
) -> None:
    typo = result_document(benchmark="llm-single-llama3.1-8c")
    category = result_document(category="image")
    suffix = result_document(result_id="edge.json")
    before = store.count_results()
    response = client.post(
        URL, json=[result_document(), typo, category, suffix], headers=auth(token)
    )
    assert response.status_code == 422
    by_index: dict[int, list[str]] = {}
    for problem in response.json()["problems"]:
        by_index.setdefault(problem["index"], []).append(problem["message"])
    assert sorted(by_index) == [1, 2, 3]
    assert any("did you mean llm-single-llama3.1-8b?" in text for text in by_index[1])
    assert any("field category: 'image' contradicts" in text for text in by_index[2])
    assert any("ends in '.json'" in text for text in by_index[3])
    assert store.count_results() == before


def _llama_bench(tmp_path: Path, name: str, model: str, model_type: str, rate: float) -> Path:
    test = {
        "build_number": 6500,
        "gpu_info": "NVIDIA GeForce RTX 4090",
        "model_filename": f"/models/{model}.gguf",
        "model_type": model_type,
        "model_size": 2_019_377_664,
        "n_gpu_layers": 99,
        "n_prompt": 0,
        "n_gen": 128,
        "test_time": "2026-12-04T10:00:05Z",
        "avg_ts": rate,
        "samples_ts": [rate],
    }
    path = tmp_path / name
    path.write_text(json.dumps([test]), encoding="utf-8")
    return path


def test_the_gpu_page_names_the_model_of_each_imported_run(
    client: TestClient, store: Store, tmp_path: Path
) -> None:
    llama = _llama_bench(
        tmp_path, "a.json", "Llama-3.2-3B-Instruct-Q4_K_M", "llama 3B Q4_K - Medium", 250.0
    )
    qwen = _llama_bench(tmp_path, "b.json", "Qwen3-8B-Q4_K_M", "qwen3 8B Q4_K - Medium", 120.0)
    store.add_results([*import_file(llama), *import_file(qwen)], origin="import")
    page = client.get("/gpu/rtx-4090.json").json()
    measured = {
        (row["benchmark"], row["run_label"])
        for row in page["measured"]
        if row["benchmark"] == "external-llama-bench-tg128"
    }
    assert measured == {
        (
            "external-llama-bench-tg128",
            "Llama-3.2-3B-Instruct-Q4_K_M (llama 3B Q4_K - Medium) · llama.cpp b6500",
        ),
        (
            "external-llama-bench-tg128",
            "Qwen3-8B-Q4_K_M (qwen3 8B Q4_K - Medium) · llama.cpp b6500",
        ),
    }
    recent = [row["run_label"] for row in page["recent_results"][:2]]
    assert sorted(recent) == sorted(label for _, label in measured)
    html = client.get("/gpu/rtx-4090").text
    assert "Qwen3-8B-Q4_K_M (qwen3 8B Q4_K - Medium) · llama.cpp b6500" in html


@pytest.mark.parametrize(
    ("given", "base"),
    [
        ("http://host:8000", "http://host:8000"),
        ("https://host/", "https://host"),
        ("http://host/api/v1", "http://host"),
        ("http://host/api/v1/results/", "http://host"),
        ("https://host/atlas/api/v1", "https://host/atlas"),
    ],
)
def test_the_server_url_is_its_base(given: str, base: str) -> None:
    assert server_base_url(given) == base


def test_a_server_without_a_scheme_is_refused_up_front(tmp_path: Path) -> None:
    token = tmp_path / "token"
    token.write_text("gpa_x\n", encoding="utf-8")
    arguments = ["agent", "--server", "127.0.0.1:18080", "--token-file", str(token)]
    outcome = CliRunner().invoke(cli_app, [*arguments, "--flush", "--spool", str(tmp_path / "s")])
    assert outcome.exit_code == 2
    assert "has no http:// or https:// scheme" in outcome.output


def test_agent_push_sets_garbage_aside_and_pushes_the_rest(
    store: Store, token: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    web = create_app(store)
    monkeypatch.setattr(agent_module.Pusher, "_client", lambda self: TestClient(web))
    folder = tmp_path / "push"
    folder.mkdir()
    good = result_document()
    (folder / "good.json").write_text(json.dumps(good), encoding="utf-8")
    (folder / "garbage.json").write_text("{garbage", encoding="utf-8")
    refused = result_document(result_id="edge.json")
    (folder / "refused.json").write_text(json.dumps(refused), encoding="utf-8")
    token_file = tmp_path / "token"
    token_file.write_text(token + "\n", encoding="utf-8")
    spool = tmp_path / "spool"
    arguments = ["agent", "--server", "http://testserver/api/v1", "--token-file", str(token_file)]
    arguments += ["--push", str(folder), "--once", "--spool", str(spool)]
    outcome = CliRunner().invoke(cli_app, arguments)
    assert outcome.exit_code == 1, outcome.output
    assert store.get_document(good["result_id"]) is not None
    rejected: dict[str, Any] = {path.name: reasons for path, reasons in Spool(spool).rejected()}
    assert len(rejected) == 2
    reasons = " ".join(" ".join(found) for found in rejected.values())
    assert f"{folder / 'garbage.json'}: line 1: not valid JSON" in reasons
    assert "ends in '.json'" in reasons
    assert (folder / "garbage.json").exists()  # the user's file stays where it was
    assert "2 rejected" in " ".join(outcome.output.split())


def test_a_schema_problem_does_not_hide_the_field_ranges(
    client: TestClient, store: Store, token: str
) -> None:
    bad = result_document(created_at="yesterday", gpu_count=-1, extra_field=1)
    response = client.post(URL, json=[result_document(), bad], headers=auth(token))
    assert response.status_code == 422
    messages = [p["message"] for p in response.json()["problems"] if p["index"] == 1]
    assert messages[0] == "field extra_field: Extra inputs are not permitted"
    assert any(text.startswith("field created_at: 'yesterday'") for text in messages)
    assert any(text.startswith("field gpu_count: must be between 1") for text in messages)


def test_agent_push_with_a_conflict_exits_1_naming_the_id(
    store: Store, token: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    web = create_app(store)
    monkeypatch.setattr(agent_module.Pusher, "_client", lambda self: TestClient(web))
    stored = result_document()
    store.add_results([parse_result(stored)], agent="agent-1")
    changed = {**stored, "headline": {**stored["headline"], "value": 99.0}}
    folder = tmp_path / "push"
    folder.mkdir()
    (folder / "changed.json").write_text(json.dumps(changed), encoding="utf-8")
    token_file = tmp_path / "token"
    token_file.write_text(token + "\n", encoding="utf-8")
    arguments = ["agent", "--server", "http://testserver", "--token-file", str(token_file)]
    arguments += ["--push", str(folder), "--once", "--spool", str(tmp_path / "spool")]
    outcome = CliRunner().invoke(cli_app, arguments)
    assert outcome.exit_code == 1
    text = " ".join(outcome.output.split())
    assert "1 rejected (1 conflicts)" in text
    assert f"(result {stored['result_id']}): conflict" in text
