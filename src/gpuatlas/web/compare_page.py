"""The compare page: the report layer's Comparison document, through its HTML and JSON
renderers when they are installed, else through this package's generic document template."""

from __future__ import annotations

import dataclasses
import json
import re
from typing import Any

from markupsafe import Markup

from gpuatlas.web.state import AppState

REPORT_OPTIONS = ("model", "weights", "context_tokens", "provider", "electricity_usd_per_kwh",
                  "pue")
_BODY = re.compile(r"<body[^>]*>(.*)</body>", re.S | re.I)
_STYLE = re.compile(r"<style[^>]*>.*?</style>", re.S | re.I)


def build(state: AppState, a: str, b: str, options: dict[str, Any]) -> Any:
    from gpuatlas.report.build import build_comparison

    key = ("compare", a, b, tuple(sorted(options.items())))
    return state.cached(key, lambda: build_comparison(a, b, **options))


def to_json(document: Any) -> dict[str, Any]:
    try:
        from gpuatlas.report import to_json as report_to_json  # type: ignore[attr-defined]
    except ImportError:
        return _dataclass_json(document)
    rendered = report_to_json(document)
    loaded: dict[str, Any] = json.loads(rendered) if isinstance(rendered, str) else rendered
    return loaded


def _dataclass_json(document: Any) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(json.dumps(dataclasses.asdict(document), default=str))
    return data


def report_fragment(document: Any) -> Markup | None:
    """The report renderer's HTML (its <style> and <body> content), or None if not installed."""
    try:
        from gpuatlas.report import render_html  # type: ignore[attr-defined]
    except ImportError:
        return None
    html = str(render_html(document))
    body = _BODY.search(html)
    if body is None:
        return Markup(html)
    styles = "".join(_STYLE.findall(html))
    return Markup(styles + body.group(1))
