"""Servers the bench tests talk to: a real llama.cpp server (llama-cpp-python) running a tiny
generated GGUF model, and the reference server with a known schedule. Loopback only."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from gpuatlas.bench.tiny_gguf import write_tiny_llama_gguf

sys.path.insert(0, str(Path(__file__).resolve().parent))
# tests/ itself: shared checks such as test_json_unit_suffixes.unconventional_keys
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from proxy_support import CertificateFiles, Proxy, make_certificates  # noqa: E402

TINY_MODEL_ALIAS = "tiny-llama"
SECURED_API_KEY = "test-secret-key"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_until_serving(
    url: str,
    process: subprocess.Popen[bytes],
    seconds: float,
    headers: dict[str, str] | None = None,
) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited early with code {process.returncode}")
        try:
            if httpx.get(url + "/v1/models", timeout=2, headers=headers).status_code == 200:
                return
        except httpx.HTTPError:
            time.sleep(0.2)
    raise RuntimeError(f"server at {url} did not come up within {seconds} s")


def start_server(
    command: list[str], port: int, log: Path, seconds: float, headers: dict[str, str] | None = None
) -> tuple[str, subprocess.Popen[bytes]]:
    with log.open("wb") as sink:
        process = subprocess.Popen(command, stdout=sink, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_serving(url, process, seconds, headers)
    except RuntimeError:
        process.kill()
        raise
    return url, process


def stop_server(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()


@pytest.fixture(scope="session")
def tiny_gguf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_tiny_llama_gguf(tmp_path_factory.mktemp("gguf") / "tiny-llama.gguf")


def llama_server_command(model: Path, port: int, *options: str) -> list[str]:
    return [
        sys.executable,
        "-m",
        "llama_cpp.server",
        "--model",
        str(model),
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--n_ctx",
        "2048",
        "--model_alias",
        TINY_MODEL_ALIAS,
        "--n_threads",
        "1",
        "--interrupt_requests",
        "False",
        *options,
    ]


@pytest.fixture(scope="session")
def llama_server(tiny_gguf: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real llama.cpp server (llama-cpp-python[server]) on 127.0.0.1."""
    pytest.importorskip("llama_cpp.server", reason="llama-cpp-python[server] not installed")
    port = free_port()
    log = tmp_path_factory.mktemp("logs") / "llama-server.log"
    url, process = start_server(llama_server_command(tiny_gguf, port), port, log, seconds=120)
    yield url
    stop_server(process)


@pytest.fixture(scope="session")
def secured_llama_server(
    tiny_gguf: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, CertificateFiles, Proxy]]:
    """A real llama.cpp server that wants an API key (SECURED_API_KEY), behind a TLS proxy
    with a test certificate: (https URL, the certificates, the proxy and its records)."""
    pytest.importorskip("llama_cpp.server", reason="llama-cpp-python[server] not installed")
    port = free_port()
    log = tmp_path_factory.mktemp("logs") / "llama-secured.log"
    _, process = start_server(
        llama_server_command(tiny_gguf, port, "--api_key", SECURED_API_KEY),
        port,
        log,
        seconds=120,
        headers={"Authorization": f"Bearer {SECURED_API_KEY}"},
    )
    certificates = make_certificates(tmp_path_factory.mktemp("tls"))
    proxy = Proxy("127.0.0.1", port, certificates)
    url = proxy.start()
    yield url, certificates, proxy
    proxy.stop()
    stop_server(process)


def reference_server_command(port: int, *options: str) -> list[str]:
    return [sys.executable, "-m", "gpuatlas.bench.reference_server", "--port", str(port), *options]


@pytest.fixture(scope="session")
def reference_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The reference server: TTFT 15 ms, ITL 2 ms, one token per chunk."""
    port = free_port()
    command = reference_server_command(port, "--ttft-ms", "15", "--itl-ms", "2")
    log = tmp_path_factory.mktemp("logs") / "reference.log"
    url, process = start_server(command, port, log, seconds=30)
    yield url
    stop_server(process)


@pytest.fixture()
def reference_stats(reference_server: str) -> Iterator[str]:
    """The reference server with its records cleared before the test."""
    httpx.post(reference_server + "/stats/reset")
    yield reference_server


@pytest.fixture()
def launch_reference_server(
    tmp_path: Path,
) -> Iterator[Callable[..., tuple[str, subprocess.Popen[bytes]]]]:
    """Start reference servers with given options; all are stopped after the test."""
    started: list[subprocess.Popen[bytes]] = []

    def launch(*options: str) -> tuple[str, subprocess.Popen[bytes]]:
        port = free_port()
        log = tmp_path / f"reference-{port}.log"
        url, process = start_server(reference_server_command(port, *options), port, log, 30)
        started.append(process)
        return url, process

    yield launch
    for process in started:
        if process.poll() is None:
            stop_server(process)
