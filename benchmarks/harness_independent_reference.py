"""gpuatlas's TTFT error against an INDEPENDENT reference server, with the truth from the wire.

The server is AIPerf's mock server (OpenAI-compatible, FastAPI on uvicorn, configurable TTFT
and ITL; from AIPerf's repository, tests/aiperf_mock_server: none of its code is this
project's). It does not record what it did, so the truth comes from a packet capture
(tcpdump on the loopback interface, kernel stamps, benchmarks/pcap_truth.py): when each
request's last byte reached the server and when the packet with its first token left.

For each setting (http / https, client and server pinned to separate cores or not, each
concurrency) it runs the mock server, tcpdump and `gpuatlas bench run`, and prints
- the server's own TTFT on the wire minus its configured TTFT (how well it keeps its schedule);
- gpuatlas's TTFT error = its TTFT minus the wire's, per request (paired by the request tag in
  each prompt in the clear; under TLS, where the capture cannot be read, by the order requests
  were written, and the first token is found by counting TLS records) and as distributions.

The project's own reference server (gpuatlas.bench.reference_server) is measured the same way,
in the clear, beside it (--servers).

Usage: python benchmarks/harness_independent_reference.py [--concurrency 1,64]
       [--modes http,https] [--pinning unpinned,pinned] [--servers aiperf-mock,own]
       [--ttft-ms 20] [--itl-ms 10] [--out F]
Needs root and tcpdump (apt-get install tcpdump), openssl, and the mock server's venv:
bash benchmarks/tools_env/setup_envs.sh aiperf-mock (with AIPERF_MOCK_SERVER_SOURCE set to a
checkout's tests/aiperf_mock_server). Prints a table; asserts nothing. Loopback only.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import httpx
import numpy as np

from gpuatlas.records.result import load_result
from pcap_truth import (
    Exchange,
    RecordCounts,
    connections,
    plain_exchanges,
    record_counts,
    tls_exchanges,
)

DEFAULT_ENV = Path.home() / ".cache" / "gpuatlas" / "tool-envs" / "aiperf-mock"
MODEL = "reference-model"
INPUT_TOKENS = OUTPUT_TOKENS = 64
REQUESTS = {1: 40, 64: 640}
REQUEST_TAG = re.compile(rb"Request (\d+) tag")
SERVER_CORE, CLIENT_CORE = "0", "1"


@dataclass(frozen=True)
class Setting:
    tls: bool
    pinned: bool
    concurrency: int
    server: str = "aiperf-mock"  # or "own": gpuatlas.bench.reference_server (in the clear)

    @property
    def label(self) -> str:
        return (
            f"{self.server} {'https' if self.tls else 'http'} "
            f"{'pinned' if self.pinned else 'unpinned'} c={self.concurrency}"
        )


@dataclass
class Row:
    setting: str
    status: str = "ok"
    reason: str = ""
    figures: dict[str, Any] = field(default_factory=dict)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def pinned(command: list[str], core: str, pin: bool) -> list[str]:
    return ["taskset", "-c", core, *command] if pin else command


def make_certificate(folder: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 (its own CA for the client's --ca-cert)."""
    key, cert = folder / "key.pem", folder / "cert.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
            "-keyout",
            str(key),
            "-out",
            str(cert),
            "-days",
            "1",
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1,DNS:localhost",
        ],
        check=True,
        capture_output=True,
    )
    return key, cert


def server_command(
    env: Path,
    port: int,
    setting: Setting,
    ttft_ms: float,
    itl_ms: float,
    tls_files: tuple[Path, Path],
) -> list[str]:
    if setting.server == "own":
        return [
            sys.executable,
            "-m",
            "gpuatlas.bench.reference_server",
            "--port",
            str(port),
            "--ttft-ms",
            str(ttft_ms),
            "--itl-ms",
            str(itl_ms),
        ]
    command = [
        str(env / "bin" / "python"),
        "-m",
        "uvicorn",
        "aiperf_mock_server.app:asgi_app",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--log-level",
        "warning",
    ]
    if setting.tls:
        command += ["--ssl-keyfile", str(tls_files[0]), "--ssl-certfile", str(tls_files[1])]
    return command


