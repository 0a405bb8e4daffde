"""Serving curves: throughput per GPU against tokens/s per user for both sides, and what a
token costs (and how many a joule buys) at the interactivity levels users ask about."""

from __future__ import annotations

from typing import Literal

from gpuatlas.catalog.measurements import MeasuredRow
from gpuatlas.catalog.prices import PriceSnapshot
from gpuatlas.catalog.systems import GpuSystem
from gpuatlas.economics.power import system_power
from gpuatlas.performance.llm.serving_curve import (
    OperatingPoint,
    ServingCurve,
    operating_point,
    tokens_per_joule,
    usd_per_million_tokens,
)
from gpuatlas.performance.predictions import Estimate
from gpuatlas.report.context import ReportContext
from gpuatlas.report.document import (
    Cell,
    CurveChart,
    CurveSeries,
    Provenance,
    Quantity,
    Section,
    Statement,
    Table,
    Text,
)
from gpuatlas.report.focus import focus_model, missing, modelled_comparison
from gpuatlas.report.profiles import SideProfile
from gpuatlas.report.profiles.llm import CURVE_INPUT_TOKENS, CURVE_OUTPUT_TOKENS
from gpuatlas.report.profiles.side import weights_words
from gpuatlas.report.quantities import estimate_quantity, price_quantity

INTERACTIVITY_TOK_S_PER_USER = (20.0, 50.0)


def curve_rows(
    label: str, curve: ServingCurve | str, power_per_gpu_w: float | None
) -> list[tuple[Cell, ...]]:
    if isinstance(curve, str):
        return [(Text(label), missing(curve), missing(curve), missing(curve), missing(curve))]
    rows: list[tuple[Cell, ...]] = []
    for point in curve.points:
        per_joule = (
            estimate_quantity(tokens_per_joule(point.per_gpu_tok_s, power_per_gpu_w))
            if power_per_gpu_w
            else missing("no TDP in the catalog")
        )
        rows.append(
            (
                Text(label),
                Text(f"{point.concurrency:,}"),
                estimate_quantity(point.per_user_tok_s),
                estimate_quantity(point.per_gpu_tok_s),
                per_joule,
            )
        )
    return rows


def power_per_gpu_w(system: GpuSystem) -> float | None:
    if system.gpu.tdp_w is None:
        return None
    return system_power(system).draw_w / system.gpu_count


def at_interactivity(side: SideProfile, target: float) -> tuple[Quantity, Quantity, Quantity]:
    """(tok/s per GPU, $/1M tokens, tok/J) at `target` tok/s per user, each with its reason
    when missing (no curve, target faster than one stream, no price, no TDP)."""
    system, curve = side.system, side.serving_curve
    if isinstance(curve, str):
        return missing(curve), missing(curve), missing(curve)
    point: OperatingPoint = operating_point(curve, target)
    if point.per_gpu_tok_s is None:
        reason = (
            f"one stream alone reaches only {curve.max_per_user_tok_s:.0f} tok/s/user "
            f"on {system.label}"
        )
        return missing(reason), missing(reason), missing(reason)
    throughput = estimate_quantity(point.per_gpu_tok_s)
    price = side.reference_price
    cost = (
        missing("no rental offer in the price table")
        if price is None
        else _priced(usd_per_million_tokens(point.per_gpu_tok_s, price.usd_per_gpu_hour), price)
    )
    per_gpu_w = power_per_gpu_w(system)
    energy = (
        estimate_quantity(tokens_per_joule(point.per_gpu_tok_s, per_gpu_w))
        if per_gpu_w
        else missing("no TDP in the catalog")
    )
    return throughput, cost, energy


def _priced(estimate: Estimate, price: PriceSnapshot) -> Quantity:
    """$/1M tokens with both origins: the model's calibration and the dated price."""
    quantity = estimate_quantity(estimate)
    offer = price_quantity(price)
    source = (
        f"{quantity.provenance.source}; price {offer.provenance.source} ({offer.provenance.as_of})"
    )
    provenance = Provenance(
        kind="computed",
        source=f"$/GPU-hour ÷ (tok/s/GPU × 3600) × 1e6: {source}",
        model=quantity.provenance.model,
        calibration_version=quantity.provenance.calibration_version,
        as_of=offer.provenance.as_of,
    )
    return Quantity(quantity.value, "USD", provenance, quantity.low, quantity.high)


def interactivity_table(
    context: ReportContext, a_side: SideProfile, b_side: SideProfile
) -> tuple[Table, list[Statement]]:
    rows: list[tuple[Cell, ...]] = []
    statements: list[Statement] = []
    for target in INTERACTIVITY_TOK_S_PER_USER:
        a = at_interactivity(a_side, target)
        b = at_interactivity(b_side, target)
        for what, a_value, b_value in (
            ("tok/s per GPU", a[0], b[0]),
            ("$/1M output tokens", a[1], b[1]),
            ("output tokens per joule", a[2], b[2]),
        ):
            rows.append((Text(f"at {target:.0f} tok/s/user: {what}"), a_value, b_value))
        statement = modelled_comparison(
            f"Cost per 1M output tokens at {target:.0f} tok/s per user",
            context.a_label,
            context.b_label,
            a[1],
            b[1],
            higher_is_better=False,
            style="usd",
        )
        if statement is not None:
            statements.append(statement)
    table = Table(
        "serving-interactivity",
        "Throughput, cost and energy at a given interactivity (modelled)",
        ("At", context.a_label, context.b_label),
        tuple(rows),
        (
            "Throughput per GPU interpolated on each side's curve; price = the reference rental "
            "price of each side (tier and date in the price section); energy from board TDP "
            "(an upper bound of the draw, so tokens per joule is a lower bound).",
        ),
    )
    return table, statements


