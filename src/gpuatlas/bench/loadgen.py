"""The load generator: fixed concurrency or a seeded Poisson rate on an absolute timeline.

Responses are kept raw while the load runs and decoded when the phase has ended, so the event
loop does nothing but stamp and store bytes while streams are live. Stopping (Ctrl-C, or the
caller's stop event) ends the phase: requests still in flight are abandoned and not counted,
everything completed is kept.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import time
from collections.abc import Callable, Coroutine, Iterator
from dataclasses import dataclass, field
from typing import Any, TypeVar

import numpy as np

from gpuatlas.bench.access import EndpointAccess
from gpuatlas.bench.apis import API_PATHS, RequestSpec, decode_response, request_body
from gpuatlas.bench.http_stream import Endpoint, HttpConnection, RawResponse
from gpuatlas.bench.metrics import RequestRecord
from gpuatlas.bench.prompts import synthetic_prompt

PREPARE_LIMIT = 4096
T = TypeVar("T")


@dataclass(frozen=True)
class LoadSpec:
    endpoint: str
    api: str
    model: str
    input_tokens: int = 512
    output_tokens: int = 256
    concurrency: int | None = 16
    rate_rps: float | None = None
    requests: int | None = 100
    duration_s: float | None = None
    warmup_requests: int = 0
    timeout_s: float = 600.0
    seed: int = 0
    ignore_eos: bool = True
    image_urls: Callable[[int], tuple[str, ...]] | None = None
    access: EndpointAccess = EndpointAccess()  # TLS, API key, extra headers
    # (first index, count) -> send offsets in ns: a trace replayed instead of Poisson arrivals
    trace_offsets_ns: Callable[[int, int], np.ndarray] | None = None
    # (seed, index) -> (prompt, output tokens or None): exact-length or dataset prompts
    prompt_source: Callable[[int, int], tuple[str, int | None]] | None = None

    @property
    def target_in_flight(self) -> int:
        return self.concurrency or 1

    @property
    def open_loop(self) -> bool:
        """Requests sent on a schedule (Poisson rate or a trace), not as others end."""
        return bool(self.rate_rps) or self.trace_offsets_ns is not None

    @property
    def steady_target(self) -> int:
        """In-flight requests that mark the steady state (1 for open-loop schedules)."""
        return 1 if self.open_loop else self.target_in_flight


@dataclass
class PhaseProgress:
    """Live counters for a progress display."""

    started_ns: int = field(default_factory=time.perf_counter_ns)
    sent: int = 0
    finished: int = 0
    bytes_received: int = 0


@dataclass
class _Pending:
    index: int
    warmup: bool
    scheduled_ns: int
    response: RawResponse


class LoadPhase:
    """One phase (warm-up or measurement) of requests against an endpoint."""

    def __init__(
        self,
        spec: LoadSpec,
        warmup: bool,
        first_index: int,
        count: int | None,
        stop: asyncio.Event,
        progress: PhaseProgress,
        pool: list[HttpConnection],
    ) -> None:
        self.spec, self.warmup, self.stop, self.progress = spec, warmup, stop, progress
        self.pool = pool  # idle kept-alive connections, shared between phases
        self.endpoint = Endpoint.parse(spec.endpoint, spec.access)
        self.next_index = first_index
        self.end_index = None if count is None else first_index + count
        self.deadline_ns: int | None = None
        self.done: list[_Pending] = []
        self.path = API_PATHS[spec.api]
        self._bodies: dict[int, bytes] = {}

    def prepare(self) -> None:
        """Build the first request bodies ahead of time, so the measured phase does less
        work (the rest, if any, are built when sent)."""
        last = self.next_index + PREPARE_LIMIT
        if self.end_index is not None:
            last = min(last, self.end_index)
        self._bodies = {i: self._body(i) for i in range(self.next_index, last)}

    def _claim_index(self) -> int | None:
        if self.stop.is_set():
            return None
        if self.end_index is not None and self.next_index >= self.end_index:
            return None
        if self.deadline_ns is not None and time.perf_counter_ns() >= self.deadline_ns:
            return None
        index, self.next_index = self.next_index, self.next_index + 1
        return index

    def _body(self, index: int) -> bytes:
        spec = self.spec
        images = spec.image_urls(index) if spec.image_urls else ()
        prompt, output_tokens = (
            spec.prompt_source(spec.seed, index)
            if spec.prompt_source
            else (synthetic_prompt(index, spec.input_tokens, spec.seed), None)
        )
        request = RequestSpec(
            spec.api,
            spec.model,
            prompt,
            output_tokens or spec.output_tokens,
            spec.ignore_eos,
            spec.seed,
            images,
        )
        return request_body(request)

    async def _send(self, connection: HttpConnection, index: int, scheduled_ns: int) -> None:
        body = self._bodies.pop(index, None) or self._body(index)
        self.progress.sent += 1
        try:
            response = await connection.post(self.path, body, self.spec.timeout_s)
        except OSError as error:
            now = time.perf_counter_ns()
            response = RawResponse(t_send_ns=now, t_end_ns=now, error=f"connect: {error}")
        self.progress.finished += 1
        self.progress.bytes_received += len(response.raw)
        self.done.append(_Pending(index, self.warmup, scheduled_ns, response))

    def _connection(self) -> HttpConnection:
        return self.pool.pop() if self.pool else HttpConnection(self.endpoint)

    async def _worker(self) -> None:
        connection = self._connection()
        free_since = time.perf_counter_ns()
        while (index := self._claim_index()) is not None:
            await self._send(connection, index, free_since)
            free_since = time.perf_counter_ns()
        self.pool.append(connection)

    async def run_concurrency(self, concurrency: int) -> None:
        await self._until_stopped([self._worker() for _ in range(concurrency)])

    async def run_rate(self, rate_rps: float, cap: int | None) -> None:
        count = self.end_index - self.next_index if self.end_index is not None else None
        if count is None:
            count = max(1, int(rate_rps * (self.spec.duration_s or 60.0)))
        trace = self.spec.trace_offsets_ns
        offsets_ns = (
            trace(self.next_index, count)
            if trace is not None
            else poisson_offsets_ns(rate_rps, count, self.spec.seed)
        )
        await self._until_stopped([self._dispatch(offsets_ns, cap)])

    async def _dispatch(self, offsets_ns: np.ndarray, cap: int | None) -> None:
        limit = asyncio.Semaphore(cap) if cap else None
        tasks: set[asyncio.Task[None]] = set()
        origin = time.perf_counter_ns()
        for offset in offsets_ns:
            scheduled = origin + int(offset)
            delay = (scheduled - time.perf_counter_ns()) / 1e9
            if delay > 0:
                await asyncio.sleep(delay)
            index = self._claim_index()
            if index is None:
                break
            task = asyncio.create_task(self._rate_request(limit, index, scheduled))
            tasks.add(task)
            task.add_done_callback(tasks.discard)
        if tasks:
            await asyncio.gather(*tasks)

    async def _rate_request(
        self, limit: asyncio.Semaphore | None, index: int, scheduled: int
    ) -> None:
        if limit is not None:
            await limit.acquire()
        connection = self._connection()
        try:
            await self._send(connection, index, scheduled)
            self.pool.append(connection)
        finally:
            if limit is not None:
                limit.release()

    async def _until_stopped(self, jobs: list[object]) -> None:
        tasks = [asyncio.ensure_future(job) for job in jobs]  # type: ignore[call-overload]
        stopper = asyncio.ensure_future(self.stop.wait())
        pending = set(tasks)
        while pending and not self.stop.is_set():
            _, pending = await asyncio.wait(
                pending | {stopper}, return_when=asyncio.FIRST_COMPLETED
            )
            pending.discard(stopper)
        for task in [*pending, stopper]:
            task.cancel()
        outcomes = await asyncio.gather(*tasks, stopper, return_exceptions=True)
        for outcome in outcomes:  # a bug in a worker must not pass for an empty run
            if isinstance(outcome, Exception) and not isinstance(outcome, asyncio.CancelledError):
                raise outcome


def run_async(main: Coroutine[Any, Any, T]) -> T:
    """Run on uvloop when it is installed (less client CPU per event), else on asyncio."""
    try:
        import uvloop
    except ImportError:
        return asyncio.run(main)
    return uvloop.run(main)


def poisson_offsets_ns(rate_rps: float, count: int, seed: int) -> np.ndarray:
    """Send times (ns from the start) of a Poisson process; the first request goes at 0."""
    rng = np.random.default_rng(seed)
    gaps = rng.exponential(1.0 / rate_rps, size=count)
    gaps[0] = 0.0
    return (np.cumsum(gaps) * 1e9).astype(np.int64)


def to_record(pending: _Pending, api: str) -> RequestRecord:
    response = pending.response
    decoded = decode_response(api, response)
    return RequestRecord(
        index=pending.index,
        warmup=pending.warmup,
        scheduled_ns=pending.scheduled_ns,
        send_ns=response.t_send_ns,
        end_ns=response.t_end_ns or response.t_send_ns,
        token_times_ns=tuple(decoded.token_times_ns),
        first_byte_ns=response.t_first_byte_ns,
        first_answer_ns=decoded.answer_times_ns[0] if decoded.answer_times_ns else None,
        prompt_tokens=decoded.prompt_tokens,
        output_tokens=decoded.output_tokens,
        token_count_source=decoded.token_count_source,
        finish_reason=decoded.finish_reason,
        error_kind=decoded.error_kind,
        error=decoded.error,
        server_timings=decoded.server_timings,
        sent_ns=response.t_sent_ns,
    )


@dataclass
class LoadOutcome:
    records: list[RequestRecord]
    interrupted: bool


async def run_load(
    spec: LoadSpec,
    stop: asyncio.Event | None = None,
    progress: PhaseProgress | None = None,
    pool: list[HttpConnection] | None = None,
) -> LoadOutcome:
    """Warm-up (if any) then the measured phase; decoded records of both (warm-up flagged).

    Pass a `pool` to keep connections open across calls (the caller closes them); without
    one, connections are closed on return.
    """
    own_pool = pool is None
    pool = [] if pool is None else pool
    try:
        with _no_gc_pauses():  # decoding too: it makes no cycles, only many short-lived objects
            phases = await _run_phases(
                spec, stop or asyncio.Event(), progress or PhaseProgress(), pool
            )
            records = [to_record(p, spec.api) for phase in phases for p in phase.done]
    finally:
        if own_pool:
            close_all(pool)
    return LoadOutcome(
        sorted(records, key=lambda r: r.index), interrupted=bool(stop and stop.is_set())
    )


@contextlib.contextmanager
def _no_gc_pauses() -> Iterator[None]:
    """No garbage-collector pauses while streams are timed (they stall the event loop for
    milliseconds); collection resumes, and catches up, when the phase ends (no full
    collection first: what is garbage now is collected then)."""
    was_enabled = gc.isenabled()
    gc.freeze()
    gc.disable()
    try:
        yield
    finally:
        gc.unfreeze()
        if was_enabled:
            gc.enable()


async def open_connections(
    pool: list[HttpConnection],
    endpoint: str,
    count: int,
    timeout_s: float,
    access: EndpointAccess | None = None,
) -> None:
    """Top the pool up to `count` open keep-alive connections, so no connection set-up falls
    inside the measured timeline (a connection that fails is left out: its requests will
    report the error)."""
    target = Endpoint.parse(endpoint, access)
    fresh = [HttpConnection(target) for _ in range(max(0, count - len(pool)))]
    outcomes = await asyncio.gather(
        *(asyncio.wait_for(c.connect(), timeout_s) for c in fresh), return_exceptions=True
    )
    pool.extend(
        c
        for c, outcome in zip(fresh, outcomes, strict=True)
        if not isinstance(outcome, BaseException)
    )


def close_all(pool: list[HttpConnection]) -> None:
    for connection in pool:
        connection.close()
    pool.clear()


async def _run_phases(
    spec: LoadSpec, stop: asyncio.Event, progress: PhaseProgress, pool: list[HttpConnection]
) -> list[LoadPhase]:
    phases: list[LoadPhase] = []
    if spec.warmup_requests:
        warmup = LoadPhase(spec, True, 0, spec.warmup_requests, stop, PhaseProgress(), pool)
        await warmup.run_concurrency(min(spec.target_in_flight, spec.warmup_requests))
        phases.append(warmup)
    measured = LoadPhase(spec, False, spec.warmup_requests, spec.requests, stop, progress, pool)
    measured.prepare()
    await open_connections(
        pool, spec.endpoint, spec.target_in_flight, min(30.0, spec.timeout_s), spec.access
    )
    progress.started_ns = time.perf_counter_ns()
    if spec.duration_s is not None:
        measured.deadline_ns = progress.started_ns + int(spec.duration_s * 1e9)
    if spec.open_loop:
        await measured.run_rate(spec.rate_rps or 1.0, spec.concurrency)
    else:
        await measured.run_concurrency(spec.target_in_flight)
    phases.append(measured)
    return phases
