"""Shared fixtures for the store and web tests: a real throw-away PostgreSQL 15 cluster and
result documents. Imported by tests/store/conftest.py and tests/web/conftest.py.

PostgreSQL refuses to run as root: when the tests run as root, the cluster belongs to the
unprivileged ``postgres`` (or ``nobody``) user and its commands run through ``runuser``.
"""

from __future__ import annotations

import itertools
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from gpuatlas.records.result import BenchResult, parse_result

PG_BIN_CANDIDATES = (Path("/usr/lib/postgresql/15/bin"), Path("/usr/lib/postgresql/16/bin"))
UNPRIVILEGED_USERS = ("postgres", "nobody")
_database_numbers = itertools.count(1)


@dataclass(frozen=True)
class PostgresCluster:
    port: int
    data_dir: Path
    bin_dir: Path
    run_as: str | None

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def create_database(self) -> str:
        """A fresh empty database; returns its URL."""
        import psycopg

        name = f"gpuatlas_test_{os.getpid()}_{next(_database_numbers)}"
        dsn = f"host=127.0.0.1 port={self.port} user=postgres dbname=postgres"
        with psycopg.connect(dsn, autocommit=True) as connection:
            connection.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)


def pg_bin_dir() -> Path | None:
    found = next((path for path in PG_BIN_CANDIDATES if (path / "initdb").exists()), None)
    if found is None and shutil.which("initdb"):
        return Path(shutil.which("initdb") or "").parent
    return found


def _unprivileged_user() -> str | None:
    if os.geteuid() != 0:
        return None
    for name in UNPRIVILEGED_USERS:
        try:
            pwd.getpwnam(name)
            return name
        except KeyError:
            continue
    raise RuntimeError("running as root and no unprivileged user (postgres/nobody) exists")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _run(command: list[str], run_as: str | None) -> None:
    full = ["runuser", "-u", run_as, "--", *command] if run_as else command
    subprocess.run(full, check=True, capture_output=True, timeout=120)


def start_cluster(root: Path) -> PostgresCluster:
    bin_dir = pg_bin_dir()
    if bin_dir is None:
        raise RuntimeError("PostgreSQL binaries not found (apt-get install postgresql-15)")
    run_as = _unprivileged_user()
    data_dir, socket_dir = root / "data", root / "socket"
    socket_dir.mkdir(parents=True)
    if run_as:
        entry = pwd.getpwnam(run_as)
        for path in (root, socket_dir):
            os.chown(path, entry.pw_uid, entry.pw_gid)
    _run(
        [
            str(bin_dir / "initdb"),
            "-D",
            str(data_dir),
            "-U",
            "postgres",
            "--auth=trust",
            "-E",
            "UTF8",
            "--no-sync",
        ],
        run_as,
    )
    cluster = PostgresCluster(free_port(), data_dir, bin_dir, run_as)
    options = (
        f"-p {cluster.port} -k {socket_dir} -c listen_addresses=127.0.0.1 "
        "-c fsync=off -c max_connections=300 -c shared_buffers=128MB"
    )
    _run(
        [
            str(bin_dir / "pg_ctl"),
            "-D",
            str(data_dir),
            "-o",
            options,
            "-w",
            "-t",
            "60",
            "-l",
            str(root / "postgres.log"),
            "start",
        ],
        run_as,
    )
    return cluster


def stop_cluster(cluster: PostgresCluster) -> None:
    _run(
        [
            str(cluster.bin_dir / "pg_ctl"),
            "-D",
            str(cluster.data_dir),
            "-m",
            "immediate",
            "-w",
            "stop",
        ],
        cluster.run_as,
    )


@pytest.fixture(scope="session")
def postgres_cluster() -> Iterator[PostgresCluster]:
    """One real PostgreSQL server for the whole test session (a fresh database per test)."""
    if pg_bin_dir() is None:
        pytest.skip("PostgreSQL 15 is not installed")
    root = Path(tempfile.mkdtemp(prefix="gpuatlas-pg-"))
    os.chmod(root, 0o755)
    cluster = start_cluster(root)
    try:
        yield cluster
    finally:
        stop_cluster(cluster)
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The same tests on the embedded SQLite file and on a real PostgreSQL server."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'store.db'}"
    cluster: PostgresCluster = request.getfixturevalue("postgres_cluster")
    return cluster.create_database()


def result_document(**overrides: Any) -> dict[str, Any]:
    """A valid gpuatlas.result/1 document (single-stream decode on an RTX 4090 by default)."""
    document: dict[str, Any] = {
        "schema_version": "gpuatlas.result/1",
        "result_id": str(uuid.uuid4()),
        "benchmark": "llm-single-llama3.1-8b",
        "benchmark_version": 1,
        "category": "llm-single",
        "created_at": "2026-11-20T10:00:00Z",
        "gpu_id": "rtx-4090",
        "gpu_count": 1,
        "fingerprint": {"gpus": [{"index": 0, "name": "NVIDIA GeForce RTX 4090"}]},
        "settings": {"model": "llama3.1:8b", "concurrency": 1, "output_tokens": 256},
        "headline": {
            "metric": "decode_tok_s",
            "unit": "tok/s",
            "higher_is_better": True,
            "value": 120.0,
        },
        "metrics": {
            "decode_tok_s": {"median": 120.0, "mean": 120.2, "p90": 121.0, "p99": 121.5, "n": 3}
        },
        "samples": [
            {"repeat": 0, "index": i, "ttft_ms": 20.0 + i, "values": {"decode_tok_s": v}}
            for i, v in enumerate((119.5, 120.0, 121.1))
        ],
        "source": "gpuatlas bench (test)",
    }
    for key, value in overrides.items():
        if key in ("headline_value",):
            document["headline"]["value"] = value
        else:
            document[key] = value
    return document


def make_result(**overrides: Any) -> BenchResult:
    return parse_result(result_document(**overrides))
