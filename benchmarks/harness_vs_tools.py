"""gpuatlas vs `vllm bench serve`, GuideLLM and AIPerf, on the same reference server, same run.

Each client runs as its own process (its own virtual environment under
~/.cache/gpuatlas/tool-envs/<tool>, made by benchmarks/tools_env/setup_envs.sh) against the
reference server (gpuatlas.bench.reference_server, a subprocess on 127.0.0.1), with the same
settings: the model the server serves, fixed input/output lengths, ignore_eos, streaming
completions, fixed concurrency, no warm-up. After each run the script reads the tool's own
result file (with the importers of gpuatlas.bench.importers) and the server's record of what
it actually did (GET /stats: when it read each request, when it wrote each chunk), and prints

- TTFT mean / p50 / p99 error   = tool's figure - the same statistic of the true TTFTs
                                  (first chunk written - request read), ms
- ITL p99 error                 = tool's per-chunk ITL p99 - p99 of the true gaps (vllm,
                                  gpuatlas; GuideLLM and AIPerf report no per-gap ITL)
- TPOT p99 error                = tool's per-request TPOT p99 (GuideLLM and AIPerf call it
                                  "inter-token latency") - p99 of true (last - first) / (n - 1)
- output throughput error       = tool's output tok/s vs the server's whole run (tokens
                                  written / first request read to last chunk written), %
- client CPU                    = CPU seconds (user + system) of the tool's whole process tree,
                                  start-up included, per 1,000 streamed tokens, server at full
                                  speed (no delays), 64 streams, 1,280 requests x 256 tokens;
                                  "at the margin" = extra CPU of 2x the requests / extra tokens

Statistics are compared distribution to distribution (the other tools' prompts carry no request
index, so requests cannot be paired one by one; benchmarks/harness_accuracy.py does the paired
comparison for gpuatlas). Requests the server saw beyond those the tool was asked to measure
(a tool's own test or warm-up request) are left out of the truth: the earliest ones go.

Usage: python benchmarks/harness_vs_tools.py [--tools gpuatlas,vllm,guidellm,aiperf]
       [--concurrency 1,64,256] [--no-cpu] [--no-margin] [--quick] [--out FILE]
Prints one table; asserts nothing. Loopback only. Bounded: every tool run has a timeout and the
whole script a budget (--budget-s, default 900); what does not fit is reported as skipped.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import httpx
import numpy as np

from gpuatlas.bench.importers import import_file
from gpuatlas.bench.reference_server import MODEL_NAME
from gpuatlas.records.result import BenchResult, load_result
from reference_process import stop, wait_until_serving

HERE = Path(__file__).resolve().parent
TOOLS_ENV = HERE / "tools_env"
DEFAULT_ENVS = Path.home() / ".cache" / "gpuatlas" / "tool-envs"
ALL_TOOLS = ("gpuatlas", "vllm", "guidellm", "aiperf")
NS_PER_MS = 1e6
INPUT_TOKENS = 64


@dataclass(frozen=True)
class Workload:
    concurrency: int
    requests: int
    input_tokens: int
    output_tokens: int
    seed: int = 0


@dataclass(frozen=True)
class Context:
    url: str
    workdir: Path
    envs: Path
    tokenizer: Path


# --- the tools' command lines -----------------------------------------------------------


def env_bin(context: Context, tool: str, program: str) -> str:
    return str(context.envs / tool / "bin" / program)


def gpuatlas_command(context: Context, load: Workload, out: Path) -> list[str]:
    return [
        sys.executable,
        "-m",
        "gpuatlas.cli.bench_commands",
        "run",
        "llm-serving-qwen3-4b-c64",
        "--endpoint",
        context.url,
        "--model",
        MODEL_NAME,
        "--api",
        "openai-completions",
        "--concurrency",
        str(load.concurrency),
        "--requests",
        str(load.requests),
        "--input-tokens",
        str(load.input_tokens),
        "--output-tokens",
        str(load.output_tokens),
        "--repeats",
        "1",
        "--warmup",
        "0",
        "--seed",
        str(load.seed),
        "-o",
        str(out / "gpuatlas.json"),
        "--json",
    ]


def vllm_command(context: Context, load: Workload, out: Path) -> list[str]:
    return [
        env_bin(context, "vllm", "vllm"),
        "bench",
        "serve",
        "--backend",
        "openai",
        "--base-url",
        context.url,
        "--endpoint",
        "/v1/completions",
        "--model",
        MODEL_NAME,
        "--tokenizer",
        str(context.tokenizer),
        "--dataset-name",
        "random",
        "--random-input-len",
        str(load.input_tokens),
        "--random-output-len",
        str(load.output_tokens),
        "--random-range-ratio",
        "0",
        "--num-prompts",
        str(load.requests),
        "--max-concurrency",
        str(load.concurrency),
        "--request-rate",
        "inf",
        "--ignore-eos",
        "--seed",
        str(load.seed),
        "--percentile-metrics",
        "ttft,tpot,itl,e2el",
        "--metric-percentiles",
        "50,90,99",
        "--save-result",
        "--result-dir",
        str(out),
        "--result-filename",
        "vllm.json",
        "--disable-tqdm",
    ]


def guidellm_scenario(context: Context, load: Workload, out: Path) -> dict[str, Any]:
    """GuideLLM 0.8 takes nested settings; a scenario file (its -c) holds them."""
    return {
        "spec": {
            "backend": {
                "kind": "openai_http",
                "target": context.url,
                "model": MODEL_NAME,
                "request_format": "/v1/completions",
                # its check is GET /health, which the reference server does not serve
                "validate_backend": False,
            },
            "profile": {"kind": "concurrent", "streams": load.concurrency},
            "data": [
                {
                    "kind": "synthetic_text",
                    "prompt_tokens": load.input_tokens,
                    "output_tokens": load.output_tokens,
                }
            ],
            "tokenizer": {"kind": "hf_auto", "model": str(context.tokenizer)},
            "constraints": [{"kind": "max_requests", "count": load.requests}],
            "seed": {"kind": "static", "value": load.seed},
            "outputs": [{"kind": "json", "path": str(out / "guidellm.json")}],
        }
    }


def guidellm_command(context: Context, load: Workload, out: Path) -> list[str]:
    scenario = out / "guidellm-scenario.json"
    scenario.write_text(json.dumps(guidellm_scenario(context, load, out)))
    return [
        env_bin(context, "guidellm", "guidellm"),
        "run",
        "-c",
        str(scenario),
        "--disable-progress",
    ]


def aiperf_command(context: Context, load: Workload, out: Path) -> list[str]:
    # AIPerf asks for the length with max_completion_tokens; the server (like many) reads
    # max_tokens, so it goes in --extra-inputs too. Server metrics and GPU telemetry off:
    # the lightest client configuration.
    return [
        env_bin(context, "aiperf", "aiperf"),
        "profile",
        "--model",
        MODEL_NAME,
        "--url",
        context.url,
        "--endpoint-type",
        "completions",
        "--streaming",
        "--tokenizer",
        str(context.tokenizer),
        "--isl",
        str(load.input_tokens),
        "--isl-stddev",
        "0",
        "--osl",
        str(load.output_tokens),
        "--osl-stddev",
        "0",
        "--extra-inputs",
        f"max_tokens:{load.output_tokens}",
        "ignore_eos:true",
        "--concurrency",
        str(load.concurrency),
        "--request-count",
        str(load.requests),
        "--random-seed",
        str(load.seed),
        "--artifact-dir",
        str(out / "aiperf"),
        "--ui-type",
        "none",
        "--no-server-metrics",
        "--no-gpu-telemetry",
    ]


CommandBuilder = Callable[[Context, Workload, Path], list[str]]
COMMANDS: dict[str, CommandBuilder] = {
    "gpuatlas": gpuatlas_command,
    "vllm": vllm_command,
    "guidellm": guidellm_command,
    "aiperf": aiperf_command,
}
RESULT_FILES = {
    "gpuatlas": "gpuatlas.json",
    "vllm": "vllm.json",
    "guidellm": "guidellm.json",
    "aiperf": "aiperf/profile_export_aiperf.json",
}


# --- what each tool reported -------------------------------------------------------------


@dataclass(frozen=True)
class Reported:
    completed: int
    ttft_mean_ms: float | None
    ttft_p50_ms: float | None
    ttft_p99_ms: float | None
    itl_p99_ms: float | None
    tpot_p99_ms: float | None
    output_tok_s: float | None


def _metric(result: BenchResult, name: str, statistic: str) -> float | None:
    summary = result.metrics.get(name)
    return None if summary is None else getattr(summary, statistic)


def load_tool_result(tool: str, out: Path) -> BenchResult:
    path = out / RESULT_FILES[tool]
    if tool == "gpuatlas":
        return load_result(path)
    return import_file(path, tool)[0]


def aiperf_chunk_itl_p99(out: Path) -> float | None:
    """AIPerf's per-chunk gaps (inter_chunk_latency), which its importer does not carry."""
    document = json.loads((out / RESULT_FILES["aiperf"]).read_text())
    value = (document.get("inter_chunk_latency") or {}).get("p99")
    return float(value) if isinstance(value, int | float) else None


