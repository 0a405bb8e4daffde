"""The fleet case: several app workers (processes) against one PostgreSQL server."""

from __future__ import annotations

import random
import threading
from pathlib import Path

import httpx
from web_support import auth, start_server

from conftest_pg import PostgresCluster, result_document
from gpuatlas.store import open_store

WORKERS, AGENTS, BATCHES_PER_AGENT, BATCH_SIZE = 3, 12, 6, 20


def test_workers_share_one_postgresql_without_duplicates(
    postgres_cluster: PostgresCluster, tmp_path: Path
) -> None:
    url = postgres_cluster.create_database()
    store = open_store(url)
    tokens = [store.create_token(f"agent-{index}") for index in range(AGENTS)]
    shared = [
        [result_document(headline_value=100.0 + i) for i in range(BATCH_SIZE)]
        for _ in range(BATCHES_PER_AGENT)
    ]
    server = start_server(url, tmp_path, workers=WORKERS)
    answered_by: set[int] = set()
    failures: list[str] = []
    try:
        threads = [
            threading.Thread(target=_agent, args=(server.url, token, shared, failures))
            for token in tokens
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=300)
        for _ in range(40):
            answered_by.add(httpx.get(server.url + "/healthz", timeout=10).json()["pid"])
        newest_ids = {
            httpx.get(server.url + "/gpu/rtx-4090.json", timeout=30).json()["recent_results"][0][
                "result_id"
            ]
            for _ in range(6)
        }
    finally:
        server.stop()
    assert failures == []
    assert store.count_results() == BATCHES_PER_AGENT * BATCH_SIZE  # every agent sent all
    assert len(answered_by) >= 2, "requests should be spread over several worker processes"
    assert len(newest_ids) == 1, "every worker sees the same newest result"
    store.close()


def _agent(
    server_url: str, token: str, batches: list[list[dict[str, object]]], failures: list[str]
) -> None:
    """Each agent pushes the same batches (retries of a shared spool) in its own order."""
    order = list(range(len(batches)))
    random.Random(token).shuffle(order)
    with httpx.Client(timeout=120) as client:
        for index in order:
            reply = client.post(
                server_url + "/api/v1/results", json=batches[index], headers=auth(token)
            )
            if reply.status_code != 200:
                failures.append(f"{reply.status_code}: {reply.text[:200]}")
