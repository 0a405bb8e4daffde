"""Measured benchmarks: medians with n and 95% intervals, A/B ratios, verdicts, categories,
and the Atlas Score (all from compare/, inputs from the results store)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import chain
from typing import Any

from gpuatlas.compare import (
    BenchmarkComparison,
    CategorySummary,
    SampleSummary,
    compare_all,
    summarize_categories,
    tally,
)
from gpuatlas.compare.samples import BenchmarkSamples
from gpuatlas.report.cells import cell_text
from gpuatlas.report.context import ReportContext
from gpuatlas.report.document import (
    BenchmarkEntry,
    Cell,
    Chart,
    MeasuredSide,
    Provenance,
    Quantity,
    RatioRange,
    Section,
    Statement,
    Table,
    Text,
)
from gpuatlas.report.measured import CATEGORY_TITLES, MeasuredData
from gpuatlas.report.quantities import estimate_quantity
from gpuatlas.report.standins import stand_in
from gpuatlas.report.verdict_text import ratio_quantity, tally_statement, verdict_statement

BENCHMARK_COLUMNS = (
    "Benchmark",
    "A median [95% CI] (n)",
    "B median [95% CI] (n)",
    "A ÷ B (>1: A better)",
    "Verdict",
)
CATEGORY_COLUMNS = (
    "Category",
    "Benchmarks",
    "Geomean A ÷ B [95% CI]",
    "Spread",
    "A wins / B wins / ties / inconclusive",
    "Verdict",
)
VERDICT_LABELS = {
    "a_faster": "A faster",
    "b_faster": "B faster",
    "roughly_equal": "roughly equal",
    "inconclusive": "inconclusive",
}


def measured_side(samples: BenchmarkSamples | None) -> MeasuredSide | None:
    if samples is None:
        return None
    summary: SampleSummary = samples.summary()
    return MeasuredSide(
        median=summary.median,
        n=summary.n,
        ci_low=summary.ci_low,
        ci_high=summary.ci_high,
        source=samples.source,
        result_ids=samples.result_ids,
    )


@dataclass(frozen=True)
class StandIn:
    """A modelled value for the side without a measurement (never used for a verdict)."""

    side: str
    estimate: Any

    def measured_side(self) -> MeasuredSide:
        e = self.estimate
        return MeasuredSide(
            median=float(e.value),
            n=0,
            ci_low=float(e.low),
            ci_high=float(e.high),
            source=f"modelled by {e.model}",
            modelled=True,
            model=str(e.model),
            calibration_version=str(e.calibration_version),
        )

    def quantity(self) -> Quantity:
        return estimate_quantity(self.estimate)


def find_stand_in(comparison: BenchmarkComparison, context: ReportContext) -> StandIn | None:
    if comparison.ratio is not None or (comparison.a is None and comparison.b is None):
        return None
    side, system = ("b", context.b) if comparison.b is None else ("a", context.a)
    estimate = stand_in(comparison.benchmark.id, system)
    return StandIn(side, estimate) if estimate is not None else None


def stand_in_ratio(comparison: BenchmarkComparison, standin: StandIn) -> RatioRange:
    """Measured median against the modelled value; the range follows the model's band."""
    measured = comparison.a or comparison.b
    assert measured is not None
    median = measured.summary().median
    e = standin.estimate
    hib = comparison.benchmark.higher_is_better
    values = [float(e.value), float(e.low), float(e.high)]
    if standin.side == "b":
        ratios = [median / v if hib else v / median for v in values]
    else:
        ratios = [v / median if hib else median / v for v in values]
    return RatioRange(ratios[0], min(ratios[1:]), max(ratios[1:]))


