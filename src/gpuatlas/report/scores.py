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
    default_score_method,
)
from gpuatlas.report.document import ScoreEntry, Scores
from gpuatlas.report.measured import MeasuredData, load_all_measured


def score_entry(score: AtlasScore | None, method: ScoreMethod) -> ScoreEntry | None:
    if score is None:
        return None
    return ScoreEntry(
        value=score.interval.value,
        low=score.interval.low,
        high=score.interval.high,
        coverage=score.coverage,
        covered_benchmarks=score.covered_benchmarks,
        total_benchmarks=score.total_benchmarks,
        method_version=score.method_version,
        reference_gpu=method.reference_gpu,
    )


def score_for(system_key: str, data: MeasuredData, method: ScoreMethod) -> AtlasScore | None:
    """The score over the benchmarks the reference GPU has (the suite it can anchor).

    A system's score depends only on its own and the reference's samples, not on the pair it
    is shown in: it is computed once per distinct inputs (see ``_inputs_key``) per process."""
    reference = data.for_system(method.reference_gpu)
    mine = data.for_system(system_key)
    method_key = (method.version, method.reference_gpu, method.reference_value,
                  tuple(sorted(method.weights.items())))
    key = (system_key, method_key, _inputs_key(mine), _inputs_key(reference))
    with _SCORES_LOCK:
        if key in _SCORES:
            _SCORES.move_to_end(key)
            return _SCORES[key]
    suite = {b: s.benchmark.category for b, s in reference.items()}
    score = atlas_score(system_key, mine, reference, method, suite)
    with _SCORES_LOCK:
        _SCORES[key] = score
        while len(_SCORES) > SCORE_CACHE_ENTRIES:
            _SCORES.popitem(last=False)
    return score


SCORE_CACHE_ENTRIES = 1024
_SCORES: OrderedDict[Hashable, AtlasScore | None] = OrderedDict()
_SCORES_LOCK = threading.Lock()


def _inputs_key(results: Mapping[str, BenchmarkSamples]) -> tuple[Hashable, ...]:
    """What a score computed from these samples depends on: per benchmark its orientation,
    category, n, median, interval and the first bootstrap medians (the seeded replicates are a
    function of the runs, so equal keys mean equal inputs)."""
    return tuple(
        (benchmark_id, s.benchmark.category, s.benchmark.higher_is_better, s.n,
         s.summary().median, s.summary().ci_low, s.summary().ci_high, _head(s))
        for benchmark_id, s in sorted(results.items())
    )


def _head(samples: BenchmarkSamples) -> tuple[float, ...]:
    replicates = samples.bootstrap.replicates
    return () if replicates is None else tuple(float(x) for x in replicates[:8])


def comparison_scores(a_key: str, b_key: str, data: MeasuredData) -> Scores:
    method = default_score_method()
    notes = (
        f"Atlas Score {method.version}: two-level geometric mean of ratios to the "
        f"{method.reference_gpu} (= {method.reference_value:.0f}) — within categories, then "
        "across categories with the published weights "
        + ", ".join(f"{c} {w:g}" for c, w in method.weights.items())
        + "; missing results lower the coverage and are never scored as zero.",
    )
    return Scores(
        a=score_entry(score_for(a_key, data, method), method),
        b=score_entry(score_for(b_key, data, method), method),
        method_source=method.source,
        notes=notes,
    )


@dataclass(frozen=True)
class LeaderboardRow:
    rank: int
    system: str
    score: ScoreEntry


def leaderboard(data: MeasuredData | None = None) -> list[LeaderboardRow]:
    """Every system with at least one benchmark in common with the reference, best first."""
    method = default_score_method()
    measured = data or load_all_measured()
    entries = []
    for system in sorted(measured.by_system):
        entry = score_entry(score_for(system, measured, method), method)
        if entry is not None:
            entries.append((system, entry))
    entries.sort(key=lambda item: -item[1].value)
    return [LeaderboardRow(rank, system, entry) for rank, (system, entry) in enumerate(entries, 1)]
