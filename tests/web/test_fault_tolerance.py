"""Real server and agent processes: SIGKILL of the server during batch ingest, kills of the
agent, server outages and revoked tokens lose nothing and duplicate nothing."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest
from web_support import ServerProcess, auth, start_server

from conftest_pg import result_document
from gpuatlas.fleet.agent import AgentAuthError, Pusher
from gpuatlas.fleet.spool import Spool
from gpuatlas.records.result import dump_result, parse_result
from gpuatlas.store import open_store

BATCHES, BATCH_SIZE, POSTERS = 24, 150, 4


def _heavy_document() -> dict[str, object]:
    document = result_document(headline_value=110.0)
    document["samples"] = [
        {
            "repeat": r,
            "index": i,
            "ttft_ms": 20.0 + i,
            "e2e_ms": 900.0 + i,
            "values": {"decode_tok_s": 110.0 + (i % 7)},
        }
        for r in range(3)
        for i in range(40)
    ]
    return document


def _post_batches(
    server: ServerProcess,
    token: str,
    batches: list[list[dict[str, object]]],
    acknowledged: list[str],
) -> None:
    lock = threading.Lock()
    queue = list(range(len(batches)))

    def poster() -> None:
        with httpx.Client(timeout=60) as client:
            while True:
                with lock:
                    if not queue:
                        return
                    index = queue.pop(0)
                try:
                    reply = client.post(
                        server.url + "/api/v1/results",
                        json={"results": batches[index]},
                        headers=auth(token),
                    )
                except httpx.HTTPError:
                    return  # the server died mid-request: this batch was not acknowledged
                if reply.status_code == 200:
                    with lock:
                        acknowledged.extend(reply.json()["accepted"] + reply.json()["duplicates"])

    threads = [threading.Thread(target=poster) for _ in range(POSTERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def test_sigkill_during_batch_ingest_keeps_acknowledged_results_and_no_partial_batch(
    database_url: str, tmp_path: Path
) -> None:
    store = open_store(database_url)
    token = store.create_token("fleet-node")
    batches = [[_heavy_document() for _ in range(BATCH_SIZE)] for _ in range(BATCHES)]
    server = start_server(database_url, tmp_path)
    acknowledged: list[str] = []
    pusher = threading.Thread(target=_post_batches, args=(server, token, batches, acknowledged))
    pusher.start()
    _wait_for(lambda: len(acknowledged) >= BATCH_SIZE, timeout_s=120)
    server.kill()
    pusher.join(timeout=120)

    stored = {doc["result_id"] for doc in store.export_documents()}
    assert set(acknowledged) <= stored, "an acknowledged result was lost"
    present = [sum(doc["result_id"] in stored for doc in batch) for batch in batches]
    assert all(count in (0, BATCH_SIZE) for count in present), f"partial batch: {present}"
    assert 0 < sum(present) < BATCHES * BATCH_SIZE, "the kill should land mid-ingest"

    restarted = start_server(database_url, tmp_path)
    try:
        _post_batches(restarted, token, batches, acknowledged)
    finally:
        restarted.stop()
    assert store.count_results() == BATCHES * BATCH_SIZE
    store.close()


def _wait_for(condition: object, timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if condition():  # type: ignore[operator]
            return
        time.sleep(0.01)
    raise AssertionError("condition not reached in time")


def _spooled(tmp_path: Path, count: int) -> tuple[Spool, list[str]]:
    spool = Spool(tmp_path / "spool").ensure()
    ids = []
    for index in range(count):
        result = parse_result(result_document(headline_value=100.0 + index % 9))
        spool.put(result)
        ids.append(result.result_id)
    return spool, ids


def test_results_spooled_during_an_outage_are_pushed_when_the_server_returns(
    tmp_path: Path,
) -> None:
    url = f"sqlite:///{tmp_path / 'atlas.db'}"
    store = open_store(url)
    token = store.create_token("node-a")
    spool, ids = _spooled(tmp_path, 30)
    from conftest_pg import free_port

    port = free_port()
    offline = Pusher(f"http://127.0.0.1:{port}", token, spool, sleep=lambda _s: None)
    report = offline.push_all(max_attempts=3)
    assert report.acknowledged == 0 and len(report.errors) == 3
    assert len(spool.pending()) == 30

    server = start_server(url, tmp_path, port=port)
    try:
        report = Pusher(server.url, token, spool, batch_size=7).push_all(max_attempts=3)
    finally:
        server.stop()
    assert report.accepted == 30 and spool.pending() == []
    assert {doc["result_id"] for doc in store.export_documents()} == set(ids)


def test_a_result_stored_before_the_agent_died_is_not_duplicated(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'atlas.db'}"
    store = open_store(url)
    token = store.create_token("node-b")
    spool, ids = _spooled(tmp_path, 5)
    server = start_server(url, tmp_path)
    try:
        # The server stores the batch, then the agent dies before deleting its spool files.
        documents = [spool.pending_dir.joinpath(p.name).read_text() for p in spool.pending()]
        body = "[" + ",".join(documents) + "]"
        httpx.post(
            server.url + "/api/v1/results",
            content=body,
            headers={**auth(token), "Content-Type": "application/json"},
            timeout=30,
        )
        report = Pusher(server.url, token, spool).push_all(max_attempts=2)
    finally:
        server.stop()
    assert report.duplicates == 5 and report.accepted == 0 and spool.pending() == []
    assert store.count_results() == 5


def test_killing_the_agent_process_mid_push_loses_and_duplicates_nothing(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'atlas.db'}"
    store = open_store(url)
    token = store.create_token("node-c")
    results_dir = tmp_path / "results"
    results_dir.mkdir()
    for index in range(400):
        dump_result(
            parse_result(result_document(headline_value=90.0 + index % 11)),
            results_dir / f"r{index:04d}.json",
        )
    server = start_server(url, tmp_path)
    command = [
        sys.executable,
        "-m",
        "gpuatlas.cli.main",
        "agent",
        "--server",
        server.url,
        "--token",
        token,
        "--push",
        str(results_dir),
        "--spool",
        str(tmp_path / "sp"),
        "--batch-size",
        "5",
    ]
    try:
        agent = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        _wait_for(lambda: store.count_results() >= 20, timeout_s=120)
        agent.kill()
        agent.wait(timeout=30)
        assert store.count_results() < 400, "the agent should die mid-push"
        rerun = subprocess.run(
            command[:8] + ["--spool", str(tmp_path / "sp"), "--flush"],
            capture_output=True,
            text=True,
            timeout=300,
        )
    finally:
        server.stop()
    assert rerun.returncode == 0, rerun.stdout + rerun.stderr
    assert store.count_results() == 400
    assert list((tmp_path / "sp" / "pending").glob("*.json")) == []


def test_a_revoked_token_stops_the_agent_and_keeps_its_spool(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'atlas.db'}"
    store = open_store(url)
    token = store.create_token("node-d")
    store.revoke_token("node-d")
    spool, _ids = _spooled(tmp_path, 3)
    server = start_server(url, tmp_path)
    try:
        with pytest.raises(AgentAuthError):
            Pusher(server.url, token, spool).push_all(max_attempts=1)
    finally:
        server.stop()
    assert len(spool.pending()) == 3 and store.count_results() == 0
