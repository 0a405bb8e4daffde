"""A pair row as table cells and as the JSON BenchmarkEntry (one labelling for every format)."""

from __future__ import annotations

import re
from itertools import chain
from typing import Any

from gpuatlas.compare import BenchmarkSamples
from gpuatlas.compare.noise import NoiseLookup
from gpuatlas.compare.spread import borrowed_for
from gpuatlas.report.cells import cell_text
from gpuatlas.report.document import (
    BenchmarkEntry,
    Cell,
    MeasuredSide,
    Provenance,
    Quantity,
    RatioRange,
    Text,
)
from gpuatlas.report.measured import assumed_variant_results
from gpuatlas.report.pair_rows import PairRow
from gpuatlas.report.quantities import estimate_quantity
from gpuatlas.report.verdict_text import ratio_quantity


def measured_provenance(*sides: BenchmarkSamples | None) -> Provenance:
    present = [s for s in sides if s is not None]
    ids = tuple(chain.from_iterable(s.result_ids for s in present))
    return Provenance(
        kind="measured",
        source="; ".join(sorted({s.source for s in present}))[:300],
        result_ids=ids,
        n=sum(s.n for s in present),
    )


def _interval(samples: BenchmarkSamples, noise: NoiseLookup | None) -> tuple[Any, Any]:
    """The side's own interval, or (for few runs) the noise model's, as compare/ used it."""
    if noise is None:
        summary = samples.summary()
        return summary.ci_low, summary.ci_high
    return borrowed_for(samples, noise).interval or (None, None)


def measured_side(samples: BenchmarkSamples, noise: NoiseLookup | None) -> MeasuredSide:
    summary = samples.summary()
    low, high = _interval(samples, noise)
    return MeasuredSide(
        median=summary.median,
        n=summary.n,
        ci_low=low,
        ci_high=high,
        source=samples.source,
        result_ids=samples.result_ids,
        interval_basis="noise-model" if noise else "runs",
        noise=noise.describe() if noise else None,
    )


def modelled_side(estimate: Any) -> MeasuredSide:
    return MeasuredSide(
        median=float(estimate.value),
        n=0,
        ci_low=float(estimate.low),
        ci_high=float(estimate.high),
        source=f"modelled by {estimate.model}",
        modelled=True,
        model=str(estimate.model),
        calibration_version=str(estimate.calibration_version),
        interval_basis="model-band",
    )


def _entry_side(
    samples: BenchmarkSamples | None, estimate: Any | None, noise: NoiseLookup | None
) -> MeasuredSide | None:
    if samples is not None:
        return measured_side(samples, noise)
    return modelled_side(estimate) if estimate is not None else None


def caveats(row: PairRow) -> tuple[str, ...]:
    """What a reader must know before trusting the row (e.g. an assumed GPU variant)."""
    assumed = assumed_variant_results()
    found = []
    for side, samples in (("A", row.a), ("B", row.b)):
        if samples is not None and any(i in assumed for i in samples.result_ids):
            found.append(f"{side}: GPU variant assumed (the source does not name it)")
    return tuple(found)


def title_cell(row: PairRow) -> Text:
    """The benchmark's title, what its measured ratio rests on ('paired in one source' or
    'across sources or builds') and its caveats."""
    title = row.info.title or row.info.id
    found = [pairing_tag(row)] if row.measured_on_both and row.pairing else []
    found += caveats(row)
    return Text(f"{title} — {'; '.join(found)}" if found else title)


def benchmark_entry(row: PairRow, workload: str | None = None) -> BenchmarkEntry:
    ratio = None
    if row.ratio is not None:
        interval = row.ratio.interval
        ratio = RatioRange(interval.value, interval.low, interval.high)
    info = row.info
    return BenchmarkEntry(
        benchmark=info.id,
        title=info.title or info.id,
        category=info.category,
        unit=info.unit,
        higher_is_better=info.higher_is_better,
        a=_entry_side(row.a, row.a_model, row.a_noise),
        b=_entry_side(row.b, row.b_model, row.b_noise),
        ratio=ratio,
        verdict=row.verdict_id,  # type: ignore[arg-type]
        reason=row.reason,
        basis=row.basis,  # type: ignore[arg-type]
        model_verdict=row.model_verdict,  # type: ignore[arg-type]
        suite=row.suite,
        workload=workload,
        caveats=caveats(row),
        pairing=row.pairing,
    )


def side_cell(
    samples: BenchmarkSamples | None,
    estimate: Any | None,
    noise: NoiseLookup | None,
    missing: str,
) -> Cell:
    if samples is not None:
        side = measured_side(samples, noise)
        basis = f"; interval from the {noise.describe()}" if noise else ""
        provenance = measured_provenance(samples)
        provenance = Provenance(
            kind="measured",
            source=(provenance.source + basis)[:400],
            result_ids=provenance.result_ids,
            n=provenance.n,
        )
        return Quantity(side.median, samples.benchmark.unit, provenance, side.ci_low, side.ci_high)
    if estimate is not None:
        quantity = estimate_quantity(estimate)
        split = cpu_split(estimate)
        where = f" (partly on the CPU: {split})" if split else ""
        return Text(f"modelled: {cell_text(quantity)}{where}", quantity.provenance)
    return Text(f"— ({missing})" if missing else "—")


_LAYERS_ON_THE_GPU = re.compile(
    r"\b(\d+ of \d+ layers on the GPU)\b(?:[^;]*?(num_ctx \d{1,3}(?:,\d{3})*))?"
)


def cpu_split(estimate: Any) -> str:
    """'45 of 64 layers on the GPU at num_ctx 32,768' where the estimator ran the model partly
    on the CPU (the engine's own GPU/CPU split, as its notes say), else ''. A stand-in several
    times slower than the other side's says why beside the number, not only in predict llm's
    notes."""
    for note in getattr(estimate, "notes", ()) or ():
        found = _LAYERS_ON_THE_GPU.search(str(note))
        if found:
            layers, context = found.groups()
            return f"{layers} at {context}" if context else layers
    return ""


def ratio_cell(row: PairRow) -> Cell:
    if row.ratio is None:
        return Text("—")
    if row.measured_on_both:
        provenance = measured_provenance(row.a, row.b)
        if row.pairing:
            provenance = Provenance(
                kind="measured",
                source=f"{row.pairing}; {provenance.source}"[:400],
                result_ids=provenance.result_ids,
                n=provenance.n,
            )
        return ratio_quantity(row.ratio.interval, provenance)
    interval = row.ratio.interval
    provenance = Provenance(kind="computed", source="ratio against the model's calibrated band")
    return Quantity(interval.value, "×", provenance, interval.low, interval.high)


def pairing_tag(row: PairRow) -> str:
    """What a measured ratio rests on, in three words: run sets that measured both GPUs with
    one build, or each side's results from other sources or builds."""
    return "paired in one source" if row.paired else "across sources or builds"


def pair_cells(row: PairRow) -> tuple[Cell, Cell, Cell, Cell]:
    """A, B, A ÷ B and the verdict label."""
    return (
        side_cell(row.a, row.a_model, row.a_noise, row.missing[0]),
        side_cell(row.b, row.b_model, row.b_noise, row.missing[1]),
        ratio_cell(row),
        Text(row.label),
    )
