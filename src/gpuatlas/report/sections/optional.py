"""Sections that need the estimation API (memory fit, inference, media, training, power,
guidance). Importing this module fails with ImportError while that API is missing; the
builder then omits these sections with a note."""

from __future__ import annotations

from collections.abc import Callable

from gpuatlas.report.context import ReportContext
from gpuatlas.report.document import Section


def builders() -> dict[str, Callable[[ReportContext], Section]]:
    import gpuatlas.estimate.api  # noqa: F401 - raises ImportError until the API lands

    return {}