def benchmark_entry(
    comparison: BenchmarkComparison, standin: StandIn | None = None
) -> BenchmarkEntry:
    ratio = None
    reason = comparison.reason
    a, b = measured_side(comparison.a), measured_side(comparison.b)
    if comparison.ratio is not None:
        interval = comparison.ratio.interval
        ratio = RatioRange(interval.value, interval.low, interval.high)
    elif standin is not None:
        ratio = stand_in_ratio(comparison, standin)
        a = standin.measured_side() if standin.side == "a" else a
        b = standin.measured_side() if standin.side == "b" else b
        reason = f"{standin.side.upper()} is a modelled stand-in (no measurement): no verdict"
    info = comparison.benchmark
    return BenchmarkEntry(
        benchmark=info.id,
        title=info.title or info.id,
        category=info.category,
        unit=info.unit,
        higher_is_better=info.higher_is_better,
        a=a,
        b=b,
        ratio=ratio,
        verdict=comparison.verdict.value,
        reason=reason,
    )


def measured_provenance(*sides: BenchmarkSamples | None) -> Provenance:
    present = [s for s in sides if s is not None]
    ids = tuple(chain.from_iterable(s.result_ids for s in present))
    return Provenance(
        kind="measured",
        source="; ".join(sorted({s.source for s in present}))[:300],
        result_ids=ids,
        n=sum(s.n for s in present),
    )


def side_quantity(samples: BenchmarkSamples | None) -> Quantity:
    if samples is None:
        return Quantity(None, "", Provenance(kind="measured", source="no measurement"))
    summary = samples.summary()
    return Quantity(
        summary.median,
        samples.benchmark.unit,
        measured_provenance(samples),
        summary.ci_low,
        summary.ci_high,
    )


def benchmark_row(
    comparison: BenchmarkComparison, standin: StandIn | None = None
) -> tuple[Cell, ...]:
    ratio: Cell = Text("—")
    if comparison.ratio is not None:
        ratio = ratio_quantity(
            comparison.ratio.interval, measured_provenance(comparison.a, comparison.b)
        )
    sides: list[Cell] = [side_quantity(comparison.a), side_quantity(comparison.b)]
    verdict = VERDICT_LABELS[comparison.verdict.value]
    if standin is not None:
        index = 0 if standin.side == "a" else 1
        sides[index] = Text(
            f"modelled: {cell_text(standin.quantity())}", standin.quantity().provenance
        )
        r = stand_in_ratio(comparison, standin)
        ratio = Text(f"{r.value:.2f}× (vs modelled)")
        verdict = "none (one side modelled)"
    return (
        Text(comparison.benchmark.title or comparison.benchmark.id),
        sides[0],
        sides[1],
        ratio,
        Text(verdict),
    )


def category_rows(categories: Sequence[CategorySummary]) -> tuple[tuple[Cell, ...], ...]:
    provenance = Provenance(kind="computed", source="geometric mean of A/B ratios; joint bootstrap")
    return tuple(
        (
            Text(CATEGORY_TITLES.get(c.category, c.category)),
            Text(str(c.benchmark_count)),
            ratio_quantity(c.ratio, provenance),
            Text(f"{c.lowest_ratio:.2f}×–{c.highest_ratio:.2f}×"),
            Text(f"{c.tally.a_wins} / {c.tally.b_wins} / {c.tally.ties} / {c.tally.inconclusive}"),
            Text(VERDICT_LABELS[c.verdict.value]),
        )
        for c in categories
    )


def category_statements(
    categories: Sequence[CategorySummary], context: ReportContext
) -> list[Statement]:
    provenance = Provenance(kind="computed", source="geometric mean of A/B ratios; joint bootstrap")
    return [
        verdict_statement(
            f"{CATEGORY_TITLES.get(c.category, c.category)} "
            f"(geometric mean of {c.benchmark_count})",
            c.verdict,
            ratio_quantity(c.ratio, provenance),
            context.a_label,
            context.b_label,
            _category_reason(c),
        )
        for c in categories
    ]


HIGHLIGHTED_INCONCLUSIVE = 5


def highlighted(both: Sequence[BenchmarkComparison]) -> list[BenchmarkComparison]:
    """Benchmarks worth a sentence: every decisive verdict, plus the largest inconclusive gaps
    (the table lists them all)."""
    decisive = [c for c in both if c.verdict.value != "inconclusive"]
    rest = [c for c in both if c.verdict.value == "inconclusive" and c.ratio is not None]
    rest.sort(key=lambda c: -abs(math.log(c.ratio.value)) if c.ratio else 0.0)
    return decisive + rest[:HIGHLIGHTED_INCONCLUSIVE]


