"""Measured benchmarks (issue 12): the standard suite as the backbone — one row per suite
benchmark with measured A and B, or the modelled value where a side has no measurement —
category verdicts with intervals and the consistency of direction, the headline tally, and the
public measurements that are not suite benchmarks in a secondary table grouped by workload."""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping, Sequence

from gpuatlas.compare import (
    BenchmarkComparison,
    BenchmarkInfo,
    NoiseModel,
    compare_all,
    default_noise_model,
    tally,
)
from gpuatlas.records.identity import benchmark_key
from gpuatlas.records.suite import suite
from gpuatlas.report.categories import (
    CATEGORY_COLUMNS,
    category_chart,
    category_entries,
    category_rows,
    category_statements,
)
from gpuatlas.report.context import ReportContext, results_key
from gpuatlas.report.document import (
    BenchmarkEntry,
    CategoryEntry,
    Chart,
    Provenance,
    Quantity,
    Section,
    Statement,
    Table,
    Text,
)
from gpuatlas.report.measured import CATEGORY_TITLES, MeasuredData
from gpuatlas.report.measured_notes import method_notes
from gpuatlas.report.pair_cells import (
    benchmark_entry,
    measured_provenance,
    pair_cells,
    title_cell,
)
from gpuatlas.report.pair_rows import PairRow, measured_row, model_row
from gpuatlas.report.profiles import SideProfile
from gpuatlas.report.suite_models import SuitePrediction
from gpuatlas.report.verdict_text import headline_statement, ratio_quantity, verdict_statement

SUITE_COLUMNS = ("Benchmark", "Category", "A", "B", "A ÷ B [95% CI] (>1: A better)", "Verdict")
OTHER_COLUMNS = ("Workload", "Benchmark", "A", "B", "A ÷ B [95% CI] (>1: A better)", "Verdict")
HIGHLIGHTED_INCONCLUSIVE = 5
NO_STAND_IN = "no measurement; no model for this configuration"


def suite_rows(
    sides: tuple[SideProfile, SideProfile],
    comparisons: Mapping[str, BenchmarkComparison],
    noise: NoiseModel,
) -> list[PairRow]:
    """One row per benchmark of the standard suite, measured where stored, else modelled."""
    rows = []
    for benchmark in suite():
        key = benchmark_key(benchmark.id, benchmark.version)
        found = _suite_match(key, comparisons)
        if found is not None and found.ratio is not None:
            rows.append(measured_row(found, suite=True))
            continue
        info = (
            found.benchmark
            if found
            else BenchmarkInfo(
                key, benchmark.category, benchmark.unit, benchmark.higher_is_better, benchmark.title
            )
        )
        a = found.a if found else None
        b = found.b if found else None
        pa = sides[0].suite_prediction(benchmark) if a is None else None
        pb = sides[1].suite_prediction(benchmark) if b is None else None
        rows.append(
            model_row(
                info,
                (a, b),
                (pa.estimate if pa else None, pb.estimate if pb else None),
                noise,
                suite=True,
                missing=(_why(pa), _why(pb)),
            )
        )
    return rows


def _suite_match(
    key: str, comparisons: Mapping[str, BenchmarkComparison]
) -> BenchmarkComparison | None:
    """The stored comparison of a suite benchmark: measured on both sides first (results under
    several run identities are several benchmarks; the others stay in the table below)."""
    found = [c for i, c in sorted(comparisons.items()) if i.split(" [", 1)[0] == key]
    return next((c for c in found if c.ratio is not None), found[0] if found else None)


def _why(prediction: SuitePrediction | None) -> str:
    return prediction.reason or "" if prediction is not None else ""


def other_rows(
    sides: tuple[SideProfile, SideProfile],
    comparisons: Sequence[BenchmarkComparison],
    noise: NoiseModel,
) -> list[PairRow]:
    """Measurements outside the suite: measured on both, or one side against a stand-in."""
    rows = []
    for comparison in comparisons:
        if comparison.ratio is not None:
            rows.append(measured_row(comparison))
            continue
        side = sides[1] if comparison.b is None else sides[0]
        estimate = side.stand_in(comparison.benchmark.workload)
        estimates = (None, estimate) if comparison.b is None else (estimate, None)
        rows.append(
            model_row(
                comparison.benchmark,
                (comparison.a, comparison.b),
                estimates,
                noise,
                missing=(NO_STAND_IN, NO_STAND_IN),
            )
        )
    return rows


def workload_of(info: BenchmarkInfo) -> str:
    """'LLM single-user · llama.cpp · Llama-2-7b-hf' (what the secondary table groups by)."""
    title = CATEGORY_TITLES.get(info.category, info.category)
    workload = info.workload
    if workload is None:
        return title
    return f"{title} · {workload.engine_label} · {workload.model.split('/')[-1]}"


def _row_order(row: PairRow) -> tuple[str, int, str]:
    return (workload_of(row.info), row.ratio is None, row.info.id)


def _suite_table(rows: Sequence[PairRow]) -> Table:
    cells = tuple(
        (title_cell(r), Text(CATEGORY_TITLES.get(r.info.category, r.info.category)), *pair_cells(r))
        for r in rows
    )
    return Table(
        "measured-suite",
        "Standard suite v1 (gpuatlas bench list): one row per benchmark",
        SUITE_COLUMNS,
        cells,
        (
            "A or B 'modelled' = no measurement stored for that side: the estimator's value with "
            "its calibrated band stands in, and the verdict is against that band (vs model).",
        ),
    )


