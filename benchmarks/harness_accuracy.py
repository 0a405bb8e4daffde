"""Accuracy and lightness of the gpuatlas load generator, against the reference server.

The reference server (gpuatlas.bench.reference_server, a separate process) streams tokens on a
known schedule and records, per request: `arrived_ns`, the kernel's receive timestamp of the
request (SO_TIMESTAMPNS; on loopback the kernel stamps a segment inside the sender's send call,
so this is the moment the client handed its request bytes to the kernel), `received_ns`, when
the server's event loop got round to reading it, and `writes_ns`, just before each chunk was
written. Both processes use CLOCK_MONOTONIC (the kernel stamp is moved from CLOCK_REALTIME onto
it); the request index in the prompt pairs each measured request with its truth.

What is compared (harness-anchors.md §7: TTFT = first token event - send):
- true TTFT     = first content chunk written - request handed to the kernel (`arrived_ns`).
                  The time the server took to read the request (`received_ns - arrived_ns`)
                  is part of the true TTFT: a real server that reads late has a longer TTFT,
                  and the client must report it. The client's own error is what is left:
- TTFT error    = measured TTFT - true TTFT
                = (kernel arrival - client send stamp)      "send side"
                + (client arrival stamp - server write)     "receive side" (delivery lag)
                  The client stamps each read with the kernel's receive timestamp
                  (gpuatlas.bench.http_stream), so its event loop being busy or descheduled
                  does not count, but falling more than one chunk behind on a stream does
                  (chunks read together share the later chunk's stamp). The server's write
                  stamp is taken just before its send call, so a server descheduled between
                  the two counts against the client. Nothing else is excluded. The old
                  comparison against `received_ns` is printed beside it ("vs server read"),
                  with the server's read delay itself.
- ITL error     = measured token-weighted ITL percentile - true gap percentile
- throughput    = measured steady-state output tok/s vs tokens the server wrote inside the
                  same window (same clock), in %; "whole-run" compares the client's whole-run
                  tok/s (first send to last completion) with the server's (first request
                  handed to the kernel to last chunk written)
- client CPU    = whole-process CPU seconds (user + system, start-up included) of
                  `gpuatlas bench run` per 1,000 streamed tokens, server at full speed
                  (no delays), 64 streams, 1,280 requests of 256 tokens; "at the margin" is the
                  extra CPU of 2,560 requests over 1,280.

Set-up, as `gpuatlas bench run` does it by default: a warm-up of `concurrency` requests and
keep-alive connections opened before the measured timeline. With --pin (the default on a
machine with 2+ CPUs) the client runs on CPU 0 and the server on CPU 1, so neither steals the
other's core; other processes on the machine are not controlled. Each figure is the median of
--runs runs, with the spread (min..max) beside it.

Usage: python benchmarks/harness_accuracy.py [--quick] [--runs N] [--no-pin]
Prints figures; asserts nothing. Loopback only, Linux (kernel timestamps, CPU affinity).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import socket
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

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
from gpuatlas.statistics import weighted_quantile
from reference_process import stop, wait_until_serving

NS_PER_MS = 1e6
CLIENT_CPU, SERVER_CPU = 0, 1
Truth = dict[int, dict[str, Any]]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_reference(
    ttft_ms: float, itl_ms: float, pin: bool, batch_window_ms: float
) -> tuple[str, subprocess.Popen[bytes]]:
    port = free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gpuatlas.bench.reference_server",
            "--port",
            str(port),
            "--ttft-ms",
            str(ttft_ms),
            "--itl-ms",
            str(itl_ms),
            "--batch-window-ms",
            str(batch_window_ms),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    if pin:
        os.sched_setaffinity(process.pid, {SERVER_CPU})
    url = f"http://127.0.0.1:{port}"
    return wait_until_serving(url, process), process


@dataclass(frozen=True)
class Accuracy:
    concurrency: int
    requests: int
    ttft_error_mean_ms: float
    ttft_error_p50_ms: float
    ttft_error_p99_ms: float
    send_side_p50_ms: float
    send_side_p99_ms: float
    delivery_p50_ms: float
    delivery_p99_ms: float
    ttft_p99_measured_minus_true_ms: float
    itl_p50_error_ms: float
    itl_p99_error_ms: float
    throughput_error_pct: float
    whole_run_throughput_error_pct: float
    server_read_delay_p50_ms: float
    server_read_delay_p99_ms: float
    vs_server_read_error_p50_ms: float
    vs_server_read_error_p99_ms: float
    server_late_p99_ms: float


def _truth_by_index(url: str) -> Truth:
    records = httpx.get(url + "/stats", timeout=60).json()["requests"]
    truth = {}
    for record in records:
        found = re.search(r"Request (\d+) tag", record["prompt_head"])
        if found:
            truth[int(found.group(1))] = record
    return truth


def _handed_ns(record: dict[str, Any]) -> int:
    """When the request reached the server's socket (kernel stamp); a server without kernel
    stamps falls back to when it read the request, which counts its read delay as error."""
    arrived = record.get("arrived_ns")
    return int(arrived if arrived is not None else record["received_ns"])


def _server_tokens_in(truth: Truth, start_ns: int, end_ns: int, indices: set[int]) -> float:
    total = 0
    for index in indices:
        writes = np.asarray(truth[index]["writes_ns"])
        tokens = np.asarray(truth[index]["tokens"])
        total += int(tokens[(writes >= start_ns) & (writes <= end_ns)].sum())
    return float(total)


def _true_itl(truth: Truth, indices: set[int]) -> np.ndarray:
    gaps = [np.diff(np.asarray(truth[i]["writes_ns"])) / NS_PER_MS for i in indices]
    return np.concatenate([g for g in gaps if len(g)])


def _server_lateness(truth: Truth, indices: set[int], ttft_ms: float, itl_ms: float) -> float:
    late = []
    for index in indices:
        writes = np.asarray(truth[index]["writes_ns"])
        planned = truth[index]["received_ns"] + (ttft_ms + itl_ms * np.arange(len(writes))) * 1e6
        late.append((writes - planned) / NS_PER_MS)
    return float(np.quantile(np.concatenate(late), 0.99))


def _delivery_lag_ms(records: list[RequestRecord], truth: Truth) -> np.ndarray:
    """Client arrival stamp - server write, every token event (the receive side)."""
    lags = [
        (np.asarray(r.token_times_ns) - np.asarray(truth[r.index]["writes_ns"])) / NS_PER_MS
        for r in records
    ]
    return np.concatenate(lags)


def _whole_run_error_pct(records: list[RequestRecord], truth: Truth, indices: set[int]) -> float:
    """Client whole-run tok/s (first send to last completion) vs the server's own
    (first request handed to the kernel to last chunk written)."""
    window = whole_run_window(records)
    assert window is not None
    measured = sum(r.tokens for r in records if r.ok and not r.warmup) / window.seconds
    first = min(_handed_ns(truth[i]) for i in indices)
    last = max(truth[i]["writes_ns"][-1] for i in indices)
    true = sum(sum(truth[i]["tokens"]) for i in indices) / ((last - first) / 1e9)
    return 100.0 * (measured - true) / true


def _quantiles(values: np.ndarray) -> tuple[float, float]:
    return float(np.quantile(values, 0.5)), float(np.quantile(values, 0.99))


def _ttft_parts(good: list[RequestRecord], truth: Truth) -> dict[str, np.ndarray]:
    """Per request, in ms: measured TTFT, true TTFT and the pieces of the difference."""
    measured = np.array([request_metrics(r).ttft_ms for r in good], dtype=float)
    send = np.array([r.send_ns for r in good])
    handed = np.array([_handed_ns(truth[r.index]) for r in good])
    read = np.array([truth[r.index]["received_ns"] for r in good])
    first_write = np.array([truth[r.index]["writes_ns"][0] for r in good])
    return {
        "measured": measured,
        "true": (first_write - handed) / NS_PER_MS,
        "send_side": (handed - send) / NS_PER_MS,
        "read_delay": (read - handed) / NS_PER_MS,
        "vs_read": measured - (first_write - read) / NS_PER_MS,
    }


def measure_accuracy(
    url: str, concurrency: int, requests: int, output_tokens: int, ttft_ms: float, itl_ms: float
) -> Accuracy:
    spec = LoadSpec(
        endpoint=url,
        api="openai-completions",
        model=MODEL_NAME,
        input_tokens=64,
        output_tokens=output_tokens,
        concurrency=concurrency,
        requests=requests,
        warmup_requests=concurrency,
        seed=concurrency,
    )
    httpx.post(url + "/stats/reset")
    records: list[RequestRecord] = run_async(run_load(spec)).records
    truth = _truth_by_index(url)
    good = [r for r in records if r.ok and not r.warmup and r.index in truth]
    parts = _ttft_parts(good, truth)
    errors = parts["measured"] - parts["true"]
    indices = {r.index for r in good}
    itl_values, itl_weights = itl_values_and_weights(good)
    true_gaps = _true_itl(truth, indices)
    measured = [r for r in records if not r.warmup]
    window = steady_state_window(measured, concurrency) or whole_run_window(measured)
    assert window is not None
    measured_tokens = tokens_in_window(measured, window)
    true_tokens = _server_tokens_in(truth, window.start_ns, window.end_ns, indices)
    return Accuracy(
        concurrency,
        len(good),
        float(errors.mean()),
        *_quantiles(errors),
        *_quantiles(parts["send_side"]),
        *_quantiles(_delivery_lag_ms(good, truth)),
        ttft_p99_measured_minus_true_ms=float(
            np.quantile(parts["measured"], 0.99) - np.quantile(parts["true"], 0.99)
        ),
        itl_p50_error_ms=weighted_quantile(itl_values, itl_weights, 0.5)
        - float(np.quantile(true_gaps, 0.5)),
        itl_p99_error_ms=weighted_quantile(itl_values, itl_weights, 0.99)
        - float(np.quantile(true_gaps, 0.99)),
        throughput_error_pct=100.0 * (measured_tokens - true_tokens) / true_tokens,
        whole_run_throughput_error_pct=_whole_run_error_pct(measured, truth, indices),
        server_read_delay_p50_ms=_quantiles(parts["read_delay"])[0],
        server_read_delay_p99_ms=_quantiles(parts["read_delay"])[1],
        vs_server_read_error_p50_ms=_quantiles(parts["vs_read"])[0],
        vs_server_read_error_p99_ms=_quantiles(parts["vs_read"])[1],
        server_late_p99_ms=_server_lateness(truth, indices, ttft_ms, itl_ms),
    )


def client_cpu_seconds(url: str, requests: int, output_tokens: int) -> tuple[float, int]:
    """CPU (user + system) of a whole `gpuatlas bench run` process, and tokens it streamed."""
    with tempfile.TemporaryDirectory() as folder:
        target = Path(folder) / "result.json"
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        subprocess.run(
            [
                sys.executable,
                "-m",
                "gpuatlas.cli.bench_commands",
                "run",
                "llm-serving-qwen3-4b-c64",
                "--endpoint",
                url,
                "--model",
                MODEL_NAME,
                "--concurrency",
                "64",
                "--requests",
                str(requests),
                "--output-tokens",
                str(output_tokens),
                "--input-tokens",
                "64",
                "--repeats",
                "1",
                "--warmup",
                "0",
                "-o",
                str(target),
                "--json",
            ],
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        result = json.loads(target.read_text())
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    tokens = sum(s["output_tokens"] or 0 for s in result["samples"] if s["ok"])
    return cpu, tokens


@dataclass(frozen=True)
class CpuCost:
    all_in_ms_per_1k: float
    margin_ms_per_1k: float


def measure_cpu(base_requests: int, pin: bool, batch_window_ms: float) -> CpuCost:
    url, server = start_reference(0.0, 0.0, pin, batch_window_ms)
    try:
        cpu_1, tokens_1 = client_cpu_seconds(url, base_requests, 256)
        cpu_2, tokens_2 = client_cpu_seconds(url, 2 * base_requests, 256)
    finally:
        stop(server)
    return CpuCost(1e6 * cpu_1 / tokens_1, 1e6 * (cpu_2 - cpu_1) / max(1, tokens_2 - tokens_1))


COLUMNS = (
    ("TTFT err mean", "ttft_error_mean_ms"),
    ("p50", "ttft_error_p50_ms"),
    ("p99", "ttft_error_p99_ms"),
    ("send p50", "send_side_p50_ms"),
    ("send p99", "send_side_p99_ms"),
    ("deliver p50", "delivery_p50_ms"),
    ("deliver p99", "delivery_p99_ms"),
    ("TTFT p99 diff", "ttft_p99_measured_minus_true_ms"),
    ("ITL p50 err", "itl_p50_error_ms"),
    ("ITL p99 err", "itl_p99_error_ms"),
    ("tput err %", "throughput_error_pct"),
    ("whole-run %", "whole_run_throughput_error_pct"),
    ("read dly p50", "server_read_delay_p50_ms"),
    ("read dly p99", "server_read_delay_p99_ms"),
    ("vs-read p50", "vs_server_read_error_p50_ms"),
    ("vs-read p99", "vs_server_read_error_p99_ms"),
    ("srv late p99", "server_late_p99_ms"),
)


def print_accuracy(runs: list[list[Accuracy]], ttft_ms: float, itl_ms: float) -> None:
    print(
        f"\nAccuracy vs the reference server (schedule: TTFT {ttft_ms} ms, ITL {itl_ms} ms; "
        f"errors = measured - truth, ms unless %), median of {len(runs)} run(s), "
        "then min..max"
    )
    print(" | ".join(f"{h:>13}" for h in ("conc", "n", *(c[0] for c in COLUMNS))))
    for position, first in enumerate(runs[0]):
        rows = [run[position] for run in runs]
        values = [np.array([getattr(row, name) for row in rows]) for _, name in COLUMNS]
        medians = [f"{float(np.median(v)):>13.3f}" for v in values]
        spreads = [f"{f'{v.min():.2f}..{v.max():.2f}':>13}" for v in values]
        print(" | ".join([f"{first.concurrency:>13}", f"{first.requests:>13}", *medians]))
        print(" | ".join([f"{'':>13}", f"{'':>13}", *spreads]))


def print_cpu(costs: list[CpuCost], base_requests: int) -> None:
    all_in = np.array([c.all_in_ms_per_1k for c in costs])
    margin = np.array([c.margin_ms_per_1k for c in costs])
    print(
        "\nClient CPU (whole `gpuatlas bench run` process, start-up included), 64 streams, "
        "server at full speed:"
    )
    print(
        f"  {base_requests} requests x 256 tokens: {np.median(all_in):.1f} ms per 1,000 "
        f"tokens all in (runs {all_in.min():.1f}..{all_in.max():.1f})"
    )
    print(
        f"  at the margin ({2 * base_requests} vs {base_requests} requests): "
        f"{np.median(margin):.1f} ms per 1,000 tokens (runs {margin.min():.1f}.."
        f"{margin.max():.1f})"
    )


def one_run(plan: list[tuple[int, int]], pin: bool, batch_window_ms: float) -> list[Accuracy]:
    ttft_ms, itl_ms, output_tokens = 20.0, 10.0, 64
    url, server = start_reference(ttft_ms, itl_ms, pin, batch_window_ms)
    try:
        return [measure_accuracy(url, c, n, output_tokens, ttft_ms, itl_ms) for c, n in plan]
    finally:
        stop(server)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer requests (smoke run)")
    parser.add_argument("--runs", type=int, default=3, help="runs; medians are reported")
    parser.add_argument(
        "--no-pin",
        dest="pin",
        action="store_false",
        help="leave client and server to the scheduler (no CPU affinity)",
    )
    parser.add_argument(
        "--batch-window-ms",
        type=float,
        default=0.5,
        help="the reference server's write batching window",
    )
    args = parser.parse_args()
    pin = args.pin and len(os.sched_getaffinity(0)) >= 2
    if pin:
        os.sched_setaffinity(0, {CLIENT_CPU})
    plan = [
        (1, 20 if args.quick else 100),
        (64, 128 if args.quick else 640),
        (256, 512 if args.quick else 1280),
    ]
    base_requests = 320 if args.quick else 1280
    runs, costs = [], []
    for _ in range(args.runs):
        runs.append(one_run(plan, pin, args.batch_window_ms))
        costs.append(measure_cpu(base_requests, pin, args.batch_window_ms))
    print(f"(client on CPU {CLIENT_CPU}, server on CPU {SERVER_CPU})" if pin else "(not pinned)")
    print_accuracy(runs, 20.0, 10.0)
    print_cpu(costs, base_requests)
    print("\nvllm bench serve / GuideLLM / AIPerf side by side: benchmarks/harness_vs_tools.py.")


if __name__ == "__main__":
    main()