def reported_figures(tool: str, out: Path) -> Reported:
    result = load_tool_result(tool, out)
    itl_p99 = aiperf_chunk_itl_p99(out) if tool == "aiperf" else _metric(result, "itl_ms", "p99")
    throughput = "output_tok_s_whole_run" if tool == "gpuatlas" else "output_tok_s"
    ttft = result.metrics.get("ttft_ms")
    return Reported(
        completed=0 if ttft is None else ttft.n,
        ttft_mean_ms=_metric(result, "ttft_ms", "mean"),
        ttft_p50_ms=_metric(result, "ttft_ms", "median"),
        ttft_p99_ms=_metric(result, "ttft_ms", "p99"),
        itl_p99_ms=itl_p99,
        tpot_p99_ms=_metric(result, "tpot_ms", "p99"),
        output_tok_s=_metric(result, throughput, "mean"),
    )


# --- what the server actually did ---------------------------------------------------------


@dataclass(frozen=True)
class Truth:
    requests: int
    extra_requests: int
    tokens_written: int
    ttft_mean_ms: float
    ttft_p50_ms: float
    ttft_p99_ms: float
    itl_p99_ms: float
    tpot_p99_ms: float
    output_tok_s: float


def server_records(url: str) -> list[dict[str, Any]]:
    records = httpx.get(url + "/stats", timeout=120).json()["requests"]
    return sorted(records, key=arrival_ns)


