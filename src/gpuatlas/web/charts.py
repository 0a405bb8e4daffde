"""The web app's charts are drawn by the one chart module, ``gpuatlas.report.svg_charts``;
this name stays only until ``web/pages.py`` imports from there (issue 14)."""

from gpuatlas.report.svg_charts import Bar, bar_chart, line_chart

__all__ = ["Bar", "bar_chart", "line_chart"]
