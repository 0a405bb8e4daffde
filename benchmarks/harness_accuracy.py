"""Accuracy and lightness of the gpuatlas load generator, against the reference server.

The reference server (gpuatlas.bench.reference_server, a separate process) streams tokens on a
known schedule and records, on the system-wide monotonic clock, when it read each request and
when it wrote each chunk. Both processes use CLOCK_MONOTONIC, so every measured request is
paired with its ground truth (the request index is in the prompt):

- TTFT error   = measured TTFT - (first chunk written - request read), per request
- ITL error    = measured token-weighted ITL percentile - true gap percentile
- throughput   = measured steady-state output tok/s vs tokens the server wrote inside the
                 same window (same clock), in %; "whole-run" compares the client's whole-run
                 tok/s (first send to last completion) with the server's own (first request
                 read to last chunk written)
- client CPU   = whole-process CPU seconds (user + system, start-up included) of
                 `gpuatlas bench run` per 1,000 streamed tokens, server at full speed
                 (no delays), 64 streams, 1,280 requests of 256 tokens; "at the margin" is the
                 extra CPU of 2,560 requests over 1,280.

Usage: python benchmarks/harness_accuracy.py [--quick]
Prints figures; asserts nothing. Loopback only.
"""

from __future__ import annotations

import argparse
import json
import re
import resource
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import httpx
import numpy as np

from gpuatlas.bench.loadgen import LoadSpec, run_async, run_load
from gpuatlas.bench.metrics import (
    RequestRecord,
    itl_values_and_weights,
    request_metrics,
    steady_state_window,
    tokens_in_window,
    whole_run_window,
)
from gpuatlas.bench.reference_server import MODEL_NAME
from gpuatlas.bench.stats import weighted_quantile

NS_PER_MS = 1e6


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_reference(ttft_ms: float, itl_ms: float) -> tuple[str, subprocess.Popen[bytes]]:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "gpuatlas.bench.reference_server", "--port", str(port),
         "--ttft-ms", str(ttft_ms), "--itl-ms", str(itl_ms)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            httpx.get(url + "/v1/models", timeout=1)
            return url, process
        except httpx.HTTPError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError("reference server did not start")


def stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    process.wait(timeout=10)


@dataclass(frozen=True)
class Accuracy:
    concurrency: int
    requests: int
    ttft_error_mean_ms: float
    ttft_error_p50_ms: float
    ttft_error_p99_ms: float
    ttft_p99_measured_minus_true_ms: float
    itl_p50_error_ms: float
    itl_p99_error_ms: float
    delivery_p50_ms: float
    delivery_p99_ms: float
    throughput_error_pct: float
    whole_run_throughput_error_pct: float
    server_late_p99_ms: float


def _truth_by_index(url: str) -> dict[int, dict[str, list[int] | int | str]]:
    records = httpx.get(url + "/stats", timeout=60).json()["requests"]
    truth = {}
    for record in records:
        found = re.search(r"Request (\d+) tag", record["prompt_head"])
        if found:
            truth[int(found.group(1))] = record
    return truth


def _server_tokens_in(truth: dict[int, dict], start_ns: int, end_ns: int,
                      indices: set[int]) -> float:
    total = 0
    for index in indices:
        writes = np.asarray(truth[index]["writes_ns"])
        tokens = np.asarray(truth[index]["tokens"])
        total += int(tokens[(writes >= start_ns) & (writes <= end_ns)].sum())
    return float(total)


def _true_itl(truth: dict[int, dict], indices: set[int]) -> np.ndarray:
    gaps = [np.diff(np.asarray(truth[i]["writes_ns"])) / NS_PER_MS for i in indices]
    return np.concatenate([g for g in gaps if len(g)])


def _server_lateness(truth: dict[int, dict], indices: set[int], ttft_ms: float,
                     itl_ms: float) -> float:
    late = []
    for index in indices:
        writes = np.asarray(truth[index]["writes_ns"])
        planned = truth[index]["received_ns"] + (ttft_ms + itl_ms * np.arange(len(writes))) * 1e6
        late.append((writes - planned) / NS_PER_MS)
    return float(np.quantile(np.concatenate(late), 0.99))


def _delivery_lag_ms(records: list[RequestRecord], truth: dict[int, dict]) -> np.ndarray:
    """Client arrival stamp - server write, every token event: the client's own share of the
    error (the rest of a TTFT error is the time the server took to read the request)."""
    lags = [(np.asarray(r.token_times_ns) - np.asarray(truth[r.index]["writes_ns"])) / NS_PER_MS
            for r in records]
    return np.concatenate(lags)


def _whole_run_error_pct(records: list[RequestRecord], truth: dict[int, dict],
                         indices: set[int]) -> float:
    """Client whole-run tok/s (first send to last completion) vs the server's own
    (first request read to last chunk written)."""
    window = whole_run_window(records)
    assert window is not None
    measured = sum(r.tokens for r in records if r.ok) / window.seconds
    first = min(truth[i]["received_ns"] for i in indices)
    last = max(truth[i]["writes_ns"][-1] for i in indices)
    true = sum(sum(truth[i]["tokens"]) for i in indices) / ((last - first) / 1e9)
    return 100.0 * (measured - true) / true


