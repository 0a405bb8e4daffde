"""Replicas that serve one request at a time, behind one queue: an M/D/c pool.

A replica whose engine holds one sequence (Ollama's default OLLAMA_NUM_PARALLEL=1 at its
num_ctx, llama.cpp/Ollama split over GPU and CPU) is a single server: a request waits until
some replica is free, then takes its whole service time (prefill, then one decode step per
output token at batch 1). A fleet of such replicas behind a load balancer that sends each
request to a free replica (least outstanding requests, a shared queue) is the M/G/c queue.
Splitting Poisson traffic at random into independent 1/c shares instead (the per-replica
simulation) makes each replica an M/D/1 queue where a request waits with probability equal
to the utilisation, so a p95 wait far below the service time needs utilisation near 5 %
(hundreds of replicas where a pool needs tens).

Waiting time: Erlang C gives the probability of waiting; the wait beyond is exponential with
rate c·μ − λ in M/M/c; for near-constant service times (fixed lengths) the Allen-Cunneen
approximation scales the waits by (1 + cs²)/2 with the service's squared coefficient of
variation cs² (0 for constant service).
"""

from __future__ import annotations

import math

WAIT_SCALE_CONSTANT_SERVICE = 0.5  # Allen-Cunneen (1 + cs²)/2 at cs² = 0


def erlang_c(servers: int, offered_erlangs: float) -> float:
    """Probability that an arrival waits in an M/M/c queue with `servers` servers and
    `offered_erlangs` = λ/μ (1 when the pool is not below saturation). Erlang B by its stable
    recursion B(k) = a·B(k-1) / (k + a·B(k-1)), then C = B / (1 - ρ(1 - B))."""
    if servers < 1 or offered_erlangs >= servers:
        return 1.0
    if offered_erlangs <= 0.0:
        return 0.0
    blocking = 1.0
    for k in range(1, servers + 1):
        blocking = offered_erlangs * blocking / (k + offered_erlangs * blocking)
    load = offered_erlangs / servers
    return blocking / (1.0 - load * (1.0 - blocking))


def wait_quantile_s(
    servers: int,
    arrival_rps: float,
    service_s: float,
    quantile: float,
    wait_scale: float = WAIT_SCALE_CONSTANT_SERVICE,
) -> float:
    """The `quantile` of the time a request waits for a free replica (0 when at least that
    share of requests does not wait; inf at or past saturation)."""
    if arrival_rps <= 0.0:
        return 0.0
    offered = arrival_rps * service_s
    if offered >= servers:
        return math.inf
    waits = erlang_c(servers, offered)
    tail = 1.0 - quantile
    if waits <= tail:
        return 0.0
    drain_rps = servers / service_s - arrival_rps
    return wait_scale * math.log(waits / tail) / drain_rps


def fewest_pool_replicas(
    arrival_rps: float,
    service_s: float,
    allowed_p95_wait_s: float,
    most: int,
) -> int | None:
    """The fewest replicas whose p95 wait stays within `allowed_p95_wait_s` (None: not even
    `most`, or no wait is allowed while some must wait)."""
    if allowed_p95_wait_s < 0.0:
        return None
    low = max(1, math.floor(arrival_rps * service_s) + 1)
    if low > most:
        return None
    if wait_quantile_s(most, arrival_rps, service_s, 0.95) > allowed_p95_wait_s:
        return None
    high = most
    while low < high:
        middle = (low + high) // 2
        if wait_quantile_s(middle, arrival_rps, service_s, 0.95) <= allowed_p95_wait_s:
            high = middle
        else:
            low = middle + 1
    return low
