"""`gpuatlas predict serving-curve SYSTEM MODEL`: throughput per GPU against tokens/s per
user, and $/1M tokens and tokens per joule at chosen interactivity levels."""

from __future__ import annotations

from typing import Any

import typer

from gpuatlas.app.requests import field_default
from gpuatlas.app.serving_curve import ServingCurveRequest
from gpuatlas.cli.errors import user_errors
from gpuatlas.cli.estimate_common import ENGINE_HELP, JSON_OPTION, WEIGHTS_HELP
from gpuatlas.cli.output import console, format_number, new_table, print_json
from gpuatlas.numbers import format_given, format_usd, format_usd_range


def _default(name: str) -> Any:
    return field_default(ServingCurveRequest, name)


DEFAULT_LEVELS = ",".join(format_given(level) for level in _default("interactivity"))


def _interactivity_levels(text: str) -> list[float]:
    from gpuatlas.errors import InvalidRequestError

    try:
        levels = [float(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise InvalidRequestError(
            [f"--interactivity: expected numbers such as 20,50, got {text!r}"]
        ) from None
    if not levels or any(level <= 0 for level in levels):
        raise InvalidRequestError(["--interactivity: give positive tok/s per user, e.g. 20,50"])
    return levels


def _range(estimate: dict[str, Any] | None, money: bool = False) -> str:
    if estimate is None:
        return "—"
    low, high = estimate["low"], estimate["high"]
    if money:  # dollars to the cent, as every other answer writes them
        return format_usd_range(estimate["value"], low, high)
    return f"{format_number(estimate['value'])} [{format_number(low)}–{format_number(high)}]"


def _render(document: dict[str, Any]) -> None:
    console.print(document["weights_reason"], highlight=False)
    # the title on its own line: the narrow table would wrap it to the table's width
    console.print(
        f"Serving curve: {document['model']} on {document['system']} ({document['engine']}, "
        f"{document['input_tokens']:,} in / {document['output_tokens']:,} out tokens)",
        markup=False,
        highlight=False,
    )
    table = new_table(
        "",
        "streams",
        "tok/s per user",
        "tok/s per GPU",
    )
    for point in document["points"]:
        table.add_row(
            f"{point['concurrency']:,}",
            _range(point["per_user_tok_s"]),
            _range(point["per_gpu_tok_s"]),
        )
    console.print(table)
    levels = new_table(
        "At a given interactivity",
        "tok/s per user",
        "tok/s per GPU",
        "$/1M output tokens",
        "tok/J",
    )
    for level in document["at_interactivity"]:
        levels.add_row(
            format_number(level["per_user_tok_s"]),
            _range(level["per_gpu_tok_s"]) if level["reachable"] else "unreachable",
            _range(level["usd_per_million_tokens"], money=True),
            _range(level["tokens_per_joule"]),
        )
    console.print(levels)
    if document.get("single_stream"):
        console.print(f"note: {document['single_stream']['note']}", highlight=False)
    first = document["points"][0]["per_gpu_tok_s"]
    price = document["price"]
    where = (
        f"{price.get('provider', price['source'])} {price.get('tier', '')} "
        f"{price.get('observed_date', '')}".strip()
        if price
        else "no rental offer"
    )
    price_text = (
        f"price {format_usd(price['usd_per_gpu_hour'])}/GPU-h ({where})"
        if price
        else "no rental offer, so no $/1M tokens"
    )
    power_text = (
        "power from board TDP"
        if document.get("power_per_gpu_w")
        else "no TDP in the catalog, so no tokens per joule"
    )
    console.print(
        f"Model {first['model']}, calibration {first['calibration_version']}; {price_text}; "
        f"{power_text}.",
        style="dim",
        markup=False,
        highlight=False,
    )


def predict_serving_curve_command(
    system: str = typer.Argument(..., help="GPU or system, e.g. 'h100-sxm' or '8x h200-sxm'."),
    model: str = typer.Argument(..., help="Model name, Hub id or config.json path."),
    weights: str = typer.Option(_default("weights"), "--weights", "-w", help=WEIGHTS_HELP),
    engine: str = typer.Option(_default("engine"), "--engine", "-e", help=ENGINE_HELP),
    input_tokens: int = typer.Option(
        _default("input_tokens"), "--input", help="Prompt tokens per request."
    ),
    output_tokens: int = typer.Option(
        _default("output_tokens"), "--output", help="Generated tokens per request."
    ),
    interactivity: str = typer.Option(
        DEFAULT_LEVELS, "--interactivity", help="tok/s per user at which to read throughput, cost."
    ),
    usd_per_gpu_hour: float = typer.Option(
        None, "--usd-per-gpu-hour", help="Price for $/1M tokens (default: cheapest rental)."
    ),
    as_json: bool = JSON_OPTION,
) -> None:
    """Throughput per GPU against tok/s per user; $/1M tokens and tok/J at chosen levels."""
    from gpuatlas.app.requests import parse_request
    from gpuatlas.app.serving_curve import serving_curve_document

    with user_errors():
        document = serving_curve_document(
            parse_request(
                ServingCurveRequest,
                {
                    "system": system,
                    "model": model,
                    "weights": weights,
                    "engine": engine,
                    "input_tokens": input_tokens,
                    "output_tokens": output_tokens,
                    "interactivity": _interactivity_levels(interactivity),
                    "usd_per_gpu_hour": usd_per_gpu_hour,
                },
            ),
            local_files=True,
        )
    if as_json:
        print_json(document)
        return
    _render(document)
