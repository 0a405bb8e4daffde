"""Metric definitions (harness-anchors.md §7), from per-request records to run-level figures.

- TTFT = first event carrying a generated token (content, reasoning or tool call) − send time.
- TPOT = (last token event − first token event) / (N − tokens in the first event).
- ITL  = each gap between token events / tokens in the later event, weighted by those tokens;
  the TTFT gap is excluded.
- E2E  = end of the response − send time. Queue-inclusive variants start at the scheduled time.
- Throughput = tokens (attributed to the event that carried them) inside a window / window.
  The steady-state window runs from the moment the target load of successful requests is
  first reached to the last send of a successful measured request (after that the load
  drains; failed requests, often fast, would fake the load); the whole-run window from the
  first send to the last completion. A repeat with no successful request has no figures.
When a server reports N tokens over k events, each event carries N/k tokens.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

NS_PER_MS = 1_000_000


@dataclass(frozen=True)
class RequestRecord:
    index: int
    warmup: bool
    scheduled_ns: int
    send_ns: int
    end_ns: int
    token_times_ns: tuple[int, ...]
    first_byte_ns: int | None = None
    first_answer_ns: int | None = None
    prompt_tokens: int | None = None
    output_tokens: int | None = None
    token_count_source: str = "stream-events"
    finish_reason: str | None = None
    error_kind: str | None = None
    error: str | None = None
    server_timings: dict[str, float] = field(default_factory=dict)
    sent_ns: int | None = None  # when the request's write returned (send_ns is just before)

    @property
    def ok(self) -> bool:
        return self.error_kind is None

    @property
    def tokens(self) -> int:
        """Output tokens: the server's count, else one per token event."""
        if self.output_tokens is not None:
            return self.output_tokens
        return len(self.token_times_ns)

    @property
    def tokens_per_event(self) -> float:
        return self.tokens / len(self.token_times_ns) if self.token_times_ns else 0.0


@dataclass(frozen=True)
class RequestMetrics:
    ttft_ms: float | None
    ttfb_ms: float | None
    tpot_ms: float | None
    e2e_ms: float
    send_lag_ms: float
    ttft_sched_ms: float | None
    e2e_sched_ms: float


def request_metrics(record: RequestRecord) -> RequestMetrics:
    times = record.token_times_ns
    ttft = (times[0] - record.send_ns) / NS_PER_MS if times else None
    ttfb = None
    if record.first_byte_ns is not None:
        ttfb = (record.first_byte_ns - record.send_ns) / NS_PER_MS
    lag = (record.send_ns - record.scheduled_ns) / NS_PER_MS
    return RequestMetrics(
        ttft_ms=ttft,
        ttfb_ms=ttfb,
        tpot_ms=_tpot_ms(record),
        e2e_ms=(record.end_ns - record.send_ns) / NS_PER_MS,
        send_lag_ms=lag,
        ttft_sched_ms=None if ttft is None else ttft + lag,
        e2e_sched_ms=(record.end_ns - record.scheduled_ns) / NS_PER_MS,
    )


def _tpot_ms(record: RequestRecord) -> float | None:
    times = record.token_times_ns
    decode_tokens = record.tokens - record.tokens_per_event
    if len(times) < 2 or decode_tokens <= 0:
        return None
    return (times[-1] - times[0]) / NS_PER_MS / decode_tokens


def itl_values_and_weights(records: list[RequestRecord]) -> tuple[np.ndarray, np.ndarray]:
    """Token-weighted inter-token latencies (ms) pooled over successful requests."""
    values, weights = [], []
    for record in records:
        if not record.ok or len(record.token_times_ns) < 2:
            continue
        per_event = record.tokens_per_event
        gaps = np.diff(np.asarray(record.token_times_ns, dtype=np.int64)) / NS_PER_MS
        values.append(gaps / per_event)
        weights.append(np.full(gaps.shape, per_event))
    if not values:
        return np.empty(0), np.empty(0)
    return np.concatenate(values), np.concatenate(weights)


@dataclass(frozen=True)
class Window:
    start_ns: int
    end_ns: int

    @property
    def seconds(self) -> float:
        return (self.end_ns - self.start_ns) / 1e9