def start_server(
    env: Path,
    port: int,
    setting: Setting,
    ttft_ms: float,
    itl_ms: float,
    tls_files: tuple[Path, Path],
) -> tuple[str, subprocess.Popen[bytes]]:
    command = server_command(env, port, setting, ttft_ms, itl_ms, tls_files)
    variables = {
        **os.environ,
        "MOCK_SERVER_TTFT": str(ttft_ms),
        "MOCK_SERVER_ITL": str(itl_ms),
        "MOCK_SERVER_LOG_LEVEL": "WARNING",
        "MOCK_SERVER_NO_TOKENIZER": "true",
        "MOCK_SERVER_DCGM_AUTO_LOAD": "false",
    }  # no Hub download, no GPU faking
    process = subprocess.Popen(
        pinned(command, SERVER_CORE, setting.pinned),
        env=variables,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"{'https' if setting.tls else 'http'}://127.0.0.1:{port}"
    for _ in range(300):
        try:
            httpx.get(url + "/v1/models", timeout=1, verify=False)
            return url, process
        except httpx.HTTPError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError(f"the {setting.server} server did not start")


def start_capture(pcap: Path, port: int, pin: bool) -> subprocess.Popen[bytes]:
    command = [
        "tcpdump",
        "-i",
        "lo",
        "-w",
        str(pcap),
        "-s",
        "0",
        "-B",
        "65536",
        "-U",
        "--time-stamp-precision=nano",
        f"tcp port {port}",
    ]
    process = subprocess.Popen(
        pinned(command, SERVER_CORE, pin), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    assert process.stderr is not None
    line = process.stderr.readline().decode(errors="replace")  # "listening on lo, ..."
    if "listening" not in line:
        process.kill()
        raise RuntimeError(f"tcpdump did not start: {line.strip()}")
    return process


def stop_capture(process: subprocess.Popen[bytes]) -> int:
    """Stop tcpdump; the packets the kernel dropped (they would be missing from the truth)."""
    time.sleep(0.3)
    process.send_signal(signal.SIGINT)
    _, errors = process.communicate(timeout=30)
    dropped = re.search(rb"(\d+) packets? dropped by kernel", errors)
    return int(dropped.group(1)) if dropped else -1


def client_command(url: str, setting: Setting, out: Path, ca_cert: Path) -> list[str]:
    command = [
        sys.executable,
        "-m",
        "gpuatlas.cli.bench_commands",
        "run",
        "llm-serving-qwen3-4b-c64",
        "--endpoint",
        url,
        "--model",
        MODEL,
        "--api",
        "openai-completions",
        "--concurrency",
        str(setting.concurrency),
        "--requests",
        str(REQUESTS.get(setting.concurrency, 10 * setting.concurrency)),
        "--input-tokens",
        str(INPUT_TOKENS),
        "--output-tokens",
        str(OUTPUT_TOKENS),
        "--repeats",
        "1",
        "--warmup",
        "0",
        "--seed",
        "0",
        "--tokenizer",
        "none",
        "-o",
        str(out),
        "--json",
    ]
    if setting.tls:
        command += ["--ca-cert", str(ca_cert)]
    return pinned(command, CLIENT_CORE, setting.pinned)


def client_ttfts(out: Path) -> dict[int, float]:
    """The client's TTFT (ms) of each successful measured request, by request index."""
    result = load_result(out)
    return {
        s.index: s.ttft_ms
        for s in result.samples
        if s.ok and not s.warmup and s.ttft_ms is not None
    }


def client_send_order(out: Path) -> list[int]:
    """The indices of the measured requests in the order the client wrote them (the order
    they crossed the wire: one event loop writes them one after another)."""
    samples = [s for s in load_result(out).samples if not s.warmup]
    return [
        s.index
        for s in sorted(samples, key=lambda s: (s.scheduled_ms or 0.0) + (s.send_lag_ms or 0.0))
    ]


def wire_ttfts_in_order(exchanges: list[Exchange], order: list[int]) -> dict[int, float]:
    """Under TLS (nothing readable): the last len(order) requests on the wire, in time
    order, are the client's measured requests in the order it wrote them."""
    timed = sorted((e.request_ns, e.first_token_ns) for e in exchanges)[-len(order) :]
    return {
        index: (first - sent) / 1e6
        for index, (sent, first) in zip(order, timed, strict=True)
        if first is not None
    }


def wire_ttfts_plain(exchanges: list[Exchange]) -> dict[int, float]:
    """The wire's TTFT (ms) of each measured request, by the index in its prompt's tag (the
    client's first short request, with another length, is left out)."""
    found = {}
    for exchange in exchanges:
        tag = REQUEST_TAG.search(exchange.request_body)
        measured = f'"max_tokens":{OUTPUT_TOKENS},'.encode() in exchange.request_body
        if tag and measured and exchange.first_token_ns is not None:
            found[int(tag.group(1))] = (exchange.first_token_ns - exchange.request_ns) / 1e6
    return found


def statistics(values: np.ndarray) -> dict[str, float]:
    return {
        "mean": float(values.mean()),
        "p50": float(np.quantile(values, 0.5)),
        "p99": float(np.quantile(values, 0.99)),
    }


def compare(client: dict[int, float], wire: dict[int, float], ttft_ms: float) -> dict[str, Any]:
    """Errors of the client's TTFT against the wire's, request by request and as
    distributions."""
    client_values, wire_values = np.array(list(client.values())), np.array(list(wire.values()))
    truth, measured = statistics(wire_values), statistics(client_values)
    figures: dict[str, Any] = {
        "n_client": len(client_values),
        "n_wire": len(wire_values),
        "server_ttft_mean_minus_configured_ms": truth["mean"] - ttft_ms,
        "server_ttft_p99_minus_configured_ms": truth["p99"] - ttft_ms,
        **{f"error_{name}_ms": measured[name] - truth[name] for name in truth},
    }
    both = sorted(set(client) & set(wire))
    paired = np.array([client[i] - wire[i] for i in both])
    figures.update(
        {
            "n_paired": len(both),
            "paired_error_mean_ms": float(paired.mean()),
            "paired_error_p50_ms": float(np.quantile(paired, 0.5)),
            "paired_error_p99_ms": float(np.quantile(paired, 0.99)),
            "paired_error_max_abs_ms": float(np.abs(paired).max()),
        }
    )
    return figures


@dataclass(frozen=True)
class Context:
    env: Path
    workdir: Path
    tls_files: tuple[Path, Path]
    ttft_ms: float
    itl_ms: float


def measure(
    setting: Setting, context: Context, counts: RecordCounts | None
) -> tuple[Row, RecordCounts | None]:
    """One setting; the row, and (in the clear) where first tokens sit among the writes."""
    port, folder = free_port(), context.workdir / setting.label.replace(" ", "-")
    folder.mkdir(parents=True, exist_ok=True)
    pcap, out = folder / "wire.pcap", folder / "gpuatlas.json"
    url, server = start_server(
        context.env, port, setting, context.ttft_ms, context.itl_ms, context.tls_files
    )
    try:
        capture = start_capture(pcap, port, setting.pinned)
        done = subprocess.run(
            client_command(url, setting, out, context.tls_files[1]),
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        dropped = stop_capture(capture)
    finally:
        server.terminate()
        server.wait(timeout=10)
    if done.returncode not in (0, 3) or not out.exists():
        return Row(setting.label, "failed", f"exit {done.returncode}: {done.stderr[-600:]}"), None
    flows = connections(pcap, port).values()
    client = client_ttfts(out)
    if setting.tls:
        per_flow = [tls_exchanges(flow, counts or RecordCounts()) for flow in flows]
        # the measured requests share kept-alive connections; the client's first short
        # request and its model-list GET each came on a connection of their own
        exchanges = [e for found in per_flow if len(found) > 1 for e in found]
        wire = wire_ttfts_in_order(exchanges, client_send_order(out))
        counted = counts
    else:
        wire = wire_ttfts_plain([e for flow in flows for e in plain_exchanges(flow)])
        found = Counter(c for flow in flows for c in record_counts(flow)).most_common(1)
        counted = found[0][0] if found else None
    figures = compare(client, wire, context.ttft_ms)
    figures.update(
        {
            "client_exit": done.returncode,
            "packets_dropped": dropped,
            "capture_gaps": sum(f.to_client.gaps + f.to_server.gaps for f in flows),
            "writes_before_first_token": None if counted is None else counted.before,
            "writes_from_first_token": None if counted is None else counted.from_end,
        }
    )
    return Row(setting.label, figures=figures), counted


ERRORS = (
    "error_mean",
    "error_p50",
    "error_p99",
    "paired_error_mean",
    "paired_error_p50",
    "paired_error_p99",
)
COLUMNS = (
    ("n", "n_client", "{:.0f}"),
    ("server-cfg mean", "server_ttft_mean_minus_configured_ms", "{:+.2f}"),
    ("server-cfg p99", "server_ttft_p99_minus_configured_ms", "{:+.2f}"),
    *(
        (name.replace("error_", "err ").replace("_", " "), f"{name}_ms", "{:+.3f}")
        for name in ERRORS
    ),
    ("paired max|.|", "paired_error_max_abs_ms", "{:.3f}"),
    ("dropped", "packets_dropped", "{:.0f}"),
)


def print_rows(rows: list[Row], ttft_ms: float, itl_ms: float) -> None:
    print(
        f"\nServers configured for TTFT {ttft_ms} ms, ITL {itl_ms} ms; {INPUT_TOKENS}"
        f" in / {OUTPUT_TOKENS} out tokens. server-cfg = the server's TTFT on the wire minus "
        "its configured TTFT; err = gpuatlas's TTFT minus the wire's (ms)"
    )
    print(" | ".join(f"{h:>15}" for h in ["setting", *[c[0] for c in COLUMNS]]))
    for row in rows:
        if row.status != "ok":
            print(f"{row.setting:>22} | {row.status}: {row.reason[:400]}")
            continue
        cells = [
            "–" if row.figures.get(key) is None else pattern.format(row.figures[key])
            for _, key, pattern in COLUMNS
        ]
        print(" | ".join(f"{c:>15}" for c in [row.setting, *cells]))


def parse_arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--concurrency", default="1,64")
    parser.add_argument("--modes", default="http,https")
    parser.add_argument("--pinning", default="unpinned,pinned")
    parser.add_argument(
        "--servers",
        default="aiperf-mock,own",
        help="aiperf-mock (independent) and/or own (gpuatlas's reference)",
    )
    parser.add_argument("--ttft-ms", type=float, default=20.0)
    parser.add_argument("--itl-ms", type=float, default=10.0)
    parser.add_argument("--env", type=Path, default=DEFAULT_ENV, help="the mock server's venv")
    parser.add_argument("--keep", type=Path, default=None, help="keep captures and results")
    parser.add_argument("--out", type=Path, default=None, help="write the rows as JSON")
    return parser.parse_args()


def settings_of(args: argparse.Namespace) -> list[Setting]:
    """In the clear first: a TLS run needs the packet count its plain run found. The
    project's own server runs in the clear only."""
    modes = sorted(
        (m.strip() for m in args.modes.split(",") if m.strip()), key=lambda m: m == "https"
    )
    return [
        Setting(mode == "https", pin.strip() == "pinned", int(c), server.strip())
        for server in args.servers.split(",")
        if server.strip()
        for mode in modes
        if not (server.strip() == "own" and mode == "https")
        for pin in args.pinning.split(",")
        if pin.strip()
        for c in args.concurrency.split(",")
        if c.strip()
    ]


def main() -> None:
    args = parse_arguments()
    if "aiperf-mock" in args.servers and not (args.env / "bin" / "python").exists():
        sys.exit(f"{args.env} not found: bash benchmarks/tools_env/setup_envs.sh aiperf-mock")
    rows: list[Row] = []
    counted: RecordCounts | None = None
    with tempfile.TemporaryDirectory(prefix="harness-independent-") as folder:
        workdir = args.keep or Path(folder)
        workdir.mkdir(parents=True, exist_ok=True)
        context = Context(args.env, workdir, make_certificate(workdir), args.ttft_ms, args.itl_ms)
        for setting in settings_of(args):
            row, found = measure(setting, context, counted)
            counted = found if found is not None else counted
            rows.append(row)
            print(f"  {setting.label}: {row.status} {row.reason[:200]}", flush=True)
    print_rows(rows, args.ttft_ms, args.itl_ms)
    print(f"load average at the end: {os.getloadavg()[0]:.1f} ({os.cpu_count()} CPUs)")
    if args.out:
        args.out.write_text(json.dumps([asdict(r) for r in rows], indent=2))
        print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
