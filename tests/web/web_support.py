"""Helpers of the web tests: auth headers and real server processes."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

from conftest_pg import free_port


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@dataclass
class ServerProcess:
    process: subprocess.Popen[bytes]
    url: str
    log: Path

    def kill(self) -> None:
        """SIGKILL: no shutdown handlers, no flush, like a power cut of the process."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()


def start_server(
    database_url: str, workdir: Path, workers: int = 1, port: int | None = None
) -> ServerProcess:
    """``gpuatlas serve`` in its own process group, ready when /healthz answers."""
    port = port or free_port()
    log = workdir / f"server-{port}-{time.time_ns()}.log"
    env = {
        **os.environ,
        "GPUATLAS_DATABASE_URL": database_url,
        "GPUATLAS_DATA_DIR": str(workdir / "data"),
    }
    command = [
        sys.executable,
        "-m",
        "gpuatlas.cli.main",
        "serve",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        str(workers),
    ]
    with open(log, "wb") as handle:
        process = subprocess.Popen(
            command, stdout=handle, stderr=subprocess.STDOUT, env=env, start_new_session=True
        )
    server = ServerProcess(process, f"http://127.0.0.1:{port}", log)
    _wait_until_healthy(server)
    return server


def _wait_until_healthy(server: ServerProcess, timeout_s: float = 90.0) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"server exited: {server.log.read_text()[-2000:]}")
        try:
            if httpx.get(server.url + "/healthz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    server.stop()
    raise RuntimeError(f"server did not start: {server.log.read_text()[-2000:]}")
