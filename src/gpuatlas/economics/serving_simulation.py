"""Queueing under traffic: a discrete-event simulation of continuous batching, plus closed forms.

One replica (an engine on one GPU system) serves a stream of requests. Each engine step runs
the prefill of the requests admitted at that step boundary together with one decode token for
every running request; a step lasts `prefill_s(new tokens) + decode_step_s[running batch]`.
A request's first token comes at the end of its prefill step (TTFT = queueing + that step); it
then gets one token per step until its output is complete (TPOT = mean gap after the first).
Requests wait in FIFO order when every KV slot (`max_batch`) is taken. A step prefills at most
`max_batched_tokens` prompt tokens: a longer prompt is prefilled in chunks, one per step, the
running batch decoding a token in each (chunked prefill, as vLLM, SGLang and TensorRT-LLM run
it); each chunk costs what it adds to the whole prompt's prefill.

The simulation is event-driven: between an admission and the next arrival or completion the
batch is constant, so it jumps over whole runs of identical decode steps at once; its cost grows
with the number of requests, not the number of tokens.

Closed forms (M/M/1, M/D/1) are here so tests can check the simulator where those apply
(`max_batch=1`, service time = output tokens × a constant step).
"""

from __future__ import annotations

import heapq
import math
from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import NDArray

from gpuatlas.economics.constants import economics_constant

LOGNORMAL_LENGTH_SIGMA = economics_constant("serving_simulation", "lognormal_length_sigma")

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]
LengthDistribution = Literal["fixed", "exponential", "uniform", "lognormal"]
ArrivalProcess = Literal["poisson", "gamma"]


@dataclass(frozen=True)
class StepTimes:
    """What one replica's engine needs to be simulated.

    `decode_step_s[b]` is one decode step with `b` running requests (index 0 is 0 s);
    `prefill_step_s[i]` is one prefill step of `prefill_tokens[i]` tokens (a sorted grid);
    `prefill_s(tokens)` interpolates it.
    """

    decode_step_s: FloatArray
    prefill_tokens: FloatArray
    prefill_step_s: FloatArray
    max_batched_tokens: int = 8192

    @property
    def max_batch(self) -> int:
        return len(self.decode_step_s) - 1

    def prefill_s(self, tokens: float) -> float:
        """Prefill time for `tokens` prompt tokens in one step (linear beyond the grid)."""
        grid, seconds = self.prefill_tokens, self.prefill_step_s
        if tokens <= grid[-1]:
            return float(np.interp(tokens, grid, seconds))
        return float(seconds[-1] * tokens / grid[-1])


def constant_step_times(step_s: float, max_batch: int, prefill_s: float | None = None) -> StepTimes:
    """Every step (decode at any batch, or a prefill) takes `step_s`: the closed-form test case."""
    decode = np.full(max_batch + 1, step_s, dtype=np.float64)
    decode[0] = 0.0
    prefill = step_s if prefill_s is None else prefill_s
    return StepTimes(decode, np.array([1.0, 1e9]), np.array([prefill, prefill]))


@dataclass(frozen=True)
class Traffic:
    """Arrivals (req/s; Poisson, or gamma-renewal with vLLM's `burstiness` shape) and lengths."""

    rps: float
    mean_input_tokens: float
    mean_output_tokens: float
    length_distribution: LengthDistribution = "fixed"
    arrival: ArrivalProcess = "poisson"
    burstiness: float = 1.0

    def scaled(self, factor: float) -> Traffic:
        """The same traffic at `factor` × the rate (e.g. one replica's share)."""
        return Traffic(
            self.rps * factor,
            self.mean_input_tokens,
            self.mean_output_tokens,
            self.length_distribution,
            self.arrival,
            self.burstiness,
        )


@dataclass(frozen=True)
class RequestStream:
    arrival_s: FloatArray
    input_tokens: IntArray
    output_tokens: IntArray


