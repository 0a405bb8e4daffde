"""The comparison report: one typed `Comparison` document, rendered as text, Markdown, HTML
or JSON.

    from gpuatlas.report import build_comparison, render_html
    html = render_html(build_comparison("a100-80gb-sxm", "rtx-4090"))

`build_comparison` is imported on first use: the document and its renderers import without
the section builders and the models they run (a cached comparison is rendered without them).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from gpuatlas.report.document import SCHEMA_VERSION, Comparison
from gpuatlas.report.render_html import render_html
from gpuatlas.report.render_json import comparison_dict, render_json
from gpuatlas.report.render_markdown import render_markdown
from gpuatlas.report.render_text import render_text

if TYPE_CHECKING:
    from gpuatlas.report.build import build_comparison


def __getattr__(name: str) -> Any:
    """`build_comparison`, imported from report.build on first use."""
    if name != "build_comparison":
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from gpuatlas.report.build import build_comparison

    return build_comparison


__all__ = [
    "SCHEMA_VERSION",
    "Comparison",
    "build_comparison",
    "comparison_dict",
    "render_html",
    "render_json",
    "render_markdown",
    "render_text",
]
