"""Use-case guidance and an FAQ, answered from the computations (fit, cost, training)."""

from __future__ import annotations

from gpuatlas.catalog.systems import GpuSystem
from gpuatlas.report.context import ReportContext
from gpuatlas.report.document import Section, Statement
from gpuatlas.report.sections.focus import focus_model
from gpuatlas.report.sections.inference import cost_statement, side_speed
from gpuatlas.report.sections.memory_fit import FORMATS, SIZE_MODELS, fit
from gpuatlas.report.sections.training import LARGE_MODEL, _first_fitting_method

SEVENTY_B = "llama-3-70b"


def _format_name(name: str, weights: str, system: GpuSystem) -> str:
    if weights == "fp8" and not system.gpu.supports_fp8_natively:
        return "FP8 (weight-only: no native FP8)"
    return name


def ladder_guidance(label: str, system: GpuSystem) -> Statement:
    """The largest of the 7B/13B/34B/70B ladder that one system holds, in FP16 and at INT4."""
    largest = {}
    int4 = formats_for(system)[-1][1]  # AWQ, or Q4_K_M where the engine loads no AWQ
    for weights in ("fp16", int4):
        fitting = [
            size
            for size, model in SIZE_MODELS
            if (result := fit(system, model, weights)) is not None and result.fits
        ]
        largest["int4" if weights == int4 else weights] = fitting[-1] if fitting else "none"
    if largest["int4"] == "none":  # not even the 7B at INT4: no 'up to none'
        return Statement(kind="guidance", words={"system": label},
                         template="{system} holds none of the 7B–70B models, not even at INT4 "
                         "(see VRAM fit for smaller models and for more GPUs).")
    fp16 = ("none of the 7B–70B models" if largest["fp16"] == "none"
            else "models up to " + largest["fp16"])
    return Statement(
        kind="guidance",
        template="{system} holds {fp16} in FP16 and models up to {int4} at "
        "INT4; larger ones need more GPUs (see VRAM fit).",
        words={"system": label, "fp16": fp16, "int4": largest["int4"]},
    )


GGUF_FORMATS = (("FP16", "fp16"), ("Q8_0", "q8_0"), ("Q4_K_M", "q4_k_m"))


def formats_for(system: GpuSystem) -> tuple[tuple[str, str], ...]:
    """The formats people run there: FP8/INT8/AWQ where the platform's engine loads AWQ, else
    llama.cpp's GGUF (a Mac, a Radeon, an Arc)."""
    from gpuatlas.performance.engine_specs import engine_profile
    from gpuatlas.performance.platform_engines import platform_engine

    profile = engine_profile(platform_engine(system.gpu).engine, system.gpu)
    return FORMATS if "awq-int4" in profile.formats else GGUF_FORMATS


def seventy_b_answer(label: str, system: GpuSystem) -> Statement:
    formats = formats_for(system)
    fitting = [
        _format_name(name, weights, system)
        for name, weights in formats
        if (result := fit(system, SEVENTY_B, weights)) is not None and result.fits
    ]
    question = f"Can the {label} run a 70B model?"
    if fitting:
        return Statement(
            kind="answer",
            question=question,
            template="Yes: {model} fits on {system} in {formats} (weights plus a "
            "2K-token KV cache).",
            words={"model": SEVENTY_B, "system": label, "formats": ", ".join(fitting)},
        )
    fp16 = fit(system, SEVENTY_B, "fp16")
    int4 = fit(system, SEVENTY_B, formats[-1][1])
    needs = {"fp16": fp16.gpus_needed if fp16 else None, "int4": int4.gpus_needed if int4 else None}
    words = {
        "model": SEVENTY_B,
        "system": label,
        "gpu": system.gpu.short_name,
        "fp16": f"{needs['fp16']}×" if needs["fp16"] else "more than 8×",
        "int4": f"{needs['int4']}×" if needs["int4"] else "more than 8×",
    }
    return Statement(
        kind="answer",
        question=question,
        template="Not on {system} alone: {model} needs {fp16} {gpu} in FP16 and "
        "{int4} {gpu} at INT4 (tensor parallel; see sharded inference).",
        words=words,
    )


def training_answer(context: ReportContext) -> Statement:
    methods = {
        label: _first_fitting_method(system, LARGE_MODEL) or "nothing"
        for label, system in context.systems()
    }
    return Statement(
        kind="answer",
        question=f"Which can fine-tune {LARGE_MODEL}?",
        template="{a}: {a_method}; {b}: {b_method} (most complete method that fits in memory).",
        words={
            "a": context.a_label,
            "b": context.b_label,
            "a_method": methods[context.a_label],
            "b_method": methods[context.b_label],
        },
    )


def cost_answer(context: ReportContext) -> Statement | None:
    a, b = side_speed(context.a, context), side_speed(context.b, context)
    statement = cost_statement(a, b, context)
    if statement is None:
        return None
    return Statement(
        kind="answer",
        question=f"Which is cheaper to serve {focus_model(context)}?",
        template=statement.template,
        numbers=statement.numbers,
        words=statement.words,
    )


def ecc_answer(context: ReportContext) -> Statement:
    def ecc(system: GpuSystem) -> str:
        return {True: "has ECC memory", False: "has no ECC memory", None: "ECC unknown"}[
            system.gpu.ecc
        ]

    return Statement(
        kind="answer",
        question="Does ECC matter here?",
        template="{a} {a_ecc}; {b} {b_ecc}. ECC guards long training runs and "
        "multi-tenant serving against silent memory errors.",
        words={
            "a": context.a_label,
            "b": context.b_label,
            "a_ecc": ecc(context.a),
            "b_ecc": ecc(context.b),
        },
    )


def build_guidance(context: ReportContext) -> Section:
    statements = [ladder_guidance(label, system) for label, system in context.systems()]
    statements += [seventy_b_answer(label, system) for label, system in context.systems()]
    cost = cost_answer(context)
    statements += [cost] if cost else []
    statements += [training_answer(context), ecc_answer(context)]
    return Section(id="guidance", title="Use cases and FAQ", statements=tuple(statements))