def sample_lengths(
    mean: float,
    count: int,
    distribution: LengthDistribution,
    rng: np.random.Generator,
    sigma: float = LOGNORMAL_LENGTH_SIGMA,
) -> IntArray:
    """Token counts ≥ 1 with the given mean (`sigma`: the lognormal's log-spread)."""
    if distribution == "fixed":
        values = np.full(count, mean)
    elif distribution == "exponential":
        values = rng.exponential(mean, count)
    elif distribution == "uniform":
        values = rng.uniform(0.5 * mean, 1.5 * mean, count)
    else:
        values = rng.lognormal(math.log(mean) - sigma**2 / 2, sigma, count)
    return np.maximum(1, np.rint(values)).astype(np.int64)


def sample_requests(traffic: Traffic, count: int, seed: int = 0) -> RequestStream:
    """`count` requests: arrival times and input/output lengths."""
    rng = np.random.default_rng(seed)
    if traffic.arrival == "poisson":
        gaps = rng.exponential(1.0 / traffic.rps, count)
    else:
        shape = traffic.burstiness
        gaps = rng.gamma(shape, 1.0 / (traffic.rps * shape), count)
    return RequestStream(
        arrival_s=np.cumsum(gaps),
        input_tokens=sample_lengths(
            traffic.mean_input_tokens, count, traffic.length_distribution, rng
        ),
        output_tokens=sample_lengths(
            traffic.mean_output_tokens, count, traffic.length_distribution, rng
        ),
    )


@dataclass(frozen=True)
class SimulationResult:
    """Per-request latencies (seconds) of the measured requests, and replica-level figures."""

    ttft_s: FloatArray
    tpot_s: FloatArray
    e2e_s: FloatArray
    queue_wait_s: FloatArray
    duration_s: float
    mean_batch: float
    completed_rps: float
    output_tok_s: float

    def percentile_ms(self, metric: Literal["ttft", "tpot", "e2e", "queue"], q: float) -> float:
        values = {
            "ttft": self.ttft_s,
            "tpot": self.tpot_s,
            "e2e": self.e2e_s,
            "queue": self.queue_wait_s,
        }[metric]
        return float(np.percentile(values, q) * 1000.0) if len(values) else 0.0


@dataclass(frozen=True)
class LatencyLimits:
    """Per-request latency limits (seconds; None = no limit) for stopping a simulation early:
    once more of the measured requests exceed a limit than its 95th percentile allows, the
    run's p95 is known to miss and the rest need not be simulated."""

    ttft_s: float | None = None
    tpot_s: float | None = None
    e2e_s: float | None = None


# A request counts as over a limit only beyond this relative margin, so that an early stop never
# disagrees with the percentile (linear interpolation) computed from the full run.
_OVER_MARGIN = 1e-9


def _p95_misses_after(measured: int) -> int:
    """How many of `measured` values above a limit prove their p95 (numpy's linear
    interpolation at (n−1)·0.95) above it: both order statistics it interpolates between."""
    below = math.floor(0.95 * (measured - 1))
    return measured - below + 1


