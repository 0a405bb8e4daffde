"""Use-case guidance and an FAQ, answered from the computations (fit, cost, training)."""

from __future__ import annotations

from gpuatlas.catalog.systems import GpuSystem
from gpuatlas.performance.llm.memory import MAX_GPUS_SEARCHED
from gpuatlas.report.context import ReportContext
from gpuatlas.report.document import Quantity, Section, Statement
from gpuatlas.report.focus import focus_model
from gpuatlas.report.profiles import SideProfile
from gpuatlas.report.profiles.fit import SEVENTY_B, SIZE_MODELS, TWO_BIT_GGUF, FitResult
from gpuatlas.report.profiles.llm import CpuSplitRun, cpu_split_run
from gpuatlas.report.profiles.training import LARGE_MODEL
from gpuatlas.report.serving_cost import one_side_priced_statement, serving_cost_statement


def _format_name(name: str, weights: str, system: GpuSystem) -> str:
    if weights == "fp8" and not system.gpu.supports_fp8_natively:
        return "FP8 (weight-only: no native FP8)"
    return name


def ladder_guidance(label: str, side: SideProfile) -> Statement:
    """The largest of the 7B/13B/34B/70B ladder that one system holds, in FP16 and at INT4
    (each with the platform's usual engine)."""
    largest = {}
    int4 = side.usual_formats[-1][1]  # AWQ, or Q4_K_M where the engine loads no AWQ
    for weights in ("fp16", int4):
        fitting = [
            size
            for size, model in SIZE_MODELS
            if (result := side.fit(model, weights, None)) is not None and result.fits
        ]
        largest["int4" if weights == int4 else weights] = fitting[-1] if fitting else "none"
    if largest["int4"] == "none":  # not even the 7B at INT4: no 'up to none'
        return Statement(
            kind="guidance",
            words={"system": label},
            template="{system} holds none of the 7B–70B models, not even at INT4 "
            "(see VRAM fit for smaller models and for more GPUs).",
        )
    fp16 = "none" if largest["fp16"] == "none" else "up to " + largest["fp16"]
    return Statement(  # of the ladder: an 8B can fit where 'up to 7B' is said (VRAM fit)
        kind="guidance",
        template="Of the 7B/13B/34B/70B models, {system} holds {fp16} in FP16 and up to {int4} "
        "at INT4; larger ones need more GPUs (see VRAM fit).",
        words={"system": label, "fp16": fp16, "int4": largest["int4"]},
    )