def measure_accuracy(url: str, concurrency: int, requests: int, output_tokens: int,
                     ttft_ms: float, itl_ms: float) -> Accuracy:
    httpx.post(url + "/stats/reset")
    spec = LoadSpec(endpoint=url, api="openai-completions", model=MODEL_NAME,
                    input_tokens=64, output_tokens=output_tokens, concurrency=concurrency,
                    requests=requests, warmup_requests=0, seed=concurrency)
    records: list[RequestRecord] = run_async(run_load(spec)).records
    truth = _truth_by_index(url)
    good = [r for r in records if r.ok and r.index in truth]
    errors = np.array([request_metrics(r).ttft_ms - (truth[r.index]["writes_ns"][0]
                       - truth[r.index]["received_ns"]) / NS_PER_MS for r in good])
    measured_ttft = np.array([request_metrics(r).ttft_ms for r in good])
    delivery = _delivery_lag_ms(good, truth)
    true_ttft = measured_ttft - errors
    indices = {r.index for r in good}
    itl_values, itl_weights = itl_values_and_weights(good)
    true_gaps = _true_itl(truth, indices)
    window = steady_state_window(records, concurrency) or whole_run_window(records)
    assert window is not None
    measured_tokens = tokens_in_window(records, window)
    true_tokens = _server_tokens_in(truth, window.start_ns, window.end_ns, indices)
    return Accuracy(
        concurrency=concurrency, requests=len(good),
        ttft_error_mean_ms=float(errors.mean()),
        ttft_error_p50_ms=float(np.quantile(errors, 0.5)),
        ttft_error_p99_ms=float(np.quantile(errors, 0.99)),
        ttft_p99_measured_minus_true_ms=float(np.quantile(measured_ttft, 0.99)
                                              - np.quantile(true_ttft, 0.99)),
        itl_p50_error_ms=weighted_quantile(itl_values, itl_weights, 0.5)
        - float(np.quantile(true_gaps, 0.5)),
        itl_p99_error_ms=weighted_quantile(itl_values, itl_weights, 0.99)
        - float(np.quantile(true_gaps, 0.99)),
        delivery_p50_ms=float(np.quantile(delivery, 0.5)),
        delivery_p99_ms=float(np.quantile(delivery, 0.99)),
        throughput_error_pct=100.0 * (measured_tokens - true_tokens) / true_tokens,
        whole_run_throughput_error_pct=_whole_run_error_pct(records, truth, indices),
        server_late_p99_ms=_server_lateness(truth, indices, ttft_ms, itl_ms),
    )


def client_cpu_seconds(url: str, requests: int, output_tokens: int) -> tuple[float, int]:
    """CPU (user + system) of a whole `gpuatlas bench run` process, and tokens it streamed."""
    with tempfile.TemporaryDirectory() as folder:
        target = Path(folder) / "result.json"
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        subprocess.run(
            [sys.executable, "-m", "gpuatlas.cli.bench_commands", "run",
             "llm-serving-qwen3-4b-c64", "--endpoint", url, "--model", MODEL_NAME,
             "--concurrency", "64", "--requests", str(requests), "--output-tokens",
             str(output_tokens), "--input-tokens", "64", "--repeats", "1", "--warmup", "0",
             "-o", str(target), "--json"],
            check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        result = json.loads(target.read_text())
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    tokens = sum(s["output_tokens"] or 0 for s in result["samples"] if s["ok"])
    return cpu, tokens


def print_accuracy(rows: list[Accuracy], ttft_ms: float, itl_ms: float) -> None:
    print(f"\nAccuracy vs the reference server (schedule: TTFT {ttft_ms} ms, ITL {itl_ms} ms; "
          "errors = measured - server truth)")
    header = ("conc", "n", "TTFT err mean", "p50", "p99", "TTFT p99 diff", "ITL p50 err",
              "ITL p99 err", "deliver p50", "deliver p99", "tput err %", "whole-run %",
              "server late p99")
    print(" | ".join(f"{h:>11}" for h in header))
    for row in rows:
        cells = (row.concurrency, row.requests, row.ttft_error_mean_ms, row.ttft_error_p50_ms,
                 row.ttft_error_p99_ms, row.ttft_p99_measured_minus_true_ms,
                 row.itl_p50_error_ms, row.itl_p99_error_ms, row.delivery_p50_ms,
                 row.delivery_p99_ms, row.throughput_error_pct,
                 row.whole_run_throughput_error_pct, row.server_late_p99_ms)
        print(" | ".join(f"{c:>11}" if isinstance(c, int) else f"{c:>11.3f}" for c in cells))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer requests (smoke run)")
    args = parser.parse_args()
    ttft_ms, itl_ms, output_tokens = 20.0, 10.0, 64
    plan = [(1, 20 if args.quick else 100), (64, 128 if args.quick else 640),
            (256, 512 if args.quick else 1280)]
    url, server = start_reference(ttft_ms, itl_ms)
    try:
        rows = [measure_accuracy(url, c, n, output_tokens, ttft_ms, itl_ms) for c, n in plan]
    finally:
        stop(server)
    print_accuracy(rows, ttft_ms, itl_ms)
    url, server = start_reference(0.0, 0.0)
    try:
        base_requests = 320 if args.quick else 1280
        cpu_1, tokens_1 = client_cpu_seconds(url, base_requests, 256)
        cpu_2, tokens_2 = client_cpu_seconds(url, 2 * base_requests, 256)
    finally:
        stop(server)
    print("\nClient CPU (whole `gpuatlas bench run` process, start-up included), 64 streams, "
          "server at full speed:")
    print(f"  {base_requests} requests x 256 tokens: {cpu_1:.2f} s CPU for {tokens_1} tokens = "
          f"{1000 * cpu_1 / tokens_1 * 1000:.1f} ms per 1,000 tokens all in")
    margin = (cpu_2 - cpu_1) / max(1, tokens_2 - tokens_1)
    print(f"  at the margin ({2 * base_requests} vs {base_requests} requests): "
          f"{1e6 * margin:.1f} ms per 1,000 tokens")
    print("\nvllm bench serve / GuideLLM / AIPerf side by side: not run by this script "
          "(see the report).")


if __name__ == "__main__":
    main()