def arrival_ns(record: dict[str, Any]) -> int:
    """When the request reached the server's socket (kernel receive stamp), else when the server
    read it. The server reading late is part of the true TTFT, for every client alike."""
    return int(record.get("arrived_ns") or record["received_ns"])


def truth_of(records: list[dict[str, Any]], wanted: int) -> Truth:
    served = [r for r in records if r["writes_ns"]]
    kept = served[-wanted:]
    ttft = np.array([(r["writes_ns"][0] - arrival_ns(r)) / NS_PER_MS for r in kept])
    gaps = np.concatenate([np.diff(r["writes_ns"]) / NS_PER_MS for r in kept])
    tpot = np.array(
        [
            (r["writes_ns"][-1] - r["writes_ns"][0])
            / NS_PER_MS
            / max(1, sum(r["tokens"]) - r["tokens"][0])
            for r in kept
        ]
    )
    tokens = sum(sum(r["tokens"]) for r in kept)
    span_ns = max(r["writes_ns"][-1] for r in kept) - arrival_ns(kept[0])
    return Truth(
        requests=len(kept),
        extra_requests=len(records) - len(kept),
        tokens_written=sum(sum(r["tokens"]) for r in records),
        ttft_mean_ms=float(ttft.mean()),
        ttft_p50_ms=float(np.quantile(ttft, 0.5)),
        ttft_p99_ms=float(np.quantile(ttft, 0.99)),
        itl_p99_ms=float(np.quantile(gaps, 0.99)),
        tpot_p99_ms=float(np.quantile(tpot, 0.99)),
        output_tok_s=tokens / (span_ns / 1e9),
    )


