"""Jinja2 environment (autoescape on everywhere) and the page renderer."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from markupsafe import Markup, escape

from gpuatlas.catalog.gpu_fields import gpu_field, gpu_fields
from gpuatlas.catalog.systems import system_name
from gpuatlas.numbers import (
    format_gib,
    format_number,
    format_usd,
    format_usd_range,
    format_usd_rate,
    format_wait_ms,
)
from gpuatlas.web.wording import (
    BOUND_WORDS,
    METRIC_WORDS,
    benchmark_words,
    source_link,
    when,
    words,
)

TEMPLATES_DIR = Path(__file__).parent / "templates"
NAVIGATION = (
    ("/", "GPUs"),
    ("/compare", "Compare"),
    ("/leaderboard", "Leaderboard"),
    ("/plan/fit", "Planner"),
    ("/cost", "Cost"),
    ("/prices", "Prices"),
    ("/docs", "API"),
)

templates = Jinja2Templates(directory=str(TEMPLATES_DIR))
templates.env.autoescape = True


def _number(value: Any, digits: int = 3) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if not isinstance(value, int | float):
        return str(value)
    return format_number(value, significant=digits)


def _money(value: Any) -> str:
    """Dollars to the cent; below a cent, 3 significant digits; whole dollars from $1,000."""
    if value is None:
        return "—"
    if 0 < abs(value) < 0.01:
        return format_usd(value)
    return f"${value:,.2f}" if abs(value) < 1000 else f"${value:,.0f}"


def _money_range(estimate: dict[str, Any]) -> str:
    """An estimate in dollars with its band, '$0.08 ($0.05–$0.10)', as the CLI writes it."""
    return format_usd_range(estimate["value"], estimate.get("low"), estimate.get("high"))


def _percent(fraction: Any) -> str:
    """A utilisation as a percentage, clipped to the physically possible 0–100%."""
    if fraction is None:
        return "—"
    return f"{min(max(float(fraction), 0.0), 1.0) * 100:.0f}%"


def _requests_per_second(rate: Any) -> str:
    """A traffic as people write it: '1 request/s', '2.5 requests/s' (singular for what reads
    as 1)."""
    shown = _number(rate)
    return f"{shown} {'request' if shown == '1' else 'requests'}/s"


def code_spans(text: Any) -> Markup:
    """A CLI sentence for a page: its `backticked` commands as <code>, the rest escaped (the
    explanation lines are shared with the terminal, where backticks mark commands)."""
    escaped = str(escape(str(text)))
    return Markup(re.sub(r"`([^`]+)`", r"<code>\1</code>", escaped))


templates.env.filters["code_spans"] = code_spans
templates.env.filters["num"] = _number
templates.env.filters["gib"] = format_gib
templates.env.filters["wait"] = format_wait_ms
templates.env.filters["usd"] = _money
templates.env.filters["usd_range"] = _money_range
templates.env.filters["usd_rate"] = format_usd_rate
templates.env.filters["pct"] = _percent
templates.env.filters["rps"] = _requests_per_second
templates.env.filters["benchmark_words"] = benchmark_words
templates.env.filters["source_link"] = source_link
templates.env.filters["words"] = words
templates.env.filters["when"] = when
templates.env.filters["metric_words"] = lambda key: METRIC_WORDS.get(key, words(key))
templates.env.filters["bound_words"] = lambda key: BOUND_WORDS.get(key, words(key))


def render(
    request: Request,
    template: str,
    data: dict[str, Any],
    json_url: str | None,
    status_code: int = 200,
    **extra: Any,
) -> HTMLResponse:
    context = {
        "request": request,
        "data": data,
        "json_url": json_url,
        "navigation": NAVIGATION,
        "path": request.url.path,
        **data,
        **extra,
    }
    return templates.TemplateResponse(request, template, context, status_code=status_code)


def value_of(quantity: Any) -> Any:
    """A number, or the value of an estimate dict ({value, low, high, ...})."""
    return quantity.get("value") if isinstance(quantity, dict) else quantity


def system_label(system_id: str | None) -> str:
    """A GPU or system id as its product name ("4× RTX 4090"); "no GPU" for a result with
    none (a CPU run: the page crashed on it)."""
    return system_name(system_id) if system_id else "no GPU"


templates.env.globals.update(value_of=value_of, system_label=system_label)
# The GPU page's specification rows: labels and units from the catalog's one field table.
templates.env.globals["gpu_page_fields"] = gpu_fields(
    "memory_bandwidth_gb_s",
    "fp32_tflops",
    "bf16_dense_tflops",
    "fp8_dense_tflops",
    "int8_dense_tops",
    "l2_cache_mb",
    "tdp_w",
)
# The home page's GPU table: its memory column and the datasheet columns hidden on phones.
templates.env.globals["gpu_memory_field"] = gpu_field("memory_gb")
templates.env.globals["gpu_home_fields"] = gpu_fields(
    "memory_bandwidth_gb_s", "bf16_dense_tflops", "fp8_dense_tflops", "tdp_w"
)
