"""Atlas Scores (reference GPU = 100) for the report and the leaderboard."""

from __future__ import annotations

from dataclasses import dataclass

from gpuatlas.compare import AtlasScore, ScoreMethod, atlas_score, default_score_method
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
    """The score over the benchmarks the reference GPU has (the suite it can anchor)."""
    reference = data.for_system(method.reference_gpu)
    suite = {b: s.benchmark.category for b, s in reference.items()}
    return atlas_score(system_key, data.for_system(system_key), reference, method, suite)


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
