"""Page latency while agents ingest: compare and GPU pages, quiet and under 40 results/s.

Starts `gpuatlas serve` on loopback over a fresh copy of the default database (the public data
set), waits for its report-cache warm-up, then times GET /compare/A/B and GET /gpu/X in a loop
for a fixed time: once quiet, once while N agent threads push valid results through
POST /api/v1/results at the given total rate (results for the very GPUs being read, so every
push invalidates what the pages show: the worst case). Goal: p95 <= 150 ms under ingest.

Bounded: loopback only, a fixed duration per phase, at most --rate results/s.

    python benchmarks/web_read_under_ingest.py              # 4 agents, 40 results/s, 5 a push
    python benchmarks/web_read_under_ingest.py --batch 1    # one result a push (40 pushes/s)
"""

from __future__ import annotations

import argparse
import os
import tempfile
import threading
import time
import uuid
from pathlib import Path
from typing import Any

import httpx

from gpuatlas.store import open_store
from web_compare_latency import describe, percentile, start_server, stop_server, wait_for_warm_up

GPUS = {  # catalog id -> the name NVML reports (the fingerprint the plausibility rules check)
    "rtx-4090": "NVIDIA GeForce RTX 4090",
    "rtx-3090": "NVIDIA GeForce RTX 3090",
    "a100-80gb-sxm": "NVIDIA A100-SXM4-80GB",
    "h100-sxm": "NVIDIA H100 80GB HBM3",
}
PAGES = (
    "/compare/rtx-4090/rtx-3090",
    "/compare/a100-80gb-sxm/h100-sxm",
    "/gpu/rtx-4090",
    "/gpu/a100-80gb-sxm",
)


def result_document(gpu_id: str, index: int) -> dict[str, Any]:
    """A plausible single-stream decode result (suite benchmark llm-single-llama3.1-8b)."""
    value = 60.0 + (index % 17)
    return {
        "schema_version": "gpuatlas.result/1",
        "result_id": f"load-{uuid.uuid4().hex}",
        "benchmark": "llm-single-llama3.1-8b",
        "benchmark_version": 1,
        "category": "llm-single",
        "created_at": "2026-11-20T10:00:00Z",
        "gpu_id": gpu_id,
        "gpu_count": 1,
        "fingerprint": {"gpus": [{"name": GPUS[gpu_id]}]},
        "settings": {"model": "llama3.1:8b", "concurrency": 1},
        "headline": {
            "metric": "decode_tok_s",
            "unit": "tok/s",
            "higher_is_better": True,
            "value": value,
        },
        "metrics": {
            "decode_tok_s": {"median": value, "mean": value, "p90": value, "p99": value, "n": 10}
        },
        "source": "web_read_under_ingest.py",
    }


class Agents:
    """N threads, each pushing a batch of B results every N*B/rate seconds (rate results/s)."""

    def __init__(self, base_url: str, token: str, agents: int, rate: float, batch: int):
        self.base_url, self.token, self.batch = base_url, token, batch
        self.agents, self.interval_s = agents, agents * batch / rate
        self.stop = threading.Event()
        self.pushed = 0
        self.push_ms: list[float] = []
        self.lock = threading.Lock()
        self.threads = [threading.Thread(target=self._run, args=(n,)) for n in range(agents)]

    def __enter__(self) -> Agents:
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join()

    def _run(self, number: int) -> None:
        gpu_ids = list(GPUS)
        headers = {"Authorization": f"Bearer {self.token}"}
        next_at = time.monotonic() + number * self.interval_s / self.agents
        with httpx.Client(base_url=self.base_url, timeout=60) as client:
            index = 0
            while not self.stop.is_set():
                time.sleep(max(0.0, next_at - time.monotonic()))
                next_at += self.interval_s
                documents = [
                    result_document(gpu_ids[(number + index + k) % len(gpu_ids)], index + k)
                    for k in range(self.batch)
                ]
                started = time.perf_counter()
                reply = client.post("/api/v1/results", json=documents, headers=headers)
                reply.raise_for_status()
                with self.lock:
                    self.pushed += len(reply.json()["accepted"])
                    self.push_ms.append((time.perf_counter() - started) * 1000)
                index += self.batch


def read_for(base_url: str, seconds: float) -> dict[str, list[float]]:
    """Time the pages in turn (one reader, like one user clicking) for ``seconds``."""
    timings: dict[str, list[float]] = {page: [] for page in PAGES}
    deadline = time.monotonic() + seconds
    with httpx.Client(base_url=base_url, timeout=60) as client:
        while time.monotonic() < deadline:
            for page in PAGES:
                started = time.perf_counter()
                client.get(page).raise_for_status()
                timings[page].append((time.perf_counter() - started) * 1000)
    return timings


def report(label: str, timings: dict[str, list[float]]) -> None:
    print(f"-- {label}")
    for page, values in timings.items():
        describe(f"  {page}", values)
    compare = [v for page, vs in timings.items() if page.startswith("/compare") for v in vs]
    gpu = [v for page, vs in timings.items() if page.startswith("/gpu") for v in vs]
    print(
        f"  all compare p95 {percentile(compare, 95):.1f} ms; all GPU p95 "
        f"{percentile(gpu, 95):.1f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--agents", type=int, default=4)
    parser.add_argument("--rate", type=float, default=40.0, help="results/s, all agents")
    parser.add_argument("--batch", type=int, default=5, help="results per push")
    parser.add_argument("--seconds", type=float, default=30.0, help="per phase")
    parser.add_argument("--port", type=int, default=8937)
    parser.add_argument(
        "--no-warm-up", action="store_true", help="do not wait for the report-cache warm-up"
    )
    args = parser.parse_args()
    folder = tempfile.mkdtemp(prefix="gpuatlas-read-ingest-")
    os.environ["GPUATLAS_DATA_DIR"] = folder
    store = open_store(f"sqlite:///{Path(folder) / 'atlas.db'}", seed=True)
    token = store.create_token("load-agent")
    url = store.url
    store.close()
    server = start_server(url, args.port, folder, warm=not args.no_warm_up)
    base_url = f"http://127.0.0.1:{args.port}"
    try:
        if not args.no_warm_up:
            wait_for_warm_up(args.port)
        read_for(base_url, 3)  # first requests build the page caches
        report("quiet", read_for(base_url, args.seconds))
        with Agents(base_url, token, args.agents, args.rate, args.batch) as agents:
            timings = read_for(base_url, args.seconds)
        report(
            f"under ingest: {agents.pushed} results in {args.seconds:.0f} s "
            f"({agents.pushed / args.seconds:.1f}/s from {args.agents} agents, "
            f"{args.batch} per push; push p50 "
            f"{percentile(agents.push_ms, 50):.1f} ms, p95 "
            f"{percentile(agents.push_ms, 95):.1f} ms)",
            timings,
        )
    finally:
        stop_server(server)


if __name__ == "__main__":
    main()
