"""Compare-page latency with a large results store (goal: p95 <= 150 ms at 1,000,000 results).

Builds a store with N synthetic fleet results (bulk inserts; 41 catalog GPUs x the suite's
benchmarks, lognormal run-to-run noise), starts `gpuatlas serve` on it, and times
GET /compare/A/B for random pairs: the first request of a pair (store query + report build +
statistics) and repeated requests (the page cache, keyed by the store revision).

First requests are timed twice, each on a fresh server process: once with the startup warm-up
turned off (GPUATLAS_WARM_CACHE=0: every modelled section computed on the request), and once as
a user of `gpuatlas serve` sees it after the background warm-up has finished (the per-system
modelled results of every catalog GPU and its 2x/4x/8x systems already cached; /healthz reports
its progress).

The statistics a comparison needs are precomputed per (GPU, benchmark) group when results
change (group summaries, computed by the store when results are written, see
gpuatlas.store.summary_refresh): the script times building them after the bulk load, a small
ingest with its incremental refresh, and the store query alone —
the summaries of A, B and the reference GPU against the raw values they replace.

    python benchmarks/web_compare_latency.py                    # 1,000,000 results, SQLite
    python benchmarks/web_compare_latency.py --results 100000 --url postgresql://...
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from gpuatlas.catalog.gpus import all_gpus
from gpuatlas.records.suite import suite
from gpuatlas.store import Store, open_store

CHUNK = 50_000


def synthetic_rows(count: int, seed: int = 7) -> Any:
    """Yield chunks of result rows: every (GPU, benchmark) cell gets about count/cells runs."""
    rng = random.Random(seed)
    gpus = [gpu.id for gpu in all_gpus()]
    benchmarks = list(suite())
    base = {(g, b.id): rng.uniform(10, 1000) for g in gpus for b in benchmarks}
    now = datetime.now(UTC)
    chunk: list[dict[str, Any]] = []
    for index in range(count):
        gpu, benchmark = rng.choice(gpus), rng.choice(benchmarks)
        value = base[(gpu, benchmark.id)] * rng.lognormvariate(0, 0.03)
        chunk.append(_row(gpu, benchmark, value, now, index))
        if len(chunk) == CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _row(gpu: str, benchmark: Any, value: float, now: datetime, index: int) -> dict[str, Any]:
    return {
        "result_id": uuid.UUID(int=random.getrandbits(128)).hex,
        "schema_version": "gpuatlas.result/1",
        "benchmark": benchmark.id,
        "benchmark_version": benchmark.version,
        "category": benchmark.category,
        "gpu_id": gpu,
        "gpu_count": 1,
        "gpu_name": None,
        "metric": "headline",
        "unit": benchmark.unit,
        "higher_is_better": benchmark.higher_is_better,
        "value": value,
        "ci_low": None,
        "ci_high": None,
        "created_at": "2026-11-01T00:00:00Z",
        "source": "synthetic fleet",
        "source_date": "2026-11-01",
        "origin": "agent",
        "agent": f"node-{index % 32}",
        "received_at": now,
        "quarantined": False,
        "quarantine_reasons": [],
        "released_at": None,
        "fingerprint": {},
        "settings": {},
        "metrics": {},
        "samples": [],
        "details": {},
    }


def build(store: Store, count: int) -> float:
    started = time.perf_counter()
    done = 0
    for chunk in synthetic_rows(count):
        store.bulk_insert_rows(chunk, refresh=False)
        done += len(chunk)
        print(
            f"  inserted {done:,} rows ({done / (time.perf_counter() - started):,.0f}/s)",
            flush=True,
        )
    return time.perf_counter() - started


def start_server(url: str, port: int, data_dir: str, warm: bool) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "GPUATLAS_DATABASE_URL": url,
        "GPUATLAS_DATA_DIR": data_dir,
        "GPUATLAS_WARM_CACHE": "1" if warm else "0",
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "gpuatlas.cli.main", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200:
                return process
        except httpx.HTTPError:
            time.sleep(0.3)
    process.kill()
    raise RuntimeError("server did not start")


def wait_for_warm_up(port: int, limit_s: float = 600) -> float:
    """Seconds from readiness until the server's report-cache warm-up has finished."""
    started = time.perf_counter()
    while time.perf_counter() - started < limit_s:
        state = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=10).json()["warm_up"]
        if state["finished"]:
            print(
                f"warm-up: {state['systems']} systems in {state['seconds']:.1f} s "
                "(server answering throughout)"
            )
            return time.perf_counter() - started
        time.sleep(0.5)
    raise RuntimeError("warm-up did not finish")


