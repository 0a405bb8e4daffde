"""The reply lengths of a finite serving run, and how many of its requests run at once.

A benchmark that samples ShareGPT conversations and lets each request generate its own
conversation's reply (vLLM `bench serve` and SGLang `bench_serving` with `--dataset-name
sharegpt` and no fixed output length) sends requests whose lengths spread over a long tail:
lognormal with the stated mean (`llm.sharegpt_output_sigma`), none longer than the samplers'
prompt-plus-reply limit less the prompt (`llm.sharegpt_total_tokens_cap`). A run of N such
requests lasts until its longest one ends, and for much of that time only a few are left
running, so its throughput sits well below a steady stream's at the same concurrency (a
steady stream refills each slot as a request ends, whatever the lengths).

Lengths are the distribution's quantiles, not random draws, so a prediction is the same every
time; they are sent in a fixed shuffled order (a data set's order has nothing to do with the
reply lengths).
"""

from __future__ import annotations

import heapq
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import islice
from statistics import NormalDist

import numpy as np

from gpuatlas.errors import InvalidRequestError
from gpuatlas.performance.model_constants import model_constant

SHAREGPT_SIGMA = model_constant("llm", "sharegpt_output_sigma")
SHAREGPT_TOTAL_CAP_TOKENS = int(model_constant("llm", "sharegpt_total_tokens_cap"))
SHAREGPT_NOTE_MARK = "with ShareGPT reply lengths"  # in every ShareGPT run's note
_SHUFFLE_SEED = 0
_SCALE_STEPS = 60  # bisection steps for the scale that keeps the mean (far below 1e-9 relative)


@dataclass(frozen=True)
class RunSpans:
    """A finite run as spans of equal concurrency: (requests running, decode steps) each, and
    the output tokens its requests generate in all."""

    spans: tuple[tuple[int, int], ...]
    output_tokens: int
    longest_tokens: int


def sharegpt_output_lengths(
    mean_tokens: float, input_tokens: int, requests: int
) -> tuple[int, ...]:
    """`requests` reply lengths with mean `mean_tokens`, spread like ShareGPT's, each at most
    the samplers' limit less the prompt, in the order a client sends them."""
    cap = SHAREGPT_TOTAL_CAP_TOKENS - input_tokens
    if requests < 1:
        raise InvalidRequestError([f"requests must be at least 1, got {requests}"])
    if cap < 1 or mean_tokens > cap:
        raise InvalidRequestError(
            [
                f"ShareGPT lengths: the samplers keep prompt + reply within "
                f"{SHAREGPT_TOTAL_CAP_TOKENS:,} tokens, so a {input_tokens:,}-token prompt "
                f"leaves at most {max(cap, 0):,} reply tokens, below the mean of "
                f"{mean_tokens:g} asked for; use lengths 'fixed' for longer requests"
            ]
        )
    shape = _unit_mean_quantiles(requests)
    scale = _scale_keeping_mean(shape, mean_tokens, cap)
    lengths = np.maximum(1, np.rint(np.minimum(scale * shape, cap))).astype(np.int64)
    order = np.random.default_rng(_SHUFFLE_SEED).permutation(requests)
    return tuple(int(length) for length in lengths[order])


def _unit_mean_quantiles(count: int) -> np.ndarray:
    """The quantiles at (i + 0.5) / count of the lognormal whose mean is 1."""
    normal = NormalDist()
    z = np.array([normal.inv_cdf((index + 0.5) / count) for index in range(count)])
    return np.exp(SHAREGPT_SIGMA * z - SHAREGPT_SIGMA**2 / 2)


def _scale_keeping_mean(shape: np.ndarray, mean_tokens: float, cap: int) -> float:
    """The factor whose lengths, each cut at `cap`, average `mean_tokens`."""
    low, high = 0.0, max(mean_tokens, 1.0)
    while float(np.minimum(high * shape, cap).mean()) < mean_tokens:
        high *= 2.0
    for _ in range(_SCALE_STEPS):
        middle = (low + high) / 2.0
        if float(np.minimum(middle * shape, cap).mean()) < mean_tokens:
            low = middle
        else:
            high = middle
    return high


def running_spans(lengths: Sequence[int], running: int) -> tuple[tuple[int, int], ...]:
    """(requests running, decode steps) spans of a run that starts `running` of its requests
    at once and the next waiting one whenever one ends (the engine's scheduler, or a client
    that keeps `running` in flight), one token per running request per step."""
    if running < 1:
        raise InvalidRequestError([f"running batch must be at least 1, got {running}"])
    waiting = iter(lengths)
    ends = sorted(islice(waiting, running))
    heapq.heapify(ends)
    spans: list[tuple[int, int]] = []
    now = 0
    while ends:
        end = ends[0]
        if end > now:
            _add_span(spans, len(ends), end - now)
            now = end
        while ends and ends[0] == now:
            heapq.heappop(ends)
            following = next(waiting, None)
            if following is not None:
                heapq.heappush(ends, now + following)
    return tuple(spans)


def _add_span(spans: list[tuple[int, int]], batch: int, steps: int) -> None:
    if spans and spans[-1][0] == batch:
        spans[-1] = (batch, spans[-1][1] + steps)
    else:
        spans.append((batch, steps))


def sharegpt_run(
    running: int, requests: int, input_tokens: int, mean_output_tokens: float
) -> RunSpans:
    """A run of `requests` ShareGPT requests with at most `running` in flight."""
    lengths = sharegpt_output_lengths(mean_output_tokens, input_tokens, requests)
    return RunSpans(running_spans(lengths, running), sum(lengths), max(lengths))


def sharegpt_note(requests: int, run: RunSpans) -> str:
    """What a ShareGPT run's estimate assumed, in a sentence."""
    mean = run.output_tokens / requests
    return (
        f"{requests:,} requests {SHAREGPT_NOTE_MARK} (mean {mean:,.0f}, longest "
        f"{run.longest_tokens:,} tokens): the run lasts until its longest request ends"
    )
