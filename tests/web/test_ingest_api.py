"""POST /api/v1/results in-process: tokens, idempotency, all problems at once, size caps,
quarantine; results pushed by an agent show up on the pages."""

from __future__ import annotations

import json

from fastapi.testclient import TestClient
from web_support import auth

from conftest_pg import result_document
from gpuatlas.store import Store
from gpuatlas.web.ingest import MAX_BODY_BYTES, MAX_RESULTS_PER_BATCH

URL = "/api/v1/results"


def test_no_token_and_wrong_token_get_401(client: TestClient, store: Store) -> None:
    before = store.count_results()
    assert client.post(URL, json=result_document()).status_code == 401
    wrong = client.post(URL, json=result_document(), headers=auth("gpa_not-a-token"))
    assert wrong.status_code == 401
    assert wrong.headers["www-authenticate"] == "Bearer"
    assert store.count_results() == before


def test_a_revoked_token_gets_401(client: TestClient, store: Store, token: str) -> None:
    assert client.post(URL, json=result_document(), headers=auth(token)).status_code == 200
    store.revoke_token("agent-1")
    assert client.post(URL, json=result_document(), headers=auth(token)).status_code == 401


def test_a_batch_is_stored_with_audit_fields_and_retries_are_idempotent(
    client: TestClient, store: Store, token: str
) -> None:
    batch = [result_document(headline_value=v) for v in (101.0, 102.0, 103.0)]
    first = client.post(URL, json={"results": batch}, headers=auth(token)).json()
    retry = client.post(URL, json=batch, headers=auth(token)).json()
    ids = [doc["result_id"] for doc in batch]
    assert first["accepted"] == ids and first["duplicates"] == []
    assert retry["accepted"] == [] and retry["duplicates"] == ids
    stored = store.get_document(ids[0])
    assert stored is not None
    assert stored["store"]["agent"] == "agent-1" and stored["store"]["received_at"]


def test_every_problem_is_reported_at_once_and_nothing_is_written(
    client: TestClient, store: Store, token: str
) -> None:
    good = result_document()
    no_headline = result_document()
    del no_headline["headline"]
    bad_category = result_document(category="quantum", benchmark_version="two")
    negative = result_document(headline_value=-5.0)
    before = store.count_results()
    response = client.post(
        URL, json=[good, no_headline, bad_category, negative], headers=auth(token)
    )
    assert response.status_code == 422
    problems = response.json()["problems"]
    by_index: dict[int, list[str]] = {}
    for problem in problems:
        by_index.setdefault(problem["index"], []).append(problem["message"])
    assert sorted(by_index) == [1, 2, 3]
    assert any("headline" in message for message in by_index[1])
    assert any("category" in message for message in by_index[2])
    assert any("benchmark_version" in message for message in by_index[2])
    assert any("positive" in message for message in by_index[3])
    assert response.json()["written"] == 0
    assert store.count_results() == before


def test_nul_characters_and_non_finite_numbers_are_refused(client: TestClient, token: str) -> None:
    document = result_document(source="bench\x00tool")
    document["metrics"]["decode_tok_s"]["mean"] = float("nan")
    body = json.dumps(document)  # Python writes NaN, which strict JSON does not have
    response = client.post(
        URL, content=body, headers={**auth(token), "Content-Type": "application/json"}
    )
    assert response.status_code == 422
    messages = " ".join(p["message"] for p in response.json()["problems"])
    assert "NUL" in messages and "NaN" in messages


def test_oversized_bodies_and_batches_get_413(client: TestClient, token: str) -> None:
    huge = b'{"results": [' + b" " * (MAX_BODY_BYTES + 1) + b"]}"
    response = client.post(
        URL, content=huge, headers={**auth(token), "Content-Type": "application/json"}
    )
    assert response.status_code == 413
    many = [result_document()] * (MAX_RESULTS_PER_BATCH + 1)
    assert client.post(URL, json=many, headers=auth(token)).status_code == 413


def test_implausible_results_are_quarantined_and_kept_off_the_pages(
    client: TestClient, store: Store, token: str
) -> None:
    impossible = result_document(headline_value=5000.0)
    reply = client.post(URL, json=impossible, headers=auth(token)).json()
    assert reply["accepted"] == [impossible["result_id"]]
    assert reply["quarantined"][0]["result_id"] == impossible["result_id"]
    gpu = client.get("/gpu/rtx-4090.json").json()
    measured_ids = [rid for m in gpu["measured"] for rid in m["result_ids"]]
    assert impossible["result_id"] not in measured_ids
    assert [q["result_id"] for q in gpu["quarantined"]] == [impossible["result_id"]]
    store.release(impossible["result_id"])
    gpu = client.get("/gpu/rtx-4090.json").json()
    assert impossible["result_id"] in [rid for m in gpu["measured"] for rid in m["result_ids"]]


def test_pushed_results_appear_in_the_compare_document(client: TestClient, token: str) -> None:
    batch = [result_document(headline_value=v) for v in (120.0, 122.0, 125.0)]
    batch += [
        result_document(
            gpu_id="rtx-3090",
            headline_value=v,
            fingerprint={"gpus": [{"name": "NVIDIA GeForce RTX 3090"}]},
        )
        for v in (100.0, 101.0, 99.0)
    ]
    assert client.post(URL, json=batch, headers=auth(token)).status_code == 200
    document = client.get("/compare/rtx-4090/rtx-3090.json").json()
    entry = next(e for e in document["benchmarks"] if e["benchmark"] == "llm-single-llama3.1-8b")
    assert entry["a"]["n"] == 3 and entry["b"]["n"] == 3
    assert entry["a"]["median"] == 122.0 and entry["b"]["median"] == 100.0
    assert set(entry["a"]["result_ids"]) == {doc["result_id"] for doc in batch[:3]}