def stop_server(server: subprocess.Popen[bytes]) -> None:
    server.terminate()
    server.wait(timeout=30)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))]


def describe(label: str, values_ms: list[float]) -> None:
    print(
        f"{label:<44} n={len(values_ms):>3}  p50 {statistics.median(values_ms):8.1f} ms  "
        f"p95 {percentile(values_ms, 95):8.1f} ms  max {max(values_ms):8.1f} ms"
    )


def timed_get(client: httpx.Client, path: str) -> float:
    started = time.perf_counter()
    response = client.get(path)
    response.raise_for_status()
    return (time.perf_counter() - started) * 1000


def timed_refresh(store: Store, label: str) -> None:
    started = time.perf_counter()
    groups = store.refresh_summaries()
    print(f"{label}: {groups:,} group summaries in {time.perf_counter() - started:.2f} s")


def small_ingest(store: Store, count: int = 100) -> None:
    """A fleet-sized write (count results over a few groups): the insert and the incremental
    refresh of the groups it changed, which the store runs as part of the write."""
    rows = [row for chunk in synthetic_rows(count, seed=99) for row in chunk]
    started = time.perf_counter()
    store.bulk_insert_rows(rows)
    print(
        f"write of {count} new results with its summary refresh: "
        f"{time.perf_counter() - started:.2f} s"
    )


def time_store_queries(store: Store, pairs: list[tuple[str, ...]]) -> None:
    summary_ms, raw_ms = [], []
    for a, b in pairs:
        started = time.perf_counter()
        summaries = store.group_summaries([a, b, "rtx-3090"])
        summary_ms.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        found = store.measurements_for([a, b, "rtx-3090"])
        raw_ms.append((time.perf_counter() - started) * 1000)
    rows = sum(len(m.values(s)) for m in found for s in m.by_system)
    describe(f"store: group summaries (3 systems, {len(summaries)} groups)", summary_ms)
    describe(f"store: raw values (3 systems, ~{rows:,} values)", raw_ms)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--results", type=int, default=1_000_000)
    parser.add_argument("--url", default=None, help="database URL (default: a temp SQLite)")
    parser.add_argument("--pairs", type=int, default=20)
    parser.add_argument("--warm-repeats", type=int, default=5)
    parser.add_argument("--port", type=int, default=8931)
    args = parser.parse_args()
    folder = tempfile.mkdtemp(prefix="gpuatlas-bench-")
    url = args.url or f"sqlite:///{Path(folder) / 'compare-bench.db'}"
    store = open_store(url)
    if store.count_results() < args.results:
        print(f"building {args.results:,} results in {store.backend} ...")
        print(f"  built in {build(store, args.results):.1f} s")
    timed_refresh(store, "group summaries after the bulk load")
    small_ingest(store)
    print(f"store: {store.backend}, {store.count_results():,} results")
    gpus = [gpu.id for gpu in all_gpus()]
    pairs = [tuple(random.Random(i).sample(gpus, 2)) for i in range(args.pairs)]
    time_store_queries(store, pairs)
    server = start_server(store.url, args.port, folder, warm=False)
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{args.port}", timeout=600) as client:
            cold = [timed_get(client, f"/compare/{a}/{b}") for a, b in pairs]
    finally:
        stop_server(server)
    server = start_server(store.url, args.port, folder, warm=True)
    try:
        wait_for_warm_up(args.port)
        with httpx.Client(base_url=f"http://127.0.0.1:{args.port}", timeout=600) as client:
            warmed = [timed_get(client, f"/compare/{a}/{b}") for a, b in pairs]
            repeated = [
                timed_get(client, f"/compare/{a}/{b}")
                for _ in range(args.warm_repeats)
                for a, b in pairs
            ]
            frame = [timed_get(client, f"/compare/{a}/{b}/report.html") for a, b in pairs]
    finally:
        stop_server(server)
    describe("first request of a pair, no warm-up (cold)", cold)
    describe("first request of a pair, after serve warm-up", warmed)
    describe("GET /compare/A/B, repeated (cached by revision)", repeated)
    describe("GET /compare/A/B/report.html (cached doc)", frame)
    store.close()


if __name__ == "__main__":
    main()
