"""The ingest API and the pages under bad input and failure: nesting, unicode, ids, types,
conflicts, the published-median attack, security headers, error text, database outages and
ingest off the event loop. Store-level rules run on SQLite and PostgreSQL in
tests/store/test_store_integrity.py; here the HTTP answers (never a 5xx) are checked."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from web_support import auth

from conftest_pg import free_port, result_document
from gpuatlas.store import Store, open_store
from gpuatlas.store.engine import create_database_engine
from gpuatlas.web import ingest
from gpuatlas.web.app import create_app

URL = "/api/v1/results"
JSON = {"Content-Type": "application/json"}


@pytest.fixture
def any_client(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[TestClient, Store, str]]:
    """An app over an empty store on SQLite and on PostgreSQL."""
    monkeypatch.setenv("GPUATLAS_WARM_CACHE", "0")
    opened = open_store(database_url, seed=False)
    monkeypatch.setenv("GPUATLAS_DATABASE_URL", opened.url)
    token = opened.create_token("abuser")
    with TestClient(create_app(opened)) as test_client:
        yield test_client, opened, token
    opened.close()


def _post(client: TestClient, token: str, body: Any) -> Any:
    content = body if isinstance(body, bytes) else json.dumps(body).encode()
    return client.post(URL, content=content, headers={**auth(token), **JSON})


def _problems(response: Any) -> list[dict[str, Any]]:
    problems = response.json()["problems"]
    assert all({"index", "result_id", "message"} <= set(problem) for problem in problems)
    return list(problems)


def test_deep_nesting_gets_422_not_500(any_client: tuple[TestClient, Store, str]) -> None:
    client, store, token = any_client
    assert _post(client, token, b"[" * 990).status_code == 422
    response = _post(client, token, _deep_json(result_document()))
    assert response.status_code == 422
    assert _problems(response)[0]["index"] in (0, None)
    assert store.count_results() == 0


def _deep_json(document: dict[str, Any]) -> bytes:
    """json.dumps would recurse too deep itself: splice a 3,000-level object in by hand."""
    text = json.dumps({**document, "settings": {"model": "llama3.1:8b", "extra": "@@"}})
    return text.replace('"@@"', '{"x":' * 3000 + "{}" + "}" * 3000).encode()


def test_problems_always_name_index_and_id(any_client: tuple[TestClient, Store, str]) -> None:
    client, _store, token = any_client
    not_json = _post(client, token, b"{nope")
    assert not_json.status_code == 422 and _problems(not_json)[0]["index"] is None
    bad = result_document(headline_value=True)
    response = _post(client, token, [result_document(), bad, "a string"])
    assert response.status_code == 422
    by_index = {problem["index"]: problem for problem in _problems(response)}
    assert set(by_index) == {1, 2}
    assert by_index[1]["result_id"] == bad["result_id"]
    assert "expected a number, got true" in by_index[1]["message"]


def test_lone_surrogates_are_refused_per_result(any_client: tuple[TestClient, Store, str]) -> None:
    client, _store, token = any_client
    document = result_document()
    body = json.dumps([document, {**document, "result_id": "s-1", "source": "\ud800"}])
    response = _post(client, token, body.encode())
    assert response.status_code == 422
    [problem] = _problems(response)
    assert problem["index"] == 1 and "surrogate" in problem["message"]


@pytest.mark.parametrize("bad_id", ["x/1", "x\n1", " x1", "", "a" * 129])
def test_invalid_ids_are_refused(any_client: tuple[TestClient, Store, str], bad_id: str) -> None:
    client, _store, token = any_client
    response = _post(client, token, result_document(result_id=bad_id))
    assert response.status_code == 422
    assert any("result_id" in problem["message"] for problem in _problems(response))


def test_a_resent_id_with_other_content_is_a_conflict(
    any_client: tuple[TestClient, Store, str],
) -> None:
    client, store, token = any_client
    document = result_document(result_id="run:1", headline_value=120.0)
    assert _post(client, token, document).json()["accepted"] == ["run:1"]
    changed = {**document, "headline": {**document["headline"], "value": 80.0}}
    reply = _post(client, token, [result_document(), changed]).json()
    assert reply["duplicates"] == [] and len(reply["accepted"]) == 1
    assert reply["conflicts"] == [
        {"index": 1, "result_id": "run:1", "message": reply["conflicts"][0]["message"]}
    ]
    stored = store.get_document("run:1")
    assert stored is not None and stored["headline"]["value"] == 120.0


def test_ingest_decodes_validates_and_writes_off_the_event_loop(
    client: TestClient, token: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[bool] = []
    original = ingest._ingest

    def recording(*args: Any) -> Any:
        try:
            asyncio.get_running_loop()
            seen.append(True)
        except RuntimeError:
            seen.append(False)
        return original(*args)

    monkeypatch.setattr(ingest, "_ingest", recording)
    assert client.post(URL, json=result_document(), headers=auth(token)).status_code == 200
    assert seen == [False], "ingest ran on the event loop thread"


def test_two_results_cannot_move_a_published_median(
    client: TestClient, store: Store, token: str
) -> None:
    """The audit's attack on the seeded data: 500 tok/s twice on an RTX 3090, public key."""
    [target] = [
        b
        for b in store.measurements_for(["rtx-3090"])
        if b.benchmark.startswith("public/")
        and b.metric == "decode_tok_s"
        and "/b1-" in b.benchmark
        and "Llama-2-7b" in b.benchmark
    ][:1]
    before = client.get("/gpu/rtx-3090.json").json()
    documents = [
        result_document(
            benchmark=target.benchmark,
            gpu_id="rtx-3090",
            settings={},
            fingerprint={"gpus": [{"name": "NVIDIA GeForce RTX 3090"}]},
            headline_value=500.0,
        )
        for _ in range(2)
    ]
    reply = client.post(URL, json=documents, headers=auth(token)).json()
    assert len(reply["quarantined"]) == 2
    assert client.get("/gpu/rtx-3090.json").json()["measured"] == before["measured"]