class _Replica:
    """The mutable state of one simulated replica (kept private to `simulate`).

    Hot loops read Python lists, not NumPy arrays (no per-element boxing); the arithmetic is
    the same sequence of IEEE double operations either way."""

    def __init__(self, steps: StepTimes, stream: RequestStream):
        self.steps = steps
        self.arrival_s: list[float] = stream.arrival_s.tolist()
        self.input_tokens: list[int] = stream.input_tokens.tolist()
        self.output_tokens: list[int] = stream.output_tokens.tolist()
        self.decode_s: list[float] = steps.decode_step_s.tolist()
        self.max_batch = steps.max_batch
        self.max_batched_tokens = steps.max_batched_tokens
        self._prefill_memo: dict[float, float] = {}
        count = len(self.arrival_s)
        self.admitted_s = [0.0] * count
        self.first_token_s = [0.0] * count
        self.finish_s = [0.0] * count
        self.running: list[tuple[int, int]] = []  # (step index of the last token, request)
        self.clock_s = 0.0
        self.step_index = 0
        self.next_request = 0
        self.finished = 0
        self.batch_time_s = 0.0  # ∫ batch dt, for the mean batch
        self.pace_s: list[float] | None = None  # closed loop: when each request may be sent
        self.concurrency = 0
        self.limits: LatencyLimits | None = None
        self.skip = 0
        self.misses_allowed = 0
        self.over = {"ttft": 0, "tpot": 0, "e2e": 0}
        self.stopped_early = False

    def close_loop(self, concurrency: int) -> None:
        """At most `concurrency` requests in flight (a benchmark client's semaphore): request
        k is sent at its paced time or when the (k − concurrency + 1)-th request completes,
        whichever is later; its latencies count from then."""
        self.pace_s = list(self.arrival_s)
        self.concurrency = concurrency
        for request in range(concurrency, len(self.arrival_s)):
            self.arrival_s[request] = math.inf

    def watch(self, limits: LatencyLimits, skip: int) -> None:
        """Stop as soon as the measured requests (index ≥ skip) prove a p95 above a limit."""
        self.limits, self.skip = limits, skip
        self.misses_allowed = _p95_misses_after(len(self.arrival_s) - skip) - 1

    def run(self) -> None:
        """The event loop. It runs ~100k times per report, so it is one function over local
        variables (an attribute or method lookup per event doubles its cost). Per event: jump
        an idle replica to the next arrival; admit the arrived requests that fit (free KV slots,
        the batched-token budget) and run their prefill step with one decode token for the
        running batch; or, with nobody to admit, run identical decode steps up to the next
        completion or arrival. Requests whose last token came are retired after each event."""
        arrivals, inputs, outputs = self.arrival_s, self.input_tokens, self.output_tokens
        decode_s, running = self.decode_s, self.running
        max_batch, max_tokens = self.max_batch, self.max_batched_tokens
        count = len(arrivals)
        clock, step_index, next_request, finished, batch_time = 0.0, 0, 0, 0, 0.0
        watched = self.limits is not None
        pace, in_flight = self.pace_s, self.concurrency
        done = 0  # prompt tokens of the head request prefilled by earlier chunk steps
        while finished < count and not self.stopped_early:
            if not running and clock < arrivals[next_request]:
                clock = arrivals[next_request]
            free_slots = max_batch - len(running)
            if done or (
                free_slots > 0
                and next_request < count
                and arrivals[next_request] <= clock
                and inputs[next_request] > max_tokens
            ):
                # chunked prefill: a prompt over the token budget takes one chunk per step,
                # the running batch decoding a token in each; its first token ends the last
                chunk = min(inputs[next_request] - done, max_tokens)
                step_s = self._chunk_s(done, chunk) + decode_s[len(running)]
                if not done:
                    self.admitted_s[next_request] = clock
                batch_time += len(running) * step_s
                clock += step_s
                step_index += 1
                done += chunk
                if done >= inputs[next_request]:
                    self.first_token_s[next_request] = clock
                    heapq.heappush(running, (step_index + outputs[next_request] - 1, next_request))
                    if watched:
                        self._check_first_token(next_request, clock)
                    next_request, done = next_request + 1, 0
            else:
                index, tokens = next_request, 0
                while index < count and index - next_request < free_slots:
                    if arrivals[index] > clock:
                        break
                    if index > next_request and tokens + inputs[index] > max_tokens:
                        break
                    tokens += inputs[index]
                    index += 1
                if index > next_request:
                    step_s = self._prefill_s(float(tokens)) + decode_s[len(running)]
                    for request in range(next_request, index):
                        self.admitted_s[request] = clock
                    batch_time += len(running) * 1 * step_s
                    clock += 1 * step_s
                    step_index += 1
                    for request in range(next_request, index):
                        self.first_token_s[request] = clock
                        heapq.heappush(running, (step_index + outputs[request] - 1, request))
                        if watched:
                            self._check_first_token(request, clock)
                    next_request = index
                else:
                    batch = len(running)
                    step_s = decode_s[batch]
                    steps = running[0][0] - step_index
                    if (
                        batch < max_batch
                        and next_request < count
                        and arrivals[next_request] < math.inf
                    ):
                        wait_s = arrivals[next_request] - clock
                        steps = min(steps, max(1, math.ceil(wait_s / step_s - 1e-12)))
                    batch_time += batch * steps * step_s
                    clock += steps * step_s
                    step_index += steps
            while running and running[0][0] <= step_index:
                _, request = heapq.heappop(running)
                self.finish_s[request] = clock
                finished += 1
                if pace is not None and finished + in_flight - 1 < count:
                    sent = finished + in_flight - 1
                    arrivals[sent] = max(pace[sent], clock)
                if watched:
                    self._check_finished(request)
        self.clock_s, self.step_index, self.next_request = clock, step_index, next_request
        self.finished, self.batch_time_s = finished, batch_time

    def _chunk_s(self, done: int, chunk: int) -> float:
        """A chunk of `chunk` prompt tokens after `done` already prefilled: what it adds to the
        whole prompt's prefill (its tokens attend over the earlier ones too), and never less
        than a step of that many tokens alone."""
        grown = self._prefill_s(float(done + chunk)) - self._prefill_s(float(done))
        return max(self._prefill_s(float(chunk)), grown)

    def _prefill_s(self, tokens: float) -> float:
        found = self._prefill_memo.get(tokens)
        if found is None:
            found = self._prefill_memo[tokens] = self.steps.prefill_s(tokens)
        return found

    def _check_first_token(self, request: int, first_token_s: float) -> None:
        assert self.limits is not None
        self._check("ttft", self.limits.ttft_s, first_token_s - self.arrival_s[request], request)

    def _check_finished(self, request: int) -> None:
        assert self.limits is not None
        outputs = self.output_tokens[request]
        if outputs > 1:
            tpot = (self.finish_s[request] - self.first_token_s[request]) / (outputs - 1)
            self._check("tpot", self.limits.tpot_s, tpot, request)
        self._check(
            "e2e", self.limits.e2e_s, self.finish_s[request] - self.arrival_s[request], request
        )

    def _check(self, metric: str, limit_s: float | None, value_s: float, request: int) -> None:
        if limit_s is None or request < self.skip or value_s <= limit_s * (1 + _OVER_MARGIN):
            return
        self.over[metric] += 1
        if self.over[metric] > self.misses_allowed:
            self.stopped_early = True