# --- running one tool ----------------------------------------------------------------------


@dataclass(frozen=True)
class ToolRun:
    tool: str
    load: Workload
    returncode: int
    cpu_s: float
    wall_s: float
    stragglers: int
    log_tail: str


def tool_environment(tool: str) -> dict[str, str]:
    environment = dict(os.environ)
    environment.update(
        {
            "NO_PROXY": "127.0.0.1,localhost",
            "no_proxy": "127.0.0.1,localhost",
            "TOKENIZERS_PARALLELISM": "false",
        }
    )
    if tool != "aiperf":  # AIPerf 0.13 in offline mode looks a local path up in the Hub cache
        environment.update(
            {"HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1"}
        )
    return environment


def run_tool(tool: str, context: Context, load: Workload, out: Path, timeout_s: float) -> ToolRun:
    out.mkdir(parents=True, exist_ok=True)
    report, log = out / "cpu.json", out / "tool.log"
    wrapper = [
        sys.executable,
        str(TOOLS_ENV / "cpu_wrapper.py"),
        "--report",
        str(report),
        "--timeout-s",
        str(timeout_s),
        "--",
    ]
    with log.open("wb") as sink:
        subprocess.run(
            wrapper + COMMANDS[tool](context, load, out),
            stdout=sink,
            stderr=subprocess.STDOUT,
            cwd=out,
            env=tool_environment(tool),
            timeout=timeout_s + 60,
            check=False,
        )
    usage = json.loads(report.read_text())
    tail = log.read_text(errors="replace")[-1500:]
    return ToolRun(
        tool,
        load,
        int(usage["returncode"]),
        float(usage["cpu_s"]),
        float(usage["wall_s"]),
        int(usage["stragglers"]),
        tail,
    )


# --- the reference server -------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_reference(ttft_ms: float, itl_ms: float) -> tuple[str, subprocess.Popen[bytes]]:
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
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    return wait_until_serving(url, process), process


# --- the comparison --------------------------------------------------------------------------


@dataclass
class Row:
    tool: str
    concurrency: int
    requests: int
    status: str = "ok"
    reason: str = ""
    figures: dict[str, float | int | None] = field(default_factory=dict)


def _difference(measured: float | None, true: float) -> float | None:
    return None if measured is None else measured - true


def accuracy_figures(reported: Reported, truth: Truth, run: ToolRun) -> dict[str, Any]:
    throughput_error = (
        None
        if reported.output_tok_s is None
        else (100.0 * (reported.output_tok_s - truth.output_tok_s) / truth.output_tok_s)
    )
    return {
        "completed": reported.completed,
        "server_requests": truth.requests,
        "extra_requests": truth.extra_requests,
        "ttft_mean_err_ms": _difference(reported.ttft_mean_ms, truth.ttft_mean_ms),
        "ttft_p50_err_ms": _difference(reported.ttft_p50_ms, truth.ttft_p50_ms),
        "ttft_p99_err_ms": _difference(reported.ttft_p99_ms, truth.ttft_p99_ms),
        "itl_p99_err_ms": _difference(reported.itl_p99_ms, truth.itl_p99_ms),
        "tpot_p99_err_ms": _difference(reported.tpot_p99_ms, truth.tpot_p99_ms),
        "output_tok_s_err_pct": throughput_error,
        "true_ttft_mean_ms": truth.ttft_mean_ms,
        "true_ttft_p99_ms": truth.ttft_p99_ms,
        "true_itl_p99_ms": truth.itl_p99_ms,
        "true_output_tok_s": truth.output_tok_s,
        "reported_output_tok_s": reported.output_tok_s,
        "cpu_ms_per_1k_tokens": 1e6 * run.cpu_s / max(1, truth.tokens_written),
        "wall_s": run.wall_s,
    }


