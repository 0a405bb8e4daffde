"""The typed `Comparison` document every renderer reads (terminal, Markdown, HTML, JSON, web).

Every number is a `Quantity` carrying its provenance. Every sentence is a `Statement`: a
template plus the named numbers it states; its text is rendered from those numbers, never
written by hand (see `phrasing.render_statement`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

SCHEMA_VERSION = "gpuatlas.comparison/1"

ProvenanceKind = Literal["catalog", "price", "measured", "modelled", "computed", "option"]
StatementKind = Literal["verdict", "fact", "answer", "guidance", "note"]
VerdictId = Literal["a_faster", "b_faster", "roughly_equal", "inconclusive", "vs_model"]
DirectionId = Literal["a_faster", "b_faster", "roughly_equal", "inconclusive"]
BasisId = Literal["measured", "measured_vs_modelled", "modelled", "none"]


@dataclass(frozen=True)
class Provenance:
    """Where a number comes from: catalog source + as_of, measured result ids + n, or the
    prediction model + its calibration version; `computed` names the formula and its inputs."""

    kind: ProvenanceKind
    source: str
    as_of: str | None = None
    result_ids: tuple[str, ...] = ()
    n: int | None = None
    model: str | None = None
    calibration_version: str | None = None


@dataclass(frozen=True)
class Quantity:
    """A number with its unit, optional range and provenance (value None = unknown)."""

    value: float | None
    unit: str
    provenance: Provenance
    low: float | None = None
    high: float | None = None


@dataclass(frozen=True)
class Text:
    """A non-numeric fact (a memory type, 'yes'/'no') with its provenance."""

    text: str
    provenance: Provenance | None = None


Cell = Quantity | Text


@dataclass(frozen=True)
class Table:
    id: str
    title: str
    columns: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Statement:
    """A sentence generated from its numbers: `template` uses {name:style} placeholders that
    refer to `numbers` (styles: ratio, pct, num, usd, int) or `words` (plain text)."""

    kind: StatementKind
    template: str
    numbers: dict[str, Quantity] = field(default_factory=dict)
    words: dict[str, str] = field(default_factory=dict)
    verdict: VerdictId | None = None
    question: str | None = None


@dataclass(frozen=True)
class Chart:
    """A bar chart: one bar per (label, side); values share a unit; renderers draw it."""

    id: str
    title: str
    unit: str
    labels: tuple[str, ...]
    a_values: tuple[float | None, ...]
    b_values: tuple[float | None, ...]
    higher_is_better: bool = True
    ratio_meaning: str = "better"
    lows: tuple[float | None, ...] = ()  # ratio charts: 95% interval per label (may be empty)
    highs: tuple[float | None, ...] = ()
    notes: tuple[str, ...] = ()  # per label, e.g. "modelled" (may be empty)


@dataclass(frozen=True)
class CurveSeries:
    """One side's curve: points (x, y) with y's band; `measured` points are drawn as dots."""

    side: Literal["a", "b"]
    label: str
    measured: bool
    x: tuple[float, ...]
    y: tuple[float, ...]
    y_low: tuple[float | None, ...] = ()
    y_high: tuple[float | None, ...] = ()


@dataclass(frozen=True)
class CurveChart:
    """A line chart of both sides (e.g. throughput per GPU against tok/s per user), with
    modelled bands and measured points overlaid; renderers draw it on log-log axes."""

    id: str
    title: str
    x_unit: str
    y_unit: str
    series: tuple[CurveSeries, ...]


@dataclass(frozen=True)
class Section:
    """One part of the report; `omitted` says why it has no content (never silently empty)."""

    id: str
    title: str
    tables: tuple[Table, ...] = ()
    statements: tuple[Statement, ...] = ()
    charts: tuple[Chart, ...] = ()
    notes: tuple[str, ...] = ()
    omitted: str | None = None
    curves: tuple[CurveChart, ...] = ()


@dataclass(frozen=True)
class Side:
    """A or B as resolved: a single GPU or N of one GPU; `name_assumption` when a bare family
    name ("A100") was read as its default variant, `memory_assumption` when a chip sold with
    several memory sizes was named without one ("M2 Ultra" read as 192 GB): the sentences every
    format shows."""

    id: str
    label: str
    gpu_id: str
    gpu_name: str
    gpu_count: int
    name_assumption: str = ""
    memory_assumption: str = ""

    @property
    def assumptions(self) -> tuple[str, ...]:
        """The sentences to show for this side, in order."""
        return tuple(text for text in (self.name_assumption, self.memory_assumption) if text)


@dataclass(frozen=True)
class MeasuredSide:
    median: float
    n: int
    ci_low: float | None
    ci_high: float | None
    source: str
    result_ids: tuple[str, ...] = ()
    modelled: bool = False
    model: str | None = None
    calibration_version: str | None = None
    interval_basis: str = "runs"  # "runs", "noise-model" (borrowed) or "model-band"
    noise: str | None = None  # the noise-model cell borrowed, when interval_basis says so


@dataclass(frozen=True)
class RatioRange:
    value: float
    low: float | None
    high: float | None


@dataclass(frozen=True)
class BenchmarkEntry:
    """Issue 5's per-benchmark record: ratio is A over B oriented so > 1 means A is better."""

    benchmark: str
    title: str
    category: str
    unit: str
    higher_is_better: bool
    a: MeasuredSide | None
    b: MeasuredSide | None
    ratio: RatioRange | None
    verdict: VerdictId
    reason: str | None = None
    basis: BasisId = "measured"
    model_verdict: DirectionId | None = None  # the outcome of a vs_model verdict
    suite: bool = False  # a standard-suite benchmark (bench suite v1)
    workload: str | None = None  # what the benchmark measures, for grouping
    caveats: tuple[str, ...] = ()  # e.g. "A: GPU variant assumed (the source does not name it)"
    # measured on both: "paired in <source>, build <b>: run-to-run noise ..." (the ratio comes
    # from run sets that measured both GPUs) or "across sources, not one build: A from ...; B
    # from ..."; None where not known
    pairing: str | None = None


