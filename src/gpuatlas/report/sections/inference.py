"""LLM inference: single-user decode and TTFT, serving throughput, a serving scenario at two
traffic levels (replicas, p95 latency), and $/1M tokens and $/request per provider — each GPU's
cost from its own modelled throughput."""

from __future__ import annotations

from gpuatlas.catalog.model_kind import model_reading, not_an_llm
from gpuatlas.numbers import format_given, output_tokens_text
from gpuatlas.performance.llm.refusal import is_memory_refusal
from gpuatlas.report.context import ReportContext
from gpuatlas.report.document import Cell, Section, Statement, Table, Text
from gpuatlas.report.focus import (
    OUTPUT_TOKENS,
    focus_model,
    focus_weights,
    modelled_comparison,
    prompt_tokens,
    weights_statement,
)
from gpuatlas.report.platform_engines import engines_statement
from gpuatlas.report.profiles import SideProfile
from gpuatlas.report.profiles.llm import (
    P95_TPOT_TARGET_MS,
    P95_TTFT_TARGET_MS,
    SERVING_INPUT_TOKENS,
    ServingAtTraffic,
    SideSpeed,
    fitting_format,
    holds_a_sequence,
)
from gpuatlas.report.serving_cost import serving_cost_statement


def speed_table(a: SideSpeed, b: SideSpeed, context: ReportContext) -> Table:
    rows: tuple[tuple[Cell, ...], ...] = (
        (
            Text(
                f"Single-user decode ({OUTPUT_TOKENS:,} tokens after a "
                f"{prompt_tokens(context):,}-token prompt)"
            ),
            a.decode_tok_s,
            b.decode_tok_s,
        ),
        (
            Text(f"Time to first token ({prompt_tokens(context):,}-token prompt)"),
            a.ttft_ms,
            b.ttft_ms,
        ),
        (
            Text(f"Serving throughput, max concurrency (output tok/s{_stopping(context)})"),
            a.serving_tok_s,
            b.serving_tok_s,
        ),
    )
    if a.serving_layout or b.serving_layout:
        layout_row: tuple[Cell, ...] = (
            Text("Serving layout (the fastest for this model)"),
            Text(a.serving_layout or "—"),
            Text(b.serving_layout or "—"),
        )
        rows = (*rows, layout_row)
    rows = (*rows, (Text("Engine"), Text(a.engine or "—"), Text(b.engine or "—")))
    engines = a.engine if a.engine == b.engine else "each side's engine"
    weights = a.weights if a.weights == b.weights else "each side's format"
    if a.weights != b.weights:
        rows = (*rows, (Text("Weights"), Text(a.weights), Text(b.weights)))
    title = f"{focus_model(context)} in {weights} on {engines} (modelled, range = calibration band)"
    return Table("llm-speed", title, ("Metric", "A", "B"), rows)


def _stopping(context: ReportContext) -> str:
    """', mean 128 of 256 out tokens' when requests stop at end-of-sequence
    (--mean-output-tokens); '' otherwise."""
    mean = context.options.mean_output_tokens
    if mean is None or mean >= OUTPUT_TOKENS:
        return ""
    return f", mean {format_given(mean)} of {OUTPUT_TOKENS} out tokens"


def speed_statements(a: SideSpeed, b: SideSpeed, context: ReportContext) -> list[Statement]:
    formats = "" if a.weights == b.weights else f" ({a.weights} vs {b.weights})"
    candidates = [
        modelled_comparison(
            "Single-user decode" + formats,
            context.a_label,
            context.b_label,
            a.decode_tok_s,
            b.decode_tok_s,
        ),
        modelled_comparison(
            "Time to first token" + formats,
            context.a_label,
            context.b_label,
            a.ttft_ms,
            b.ttft_ms,
            higher_is_better=False,
        ),
        modelled_comparison(
            "Serving throughput" + formats,
            context.a_label,
            context.b_label,
            a.serving_tok_s,
            b.serving_tok_s,
        ),
    ]
    return [s for s in candidates if s is not None]


def unavailable_statements(
    a_side: SideProfile, b_side: SideProfile, context: ReportContext
) -> list[Statement]:
    """Why a side has no modelled LLM speed, in full (a table cell shows only short reasons),
    and, when the format does not fit, the first smaller one that does (as the VRAM-fit table
    counts it)."""
    statements = []
    for label, side in ((context.a_label, a_side), (context.b_label, b_side)):
        speed = side.speed
        if speed.decode_tok_s.value is None:
            reason = speed.decode_tok_s.provenance.source or ""
            fitting = _fitting_format(side, context) if is_memory_refusal(reason) else None
            words = {
                "system": label,
                "engine": speed.engine,
                "model": focus_model(context),
                "weights": side.llm_focus.weights,
                "reason": reason,
                "fitting": fitting or "",
            }
            statements.append(
                Statement(
                    kind="fact",
                    words=words,
                    template="No modelled LLM speed for {system} ({model} in {weights} on "
                    "{engine}): {reason}" + _smaller_format_hint(reason, fitting) + ".",
                )
            )
    return statements


