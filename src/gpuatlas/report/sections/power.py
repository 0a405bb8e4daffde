"""Power and on-prem TCO: perf/W of the same workload, electricity with PUE, 5-year cost,
buy-vs-rent break-even (TDP-based power, labelled as an estimate)."""

from __future__ import annotations

from typing import Any

from gpuatlas.catalog.purchase_prices import PurchasePrice
from gpuatlas.catalog.systems import GpuSystem
from gpuatlas.economics.constants import DEFAULT_YEARS
from gpuatlas.economics.offer_costs import HOURS_PER_YEAR
from gpuatlas.economics.tco import OnPremInputs, break_even, onprem_tco
from gpuatlas.numbers import format_given
from gpuatlas.report.context import ReportContext
from gpuatlas.report.document import Cell, Provenance, Quantity, Section, Statement, Table, Text
from gpuatlas.report.focus import focus_model, missing, modelled_comparison
from gpuatlas.report.profiles import SideProfile
from gpuatlas.report.purchase_basis import purchase_basis
from gpuatlas.report.quantities import computed, option_quantity
from gpuatlas.report.rental_prices import no_rental_reason, price_words

YEARS = DEFAULT_YEARS  # the TCO's own default (economics_constants.toml)


def _tco(system: GpuSystem, context: ReportContext, purchase: PurchasePrice | None) -> Any:
    """On-prem cost with the pair's purchase basis (cheap arithmetic: not cached per side, as
    the basis depends on the other side)."""
    inputs = OnPremInputs(
        usd_per_kwh=context.options.electricity_usd_per_kwh, pue=context.options.pue, years=YEARS
    )
    return onprem_tco(system, inputs, purchase) if purchase else onprem_tco(system, inputs)


def _row(label: str, a: Quantity | Text, b: Quantity | Text) -> tuple[Cell, ...]:
    return (Text(label), a, b)


def _money(value: float | None, formula: str, *inputs: Quantity) -> Quantity:
    return computed(value, "USD", formula, *inputs)


def tco_rows(
    context: ReportContext, a: SideProfile, b: SideProfile
) -> tuple[list[tuple[Cell, ...]], dict[str, Any]]:
    basis = purchase_basis(context.a, context.b)
    tcos = {
        side: _tco(system, context, purchase)
        for side, system, purchase in (("a", context.a, basis.a), ("b", context.b, basis.b))
        if system.gpu.tdp_w is not None  # a side without a TDP gets reasons, not a failure
    }
    price_in = option_quantity(
        context.options.electricity_usd_per_kwh, "USD/kWh", "--electricity-price"
    )
    pue = option_quantity(context.options.pue, "", "--pue")
    cells: dict[str, list[Quantity | Text]] = {"a": [], "b": []}
    for side, profile in (("a", a), ("b", b)):
        system = profile.system
        if side not in tcos:
            cells[side] = _without_tdp(profile, basis.a if side == "a" else basis.b)
            continue
        tco = tcos[side]
        power = Quantity(
            tco.power.draw_w,
            "W",
            Provenance(kind="catalog", source=tco.power.source, as_of=system.gpu.as_of),
        )
        yearly = _money(
            tco.electricity_usd_per_month * 12,
            f"W × PUE × {HOURS_PER_YEAR:,.0f} h × $/kWh",
            power,
            price_in,
            pue,
        )
        capex = (
            _money(tco.capex_usd, f"purchase price × GPUs ({tco.purchase.source})", power)
            if tco.capex_usd
            else missing("no purchase price in the catalog")
        )
        total = (
            _money(
                tco.total_usd, f"capex + {format_given(YEARS)} years of electricity", capex, yearly
            )
            if tco.total_usd
            else missing("no purchase price")
        )
        cells[side] = [power, yearly, capex, total, *_break_even(profile, tco)]
    labels = (
        "GPU power (TDP, estimate)",
        "Electricity per year (full load, with PUE)",
        f"Purchase (GPUs, {basis.label})",
        f"{format_given(YEARS)}-year cost (purchase + electricity)",
        "Rent instead (reference price)",
        "Break-even vs renting 24/7",
    )
    rows = [_row(label, a, b) for label, a, b in zip(labels, cells["a"], cells["b"], strict=True)]
    return rows, tcos


def _without_tdp(side: SideProfile, purchase: PurchasePrice | None) -> list[Quantity | Text]:
    """A side whose chip has no TDP: its purchase and rent where known, reasons elsewhere."""
    system = side.system
    no_tdp = missing(f"no TDP in the catalog for {system.gpu.id}")
    capex = (
        missing("no purchase price in the catalog")
        if purchase is None
        else _money(
            purchase.usd_per_gpu * system.gpu_count, f"purchase price × GPUs ({purchase.source})"
        )
    )
    price = side.reference_price
    rent: Quantity | Text = (
        Text(no_rental_reason(system))
        if price is None
        else _money(
            price.usd_per_gpu_hour * system.gpu_count * HOURS_PER_YEAR,
            f"$/GPU-hour × GPUs × {HOURS_PER_YEAR:,.0f} h ({price_words(price)})",
        )
    )
    return [no_tdp, no_tdp, capex, no_tdp, rent, no_tdp]


def _break_even(side: SideProfile, tco: Any) -> list[Quantity | Text]:
    price = side.reference_price
    if price is None:
        reason = no_rental_reason(side.system)
        return [Text(reason), Text(reason)]
    result = break_even(tco, price)
    rent = _money(result.cloud_usd_per_month * 12, f"12 × monthly rent ({price_words(price)})")
    if result.break_even_months is None:
        return [rent, Text("never (renting stays cheaper)" if tco.capex_usd else "no price")]
    months = computed(
        result.break_even_months, "months", "purchase ÷ (monthly rent − monthly electricity)"
    )
    return [rent, months]


def build_power(context: ReportContext, a: SideProfile, b: SideProfile) -> Section:
    rows, _ = tco_rows(context, a, b)
    a_tpj, b_tpj = a.tokens_per_joule, b.tokens_per_joule
    rows.insert(0, _row(f"Output tokens per joule ({focus_model(context)}, serving)", a_tpj, b_tpj))
    table = Table(
        "power-tco",
        "Power and on-prem cost",
        ("Item", "A", "B"),
        tuple(rows),
        (
            f"Electricity {format_given(context.options.electricity_usd_per_kwh)} $/kWh, PUE "
            f"{format_given(context.options.pue)}, GPUs only (no host, no hosting fees); perf/W "
            "uses TDP, a ceiling, so it is an estimate — measured power replaces it when a "
            "result carries one. 'Rent instead' is per year at 24/7.",
        ),
    )
    statements: list[Statement] = []
    efficiency = modelled_comparison(
        "Energy efficiency for the same serving workload",
        context.a_label,
        context.b_label,
        a_tpj,
        b_tpj,
    )
    if efficiency is not None:
        statements.append(efficiency)
    return Section(
        id="power", title="Power and on-prem TCO", tables=(table,), statements=tuple(statements)
    )
