"""Build the Comparison document: resolve A and B, run every section builder, gather the
measured benchmarks and scores. A section whose inputs are missing is omitted with a note."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime
from functools import partial

from gpuatlas.errors import GpuAtlasError, InvalidRequestError
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
from gpuatlas.report.scores import comparison_scores
from gpuatlas.report.sections.ecosystem import build_ecosystem
from gpuatlas.report.sections.hardware import build_hardware
from gpuatlas.report.sections.measured import build_measured
from gpuatlas.report.sections.pricing import build_pricing
from gpuatlas.report.side_cache import inputs_fixed
from gpuatlas.report.summary import build_summary

log = logging.getLogger(__name__)

SectionBuilder = Callable[[ReportContext], Section]

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


def _optional_builders() -> dict[str, SectionBuilder]:
    """Builders whose inputs (the estimate API) may not be installed yet."""
    from gpuatlas.report.sections import optional

    return optional.builders()


def safe_section(section_id: str, builder: Callable[[], Section]) -> Section:
    """Run a builder; on a missing dependency or a failure, an omitted section with the reason."""
    title = SECTION_TITLES.get(section_id, section_id)
    try:
        return builder()
    except ImportError as error:
        reason = f"not available yet: the estimation API is missing ({error})"
    except GpuAtlasError as error:
        reason = str(error)
    except Exception as error:  # noqa: BLE001 - a section must never take the report down
        log.warning("section %s failed", section_id, exc_info=True)
        reason = f"could not be computed ({type(error).__name__}: {error})"
    return Section(id=section_id, title=title, omitted=reason)


def _modelled_sections(context: ReportContext) -> dict[str, Section]:
    try:
        builders = _optional_builders()
    except ImportError as error:
        reason = f"not available yet: the estimation API is missing ({error})"
        ids = ("memory-fit", "inference", "serving-curve", "media", "training", "power",
               "guidance")
        return {i: Section(id=i, title=SECTION_TITLES[i], omitted=reason) for i in ids}
    return {
        section_id: safe_section(section_id, partial(builder, context))
        for section_id, builder in builders.items()
    }


MeasuredParts = tuple[Section, tuple[BenchmarkEntry, ...], Scores | None, tuple[CategoryEntry, ...]]


def _measured(context: ReportContext) -> MeasuredParts:
    try:
        from gpuatlas.compare import default_score_method

        reference = default_score_method().reference_gpu
        keys = (results_key(context.a), results_key(context.b))
        data: MeasuredData = load_measured([*keys, reference])
    except Exception as error:  # noqa: BLE001 - no store must not take the report down
        log.warning("results store unavailable", exc_info=True)
        omitted = f"the results store could not be read ({type(error).__name__}: {error})"
        return Section(id="measured", title="Measured benchmarks", omitted=omitted), (), None, ()
    section, entries, categories = build_measured(context, data)
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


def build_comparison(a: str, b: str, **options: object) -> Comparison:
    """The whole report for A vs B (GPU ids, names or systems such as '4x rtx-4090').

    Options: model, weights, context_tokens, provider, electricity_usd_per_kwh, pue."""
    report_options = options_from(options)
    context = make_context(a, b, report_options)
    sections: dict[str, Section] = {
        "hardware": safe_section("hardware", lambda: build_hardware(context)),
        "pricing": safe_section("pricing", lambda: build_pricing(context)),
        "ecosystem": safe_section("ecosystem", lambda: build_ecosystem(context)),
    }
    with inputs_fixed():
        sections.update(_modelled_sections(context))
    measured, entries, scores, categories = _measured(context)
    sections["measured"] = measured
    ordered = tuple(sections[i] for i in ORDER if i in sections)
    final_scores = scores or Scores(None, None, "", ("Scores need the results store.",))
    return Comparison(
        schema_version=SCHEMA_VERSION,
        generated_at=datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        a=side_of(context.a),
        b=side_of(context.b),
        options=report_options.as_dict(),
        summary=build_summary(context, ordered, final_scores),
        sections=ordered,
        benchmarks=entries,
        scores=final_scores,
        categories=categories,
    )