def offload_statements(
    a_side: SideProfile, b_side: SideProfile, context: ReportContext
) -> list[Statement]:
    """A side whose engine runs the model partly on the CPU (llama.cpp/Ollama's own split when
    one sequence does not fit the GPU): its speeds are for that split, said with the split."""
    statements = []
    for label, side in ((context.a_label, a_side), (context.b_label, b_side)):
        if side.speed.offload:
            words = {
                "system": label,
                "engine": side.speed.engine,
                "model": focus_model(context),
                "weights": side.llm_focus.weights,
                "split": side.speed.offload,
            }
            statements.append(
                Statement(
                    kind="fact",
                    words=words,
                    template="{system} runs {model} in {weights} on {engine} partly on the CPU "
                    "(it does not fit the GPU whole): {split}; its speeds are for that split.",
                )
            )
    return statements


def instead_statements(
    a_side: SideProfile, b_side: SideProfile, context: ReportContext
) -> list[Statement]:
    """A side that runs another format and engine than the request's because none of its usual
    engine's fits (llm.side_run): what and why; and, when the sides' formats then differ, how to
    compare like for like."""
    statements = []
    for label, side in ((context.a_label, a_side), (context.b_label, b_side)):
        if side.run.instead:
            words = {
                "system": label,
                "model": focus_model(context),
                "weights": focus_weights(context),
                "instead": side.run.instead,
            }
            statements.append(
                Statement(
                    kind="fact",
                    words=words,
                    template="{system}: {model} in {weights}: {instead}.",
                )
            )
    a_weights, b_weights = a_side.llm_focus.weights, b_side.llm_focus.weights
    if statements and a_weights != b_weights:
        switched = a_weights if a_side.run.instead else b_weights
        words = {"a": context.a_label, "b": context.b_label, "x": a_weights, "y": b_weights}
        words["switched"] = switched
        template = (
            "The sides' LLM figures are for different weights ({a}: {x}; {b}: {y}), so they "
            "compare setups, not only hardware; --weights {switched} compares like for like."
        )
        statements.append(Statement(kind="fact", words=words, template=template))
    return statements


def _reading_statement(context: ReportContext) -> list[Statement]:
    """How the LLM's name was read when it is another library id (a fine-tune, an alias)."""
    asked = context.options.model
    reading = model_reading(asked) if asked and not not_an_llm(asked) else None
    if reading is None:
        return []
    words = {"written": reading.written, "read_as": reading.read_as, "how": reading.how}
    return [Statement(kind="fact", words=words, template="{written} read as {read_as} ({how}).")]


def _stand_in_statement(context: ReportContext) -> list[Statement]:
    """When the model asked about is not an LLM (an image or OCR model), what the LLM figures
    are for instead."""
    asked = context.options.model
    kind = not_an_llm(asked) if asked else ""
    if not asked or not kind:
        return []
    words = {"asked": asked, "kind": kind, "model": focus_model(context)}
    return [
        Statement(
            kind="fact",
            words=words,
            template="{asked} is a {kind} model, not an LLM: its figures are in the image, "
            "vision and OCR section; the LLM figures here are for {model}.",
        )
    ]


def _fitting_format(side: SideProfile, context: ReportContext) -> str | None:
    """The format the hint names when the side's format does not fit (llm.fitting_format with
    the side's engine)."""
    model = focus_model(context)
    return fitting_format(
        model,
        side.llm_focus.weights,
        side.engine.engine,
        lambda format_id: holds_a_sequence(side.fit(model, format_id, context.options.engine)),
    )


def _smaller_format_hint(reason: str, fitting: str | None) -> str:
    if not is_memory_refusal(reason):
        return ""
    if fitting is not None:
        return "; in {fitting} it fits (pass --weights {fitting})"
    return (
        "; no format the engine loads fits either (the VRAM-fit table lists them; --weights "
        "picks another)"
    )


