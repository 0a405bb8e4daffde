"""Atlas Scores (reference GPU = 100) for the report and the leaderboard."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable, Mapping
from dataclasses import dataclass

from gpuatlas.compare import (
    AtlasScore,
    BenchmarkSamples,
    ScoreMethod,
    atlas_score,
    default_noise_model,
    default_score_method,
)
from gpuatlas.numbers import format_given, format_number
from gpuatlas.report.document import ScoreEntry, Scores
from gpuatlas.report.measured import MeasuredData, load_all_measured

# A process-wide cache, on purpose: a system's score is a pure function of
# its samples, the reference's samples, the method and the benchmarks it is scored on (all in
# the key, the samples by their summaries and first bootstrap replicates), and the leaderboard
# and every report of a long-lived server score the same systems again. Bounded: past
# SCORE_CACHE_ENTRIES the least recently used score goes first.
SCORE_CACHE_ENTRIES = 1024
_SCORES: OrderedDict[Hashable, AtlasScore | None] = OrderedDict()
_SCORES_LOCK = threading.Lock()


MIN_RANKED_BENCHMARKS = 8
OWN_BASIS = (
    "its own {covered} of the reference's {total} scored benchmarks (its leaderboard score; "
    "`compare` scores a pair on the benchmarks both have)"
)
PAIRED_BASIS = (
    "the {covered} benchmarks measured on both sides of this comparison (like for like; its "
    "leaderboard score, on its own {own_covered} of {total}, is {own})"
)


def score_entry(
    score: AtlasScore | None,
    method: ScoreMethod,
    paired: bool = False,
    ranked: bool = True,
    own: AtlasScore | None = None,
) -> ScoreEntry | None:
    """The score as shown; `own` (a paired score's system scored on its own coverage) is
    stated beside it, so a pair's figure never reads as a second, different leaderboard score."""
    if score is None:
        return None
    own = own or score
    own_text = format_number(own.interval.value)
    basis = (PAIRED_BASIS if paired else OWN_BASIS).format(
        covered=score.covered_benchmarks,
        total=score.total_benchmarks,
        own_covered=own.covered_benchmarks,
        own=own_text,
    )
    return ScoreEntry(
        value=score.interval.value,
        low=score.interval.low,
        high=score.interval.high,
        coverage=score.coverage,
        covered_benchmarks=score.covered_benchmarks,
        total_benchmarks=score.total_benchmarks,
        method_version=score.method_version,
        reference_gpu=method.reference_gpu,
        paired=paired,
        ranked=ranked,
        basis=basis,
        own_value=own.interval.value,
        own_covered_benchmarks=own.covered_benchmarks,
    )


def system_score(system_key: str, data: MeasuredData | None = None) -> ScoreEntry | None:
    """A system's Atlas Score: on every scored benchmark it has (its own coverage), ranked when
    that is at least ``MIN_RANKED_BENCHMARKS``. The one figure the leaderboard, the home and GPU
    pages and `gpu NAME` show; `compare` shows it beside the pair's like-for-like score."""
    method = default_score_method()
    score = score_for(system_key, data or load_all_measured(), method)
    if score is None:
        return None
    return score_entry(score, method, ranked=score.covered_benchmarks >= MIN_RANKED_BENCHMARKS)


def score_for(
    system_key: str,
    data: MeasuredData,
    method: ScoreMethod,
    only: frozenset[str] | None = None,
) -> AtlasScore | None:
    """The score over the benchmarks the reference GPU has (the suite it can anchor), or over
    ``only`` those (a pair scored on the same benchmarks). Single-run results take their spread
    from the noise model.

    A system's score depends only on its own and the reference's samples (and ``only``), not
    on the pair it is shown in: it is computed once per distinct inputs per process."""
    reference = data.for_system(method.reference_gpu)
    mine = data.for_system(system_key)
    noise = default_noise_model()
    method_key = (
        method.version,
        method.reference_gpu,
        method.reference_value,
        tuple(sorted(method.weights.items())),
        noise.version,
    )
    only_key = tuple(sorted(only)) if only is not None else None
    key = (system_key, method_key, only_key, _inputs_key(mine), _inputs_key(reference))
    with _SCORES_LOCK:
        if key in _SCORES:
            _SCORES.move_to_end(key)
            return _SCORES[key]
    suite = {b: s.benchmark.category for b, s in reference.items()}
    score = atlas_score(system_key, mine, reference, method, suite, noise, only)
    with _SCORES_LOCK:
        _SCORES[key] = score
        while len(_SCORES) > SCORE_CACHE_ENTRIES:
            _SCORES.popitem(last=False)
    return score


def _inputs_key(results: Mapping[str, BenchmarkSamples]) -> tuple[Hashable, ...]:
    """What a score computed from these samples depends on: per benchmark its orientation,
    category, n, median, interval and the first bootstrap medians (the seeded replicates are a
    function of the runs, so equal keys mean equal inputs)."""
    return tuple(
        (
            benchmark_id,
            s.benchmark.category,
            s.benchmark.higher_is_better,
            s.n,
            s.summary().median,
            s.summary().ci_low,
            s.summary().ci_high,
            _head(s),
        )
        for benchmark_id, s in sorted(results.items())
    )


def _head(samples: BenchmarkSamples) -> tuple[float, ...]:
    replicates = samples.bootstrap.replicates
    return () if replicates is None else tuple(float(x) for x in replicates[:8])


def paired_benchmarks(a_key: str, b_key: str, data: MeasuredData) -> frozenset[str]:
    """The benchmarks measured on both sides (the reference decides which of them score)."""
    return frozenset(data.for_system(a_key)) & frozenset(data.for_system(b_key))


def comparison_scores(a_key: str, b_key: str, data: MeasuredData) -> Scores:
    """Both sides scored on the same benchmarks (those both have, with the reference); where
    they share none, each on its own coverage, marked not paired."""
    method = default_score_method()
    shared = paired_benchmarks(a_key, b_key, data)
    a_paired = score_for(a_key, data, method, shared)
    b_paired = score_for(b_key, data, method, shared)
    if a_paired is not None and b_paired is not None:
        a = score_entry(a_paired, method, True, own=score_for(a_key, data, method))
        b = score_entry(b_paired, method, True, own=score_for(b_key, data, method))
        scope = (
            f"Both sides are scored on the same {a_paired.covered_benchmarks} benchmarks "
            "(measured on both and on the reference); their coverage is of the reference's "
            f"{a_paired.total_benchmarks} scored benchmarks."
        )
    else:
        a, b = system_score(a_key, data), system_score(b_key, data)
        scope = (
            "The two sides share no scored benchmark: each is scored on its own coverage, so "
            "the two scores rest on different benchmarks and are not a like-for-like comparison."
        )
    notes = (
        f"Atlas Score {method.version}: two-level geometric mean of ratios to the "
        f"{method.reference_gpu} (= {method.reference_value:.0f}) — within categories, then "
        "across categories with the published weights "
        + ", ".join(f"{c} {format_given(w)}" for c, w in method.weights.items())
        + "; missing results lower the coverage and are never scored as zero; intervals "
        "resample runs (or the noise model, for single-run results) and benchmarks.",
        scope,
    )
    return Scores(
        a=a,
        b=b,
        method_source=method.source,
        notes=notes,
    )


@dataclass(frozen=True)
class LeaderboardRow:
    rank: int
    system: str
    score: ScoreEntry


def leaderboard(data: MeasuredData | None = None) -> list[LeaderboardRow]:
    """Every system with at least one benchmark in common with the reference, each with its
    `system_score`: first those scored on at least ``MIN_RANKED_BENCHMARKS`` benchmarks, best
    first; then the others (``ranked`` False), best first — a score resting on 2 benchmarks
    never sits above one resting on 24 unless both are ranked."""
    measured = data or load_all_measured()
    entries = []
    for system in sorted(measured.by_system):
        entry = system_score(system, measured)
        if entry is not None:
            entries.append((system, entry))
    entries.sort(key=lambda item: (not item[1].ranked, -item[1].value))
    return [LeaderboardRow(rank, system, entry) for rank, (system, entry) in enumerate(entries, 1)]
