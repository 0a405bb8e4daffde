"""Start-up and shut-down of a reference-server subprocess, shared by the harness benchmarks."""

from __future__ import annotations

import subprocess
import time

import httpx


def wait_until_serving(url: str, process: subprocess.Popen[bytes], tries: int = 100) -> str:
    """Poll /v1/models until the server answers (10 s at most); kill it and fail otherwise."""
    for _ in range(tries):
        try:
            httpx.get(url + "/v1/models", timeout=1)
            return url
        except httpx.HTTPError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError("reference server did not start")


def stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    process.wait(timeout=10)