def measured_series(
    side: Literal["a", "b"], label: str, rows: tuple[MeasuredRow, ...]
) -> CurveSeries:
    ordered = sorted(rows, key=lambda row: int(row.batch or 1))
    return CurveSeries(
        side=side,
        label=f"{label} measured",
        measured=True,
        x=tuple(row.value / int(row.batch or 1) for row in ordered),
        y=tuple(row.value / row.gpu_count for row in ordered),
    )


def measured_rows(label: str, rows: tuple[MeasuredRow, ...]) -> list[tuple[Cell, ...]]:
    cells: list[tuple[Cell, ...]] = []
    for row in sorted(rows, key=lambda row: int(row.batch or 1)):
        provenance = Provenance(kind="measured", source=row.source, as_of=row.source_date, n=1)
        concurrency = int(row.batch or 1)
        cells.append(
            (
                Text(label),
                Text(
                    f"{row.engine} {row.engine_version}".strip()
                    + f", {row.input_tokens or '?'} in / {row.output_tokens or '?'} out"
                ),
                Text(f"{concurrency:,}"),
                Quantity(row.value / concurrency, "tok/s/user", provenance),
                Quantity(row.value / row.gpu_count, "tok/s/GPU", provenance),
            )
        )
    return cells


def curve_chart(context: ReportContext, a: SideProfile, b: SideProfile) -> CurveChart:
    series = []
    sides: tuple[tuple[Literal["a", "b"], str, ServingCurve | str], ...] = (
        ("a", context.a_label, a.serving_curve),
        ("b", context.b_label, b.serving_curve),
    )
    for side, label, curve in sides:
        if isinstance(curve, str):
            continue
        series.append(
            CurveSeries(
                side=side,
                label=label,
                measured=False,
                x=tuple(p.per_user_tok_s.value for p in curve.points),
                y=tuple(p.per_gpu_tok_s.value for p in curve.points),
                y_low=tuple(p.per_gpu_tok_s.low for p in curve.points),
                y_high=tuple(p.per_gpu_tok_s.high for p in curve.points),
            )
        )
    a_engine, b_engine = a.engine.label, b.engine.label
    engines = a_engine if a_engine == b_engine else f"{a_engine} vs {b_engine}"
    measured_sides: tuple[tuple[Literal["a", "b"], str, SideProfile], ...] = (
        ("a", context.a_label, a),
        ("b", context.b_label, b),
    )
    for side, label, profile in measured_sides:
        rows = profile.measured_serving_points
        if rows:
            series.append(measured_series(side, label, rows))
    return CurveChart(
        id="serving-curve",
        title=(
            f"Serving curve, {focus_model(context)} ({weights_words(a, b)}, "
            f"{CURVE_INPUT_TOKENS} in / {CURVE_OUTPUT_TOKENS} out, {engines})"
        ),
        x_unit="tok/s per user",
        y_unit="tok/s per GPU",
        series=tuple(series),
    )


def build_serving_curve(context: ReportContext, a: SideProfile, b: SideProfile) -> Section:
    points = curve_rows(context.a_label, a.serving_curve, power_per_gpu_w(context.a))
    points += curve_rows(context.b_label, b.serving_curve, power_per_gpu_w(context.b))
    curve_table = Table(
        "serving-curve",
        f"Serving curve points ({focus_model(context)}, {weights_words(a, b)}, "
        f"{CURVE_INPUT_TOKENS} in / {CURVE_OUTPUT_TOKENS} out)",
        ("System", "Concurrency", "tok/s per user", "tok/s per GPU", "tok/J per GPU"),
        tuple(points),
        (
            "Each row: the server at that many concurrent streams; every user sees tok/s per "
            "user, the operator gets tok/s per GPU. Modelled with the calibrated band.",
            "The 1-stream row is not the single-user decode of the inference section: it is "
            f"the serving model's rate over whole {CURVE_INPUT_TOKENS}-in / "
            f"{CURVE_OUTPUT_TOKENS}-out requests (prompt prefill included, calibrated on "
            "measured serving runs); single-user decode is the decode steps alone after "
            "its own prompt, calibrated on single-stream runs. `gpuatlas predict "
            "serving-curve` splits the gap into the prompt's prefill and the two "
            "calibrations' difference.",
        ),
    )
    table, statements = interactivity_table(context, a, b)
    model = focus_model(context)
    measured = measured_rows(context.a_label, a.measured_serving_points)
    measured += measured_rows(context.b_label, b.measured_serving_points)
    tables: tuple[Table, ...] = (table, curve_table)
    if measured:
        tables += (
            Table(
                "serving-curve-measured",
                f"Measured serving points ({model}, published runs on the same systems)",
                ("System", "Engine, lengths", "Concurrency", "tok/s per user", "tok/s per GPU"),
                tuple(measured),
                (
                    "Drawn as dots over the modelled curves; each run has its own prompt and "
                    "output lengths (listed), so a dot off the curve is not by itself a model "
                    "error.",
                ),
            ),
        )
    return Section(
        id="serving-curve",
        title="Serving curves",
        tables=tables,
        statements=tuple(statements),
        curves=(curve_chart(context, a, b),),
    )
