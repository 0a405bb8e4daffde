"""The fleet agent: run the suite, spool each result to disk, push spooled results to a GPU
Atlas server until each one is acknowledged.

Guarantees: a result is on disk before it is pushed and leaves the disk only after the server
acknowledged it (accepted or already stored); the server stores a batch all-or-nothing and is
idempotent by result id. So killing either side at any moment loses nothing and duplicates
nothing: unacknowledged files are pushed again, and a re-push of stored ones is a no-op.

No result blocks the others: one the server refuses for good (a 4xx other than 401, 408 and
429; or a conflict: its id is stored with different content), one that cannot be read or
encoded here, and one too large even without its samples moves to ``rejected/`` with the
reason, and the agent goes on. A result over the size cap is pushed without its raw samples
(the full file stays in ``raw/`` and the pushed copy says so in ``warnings``). Only fields that
differ from the schema's defaults are sent.
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from gpuatlas.bench.options import RunOptions
from gpuatlas.bench.runner import run_selection
from gpuatlas.errors import DataFileError, GpuAtlasError
from gpuatlas.fleet.spool import Spool, read_document
from gpuatlas.records.result import BenchResult, parse_result

INGEST_PATH = "/api/v1/results"
DEFAULT_BATCH_SIZE = 50
MAX_REQUEST_BYTES = 16 * 1024 * 1024  # the server's cap (gpuatlas.web.ingest.MAX_BODY_BYTES)
BODY_OVERHEAD_BYTES = 64 * 1024
TRANSIENT_STATUSES = frozenset({408, 425, 429})
ALWAYS_SENT = (
    "schema_version",
    "result_id",
    "created_at",
    "benchmark",
    "benchmark_version",
    "category",
    "headline",
)


class AgentAuthError(GpuAtlasError):
    """The server refused the token (missing, wrong or revoked)."""


class AgentServerError(GpuAtlasError):
    """The URL does not lead to a GPU Atlas ingest API (404/405): nothing is rejected."""


def server_base_url(server: str) -> str:
    """The server's base URL from what a user writes: http(s) is required (a bare host:port
    retried as a transport error), and a trailing /api/v1 or /api/v1/results is the ingest
    path itself, not part of the base (it was posted to /api/v1/api/v1/results)."""
    text = server.strip()
    if not text.lower().startswith(("http://", "https://")):
        raise GpuAtlasError(
            f"--server {server!r} has no http:// or https:// scheme: write "
            f"https://{text} (or http://{text} on a trusted network)"
        )
    base = text.rstrip("/")
    for suffix in (INGEST_PATH, INGEST_PATH.rsplit("/", 1)[0]):
        if base.lower().endswith(suffix):
            return base[: -len(suffix)]
    return base


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
    conflicts: int = 0
    summarised: int = 0
    attempts: int = 0
    errors: list[str] = field(default_factory=list)
    rejections: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Outgoing:
    """One spooled file, encoded for sending (ASCII JSON: any string encodes)."""

    path: Path
    result_id: str
    body: bytes


def minimal_document(result: BenchResult) -> dict[str, Any]:
    """The result without fields equal to the schema's defaults (the server fills them in)."""
    document = result.model_dump(mode="json", exclude_defaults=True)
    full = result.model_dump(mode="json", include=set(ALWAYS_SENT))
    return {**document, **full}


def encode_document(document: dict[str, Any]) -> bytes:
    return json.dumps(document, ensure_ascii=True, allow_nan=False, separators=(",", ":")).encode(
        "ascii"
    )