def failed_row(tool: str, load: Workload, run: ToolRun | None, reason: str) -> Row:
    detail = reason if run is None else f"{reason}; exit {run.returncode}; log: {run.log_tail}"
    return Row(tool, load.concurrency, load.requests, "failed", detail.strip())


def measure(tool: str, context: Context, load: Workload, timeout_s: float) -> tuple[Row, Any]:
    """One tool run against the server; the row, and (cpu_s, tokens written, wall_s)."""
    httpx.post(context.url + "/stats/reset", timeout=30)
    out = context.workdir / f"{tool}-c{load.concurrency}-n{load.requests}-o{load.output_tokens}"
    run = run_tool(tool, context, load, out, timeout_s)
    records = server_records(context.url)
    if run.returncode != 0 or not any(r["writes_ns"] for r in records):
        return failed_row(tool, load, run, "tool run failed"), None
    try:
        reported = reported_figures(tool, out)
    except Exception as error:  # any unreadable result file is reported, not fatal
        return failed_row(tool, load, run, f"result file: {error}"), None
    truth = truth_of(records, load.requests)
    row = Row(tool, load.concurrency, load.requests, figures=accuracy_figures(reported, truth, run))
    return row, (run.cpu_s, truth.tokens_written, run.wall_s)


# --- plan, budget, output ---------------------------------------------------------------------


@dataclass
class Budget:
    deadline: float

    def left_s(self) -> float:
        return self.deadline - time.monotonic()


def accuracy_plan(concurrencies: list[int], quick: bool) -> list[Workload]:
    requests = {1: 10 if quick else 30, 64: 128 if quick else 640, 256: 512 if quick else 1280}
    return [Workload(c, requests.get(c, 5 * c), INPUT_TOKENS, 64, seed=c) for c in concurrencies]


def run_accuracy(
    tools: list[str], context: Context, plan: list[Workload], budget: Budget, per_run_s: float
) -> list[Row]:
    rows = []
    for load in plan:
        for tool in tools:
            if budget.left_s() < 30:
                rows.append(
                    Row(tool, load.concurrency, load.requests, "skipped", "time budget spent")
                )
                continue
            row, _ = measure(tool, context, load, min(per_run_s, budget.left_s()))
            rows.append(row)
            print(
                f"  {tool:>9} c={load.concurrency:<4} {row.status} "
                f"{row.reason[:200] if row.reason else ''}",
                flush=True,
            )
    return rows


def cpu_row(tool: str, base: Any, double: Any, requests: int) -> Row:
    cpu_1, tokens_1, wall_1 = base
    figures: dict[str, Any] = {
        "cpu_s": cpu_1,
        "tokens": tokens_1,
        "wall_s": wall_1,
        "cpu_ms_per_1k_tokens": 1e6 * cpu_1 / tokens_1,
    }
    if double is not None:
        cpu_2, tokens_2, wall_2 = double
        figures.update(
            {
                "cpu_s_2x": cpu_2,
                "tokens_2x": tokens_2,
                "wall_s_2x": wall_2,
                "cpu_ms_per_1k_tokens_margin": 1e6 * (cpu_2 - cpu_1) / max(1, tokens_2 - tokens_1),
            }
        )
    return Row(tool, 64, requests, figures=figures)


