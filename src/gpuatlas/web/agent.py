"""The fleet agent: run the suite, spool each result to disk, push spooled results to a GPU
Atlas server until each one is acknowledged.

Guarantees: a result is on disk before it is pushed and leaves the disk only after the server
acknowledged it (accepted or already stored); the server stores a batch all-or-nothing and is
idempotent by result id. So killing either side at any moment loses nothing and duplicates
nothing: unacknowledged files are pushed again, and a re-push of stored ones is a no-op.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from gpuatlas.bench.result import BenchResult
from gpuatlas.errors import GpuAtlasError
from gpuatlas.web.spool import Spool, read_document

INGEST_PATH = "/api/v1/results"
DEFAULT_BATCH_SIZE = 50


class AgentAuthError(GpuAtlasError):
    """The server refused the token (missing, wrong or revoked)."""


@dataclass(frozen=True)
class Backoff:
    """Exponential backoff with full jitter, capped."""

    first_s: float = 1.0
    max_s: float = 300.0
    factor: float = 2.0

    def delay_s(self, attempt: int) -> float:
        ceiling = min(self.max_s, self.first_s * self.factor ** max(attempt, 0))
        return random.uniform(ceiling / 2, ceiling)


@dataclass
class PushReport:
    acknowledged: int = 0
    accepted: int = 0
    duplicates: int = 0
    quarantined: int = 0
    rejected: int = 0
    attempts: int = 0
    errors: list[str] = field(default_factory=list)


@dataclass
class Pusher:
    """Pushes a spool's pending files to the server, batch by batch."""

    server: str
    token: str
    spool: Spool
    batch_size: int = DEFAULT_BATCH_SIZE
    timeout_s: float = 60.0
    backoff: Backoff = field(default_factory=Backoff)
    sleep: Callable[[float], None] = time.sleep

    def push_all(self, max_attempts: int | None = None) -> PushReport:
        """Push until the spool is empty (or ``max_attempts`` failed tries in a row)."""
        report = PushReport()
        failures = 0
        with httpx.Client(base_url=self.server.rstrip("/"), timeout=self.timeout_s) as client:
            while pending := self.spool.pending()[: self.batch_size]:
                if self._push_batch(client, pending, report):
                    failures = 0
                    continue
                failures += 1
                if max_attempts is not None and failures >= max_attempts:
                    break
                self.sleep(self.backoff.delay_s(failures - 1))
        return report

    def _push_batch(self, client: httpx.Client, files: list[Path], report: PushReport) -> bool:
        report.attempts += 1
        documents = [read_document(path) for path in files]
        try:
            response = client.post(INGEST_PATH, json={"results": documents},
                                   headers={"Authorization": f"Bearer {self.token}"})
        except httpx.HTTPError as error:
            report.errors.append(f"{type(error).__name__}: {error}")
            return False
        return self._handle(response, files, report)

    def _handle(self, response: httpx.Response, files: list[Path], report: PushReport) -> bool:
        if response.status_code == 200:
            self._acknowledge(response.json(), report)
            return True
        if response.status_code == 401:
            raise AgentAuthError(f"server {self.server} refused the token (401); results stay "
                                 f"spooled in {self.spool.root}")
        if response.status_code == 413 and self.batch_size > 1:
            self.batch_size = max(1, self.batch_size // 2)
            return True
        if response.status_code == 422:
            return self._reject_invalid(response.json(), files, report)
        report.errors.append(f"HTTP {response.status_code}: {response.text[:200]}")
        return False

    def _acknowledge(self, body: dict[str, Any], report: PushReport) -> None:
        accepted, duplicates = list(body.get("accepted", [])), list(body.get("duplicates", []))
        report.accepted += len(accepted)
        report.duplicates += len(duplicates)
        report.quarantined += len(body.get("quarantined", []))
        report.acknowledged += self.spool.acknowledge(set(accepted + duplicates))

    def _reject_invalid(self, body: dict[str, Any], files: list[Path], report: PushReport) -> bool:
        """Move the results the server called invalid aside; the rest go again next round."""
        problems_by_index: dict[int, list[str]] = {}
        for problem in body.get("problems", []):
            index = problem.get("index")
            if isinstance(index, int) and 0 <= index < len(files):
                problems_by_index.setdefault(index, []).append(str(problem.get("message")))
        if not problems_by_index:
            report.errors.append(f"HTTP 422 without per-result problems: {body}")
            return False
        for index, problems in problems_by_index.items():
            self.spool.reject(files[index], problems)
            report.rejected += 1
        return True


def parse_interval_s(text: str) -> float:
    """'24h', '30m', '90s', '2d' or plain seconds."""
    units = {"s": 1, "m": 60, "h": 3600, "d": 86400}
    cleaned = text.strip().lower()
    try:
        if cleaned and cleaned[-1] in units:
            return float(cleaned[:-1]) * units[cleaned[-1]]
        return float(cleaned)
    except ValueError:
        raise GpuAtlasError(f"interval {text!r}: use e.g. 24h, 30m, 90s") from None


@dataclass
class SuiteRun:
    """Runs the benchmark selection once, spooling each result the moment it exists."""

    selector: str
    options: Any  # gpuatlas.bench.options.RunOptions

    def run_into(self, spool: Spool) -> tuple[int, list[str]]:
        from gpuatlas.bench.runner import run_selection

        def keep(result: BenchResult) -> None:
            spool.put(result)

        results, skipped = run_selection(self.selector, self.options, None, keep)
        return len(results), [f"{item.benchmark}: {item.reason}" for item in skipped]
