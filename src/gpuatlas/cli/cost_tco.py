"""The `tco` command: on-prem total cost of ownership and the break-even against the cloud."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from gpuatlas.app.economics_requests import TcoRow
from gpuatlas.app.requests import field_default, parse_request
from gpuatlas.app.tco import OnPremTcoRequest, electricity_comparisons, tco_document, tco_rows
from gpuatlas.cli.cost_options import (
    GpuOption,
    JsonOption,
    PricesOption,
    ProviderOption,
    TierOption,
    money,
)
from gpuatlas.cli.errors import user_errors
from gpuatlas.cli.output import console, new_table, print_json, print_name_notes
from gpuatlas.economics.tco import OnPremInputs
from gpuatlas.numbers import format_given


def _default(name: str) -> Any:
    return field_default(OnPremTcoRequest, name)


def tco_command(
    systems: list[str] | None = typer.Argument(
        None, help="GPUs or systems ('rtx-4090', '2x a100-80gb-sxm'), as --gpu.", show_default=False
    ),
    gpus: list[str] = GpuOption,
    purchase_usd: list[float] = typer.Option(
        [],
        "--purchase-usd",
        help="Price per GPU, one per --gpu (default: newest sourced catalog price "
        "for --condition; new: else the launch price; used: none without a used observation).",
    ),
    condition: str = typer.Option(
        _default("condition"),
        help="new or used: picks the default purchase price, labels a user-set one.",
    ),
    measured_w: list[float] = typer.Option(
        [], "--measured-w", help="Measured draw of each system in W, one per --gpu (else TDP)."
    ),
    server_usd: float = typer.Option(
        _default("server_usd"), help="Rest of the server (CPU, board, PSU…), once."
    ),
    hosting_usd_per_month: float = typer.Option(
        _default("hosting_usd_per_month"), help="Rack space, network, staff per month."
    ),
    usd_per_kwh: float = typer.Option(_default("usd_per_kwh"), help="Electricity price."),
    pue: float = typer.Option(
        _default("pue"), help="Power usage effectiveness (cooling overhead)."
    ),
    years: float = typer.Option(_default("years"), help="Years of use."),
    residual: float = typer.Option(
        _default("residual"), help="Resale value at the end, fraction of purchase."
    ),
    load: float = typer.Option(_default("load"), help="Average draw as a fraction of TDP."),
    hours_per_month: float = typer.Option(
        _default("hours_per_month"), help="Hours in use per month (730 = 24/7)."
    ),
    providers: list[str] = ProviderOption,
    tiers: list[str] = TierOption,
    prices_file: list[Path] = PricesOption,
    as_json: bool = JsonOption,
) -> None:
    """On-prem TCO (purchase, power × PUE, hosting, residual) → $/GPU-hour and the break-even
    month against the cheapest matching cloud offer."""
    values = {
        "gpus": [*(systems or []), *gpus],
        "purchase_usd": purchase_usd,
        "condition": condition,
        "measured_w": measured_w,
        "server_usd": server_usd,
        "hosting_usd_per_month": hosting_usd_per_month,
        "usd_per_kwh": usd_per_kwh,
        "pue": pue,
        "years": years,
        "residual": residual,
        "load": load,
        "hours_per_month": hours_per_month,
        "providers": providers,
        "tiers": tiers,
    }
    with user_errors():
        request = parse_request(OnPremTcoRequest, values)
        if as_json:
            print_json(tco_document(request, prices_file))
            return
        rows = tco_rows(request, prices_file)
    _render_tco(rows, request.inputs())
    print_name_notes([*(systems or []), *gpus])


def _render_tco(rows: list[TcoRow], inputs: OnPremInputs) -> None:
    table = new_table(
        f"On-prem over {format_given(inputs.years)} years at "
        f"${format_given(inputs.usd_per_kwh)}/kWh, PUE {format_given(inputs.pue)}, "
        f"{format_given(inputs.hours_per_month)} h/month",
        "system",
        "power → at the wall",
        "electricity/yr",
        "purchase",
        "total",
        "$/GPU-h",
        "cheapest cloud",
        "break-even",
    )
    for row in rows:
        tco, even = row.tco, row.break_even
        basis = "measured" if tco.power.basis == "measured" else "TDP est."
        power = f"{tco.power.draw_w:,.0f} W ({basis}) → {tco.power.draw_w * inputs.pue:,.0f} W"
        purchase = (
            "—"
            if tco.purchase is None
            else (f"{money(tco.capex_usd, 0)} ({tco.purchase.condition})")
        )
        cloud = (
            "—" if even is None else (f"{even.offer.label} {money(even.cloud_usd_per_month)}/mo")
        )
        table.add_row(
            tco.system_id,
            power,
            money(tco.electricity_usd_per_month * 12),
            purchase,
            money(tco.total_usd, 0),
            money(tco.usd_per_gpu_hour, 3),
            cloud,
            _break_even_text(row, inputs.years),
        )
    console.print(table)
    if inputs.not_counted():
        console.print(f"note: {inputs.not_counted()}", markup=False, highlight=False)
    for comparison in electricity_comparisons(rows):
        console.print(
            f"{comparison['system']} vs {comparison['versus']}: electricity "
            f"{money(comparison['electricity_difference_usd_per_year'])}/year, "
            f"{money(comparison['electricity_difference_usd_total'])} over "
            f"{format_given(inputs.years)} years",
            highlight=False,
        )
    for row in rows:
        _print_tco_sources(row)


def _print_tco_sources(row: TcoRow) -> None:
    """Where each figure came from, printed as data (no markup: a source may hold brackets),
    wrapped at spaces to the terminal's width."""
    tco = row.tco
    lines = [f"{tco.system_id} power: {tco.power.source}"]
    if tco.purchase is not None:
        lines.append(f"{tco.system_id} purchase: {tco.purchase.provenance}")
    if row.break_even is not None:
        lines.append(f"{tco.system_id} cloud price: {row.break_even.offer.source}")
    for line in lines:
        console.print(line, style="dim", markup=False, highlight=False)
    if row.note:
        console.print(
            f"note: {tco.system_id}: {row.note}",
            style="yellow",
            markup=False,
            highlight=False,
        )


def _break_even_text(row: TcoRow, years: float) -> str:
    """'month 20 (19.2 months)'; past the years owned, that renting costs less over them."""
    even = row.break_even
    if even is None or row.tco.capex_usd is None:
        return "—"
    if even.break_even_months is None:
        return "never (renting is cheaper to run)"
    if even.break_even_months > years * 12:
        return (
            f"not within {format_given(years)} years (month {even.break_even_month}): renting "
            "costs less over them"
        )
    return f"month {even.break_even_month} ({even.break_even_months:.1f} months)"