def run_cpu(
    tools: list[str],
    context: Context,
    requests: int,
    margin: bool,
    budget: Budget,
    per_run_s: float,
) -> list[Row]:
    rows = []
    for tool in tools:
        if budget.left_s() < 30:
            rows.append(Row(tool, 64, requests, "skipped", "time budget spent"))
            continue
        load = Workload(64, requests, INPUT_TOKENS, 256, seed=7)
        row, base = measure(tool, context, load, min(per_run_s, budget.left_s()))
        double = None
        if base is not None and margin and budget.left_s() > 30:
            twice = Workload(64, 2 * requests, INPUT_TOKENS, 256, seed=8)
            _, double = measure(tool, context, twice, min(2 * per_run_s, budget.left_s()))
        rows.append(row if base is None else cpu_row(tool, base, double, requests))
        print(f"  {tool:>9} cpu {rows[-1].status} {rows[-1].reason[:200]}", flush=True)
    return rows


PACKAGES = {"gpuatlas": "gpuatlas", "vllm": "vllm", "guidellm": "guidellm", "aiperf": "aiperf"}


def tool_version(tool: str, envs: Path) -> str:
    python = sys.executable if tool == "gpuatlas" else str(envs / tool / "bin" / "python")
    probe = f"import importlib.metadata as m; print(m.version({PACKAGES[tool]!r}))"
    try:
        done = subprocess.run(
            [python, "-c", probe], capture_output=True, text=True, timeout=60, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        return f"not installed ({error})"
    return done.stdout.strip() or f"not installed ({done.stderr.strip()[-200:]})"


ACCURACY_COLUMNS = (
    ("n", "completed", "{:.0f}"),
    ("extra", "extra_requests", "{:.0f}"),
    ("TTFT mean err", "ttft_mean_err_ms", "{:+.2f}"),
    ("TTFT p50 err", "ttft_p50_err_ms", "{:+.2f}"),
    ("TTFT p99 err", "ttft_p99_err_ms", "{:+.2f}"),
    ("ITL p99 err", "itl_p99_err_ms", "{:+.2f}"),
    ("TPOT p99 err", "tpot_p99_err_ms", "{:+.3f}"),
    ("tok/s err %", "output_tok_s_err_pct", "{:+.2f}"),
    ("CPU ms/1k tok", "cpu_ms_per_1k_tokens", "{:.1f}"),
    ("wall s", "wall_s", "{:.1f}"),
)


def _cell(value: Any, pattern: str) -> str:
    return "–" if value is None else pattern.format(value)


def print_accuracy(rows: list[Row], ttft_ms: float, itl_ms: float) -> None:
    print(
        f"\nAccuracy vs the reference server's record (schedule TTFT {ttft_ms} ms, ITL "
        f"{itl_ms} ms, {INPUT_TOKENS} in / 64 out tokens; error = tool's figure - truth, ms)"
    )
    header = ["tool", "conc"] + [name for name, _, _ in ACCURACY_COLUMNS]
    print(" | ".join(f"{h:>13}" for h in header))
    for row in rows:
        if row.status != "ok":
            print(f"{row.tool:>13} | {row.concurrency:>13} | {row.status}: {row.reason[:300]}")
            continue
        cells = [_cell(row.figures.get(key), pattern) for _, key, pattern in ACCURACY_COLUMNS]
        print(" | ".join(f"{c:>13}" for c in [row.tool, str(row.concurrency)] + cells))


def print_cpu(rows: list[Row], requests: int) -> None:
    print(
        f"\nClient CPU, whole process tree, start-up included (server at full speed, "
        f"64 streams, {requests} requests x 256 tokens; margin = 2x requests vs 1x)"
    )
    print(
        " | ".join(
            f"{h:>15}"
            for h in ("tool", "CPU s", "tokens", "wall s", "ms/1k all in", "ms/1k margin")
        )
    )
    for row in rows:
        if row.status != "ok":
            print(f"{row.tool:>15} | {row.status}: {row.reason[:300]}")
            continue
        f = row.figures
        cells = [
            row.tool,
            _cell(f.get("cpu_s"), "{:.2f}"),
            _cell(f.get("tokens"), "{:.0f}"),
            _cell(f.get("wall_s"), "{:.1f}"),
            _cell(f.get("cpu_ms_per_1k_tokens"), "{:.1f}"),
            _cell(f.get("cpu_ms_per_1k_tokens_margin"), "{:.1f}"),
        ]
        print(" | ".join(f"{c:>15}" for c in cells))


def parse_arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tools", default=",".join(ALL_TOOLS))
    parser.add_argument("--concurrency", default="1,64,256")
    parser.add_argument("--ttft-ms", type=float, default=20.0)
    parser.add_argument("--itl-ms", type=float, default=10.0)
    parser.add_argument("--cpu-requests", type=int, default=1280)
    parser.add_argument("--no-cpu", action="store_true", help="skip the client CPU runs")
    parser.add_argument("--no-margin", action="store_true", help="skip the 2x CPU runs")
    parser.add_argument("--quick", action="store_true", help="fewer requests (smoke run)")
    parser.add_argument("--budget-s", type=float, default=900.0, help="whole-script budget")
    parser.add_argument("--per-run-s", type=float, default=180.0, help="one tool run at most")
    parser.add_argument("--envs", type=Path, default=DEFAULT_ENVS)
    parser.add_argument("--keep", type=Path, default=None, help="keep tool outputs here")
    parser.add_argument("--out", type=Path, default=None, help="write the table as JSON")
    return parser.parse_args()


def available_tools(wanted: list[str], envs: Path) -> tuple[list[str], list[Row]]:
    ready, missing = [], []
    for tool in wanted:
        program = envs / tool / "bin" / tool
        if tool == "gpuatlas" or program.exists():
            ready.append(tool)
        else:
            missing.append(
                Row(
                    tool,
                    0,
                    0,
                    "skipped",
                    f"{program} not found (run benchmarks/tools_env/setup_envs.sh)",
                )
            )
    return ready, missing


def run_all(
    args: argparse.Namespace, tools: list[str], workdir: Path
) -> tuple[list[Row], list[Row]]:
    from make_tokenizer import write_tokenizer  # benchmarks/tools_env, stdlib only

    budget = Budget(time.monotonic() + args.budget_s)
    tokenizer = write_tokenizer(workdir / "tokenizer")
    concurrencies = [int(c) for c in args.concurrency.split(",") if c.strip()]
    url, server = start_reference(args.ttft_ms, args.itl_ms)
    try:
        context = Context(url, workdir, args.envs, tokenizer)
        accuracy = run_accuracy(
            tools, context, accuracy_plan(concurrencies, args.quick), budget, args.per_run_s
        )
    finally:
        stop(server)
    if args.no_cpu:
        return accuracy, []
    requests = 320 if args.quick else args.cpu_requests
    url, server = start_reference(0.0, 0.0)
    try:
        context = Context(url, workdir, args.envs, tokenizer)
        cpu = run_cpu(tools, context, requests, not args.no_margin, budget, args.per_run_s)
    finally:
        stop(server)
    return accuracy, cpu


def main() -> None:
    args = parse_arguments()
    sys.path.insert(0, str(TOOLS_ENV))
    wanted = [t.strip() for t in args.tools.split(",") if t.strip()]
    tools, missing = available_tools(wanted, args.envs)
    versions = {tool: tool_version(tool, args.envs) for tool in wanted}
    print("versions:", json.dumps(versions), flush=True)
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="harness-vs-tools-") as folder:
        workdir = args.keep or Path(folder)
        accuracy, cpu = run_all(args, tools, workdir)
    print_accuracy(missing + accuracy, args.ttft_ms, args.itl_ms)
    if cpu:
        print_cpu(cpu, 320 if args.quick else args.cpu_requests)
    print(f"\ntotal {time.monotonic() - started:.0f} s")
    if args.out:
        document = {
            "schedule": {"ttft_ms": args.ttft_ms, "itl_ms": args.itl_ms},
            "versions": versions,
            "machine_cpus": os.cpu_count(),
            "accuracy": [asdict(r) for r in missing + accuracy],
            "cpu": [asdict(r) for r in cpu],
        }
        args.out.write_text(json.dumps(document, indent=2))
        print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