@dataclass(frozen=True)
class CategoryEntry:
    """A category's verdict: geometric mean of its A/B ratios with a 95% interval and the
    consistency of direction. ``basis`` says whether it rests on benchmarks measured on both
    sides ("measured"), on modelled values ("modelled": verdict ``vs_model``), or on nothing
    ("none": ``reason`` says why)."""

    category: str
    title: str
    basis: BasisId
    benchmarks: int
    ratio: RatioRange | None
    verdict: VerdictId
    model_verdict: DirectionId | None
    a_wins: int
    b_wins: int
    undecided: int
    toward_a: int
    toward_b: int
    sign_test_p: float | None
    reason: str | None = None
    decided_by: str = "interval"  # or "sign test": the interval was too wide, the directions not
    beyond_margin_p: float | None = None  # sign test of leads beyond the ±5% margin


@dataclass(frozen=True)
class ScoreEntry:
    value: float
    low: float | None
    high: float | None
    coverage: str
    covered_benchmarks: int
    total_benchmarks: int
    method_version: str
    reference_gpu: str
    paired: bool = False  # scored on exactly the benchmarks the other side is scored on
    ranked: bool = True  # leaderboard: coverage at least the minimum to be ranked
    basis: str = ""  # what the score is scored on, in words
    # the system's own score (its own coverage: the leaderboard's, the GPU page's); equal to
    # value unless `paired`
    own_value: float | None = None
    own_covered_benchmarks: int | None = None


@dataclass(frozen=True)
class Scores:
    a: ScoreEntry | None
    b: ScoreEntry | None
    method_source: str
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Comparison:
    schema_version: str
    generated_at: str
    a: Side
    b: Side
    options: dict[str, str | float | int | None]
    summary: tuple[Statement, ...]
    sections: tuple[Section, ...]
    benchmarks: tuple[BenchmarkEntry, ...]
    scores: Scores
    categories: tuple[CategoryEntry, ...] = ()

    def section(self, section_id: str) -> Section:
        for section in self.sections:
            if section.id == section_id:
                return section
        raise KeyError(section_id)

    def all_statements(self) -> list[Statement]:
        return [*self.summary, *(s for section in self.sections for s in section.statements)]