def without_samples(result: BenchResult, raw_path: Path, raw_bytes: int) -> BenchResult:
    note = (
        f"{len(result.samples)} raw samples ({raw_bytes} bytes) left out of the pushed "
        f"copy (over the server's {MAX_REQUEST_BYTES}-byte cap); the full result is kept "
        f"by the agent at {raw_path}"
    )
    return result.model_copy(update={"samples": [], "warnings": [*result.warnings, note]})


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
    max_request_bytes: int = MAX_REQUEST_BYTES
    client_factory: Callable[[], httpx.Client] | None = None  # tests: an in-process client

    def push_all(self, max_attempts: int | None = None) -> PushReport:
        """Push until the spool is empty (or ``max_attempts`` failed tries in a row)."""
        report = PushReport()
        failures = 0
        with self._client() as client:
            while batch := self._next_batch(report):
                if self._push_batch(client, batch, report):
                    failures = 0
                    continue
                failures += 1
                if max_attempts is not None and failures >= max_attempts:
                    break
                self.sleep(self.backoff.delay_s(failures - 1))
        return report

    def _client(self) -> httpx.Client:
        if self.client_factory is not None:
            return self.client_factory()
        return httpx.Client(base_url=server_base_url(self.server), timeout=self.timeout_s)

    # -- preparing -----------------------------------------------------------------------------
    def _next_batch(self, report: PushReport) -> list[Outgoing]:
        """The oldest pending files that fit one request; bad files are set aside on the way."""
        batch: list[Outgoing] = []
        size = BODY_OVERHEAD_BYTES
        for path in self.spool.pending():
            if len(batch) >= self.batch_size:
                break
            outgoing = self._prepare(path, report)
            if outgoing is None:
                continue
            if batch and size + len(outgoing.body) > self.max_request_bytes:
                break
            batch.append(outgoing)
            size += len(outgoing.body) + 1
        return batch

    def _prepare(self, path: Path, report: PushReport) -> Outgoing | None:
        try:
            result = parse_result(read_document(path), str(path))
            body = encode_document(minimal_document(result))
        except FileNotFoundError:
            return None  # acknowledged meanwhile by another agent process
        except (OSError, ValueError, DataFileError) as error:
            self._reject(path, [f"unreadable spool file: {_describe(error)}"], report)
            return None
        if len(body) + BODY_OVERHEAD_BYTES > self.max_request_bytes:
            return self._shrink(path, result, len(body), report)
        return Outgoing(path, result.result_id, body)

    def _shrink(
        self, path: Path, result: BenchResult, size: int, report: PushReport
    ) -> Outgoing | None:
        """Push a result over the cap without its samples (the full file stays in raw/)."""
        if result.samples:
            raw_path = self.spool.raw_dir / path.name
            smaller = without_samples(result, raw_path, size)
            body = encode_document(minimal_document(smaller))
            if len(body) + BODY_OVERHEAD_BYTES <= self.max_request_bytes:
                self.spool.keep_raw(path, json.dumps(smaller.model_dump(mode="json"), indent=2))
                report.summarised += 1
                return Outgoing(path, result.result_id, body)
        self._reject(
            path,
            [
                f"result is {size} bytes, over the server's cap of "
                f"{self.max_request_bytes} bytes even without raw samples"
            ],
            report,
            result.result_id,
        )
        return None

    # -- sending -------------------------------------------------------------------------------
    def _push_batch(self, client: httpx.Client, batch: list[Outgoing], report: PushReport) -> bool:
        report.attempts += 1
        body = b'{"results":[' + b",".join(item.body for item in batch) + b"]}"
        try:
            response = client.post(
                INGEST_PATH,
                content=body,
                headers={
                    "Authorization": f"Bearer {self.token}",
                    "Content-Type": "application/json",
                },
            )
        except httpx.HTTPError as error:
            report.errors.append(f"{type(error).__name__}: {error}")
            return False
        return self._handle(client, response, batch, report)

    def _handle(
        self,
        client: httpx.Client,
        response: httpx.Response,
        batch: list[Outgoing],
        report: PushReport,
    ) -> bool:
        status = response.status_code
        if status == 200:
            return self._acknowledge(_json_body(response), batch, report)
        if status == 401:
            raise AgentAuthError(
                f"server {self.server} refused the token (401); results stay "
                f"spooled in {self.spool.root}"
            )
        if status in (404, 405):
            raise AgentServerError(
                f"{self.server}{INGEST_PATH} answered {status}: is --server "
                "a GPU Atlas server? Results stay spooled."
            )
        if status in TRANSIENT_STATUSES or status >= 500 or status < 400:
            report.errors.append(f"HTTP {status}: {response.text[:200]}")
            return False
        return self._refused(client, response, batch, report)

    def _refused(
        self,
        client: httpx.Client,
        response: httpx.Response,
        batch: list[Outgoing],
        report: PushReport,
    ) -> bool:
        """A permanent refusal: set aside the results it names; isolate the culprit otherwise."""
        if response.status_code == 413:
            if len(batch) > 1:
                self.batch_size = max(1, len(batch) // 2)
            else:  # the server's cap is below ours: shrink (or set aside) this one next round
                self.max_request_bytes = len(batch[0].body) + BODY_OVERHEAD_BYTES - 1
            return True
        by_index = _problems_by_index(_json_body(response), len(batch))
        if by_index:
            for index, problems in by_index.items():
                self._reject(batch[index].path, problems, report, batch[index].result_id)
            return True
        if len(batch) > 1:
            middle = len(batch) // 2
            return all(
                [
                    self._push_batch(client, part, report)
                    for part in (batch[:middle], batch[middle:])
                ]
            )
        reason = f"server refused it (HTTP {response.status_code}): {_detail(response)}"
        self._reject(batch[0].path, [reason], report, batch[0].result_id)
        return True

    def _acknowledge(self, body: dict[str, Any], batch: list[Outgoing], report: PushReport) -> bool:
        """Drop acknowledged files, set conflicts aside; False if the reply left some out."""
        accepted, duplicates = list(body.get("accepted", [])), list(body.get("duplicates", []))
        report.accepted += len(accepted)
        report.duplicates += len(duplicates)
        report.quarantined += len(body.get("quarantined", []))
        done = set(accepted + duplicates)
        report.acknowledged += self.spool.acknowledge_files(
            [item.path for item in batch if item.result_id in done]
        )
        by_id = {item.result_id: item for item in batch}
        for conflict in body.get("conflicts", []):
            item = by_id.get(str(conflict.get("result_id")))
            if item is not None:
                report.conflicts += 1
                message = str(conflict.get("message", "conflict"))
                self._reject(item.path, [message], report, item.result_id)
                done.add(item.result_id)
        missing = [item.result_id for item in batch if item.result_id not in done]
        if missing:
            report.errors.append(f"the server's reply did not mention {len(missing)} result(s)")
        return not missing

    def _reject(
        self, path: Path, problems: list[str], report: PushReport, result_id: str | None = None
    ) -> None:
        try:
            target = self.spool.reject(path, problems)
        except FileNotFoundError:
            return
        report.rejected += 1
        named = f"{target.name} (result {result_id})" if result_id else target.name
        report.rejections.append(f"{named}: {'; '.join(problems)[:300]}")


def _json_body(response: httpx.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def _detail(response: httpx.Response) -> str:
    body = _json_body(response)
    return str(body.get("detail") or response.text[:300])


def _problems_by_index(body: dict[str, Any], size: int) -> dict[int, list[str]]:
    found: dict[int, list[str]] = {}
    for problem in body.get("problems", []):
        if not isinstance(problem, dict):
            continue
        index = problem.get("index")
        if isinstance(index, int) and 0 <= index < size:
            found.setdefault(index, []).append(str(problem.get("message")))
    return found


def _describe(error: Exception) -> str:
    if isinstance(error, DataFileError):
        return "; ".join(error.problems)
    return f"{type(error).__name__}: {error}"


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
    options: RunOptions

    def run_into(self, spool: Spool) -> tuple[int, list[str]]:
        def keep(result: BenchResult) -> None:
            spool.put(result)

        results, skipped = run_selection(self.selector, self.options, None, keep)
        return len(results), [f"{item.benchmark}: {item.reason}" for item in skipped]
