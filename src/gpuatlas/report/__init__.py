"""The comparison report: one typed `Comparison` document, rendered as text, Markdown, HTML
or JSON.

    from gpuatlas.report import build_comparison, render_html
    html = render_html(build_comparison("a100-80gb-sxm", "rtx-4090"))
"""

from gpuatlas.report.build import build_comparison
from gpuatlas.report.document import SCHEMA_VERSION, Comparison
from gpuatlas.report.render_html import render_html
from gpuatlas.report.render_json import comparison_dict, render_json
from gpuatlas.report.render_markdown import render_markdown
from gpuatlas.report.render_text import render_text

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