def whole_run_window(records: list[RequestRecord]) -> Window | None:
    measured = [record for record in records if not record.warmup]
    if not measured:
        return None
    return Window(min(r.send_ns for r in measured), max(r.end_ns for r in measured))


def steady_state_window(records: list[RequestRecord], target_in_flight: int) -> Window | None:
    """From when `target_in_flight` measured requests are first in flight to the last send."""
    measured = sorted((r for r in records if not r.warmup), key=lambda r: r.send_ns)
    if len(measured) < 2:
        return None
    start = _first_time_load_reached(measured, max(1, target_in_flight))
    end = measured[-1].send_ns
    if start is None or end <= start:
        return None
    return Window(start, end)


def _first_time_load_reached(measured: list[RequestRecord], target: int) -> int | None:
    events = [(r.send_ns, 1) for r in measured] + [(r.end_ns, -1) for r in measured]
    events.sort()
    in_flight = 0
    for time_ns, change in events:
        in_flight += change
        if in_flight >= target:
            return time_ns
    return None


def tokens_in_window(records: list[RequestRecord], window: Window) -> float:
    """Output tokens whose carrying event arrived inside the window (warm-up excluded)."""
    total = 0.0
    for record in records:
        if record.warmup or not record.ok or not record.token_times_ns:
            continue
        times = np.asarray(record.token_times_ns, dtype=np.int64)
        inside = np.count_nonzero((times >= window.start_ns) & (times <= window.end_ns))
        total += inside * record.tokens_per_event
    return total


def completions_in_window(records: list[RequestRecord], window: Window) -> int:
    return sum(
        1 for r in records if not r.warmup and r.ok and window.start_ns <= r.end_ns <= window.end_ns
    )


@dataclass(frozen=True)
class Slo:
    ttft_ms: float | None = None
    tpot_ms: float | None = None
    e2e_ms: float | None = None

    @property
    def defined(self) -> bool:
        return any(limit is not None for limit in (self.ttft_ms, self.tpot_ms, self.e2e_ms))

    def met_by(self, metrics: RequestMetrics) -> bool:
        checks = (
            (self.ttft_ms, metrics.ttft_sched_ms),
            (self.tpot_ms, metrics.tpot_ms),
            (self.e2e_ms, metrics.e2e_sched_ms),
        )
        return all(
            limit is None or (value is not None and value <= limit) for limit, value in checks
        )


def run_level_metrics(
    records: list[RequestRecord], target_in_flight: int, slo: Slo
) -> tuple[dict[str, float], list[str]]:
    """Throughput-type figures of one repeat, and warnings about how they were windowed."""
    warnings: list[str] = []
    whole = whole_run_window(records)
    if whole is None or whole.seconds <= 0:
        return {}, ["no measured requests"]
    measured = [r for r in records if not r.warmup]
    completed = [r for r in measured if r.ok]
    if not completed:
        return {}, ["no successful request: no throughput figures"]
    tokens_total = float(sum(r.tokens for r in completed))
    prompt_total = float(sum(r.prompt_tokens or 0 for r in completed))
    values = {
        "output_tok_s_whole_run": tokens_total / whole.seconds,
        "total_tok_s_whole_run": (tokens_total + prompt_total) / whole.seconds,
        "request_s_whole_run": len(completed) / whole.seconds,
        "effective_concurrency": sum((r.end_ns - r.send_ns) for r in measured)
        / 1e9
        / whole.seconds,
        "duration_s": whole.seconds,
    }
    steady = steady_state_window(completed, target_in_flight)
    if steady is None or steady.seconds < 0.05 * whole.seconds:
        warnings.append(
            "no steady-state window (too few requests for the load level); "
            "output_tok_s uses the whole run"
        )
        steady = whole
    values["output_tok_s"] = tokens_in_window(records, steady) / steady.seconds
    values["request_s"] = completions_in_window(records, steady) / steady.seconds
    values["steady_state_s"] = steady.seconds
    if slo.defined:
        good = sum(1 for r in completed if slo.met_by(request_metrics(r)))
        values["goodput_request_s"] = good / whole.seconds
    return values, warnings
