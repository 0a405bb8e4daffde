"""`gpuatlas predict serving-curve SYSTEM MODEL`: throughput per GPU against tokens/s per
user, and $/1M tokens and tokens per joule at chosen interactivity levels."""

from __future__ import annotations

from typing import Any

import typer

from gpuatlas.cli.errors import user_errors
from gpuatlas.cli.estimate_common import (
    ENGINE_HELP,
    JSON_OPTION,
    WEIGHTS_HELP,
    engine_choice,
    model_object,
    weights_choice,
)
from gpuatlas.cli.output import console, format_number, new_table, print_json

SCHEMA = "gpuatlas.serving-curve/1"


def _interactivity_levels(text: str) -> list[float]:
    from gpuatlas.errors import InvalidRequestError

    try:
        levels = [float(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise InvalidRequestError(
            [f"--interactivity: expected numbers such as 20,50, got {text!r}"]) from None
    if not levels or any(level <= 0 for level in levels):
        raise InvalidRequestError(["--interactivity: give positive tok/s per user, e.g. 20,50"])
    return levels


def _estimate_json(estimate: Any) -> dict[str, Any] | None:
    return None if estimate is None else estimate.to_json()


def curve_document(system: str, model: str, weights: str, engine: str, input_tokens: int,
                   output_tokens: int, levels: list[float], price: dict[str, Any] | None
                   ) -> dict[str, Any]:
    from gpuatlas.catalog.systems import resolve_system
    from gpuatlas.economics.power import system_power
    from gpuatlas.performance.llm.serving_curve import (
        operating_point,
        serving_curve,
        tokens_per_joule,
        usd_per_million_tokens,
    )

    resolved = resolve_system(system)
    usd_per_gpu_hour = price["usd_per_gpu_hour"] if price else None
    choice = weights_choice(weights, model)
    engine_id = engine_choice(engine, choice, resolved)
    curve = serving_curve(resolved, model_object(model), choice.format_id, engine_id,
                          input_tokens=input_tokens, output_tokens=output_tokens)
    watts = system_power(resolved).watts / resolved.gpu_count if resolved.gpu.tdp_w else None
    at_levels = []
    for level in levels:
        point = operating_point(curve, level)
        throughput = point.per_gpu_tok_s
        at_levels.append({
            "per_user_tok_s": level,
            "reachable": point.reachable,
            "concurrency": point.concurrency,
            "per_gpu_tok_s": _estimate_json(throughput),
            "usd_per_million_tokens": _estimate_json(
                usd_per_million_tokens(throughput, usd_per_gpu_hour)
                if throughput is not None and usd_per_gpu_hour else None),
            "tokens_per_joule": _estimate_json(
                tokens_per_joule(throughput, watts) if throughput is not None and watts else None),
        })
    return {
        "schema_version": SCHEMA,
        "system": resolved.id, "gpu_count": resolved.gpu_count, "model": curve.model_id,
        "weights": choice.format_id, "weights_reason": choice.describe(), "engine": engine_id,
        "input_tokens": input_tokens, "output_tokens": output_tokens,
        "price": price,
        "watts_per_gpu": watts, "watts_basis": "board TDP (upper bound of the draw)",
        "points": [
            {"concurrency": p.concurrency, "per_user_tok_s": p.per_user_tok_s.to_json(),
             "per_gpu_tok_s": p.per_gpu_tok_s.to_json()}
            for p in curve.points
        ],
        "at_interactivity": at_levels,
    }


def _range(estimate: dict[str, Any] | None, money: bool = False) -> str:
    if estimate is None:
        return "—"
    prefix = "$" if money else ""
    low, high = estimate["low"], estimate["high"]
    return (f"{prefix}{format_number(estimate['value'])} "
            f"[{prefix}{format_number(low)}–{prefix}{format_number(high)}]")


def _render(document: dict[str, Any]) -> None:
    console.print(document["weights_reason"], highlight=False)
    table = new_table(
        f"Serving curve: {document['model']} on {document['system']} ({document['engine']}, "
        f"{document['input_tokens']} in / {document['output_tokens']} out)",
        "streams", "tok/s per user", "tok/s per GPU",
    )
    for point in document["points"]:
        table.add_row(f"{point['concurrency']:,}", _range(point["per_user_tok_s"]),
                      _range(point["per_gpu_tok_s"]))
    console.print(table)
    levels = new_table("At a given interactivity", "tok/s per user", "tok/s per GPU",
                       "$/1M tokens", "tok/J")
    for level in document["at_interactivity"]:
        levels.add_row(format_number(level["per_user_tok_s"]),
                       _range(level["per_gpu_tok_s"]) if level["reachable"] else "unreachable",
                       _range(level["usd_per_million_tokens"], money=True),
                       _range(level["tokens_per_joule"]))
    console.print(levels)
    first = document["points"][0]["per_gpu_tok_s"]
    price = document["price"]
    where = (f"{price.get('provider', price['source'])} {price.get('tier', '')} "
             f"{price.get('observed_date', '')}".strip() if price else "no rental offer")
    console.print(f"[dim]Model {first['model']}, calibration {first['calibration_version']}; "
                  f"price ${price['usd_per_gpu_hour'] if price else 0:.2f}/GPU-h ({where}); "
                  "power from board TDP.[/]", highlight=False)


def predict_serving_curve_command(
    system: str = typer.Argument(..., help="GPU or system, e.g. 'h100-sxm' or '8x h200-sxm'."),
    model: str = typer.Argument(..., help="Model name, Hub id or config.json path."),
    weights: str = typer.Option("auto", "--weights", "-w", help=WEIGHTS_HELP),
    engine: str = typer.Option("auto", "--engine", "-e", help=ENGINE_HELP),
    input_tokens: int = typer.Option(1024, "--input", help="Prompt tokens per request."),
    output_tokens: int = typer.Option(1024, "--output", help="Generated tokens per request."),
    interactivity: str = typer.Option("20,50", "--interactivity",
                                      help="tok/s per user at which to read throughput, cost."),
    usd_per_gpu_hour: float = typer.Option(
        None, "--usd-per-gpu-hour", help="Price for $/1M tokens (default: cheapest rental)."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Throughput per GPU against tok/s per user; $/1M tokens and tok/J at chosen levels."""
    with user_errors():
        price = ({"usd_per_gpu_hour": usd_per_gpu_hour, "source": "--usd-per-gpu-hour"}
                 if usd_per_gpu_hour else _cheapest_price(system))
        document = curve_document(system, model, weights, engine, input_tokens, output_tokens,
                                  _interactivity_levels(interactivity), price)
    if as_json:
        print_json(document)
        return
    _render(document)


def _cheapest_price(system: str) -> dict[str, Any] | None:
    """The cheapest on-demand or community offer for the GPU, with where and when it was seen."""
    from gpuatlas.catalog.prices import current_prices
    from gpuatlas.catalog.systems import resolve_system

    resolved = resolve_system(system)
    offers = [s for s in current_prices(resolved.gpu.id) if s.tier in ("on-demand", "community")]
    if not offers:
        return None
    cheapest = min(offers, key=lambda s: s.usd_per_gpu_hour)
    return {"usd_per_gpu_hour": cheapest.usd_per_gpu_hour, "provider": cheapest.provider,
            "tier": cheapest.tier, "observed_date": cheapest.observed_date,
            "source": cheapest.source}
