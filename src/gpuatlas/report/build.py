"""Build the Comparison document: resolve A and B, get each side's profile once from the
build's profile cache, run every section builder (the catalog sections read the context; the
modelled ones are views of the context and the two profiles), gather the measured benchmarks
and scores. A section that cannot be computed is omitted with the reason."""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import partial

from gpuatlas.compare import default_score_method
from gpuatlas.errors import GpuAtlasError, InvalidRequestError
from gpuatlas.report.comparison_cache import STORE_UNREADABLE, UNEXPECTED_FAILURE, generated_at_now
from gpuatlas.report.context import (
    ReportContext,
    ReportOptions,
    make_context,
    results_key,
    side_of,
)
from gpuatlas.report.document import (
    SCHEMA_VERSION,
    BenchmarkEntry,
    CategoryEntry,
    Comparison,
    Scores,
    Section,
)
from gpuatlas.report.measured import MeasuredData, load_measured
from gpuatlas.report.profiles import ProfileCache, SideProfile
from gpuatlas.report.scores import comparison_scores
from gpuatlas.report.sections.ecosystem import build_ecosystem
from gpuatlas.report.sections.guidance import build_guidance
from gpuatlas.report.sections.hardware import build_hardware
from gpuatlas.report.sections.inference import build_inference
from gpuatlas.report.sections.measured import build_measured
from gpuatlas.report.sections.media import build_media
from gpuatlas.report.sections.memory_fit import build_memory_fit
from gpuatlas.report.sections.power import build_power
from gpuatlas.report.sections.pricing import build_pricing
from gpuatlas.report.sections.serving_curve import build_serving_curve
from gpuatlas.report.sections.training import build_training
from gpuatlas.report.summary import build_summary

log = logging.getLogger(__name__)

ModelledSection = Callable[[ReportContext, SideProfile, SideProfile], Section]

SECTION_TITLES = {
    "hardware": "Hardware",
    "memory-fit": "VRAM fit",
    "inference": "LLM inference",
    "serving-curve": "Serving curves",
    "media": "Image generation, vision and OCR",
    "training": "Training and multi-GPU scaling",
    "pricing": "Cloud pricing",
    "power": "Power and on-prem TCO",
    "ecosystem": "Ecosystem",
    "guidance": "Use cases and FAQ",
    "measured": "Measured benchmarks",
}


MODELLED_SECTIONS: dict[str, ModelledSection] = {
    "memory-fit": build_memory_fit,
    "inference": build_inference,
    "serving-curve": build_serving_curve,
    "media": build_media,
    "training": build_training,
    "power": build_power,
    "guidance": build_guidance,
}


def safe_section(section_id: str, builder: Callable[[], Section]) -> Section:
    """Run a builder; when the estimator refuses or anything fails, an omitted section with the
    reason."""
    title = SECTION_TITLES.get(section_id, section_id)
    try:
        return builder()
    except GpuAtlasError as error:
        reason = str(error)
    except Exception as error:  # noqa: BLE001 - a section must never take the report down
        log.warning("section %s failed", section_id, exc_info=True)
        reason = f"{UNEXPECTED_FAILURE}{type(error).__name__}: {error})"
    return Section(id=section_id, title=title, omitted=reason)


def _modelled_sections(
    context: ReportContext, a: SideProfile, b: SideProfile
) -> dict[str, Section]:
    return {
        section_id: safe_section(section_id, partial(build, context, a, b))
        for section_id, build in MODELLED_SECTIONS.items()
    }


MeasuredParts = tuple[Section, tuple[BenchmarkEntry, ...], Scores | None, tuple[CategoryEntry, ...]]


def _measured(context: ReportContext, a: SideProfile, b: SideProfile) -> MeasuredParts:
    try:
        reference = default_score_method().reference_gpu
        keys = (results_key(context.a), results_key(context.b))
        data: MeasuredData = load_measured([*keys, reference])
    except Exception as error:  # noqa: BLE001 - no store must not take the report down
        log.warning("results store unavailable", exc_info=True)
        omitted = f"{STORE_UNREADABLE}{type(error).__name__}: {error})"
        return Section(id="measured", title="Measured benchmarks", omitted=omitted), (), None, ()
    section, entries, categories = build_measured(context, data, a, b)
    return section, entries, comparison_scores(*keys, data), categories


ORDER = (
    "hardware",
    "memory-fit",
    "inference",
    "serving-curve",
    "media",
    "training",
    "pricing",
    "power",
    "ecosystem",
    "guidance",
    "measured",
)


def options_from(options: dict[str, object]) -> ReportOptions:
    """ReportOptions from keyword options; unknown names are reported all at once."""
    known = set(ReportOptions.__dataclass_fields__)
    unknown = sorted(set(options) - known)
    if unknown:
        raise InvalidRequestError(
            [f"unknown option {name!r}; known: {', '.join(sorted(known))}" for name in unknown]
        )
    given = {name: value for name, value in options.items() if value is not None}
    return ReportOptions(**given)  # type: ignore[arg-type]


def build_comparison(
    a: str, b: str, *, profiles: ProfileCache | None = None, **options: object
) -> Comparison:
    """The whole report for A vs B (GPU ids, names or systems such as '4x rtx-4090').

    Options: model, weights, context_tokens, provider, electricity_usd_per_kwh, pue, engine.
    `profiles`: where the per-system profiles come from; by default a cache of this build
    only (a server passes its own, longer-lived one)."""
    report_options = options_from(options)
    context = make_context(a, b, report_options)
    a_profile, b_profile = (profiles or ProfileCache()).pair(context)
    sections: dict[str, Section] = {
        "hardware": safe_section("hardware", lambda: build_hardware(context)),
        "pricing": safe_section("pricing", lambda: build_pricing(context)),
        "ecosystem": safe_section("ecosystem", lambda: build_ecosystem(context)),
    }
    sections.update(_modelled_sections(context, a_profile, b_profile))
    measured, entries, scores, categories = _measured(context, a_profile, b_profile)
    sections["measured"] = measured
    ordered = tuple(sections[i] for i in ORDER if i in sections)
    final_scores = scores or Scores(None, None, "", ("Scores need the results store.",))
    return Comparison(
        schema_version=SCHEMA_VERSION,
        generated_at=generated_at_now(),
        a=side_of(context.a, a),
        b=side_of(context.b, b),
        options=report_options.as_dict(),
        summary=build_summary(context, ordered, final_scores),
        sections=ordered,
        benchmarks=entries,
        scores=final_scores,
        categories=categories,
    )