def simulate(
    steps: StepTimes,
    traffic: Traffic,
    requests: int = 2000,
    seed: int = 0,
    warmup_fraction: float = 0.1,
) -> SimulationResult:
    """Simulate one replica serving `requests` requests of `traffic`; the first
    `warmup_fraction` of them are left out of the latency figures."""
    stream = sample_requests(traffic, requests, seed)
    replica = _Replica(steps, stream)
    replica.run()
    return _summarise(replica, stream, int(requests * warmup_fraction))


def simulate_unless_missing(
    steps: StepTimes,
    traffic: Traffic,
    limits: LatencyLimits,
    requests: int = 2000,
    seed: int = 0,
    warmup_fraction: float = 0.1,
) -> SimulationResult | None:
    """`simulate` with the same arguments, or None as soon as the requests simulated so far
    prove a p95 above one of `limits` (the full run's p95 would miss it too)."""
    stream = sample_requests(traffic, requests, seed)
    replica = _Replica(steps, stream)
    skip = int(requests * warmup_fraction)
    replica.watch(limits, skip)
    replica.run()
    return None if replica.stopped_early else _summarise(replica, stream, skip)


def simulate_benchmark(
    steps: StepTimes, stream: RequestStream, concurrency: int | None = None
) -> SimulationResult:
    """A serving benchmark's run of exactly these requests, every one counted (no warm-up
    left out): sent at `stream.arrival_s` (all zero: at once), and with a `concurrency` at most
    that many in flight, each further request sent as one completes (a closed loop)."""
    replica = _Replica(steps, stream)
    if concurrency is not None and concurrency < len(stream.arrival_s):
        replica.close_loop(concurrency)
    replica.run()
    sent = RequestStream(
        np.array(replica.arrival_s, dtype=np.float64), stream.input_tokens, stream.output_tokens
    )
    return _summarise(replica, sent, 0)