def test_served_results_show_no_endpoint_credentials(client: TestClient, token: str) -> None:
    document = result_document(
        settings={
            "model": "llama3.1:8b",
            "endpoint": "https://u:secretpw@llm.example:443/v1?token=abc",
        }
    )
    assert client.post(URL, json=document, headers=auth(token)).status_code == 200
    page = client.get(f"/results/{document['result_id']}.json").text
    html = client.get(f"/results/{document['result_id']}").text
    assert "secretpw" not in page + html and "abc" not in json.loads(page)["settings"]["endpoint"]


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/gpu/rtx-4090",
        "/docs",
        "/healthz",
        "/leaderboard",
        "/no-such-page",
        "/static/style.css",
        "/gpu/rtx-4090.json",
    ],
)
def test_every_response_carries_security_headers(client: TestClient, path: str) -> None:
    headers = client.get(path).headers
    csp = headers["content-security-policy"]
    assert "frame-ancestors 'none'" in csp and "'unsafe-inline'" not in csp
    assert "script-src 'self'" in csp
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"]


def test_templates_have_no_inline_script_or_style() -> None:
    from gpuatlas.web.rendering import TEMPLATES_DIR

    for template in TEMPLATES_DIR.glob("*.html"):
        text = template.read_text()
        assert "<style" not in text and " style=" not in text, template.name
        for chunk in text.split("<script")[1:]:
            assert chunk.lstrip().startswith("src="), f"inline script in {template.name}"


def test_internal_errors_do_not_echo_exception_text(
    client: TestClient, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken() -> str:
        raise RuntimeError("secret internal detail /srv/atlas/config")

    monkeypatch.setattr(store, "revision", broken)
    for path in ("/healthz", "/gpu/rtx-4090", "/gpu/rtx-4090.json"):
        response = client.get(path)
        assert response.status_code == 500, path
        assert "secret internal detail" not in response.text
        assert "reference" in response.text
        assert response.headers["x-content-type-options"] == "nosniff"


def test_a_database_outage_gets_a_clear_503(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GPUATLAS_WARM_CACHE", "0")
    url = f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/gone?connect_timeout=2"
    down = Store(create_database_engine(url), url)
    monkeypatch.setenv("GPUATLAS_DATABASE_URL", url)
    with TestClient(create_app(down)) as client:
        page = client.get("/gpu/rtx-4090")
        document = client.get("/gpu/rtx-4090.json")
        health = client.get("/healthz")
        push = client.post(URL, json=result_document(), headers=auth("gpa_x"))
    assert page.status_code == 503 and "Temporarily unavailable" in page.text
    assert page.headers["retry-after"]
    assert document.status_code == 503 and "unreachable" in document.json()["error"]
    assert health.status_code == 503 and push.status_code == 503
    assert "psycopg" not in page.text + document.text


def test_a_result_without_a_gpu_has_a_page(client: TestClient, token: str) -> None:
    """A CPU-only harness run (no GPU in its fingerprint, gpu_id null) was a 500 on its page:
    the page now says it ran on no GPU."""
    document = result_document(gpu_id=None, fingerprint={"gpus": []})
    assert client.post(URL, json=document, headers=auth(token)).status_code == 200
    page = client.get(f"/results/{document['result_id']}")
    assert page.status_code == 200 and "no GPU" in page.text
