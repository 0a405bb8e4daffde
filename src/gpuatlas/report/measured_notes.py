"""The measured section's method notes: source, verdict rule, noise model and row counts —
each count computed from the rows it describes."""

from __future__ import annotations

from collections.abc import Sequence

from gpuatlas.compare import EQUIVALENCE_BAND, NoiseModel
from gpuatlas.compare.noise import NoiseCell
from gpuatlas.numbers import format_given
from gpuatlas.report.measured import MeasuredData
from gpuatlas.report.pair_rows import PairRow


def _cell_text(key: str, cell: NoiseCell) -> str:
    return (
        f"{key} {cell.cv * 100:.1f}% [95% {cell.cv_low * 100:.1f}–{cell.cv_high * 100:.1f}%, "
        f"ν = {cell.degrees_of_freedom}]"
    )


def _noise_note(noise: NoiseModel) -> str:
    within = "; ".join(_cell_text(k, c) for k, c in noise.within_source.cells.items()) or "none"
    between = "; ".join(
        [_cell_text(k, c) for k, c in noise.between_source.cells.items()]
        + [_cell_text("all", noise.overall)]
    )
    return (
        f"Noise model {noise.version}: a result with fewer than {noise.min_runs_own_spread} "
        "runs (most public sources publish one number) borrows its spread — run-to-run "
        "(within source) when both sides come from the same source, else between sources. "
        f"Coefficients of variation: within source {within}; between sources {between}. "
        f"A category/engine needs ν ≥ {noise.min_degrees_of_freedom} for its own value, else "
        "its category's, else (between sources) the overall one; a within-source lookup "
        "without its own evidence uses the between-source value. "
        f"Method: {noise.method}. Refit: python -m gpuatlas.compare.noise_fit."
    )


def _verdict_rule() -> str:
    band = format_given(EQUIVALENCE_BAND)
    return (
        f"Verdict rule: A faster when the whole 95% interval of A ÷ B is above {band}; "
        f"B faster when it is below 1/{band}; roughly equal when it lies within "
        f"[1/{band}, {band}]; otherwise inconclusive (no winner is named inside ±5%). "
        "Ratios are oriented so > 1 means A is better (s/image and ms are inverted). Rows "
        "with a modelled side are decided against the model's calibrated band and labelled "
        "'vs model' — never counted as measured wins. Categories: geometric mean of the "
        "ratios with a joint bootstrap interval, and an exact two-sided sign test of the "
        "directions."
    )


def _one_sided_note(rows: Sequence[PairRow]) -> str | None:
    one_sided = [r for r in rows if not r.suite and (r.a is None) != (r.b is None)]
    if not one_sided:
        return None
    against_model = sum(1 for r in one_sided if r.ratio is not None)
    return (
        f"{len(one_sided)} public benchmark(s) are measured on one side only: "
        f"{against_model} of them have a ratio against a modelled stand-in (vs model), "
        f"{len(one_sided) - against_model} have no ratio (no model for that configuration)."
    )


def method_notes(rows: Sequence[PairRow], data: MeasuredData, noise: NoiseModel) -> tuple[str, ...]:
    notes = [
        f"Source: {data.store_description}; quarantined results excluded.",
        _verdict_rule(),
        _noise_note(noise),
    ]
    one_sided = _one_sided_note(rows)
    if one_sided:
        notes.append(one_sided)
    return tuple(notes)