def _summarise(replica: _Replica, stream: RequestStream, skip: int) -> SimulationResult:
    arrivals = stream.arrival_s[skip:]
    first_all, finish_all = np.array(replica.first_token_s), np.array(replica.finish_s)
    first, finish = first_all[skip:], finish_all[skip:]
    outputs = stream.output_tokens[skip:]
    multi = outputs > 1
    tpot = (finish[multi] - first[multi]) / (outputs[multi] - 1)
    duration = float(finish_all.max() - stream.arrival_s[0]) or 1e-9
    measured_span = float(finish.max() - arrivals[0]) or 1e-9
    return SimulationResult(
        ttft_s=first - arrivals,
        tpot_s=tpot,
        e2e_s=finish - arrivals,
        queue_wait_s=np.array(replica.admitted_s)[skip:] - arrivals,
        duration_s=duration,
        mean_batch=replica.batch_time_s / duration,
        completed_rps=len(arrivals) / measured_span,
        output_tok_s=float(outputs.sum()) / measured_span,
    )


# ----- closed forms --------------------------------------------------------------------------


def mm1_mean_wait_s(arrival_per_s: float, service_per_s: float) -> float:
    """M/M/1 mean time in queue: ρ / (μ − λ)."""
    _require_stable(arrival_per_s, service_per_s)
    rho = arrival_per_s / service_per_s
    return rho / (service_per_s - arrival_per_s)


def mm1_wait_quantile_s(arrival_per_s: float, service_per_s: float, q: float) -> float:
    """M/M/1 waiting-time quantile: P(W > t) = ρ·e^{−(μ−λ)t}, so t_q = ln(ρ/(1−q)) / (μ−λ)."""
    _require_stable(arrival_per_s, service_per_s)
    rho = arrival_per_s / service_per_s
    if rho <= 1.0 - q:
        return 0.0
    return math.log(rho / (1.0 - q)) / (service_per_s - arrival_per_s)


def md1_mean_wait_s(arrival_per_s: float, service_per_s: float) -> float:
    """M/D/1 mean time in queue (Pollaczek–Khinchine with zero service variance): ρ / (2μ(1−ρ))."""
    _require_stable(arrival_per_s, service_per_s)
    rho = arrival_per_s / service_per_s
    return rho / (2.0 * service_per_s * (1.0 - rho))


def _require_stable(arrival_per_s: float, service_per_s: float) -> None:
    if not 0 < arrival_per_s < service_per_s:
        raise ValueError(
            f"queue is unstable or empty: arrival {arrival_per_s}/s vs service {service_per_s}/s"
        )


# ----- closed-form capacity bounds (used to prune before simulating) --------------------------


def largest_batch_within(steps: StepTimes, tpot_limit_s: float | None) -> int:
    """The largest batch whose bare decode step is within a TPOT limit (0 if none is)."""
    if tpot_limit_s is None:
        return steps.max_batch
    within = np.nonzero(steps.decode_step_s[1:] <= tpot_limit_s)[0]
    return int(within[-1]) + 1 if len(within) else 0


def capacity_bound_rps(
    steps: StepTimes, input_tokens: float, output_tokens: float, tpot_limit_s: float | None = None
) -> float:
    """An upper bound on the req/s one replica sustains within a TPOT limit (0 if it cannot
    meet the limit even alone). Real capacity is lower: queueing and prefill interference."""
    batch = largest_batch_within(steps, tpot_limit_s)
    if batch == 0:
        return 0.0
    candidates = np.arange(1, batch + 1)
    decode = steps.decode_step_s[1 : batch + 1]
    per_request_s = steps.prefill_s(input_tokens) + (output_tokens - 1) * decode / candidates
    return float(np.max(1.0 / per_request_s))
