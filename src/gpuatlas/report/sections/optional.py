"""Sections that need the estimation API (memory fit, inference, media, training, power,
guidance). Importing this module fails with ImportError while that API is missing; the
builder then omits these sections with a note."""

from __future__ import annotations

from collections.abc import Callable

from gpuatlas.report.context import ReportContext
from gpuatlas.report.document import Section


def builders() -> dict[str, Callable[[ReportContext], Section]]:
    import gpuatlas.performance.api  # noqa: F401 - raises ImportError while the API is missing
    from gpuatlas.report.sections.guidance import build_guidance
    from gpuatlas.report.sections.inference import build_inference
    from gpuatlas.report.sections.media import build_media
    from gpuatlas.report.sections.memory_fit import build_memory_fit
    from gpuatlas.report.sections.power import build_power
    from gpuatlas.report.sections.serving_curve import build_serving_curve
    from gpuatlas.report.sections.training import build_training

    return {
        "memory-fit": build_memory_fit,
        "inference": build_inference,
        "serving-curve": build_serving_curve,
        "media": build_media,
        "training": build_training,
        "power": build_power,
        "guidance": build_guidance,
    }