def _category_reason(category: CategorySummary) -> str:
    if category.single_run_benchmarks:
        return (
            f"{category.single_run_benchmarks} of its {category.benchmark_count} benchmarks "
            "have a single run on a side, so no interval can be computed"
        )
    return "the 95% interval crosses the ±5% band"


def ratio_chart(comparisons: Sequence[BenchmarkComparison]) -> Chart | None:
    both = [c for c in comparisons if c.ratio is not None]
    if not both:
        return None
    return Chart(
        id="measured-ratios",
        title="Measured A ÷ B per benchmark (> 1: A better)",
        unit="×",
        labels=tuple(c.benchmark.title or c.benchmark.id for c in both),
        a_values=tuple(c.ratio.value if c.ratio else None for c in both),
        b_values=tuple(1.0 for _ in both),
    )


def build_measured(
    context: ReportContext, data: MeasuredData
) -> tuple[Section, tuple[BenchmarkEntry, ...]]:
    comparisons = compare_all(data.for_system(context.a.id), data.for_system(context.b.id))
    standins = [find_stand_in(c, context) for c in comparisons]
    entries = tuple(benchmark_entry(c, s) for c, s in zip(comparisons, standins, strict=True))
    if not comparisons:
        return Section(
            id="measured",
            title="Measured benchmarks",
            omitted=f"No measured results for {context.a_label} or {context.b_label} "
            f"in the {data.store_description}.",
        ), entries
    both = [c for c in comparisons if c.ratio is not None]
    categories = summarize_categories(both)
    statements = []
    if both:
        statements.append(
            tally_statement(
                tally(c.verdict for c in both), context.a_label, context.b_label, "All categories"
            )
        )
    statements += category_statements(categories, context)
    statements += [
        verdict_statement(
            c.benchmark.title or c.benchmark.id,
            c.verdict,
            ratio_quantity(c.ratio.interval, measured_provenance(c.a, c.b)),
            context.a_label,
            context.b_label,
            c.reason,
        )
        for c in highlighted(both)
        if c.ratio is not None
    ]
    tables = (
        [Table("measured-categories", "Per category", CATEGORY_COLUMNS, category_rows(categories))]
        if categories
        else []
    )
    tables.append(
        Table(
            "measured-benchmarks",
            "Per benchmark",
            BENCHMARK_COLUMNS,
            tuple(benchmark_row(c, s) for c, s in zip(comparisons, standins, strict=True)),
        )
    )
    chart = ratio_chart(comparisons)
    notes = _method_notes(comparisons, data)
    return Section(
        id="measured",
        title="Measured benchmarks",
        tables=tuple(tables),
        statements=tuple(statements),
        charts=(chart,) if chart else (),
        notes=notes,
    ), entries


def _method_notes(
    comparisons: Sequence[BenchmarkComparison], data: MeasuredData
) -> tuple[str, ...]:
    single = sum(
        1 for c in comparisons if c.ratio is not None and not c.ratio.interval.has_interval
    )
    one_sided = sum(1 for c in comparisons if c.ratio is None)
    notes = [
        f"Source: {data.store_description}; quarantined results excluded.",
        "Verdict rule: A faster when the whole 95% bootstrap interval of A ÷ B is above 1.05; "
        "B faster when it is below 1/1.05; roughly equal when it lies within [1/1.05, 1.05]; "
        "otherwise inconclusive. Ratios are oriented so > 1 means A is better (s/image and ms "
        "are inverted).",
    ]
    if single:
        notes.append(
            f"{single} benchmark(s) have a single run on a side: no interval can be "
            "computed, so their verdict is inconclusive whatever the gap."
        )
    if one_sided:
        notes.append(f"{one_sided} benchmark(s) are measured on one side only (no ratio).")
    return tuple(notes)
