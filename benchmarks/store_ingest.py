"""Sustained ingest through POST /api/v1/results with 32 concurrent agents, on SQLite and on
PostgreSQL (a throw-away PostgreSQL 15 cluster is started for the run unless --pg-url is given).

Each agent has its own token and pushes batches of realistic results (30 samples each) as fast
as the server acknowledges them, for --seconds. Prints acknowledged results/s, requests/s and
request latency percentiles per backend.

    python benchmarks/store_ingest.py                       # both backends, 32 agents, 20 s
    python benchmarks/store_ingest.py --backends sqlite --agents 8 --batch 10
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from conftest_pg import free_port, start_cluster, stop_cluster  # noqa: E402
from gpuatlas.store import open_store  # noqa: E402


def result_document(agent: int) -> dict[str, Any]:
    samples = [
        {
            "repeat": 0,
            "index": i,
            "ttft_ms": 20.0 + i,
            "tpot_ms": 7.5,
            "e2e_ms": 1900.0 + i,
            "output_tokens": 256,
            "values": {},
        }
        for i in range(30)
    ]
    return {
        "schema_version": "gpuatlas.result/1",
        "result_id": str(uuid.uuid4()),
        "benchmark": "llm-single-llama3.1-8b",
        "benchmark_version": 1,
        "category": "llm-single",
        "created_at": "2026-11-20T10:00:00Z",
        "gpu_id": "rtx-4090",
        "gpu_count": 1,
        "fingerprint": {
            "gpus": [{"index": 0, "name": "NVIDIA GeForce RTX 4090"}],
            "hostname_hash": f"{agent:08x}",
        },
        "settings": {"model": "llama3.1:8b", "concurrency": 1, "output_tokens": 256},
        "headline": {
            "metric": "decode_tok_s",
            "unit": "tok/s",
            "higher_is_better": True,
            "value": 120.0 + agent % 7,
        },
        "metrics": {
            "decode_tok_s": {"median": 120.0, "mean": 120.3, "p90": 122.0, "p99": 123.0, "n": 30}
        },
        "samples": samples,
        "source": "benchmarks/store_ingest.py",
    }


@dataclass
class Tally:
    results: int = 0
    requests: int = 0
    errors: int = 0
    latencies_ms: list[float] = field(default_factory=list)


async def agent_loop(
    url: str, token: str, agent: int, batch: int, stop_at: float, tally: Tally
) -> None:
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=url, timeout=120) as client:
        while time.monotonic() < stop_at:
            body = [result_document(agent) for _ in range(batch)]
            started = time.perf_counter()
            try:
                reply = await client.post("/api/v1/results", json=body, headers=headers)
            except httpx.HTTPError:
                tally.errors += 1
                continue
            tally.latencies_ms.append((time.perf_counter() - started) * 1000)
            tally.requests += 1
            if reply.status_code == 200:
                tally.results += len(reply.json()["accepted"])
            else:
                tally.errors += 1


def start_server(database_url: str, workers: int, folder: str) -> tuple[Any, str]:
    port = free_port()
    env = {**os.environ, "GPUATLAS_DATABASE_URL": database_url, "GPUATLAS_DATA_DIR": folder}
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gpuatlas.cli.main",
            "serve",
            "--port",
            str(port),
            "--workers",
            str(workers),
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if httpx.get(url + "/healthz", timeout=2).status_code == 200:
                return process, url
        except httpx.HTTPError:
            time.sleep(0.3)
    process.kill()
    raise RuntimeError("server did not start")


def run_backend(name: str, database_url: str, args: argparse.Namespace, folder: str) -> None:
    store = open_store(database_url)
    tokens = [store.create_token(f"bench-agent-{i}") for i in range(args.agents)]
    process, url = start_server(store.url, args.workers, folder)
    tally = Tally()
    try:
        stop_at = time.monotonic() + args.seconds
        started = time.perf_counter()

        async def all_agents() -> None:
            await asyncio.gather(
                *(
                    agent_loop(url, token, i, args.batch, stop_at, tally)
                    for i, token in enumerate(tokens)
                )
            )

        asyncio.run(all_agents())
        elapsed = time.perf_counter() - started
    finally:
        process.terminate()
        process.wait(timeout=30)
    stored = store.count_results()
    store.close()
    _print_row(name, args, tally, elapsed, stored)


def _print_row(
    name: str, args: argparse.Namespace, tally: Tally, elapsed: float, stored: int
) -> None:
    latencies = sorted(tally.latencies_ms) or [0.0]
    p95 = latencies[min(len(latencies) - 1, int(0.95 * (len(latencies) - 1)))]
    print(
        f"{name:<11} workers={args.workers} agents={args.agents} batch={args.batch}: "
        f"{tally.results / elapsed:8.1f} results/s  {tally.requests / elapsed:6.1f} req/s  "
        f"p50 {statistics.median(latencies):7.1f} ms  p95 {p95:7.1f} ms  "
        f"errors {tally.errors}  stored {stored:,} (acknowledged {tally.results:,})",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--agents", type=int, default=32)
    parser.add_argument("--batch", type=int, default=10, help="results per request")
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--pg-url", default=None)
    args = parser.parse_args()
    folder = tempfile.mkdtemp(prefix="gpuatlas-ingest-")
    print(f"machine: {os.cpu_count()} CPUs; each result carries 30 samples")
    for backend in args.backends.split(","):
        if backend == "sqlite":
            run_backend("sqlite", f"sqlite:///{Path(folder) / 'ingest.db'}", args, folder)
        elif backend == "postgresql":
            _run_postgresql(args, folder)


def _run_postgresql(args: argparse.Namespace, folder: str) -> None:
    if args.pg_url:
        run_backend("postgresql", args.pg_url, args, folder)
        return
    root = Path(tempfile.mkdtemp(prefix="gpuatlas-pg-"))
    os.chmod(root, 0o755)
    cluster = start_cluster(root)
    try:
        run_backend("postgresql", cluster.create_database(), args, folder)
    finally:
        stop_cluster(cluster)


if __name__ == "__main__":
    main()
