"""Rendering of `gpuatlas fit` (inference): every size in GiB, labelled, with the assumed
weight format and its reason, the memory source and the margin behind "fits"."""

from __future__ import annotations

from gpuatlas.app.engine_names import engine_shown_on
from gpuatlas.app.fit import (
    MAC_NO_FIT_ADVICE,
    fit_verdict,
    gpus_needed_words,
    offload_text,
    one_unified_device,
    same_weights_rows,
)
from gpuatlas.cli.output import console, new_table
from gpuatlas.numbers import format_gib, gib_figure
from gpuatlas.performance.llm.fit_answer import FitAnswer, FormatRow


def _parts_table(answer: FitAnswer) -> object:
    fit = answer.detail
    title = "Memory per GPU" if answer.offload is None else _all_layers_title(fit.gpu_count)
    table = new_table(title, "part", "GiB")
    parts = fit.per_gpu
    for name, value in (
        ("weights", parts.weights_gb),
        ("KV cache", parts.kv_cache_gb),
        ("activations", parts.activations_gb),
        ("runtime", parts.overhead_gb),
        ("total", parts.total_gb),
    ):
        table.add_row(name, gib_figure(value))
    return table


def _all_layers_title(gpu_count: int) -> str:
    """The parts table's title when the answer offloads: the table is still per GPU, for every
    layer on the GPU(s) ('Memory, all on GPU' read as the total over 2 GPUs)."""
    return f"Memory per GPU, every layer on the GPU{'s' if gpu_count > 1 else ''}"


def _max_context(row: FormatRow) -> str:
    return "—" if row.max_context_tokens == 0 else f"{row.max_context_tokens:,}"


def _format_names(rows: tuple[FormatRow, ...]) -> str:
    return ", ".join(f"{r.format_id} (native)" if r.native else r.format_id for r in rows)


def _formats_table(answer: FitAnswer) -> object:
    fit = answer.detail
    one_device = one_unified_device(fit.system_id)
    table = new_table(
        f"Formats on {fit.system_id} with {engine_shown_on(answer.engine, fit.system_id)}",
        "weights",
        "GiB",
        "math",
        "max context",
        f"seqs @ {fit.context_tokens:,}",
        "fits" if one_device else "GPUs",
    )
    for rows in same_weights_rows(answer.rows):
        row = rows[0]
        if one_device:
            last = "yes" if row.fits else "no"
        else:
            last = "—" if row.gpus_needed is None else str(row.gpus_needed)
        table.add_row(
            _format_names(rows),
            gib_figure(row.weights_gb),
            row.compute_precision,
            _max_context(row),
            str(row.max_sequences),
            last,
        )
    return table


def _formats_footnote(answer: FitAnswer) -> str:
    text = (
        "math: the precision the matmuls run in on this GPU; max context: one sequence, "
        f"capped at the model's {answer.model_max_context:,} tokens; GiB = 2^30 bytes"
    )
    if len(same_weights_rows(answer.rows)) < len(answer.rows):
        text += "; formats on one row are the same weights in another file"
    if one_unified_device(answer.detail.system_id) and not all(r.fits for r in answer.rows):
        text += f"; fits no: {MAC_NO_FIT_ADVICE}"
    return text


def render_fit_answer(answer: FitAnswer, verdict: str | None = None) -> None:
    """The answer's tables and lines; `verdict`: the verdict in words (default fit_verdict)."""
    fit = answer.detail
    console.print(
        f"{fit.model_id} on {fit.system_id}: {fit.concurrency} × "
        f"{fit.context_tokens:,} tokens with {engine_shown_on(answer.engine, fit.system_id)}",
        highlight=False,
    )
    console.print(answer.weights.describe(), highlight=False)
    if answer.vision_note:
        console.print(answer.vision_note, highlight=False, markup=False)
    console.print(_parts_table(answer))
    text = fit_verdict(answer) if verdict is None else verdict
    console.print(f"verdict: {text}", markup=False, highlight=False)
    needed = gpus_needed_words(answer)
    gpus = "" if needed is None else f"; GPUs needed: {needed}"
    all_on_gpu = "" if answer.offload is None else "with every layer on the GPU: "
    if answer.offload is not None:
        plan = answer.offload
        state = "fits" if plan.fits else "does not fit"
        host_state = "fits" if plan.host_fits else "does not fit"
        console.print(
            f"offload: {offload_text(plan)}; GPU holds {format_gib(plan.gpu_total_gb)} of "
            f"{format_gib(plan.usable_gb)} usable ({state}); host RAM needs "
            f"{plan.host_need_gb:,.1f} GB of {plan.host_ram_gb:,.0f} GB ({host_state})",
            highlight=False,
        )
    console.print(
        f"{all_on_gpu}max concurrent sequences at {fit.context_tokens:,} tokens: "
        f"{fit.max_concurrent_sequences}{gpus}",
        highlight=False,
    )
    console.print(f"GPU memory: {answer.memory_source}", highlight=False)
    console.print(f"margin: {answer.margin}", highlight=False)
    for note in answer.engine_notes:
        console.print(f"engine: {note}", highlight=False, markup=False)
    for note in answer.context_notes:
        console.print(f"context: {note}", highlight=False, markup=False)
    if answer.rows:
        console.print(_formats_table(answer))
        console.print(_formats_footnote(answer), highlight=False, markup=False)