def _other_table(rows: Sequence[PairRow]) -> Table:
    ordered = sorted(rows, key=_row_order)
    cells = tuple((Text(workload_of(r.info)), title_cell(r), *pair_cells(r)) for r in ordered)
    return Table(
        "measured-other",
        "Other public measurements (not suite benchmarks), by workload",
        OTHER_COLUMNS,
        cells,
    )


def highlighted(rows: Sequence[PairRow]) -> list[PairRow]:
    """Benchmarks worth a sentence: every decisive measured verdict, plus the largest
    undecided gaps (the tables list them all)."""
    measured = [r for r in rows if r.measured_on_both and r.ratio is not None]
    decisive = [r for r in measured if r.direction.value != "inconclusive"]
    rest = [r for r in measured if r.direction.value == "inconclusive"]
    rest.sort(key=lambda r: -abs(math.log(r.ratio.value)) if r.ratio else 0.0)
    return decisive + rest[:HIGHLIGHTED_INCONCLUSIVE]


def _benchmark_statements(rows: Sequence[PairRow], context: ReportContext) -> list[Statement]:
    return [
        with_pairing(
            verdict_statement(
                r.info.title or r.info.id,
                r.direction,
                ratio_quantity(r.ratio.interval, measured_provenance(r.a, r.b)),
                context.a_label,
                context.b_label,
                r.reason,
            ),
            r.pairing,
        )
        for r in highlighted(rows)
        if r.ratio is not None
    ]


def with_pairing(statement: Statement, pairing: str | None) -> Statement:
    """The statement followed by what its ratio rests on (paired in one source, or across
    sources naming each side's sources and builds)."""
    if not pairing:
        return statement
    words = {**statement.words, "pairing": pairing}
    template = statement.template + " Basis: {pairing}."
    return dataclasses.replace(statement, template=template, words=words)


def _headline(rows: Sequence[PairRow], context: ReportContext) -> Statement:
    measured = [r for r in rows if r.measured_on_both]
    if not measured:
        return Statement(
            kind="fact",
            template="No benchmark is measured on both {a} and {b}: the suite rows compare "
            "against the model's band (vs model).",
            words={"a": context.a_label, "b": context.b_label},
        )
    statement = headline_statement(
        tally(r.direction for r in measured), context.a_label, context.b_label
    )
    return with_pairing_counts(statement, measured)


def with_pairing_counts(statement: Statement, measured: Sequence[PairRow]) -> Statement:
    """The tally followed by how many ratios one source measured on both GPUs with one build
    or one author's build window (paired) and how many compare sources or builds (where the
    pairing is known)."""
    known = [r for r in measured if r.pairing is not None]
    if not known:
        return statement
    paired = sum(r.paired for r in known)
    provenance = Provenance(kind="computed", source="count of measured ratios by basis")
    numbers = {
        **statement.numbers,
        "paired": Quantity(float(paired), "", provenance),
        "unpaired": Quantity(float(len(known) - paired), "", provenance),
    }
    template = (
        statement.template + " Paired in one source: {paired:int}; across sources or "
        "builds: {unpaired:int}."
    )
    return dataclasses.replace(statement, template=template, numbers=numbers)


def _ratio_chart(rows: Sequence[PairRow]) -> Chart | None:
    measured = [r for r in rows if r.measured_on_both and r.ratio is not None]
    if not measured:
        return None
    return Chart(
        id="measured-ratios",
        title="Measured A ÷ B per benchmark, with 95% interval (> 1: A better)",
        unit="×",
        labels=tuple(r.info.title or r.info.id for r in measured),
        a_values=tuple(r.ratio.value if r.ratio else None for r in measured),
        b_values=tuple(1.0 for _ in measured),
        lows=tuple(r.ratio.interval.low if r.ratio else None for r in measured),
        highs=tuple(r.ratio.interval.high if r.ratio else None for r in measured),
    )


def pair_rows(
    context: ReportContext,
    data: MeasuredData,
    noise: NoiseModel,
    sides: tuple[SideProfile, SideProfile],
) -> list[PairRow]:
    comparisons = compare_all(
        data.for_system(results_key(context.a)),
        data.for_system(results_key(context.b)),
        noise=noise,
    )
    by_id = {c.benchmark.id: c for c in comparisons}
    rows = suite_rows(sides, by_id, noise)
    used = {r.info.id for r in rows}
    outside = [c for c in comparisons if c.benchmark.id not in used]
    return rows + other_rows(sides, outside, noise)


def build_measured(
    context: ReportContext, data: MeasuredData, a: SideProfile, b: SideProfile
) -> tuple[Section, tuple[BenchmarkEntry, ...], tuple[CategoryEntry, ...]]:
    """The measured section; where a side has no measurement, its profile's modelled value
    stands in (labelled as modelled)."""
    noise = default_noise_model()
    rows = pair_rows(context, data, noise, (a, b))
    entries = tuple(benchmark_entry(r, None if r.suite else workload_of(r.info)) for r in rows)
    categories = tuple(category_entries(rows, sorted({b.category for b in suite()})))
    statements = [
        _headline(rows, context),
        *category_statements(categories, context.a_label, context.b_label),
        *_benchmark_statements(rows, context),
    ]
    tables = [
        Table("measured-categories", "Per category", CATEGORY_COLUMNS, category_rows(categories)),
        _suite_table([r for r in rows if r.suite]),
    ]
    others = [r for r in rows if not r.suite]
    if others:
        tables.append(_other_table(others))
    charts = [c for c in (category_chart(categories), _ratio_chart(rows)) if c is not None]
    return (
        Section(
            id="measured",
            title="Measured benchmarks",
            tables=tuple(tables),
            statements=tuple(statements),
            charts=tuple(charts),
            notes=method_notes(rows, data, noise),
        ),
        entries,
        categories,
    )