def seventy_b_answer(label: str, side: SideProfile) -> Statement:
    system = side.system
    formats = side.usual_formats
    fitting = [
        _format_name(name, weights, system)
        for name, weights in formats
        if (result := side.fit(SEVENTY_B, weights, None)) is not None and result.fits
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
    fp16 = side.fit(SEVENTY_B, "fp16", None)
    int4 = side.fit(SEVENTY_B, formats[-1][1], None)
    needs = {"fp16": fp16.gpus_needed if fp16 else None, "int4": int4.gpus_needed if int4 else None}
    words = {
        "model": SEVENTY_B,
        "system": label,
        "gpu": system.gpu.short_name,
        "fp16": _gpu_count_words(needs["fp16"]),
        "int4": _gpu_count_words(needs["int4"]),
        "split": _split_words(fp16 or int4),
    }
    template = (
        "Not on {system} alone: {model} needs {fp16} {gpu} in FP16 and "
        "{int4} {gpu} at INT4 ({split}; see sharded inference)."
    )
    two_bit, two_bit_numbers = _two_bit_part(side)
    run = cpu_split_run(system, SEVENTY_B, side.usual_engine, side.focus.prompt_tokens)
    if run is None:
        return Statement(
            kind="answer",
            question=question,
            template=template + two_bit,
            words=words,
            numbers=two_bit_numbers,
        )
    return Statement(
        kind="answer",
        question=question,
        template=template + _CPU_SPLIT_TEMPLATE + _host_ram_words(run) + two_bit,
        words=words | _cpu_split_words(run),
        numbers={"decode": run.decode_tok_s} | two_bit_numbers,
    )


def _two_bit_part(side: SideProfile) -> tuple[str, dict[str, Quantity]]:
    """(' In IQ2_XXS (about two bits per weight) on llama.cpp (CUDA) it fits the RTX 4090
    whole, ~{two_bit_decode:num} tok/s decode (one request).', its number) where the engine
    that splits a model on this platform (llama.cpp, Ollama) holds the 70B in that type on the
    system's GPUs (`SideProfile.two_bit_seventy_b`, the rate predict llm's:
    `two_bit_seventy_b_decode`); else nothing."""
    fit, engine = side.two_bit_seventy_b, side.split_engine
    if fit is None or not fit.fits or engine is None:
        return "", {}
    fits = (
        f" In {TWO_BIT_GGUF.upper()} (about two bits per weight) on {engine.label} it fits "
        "the {system} whole"
    )
    decode = side.two_bit_seventy_b_decode
    if decode is None:
        return fits + ".", {}
    return fits + ", ~{two_bit_decode:num} tok/s decode (one request).", {"two_bit_decode": decode}


# llama.cpp and Ollama place the layers that do not fit in host memory, run by the CPU.
_CPU_SPLIT_TEMPLATE = (
    " llama.cpp or Ollama can split it between GPU and CPU: on {split_engine} in {split_weights}, "
    "{gpu_layers} of {layers} layers on the GPU and {cpu_gb} GB of weights in host memory "
    "read at {host_gb_s} GB/s (assumed), "
    "~{decode:num} tok/s decode (one request)"
)


def _host_ram_words(run: CpuSplitRun) -> str:
    """', with at least 36 GB of host RAM (32 GB assumed: --host-ram-gb).' where the assumed
    machine cannot hold the CPU's share, else '.'."""
    if not run.host_ram_needed_gb:
        return "."
    return (
        f", with at least {run.host_ram_needed_gb} GB of host RAM ({run.host_ram_assumed_gb:g} "
        "GB assumed is too little; state yours with --host-ram-gb)."
    )


def _cpu_split_words(run: CpuSplitRun) -> dict[str, str]:
    return {
        "split_engine": run.engine,
        "split_weights": run.weights.upper(),
        "gpu_layers": str(run.gpu_layers),
        "layers": str(run.total_layers),
        "cpu_gb": f"{run.cpu_weights_gb:.0f}",
        "host_gb_s": f"{run.host_bandwidth_gb_s:g}",
    }


def _gpu_count_words(gpus_needed: int | None) -> str:
    """'4×', or past the largest count the fit searches (None: no count up to it holds it)."""
    return f"{gpus_needed}×" if gpus_needed else f"more than {MAX_GPUS_SEARCHED}×"


def _split_words(fit: FitResult | None) -> str:
    """How the side's engine spreads the model: tensor parallel (vLLM, SGLang, TGI) shards
    every layer over a power of two of GPUs; llama.cpp and Ollama give each GPU whole layers,
    so any count works."""
    if fit is not None and fit.multi_gpu == "layer-split":
        return "whole layers per GPU, as llama.cpp splits a model"
    return "tensor parallel"


def training_answer(context: ReportContext, a: SideProfile, b: SideProfile) -> Statement:
    return Statement(
        kind="answer",
        question=f"Which can fine-tune {LARGE_MODEL}?",
        template="{a}: {a_method}; {b}: {b_method} (most complete method that fits in memory).",
        words={
            "a": context.a_label,
            "b": context.b_label,
            "a_method": a.first_fitting_method(LARGE_MODEL) or "nothing",
            "b_method": b.first_fitting_method(LARGE_MODEL) or "nothing",
        },
    )


def cost_answer(context: ReportContext, a: SideProfile, b: SideProfile) -> Statement | None:
    statement = serving_cost_statement(context, a, b) or one_side_priced_statement(context, a, b)
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


def build_guidance(context: ReportContext, a: SideProfile, b: SideProfile) -> Section:
    sides = ((context.a_label, a), (context.b_label, b))
    statements = [ladder_guidance(label, side) for label, side in sides]
    statements += [seventy_b_answer(label, side) for label, side in sides]
    cost = cost_answer(context, a, b)
    statements += [cost] if cost else []
    statements += [training_answer(context, a, b), ecc_answer(context)]
    return Section(id="guidance", title="Use cases and FAQ", statements=tuple(statements))