def _scenario_row(label: str, serving: ServingAtTraffic) -> tuple[Cell, ...]:
    head: tuple[Cell, ...] = (Text(label), Text(f"{format_given(serving.rps)} req/s"))
    run = serving.run
    if isinstance(run, str):  # the reason in full goes to the table's notes, once
        return (*head, Text(f"— ({_short_reason(run)})"), Text(""), Text(""), Text(""), Text(""))
    cost: Cell = Text("no price") if run.usd_per_1k_requests is None else run.usd_per_1k_requests
    return (*head, Text(run.replicas), run.p95_ttft_ms, run.p95_tpot_ms, run.utilization_pct, cost)


# A table cell's reason for the long ones (the whole reason goes to the table's notes once).
SHORT_REASONS = {"memory:": "does not fit in memory", "latency:": "misses the latency targets"}


def _short_reason(reason: str) -> str:
    """A table cell's reason: 'does not fit in memory' for the long memory sum, 'misses the
    latency targets' for the latencies that miss them (both in full in the notes)."""
    return next(
        (short for prefix, short in SHORT_REASONS.items() if reason.startswith(prefix)), reason
    )


def scenario_table(a: SideProfile, b: SideProfile) -> Table:
    rows = tuple(
        _scenario_row(side.label, serving) for side in (a, b) for serving in side.serving_scenario
    )
    reasons = dict.fromkeys(
        f"{side.label}: {serving.run}"
        for side in (a, b)
        for serving in side.serving_scenario
        if isinstance(serving.run, str) and _short_reason(serving.run) != serving.run
    )
    notes = (
        *reasons,
        f"Requests of {SERVING_INPUT_TOKENS} input and "
        f"{output_tokens_text(OUTPUT_TOKENS, a.llm_focus.mean_output_tokens)} output tokens, "
        f"Poisson arrivals; targets p95 TTFT ≤ {format_given(P95_TTFT_TARGET_MS)} ms and p95 "
        f"time per output token ≤ {format_given(P95_TPOT_TARGET_MS)} ms; replicas = fewest "
        "that meet both in the simulation; a replica is the serving layout's group (one GPU "
        "of a multi-GPU system when the model fits one and that meets the targets, else the "
        "whole system). "
        "$/1k requests uses each system's own replica count and its reference price.",
    )
    return Table(
        "serving-scenario",
        "Serving scenario at two traffic levels",
        (
            "System",
            "Traffic",
            "Replicas needed",
            "p95 TTFT",
            "p95 TPOT",
            "Utilisation",
            "$/1k requests",
        ),
        rows,
        notes,
    )


def cost_table(context: ReportContext, a: SideProfile, b: SideProfile) -> Table:
    rows = tuple(
        (
            Text(side.label),
            Text(cost.offer),
            cost.usd_per_hour,
            cost.usd_per_million_tokens,
            cost.usd_per_1k_requests,
        )
        for side in (a, b)
        for cost in side.offer_costs
    )
    notes = (
        "Cost per request = "
        f"{output_tokens_text(OUTPUT_TOKENS, context.options.mean_output_tokens)} output "
        "tokens at the system's own modelled "
        "throughput at full load (never a shared request rate); ranges follow the "
        "throughput range. Full load is the serving-throughput row above (the serving model "
        f"at the most sequences the engine holds, {SERVING_INPUT_TOKENS} in / "
        f"{output_tokens_text(OUTPUT_TOKENS, context.options.mean_output_tokens)} out), the "
        "same figure `gpuatlas cost` gives at full load.",
    )
    return Table(
        "llm-cost",
        f"Cost per 1M output tokens and per request ({focus_model(context)})",
        ("System", "Offer", "$/hour (system)", "$/1M output tokens", "$/1k requests"),
        rows,
        notes,
    )


def build_inference(context: ReportContext, a_side: SideProfile, b_side: SideProfile) -> Section:
    a, b = a_side.speed, b_side.speed
    statements = [*_stand_in_statement(context), *_reading_statement(context)]
    statements.append(weights_statement(context))
    statements += speed_statements(a, b, context)
    differ = engines_statement(context.a_label, a_side.engine, context.b_label, b_side.engine)
    if differ is not None:
        statements.insert(1, differ)
    statements += unavailable_statements(a_side, b_side, context)
    statements += instead_statements(a_side, b_side, context)
    statements += offload_statements(a_side, b_side, context)
    cost = serving_cost_statement(context, a_side, b_side)
    if cost is not None:
        statements.append(cost)
    tables = (
        speed_table(a, b, context),
        scenario_table(a_side, b_side),
        cost_table(context, a_side, b_side),
    )
    return Section(
        id="inference", title="LLM inference", tables=tables, statements=tuple(statements)
    )
