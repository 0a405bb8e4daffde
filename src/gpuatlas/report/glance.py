"""The answer at a glance (issue 12, item 9): per category who is faster and by how much, with
its interval, as one inline SVG chart; the Atlas Scores with their coverage; and the three
numbers a buyer asks first — does my model fit, how fast, what does a million tokens cost.

One HTML fragment, drawn from the Comparison document, shared by the self-contained report and
the web compare page (same markup, same class names; no script, no inline style attribute, so
it passes the web page's strict content security policy)."""

from __future__ import annotations

import math
from html import escape

from gpuatlas.catalog.model_kind import not_an_llm
from gpuatlas.report.cells import cell_text
from gpuatlas.report.document import CategoryEntry, Comparison, ScoreEntry, Section, Text
from gpuatlas.report.phrasing import format_number, render_statement

A_COLOR, B_COLOR, AXIS_COLOR = "#3b82f6", "#e08a1e", "#8a94a8"
WIDTH = 360
ROW = 58
MAX_SPAN = math.log(8.0)


def _x(ratio: float, span: float) -> float:
    half = WIDTH / 2 - 16
    clipped = max(-span, min(span, math.log(ratio)))
    return WIDTH / 2 + clipped / span * half


def _verdict_words(entry: CategoryEntry, a: str, b: str) -> str:
    ratio = entry.ratio
    if ratio is None:
        return "no ratio"
    direction = entry.model_verdict if entry.verdict == "vs_model" else entry.verdict
    tag = " (modelled)" if entry.basis == "modelled" else ""
    if direction == "a_faster":
        return f"{a} {ratio.value:.2f}×{tag}"
    if direction == "b_faster":
        return f"{b} {1 / ratio.value:.2f}×{tag}"
    if direction == "roughly_equal":
        return f"roughly equal{tag}"
    return f"undecided{tag}"


def _span(entries: list[CategoryEntry]) -> float:
    logs = [
        abs(math.log(v))
        for e in entries
        if e.ratio
        for v in (e.ratio.value, e.ratio.low or e.ratio.value, e.ratio.high or e.ratio.value)
        if v > 0
    ]
    return min(MAX_SPAN, max([math.log(1.5), *logs]) * 1.08)


def _row(entry: CategoryEntry, index: int, span: float, a: str, b: str) -> str:
    y = 14 + index * ROW
    label = escape(entry.title)
    words = escape(_verdict_words(entry, a, b))
    ratio = entry.ratio
    color = A_COLOR if ratio is None or ratio.value >= 1 else B_COLOR
    parts = [
        f'<text x="2" y="{y}" class="glance-label">{label}</text>',
        f'<text x="2" y="{y + 16}" class="glance-value">{words}</text>',
    ]
    if ratio is None:
        return "".join(parts)
    mid = y + 30
    dash = ' stroke-dasharray="4 3"' if entry.basis == "modelled" else ""
    if ratio.low is not None and ratio.high is not None:
        parts.append(
            f'<line x1="{_x(ratio.low, span):.1f}" x2="{_x(ratio.high, span):.1f}" '
            f'y1="{mid}" y2="{mid}" stroke="{color}" stroke-width="4" '
            f'stroke-linecap="round"{dash}/>'
        )
    fill = "none" if entry.basis == "modelled" else color
    parts.append(
        f'<circle cx="{_x(ratio.value, span):.1f}" cy="{mid}" r="6" fill="{fill}" '
        f'stroke="{color}" stroke-width="2"><title>{label}: A ÷ B = {ratio.value:.2f}×'
        f"</title></circle>"
    )
    return "".join(parts)


AXIS_ROOM = WIDTH / 2 - 8  # viewBox units from the centre line to the edge, less a margin
AXIS_CHARACTER = 6.2  # the mean advance of an 11-unit sans-serif character, in viewBox units


def axis_name(label: str) -> str:
    """A side's name under the axis: without its bracketed variant when the half-width it
    has cannot hold 'name faster →' ('Apple M4 Max (40-core GPU)' -> 'Apple M4 Max'; the
    title above names the variant)."""
    if _width(f"{label} faster →") <= AXIS_ROOM or " (" not in label:
        return label
    return label.split(" (")[0]


def _width(text: str) -> float:
    return len(text) * AXIS_CHARACTER


def _squeezed(text: str) -> str:
    """SVG attributes that fit a label still too long for its half into it (no clipping)."""
    if _width(text) <= AXIS_ROOM:
        return ""
    return f' textLength="{AXIS_ROOM:.0f}" lengthAdjust="spacingAndGlyphs"'


def category_svg(comparison: Comparison) -> str:
    entries = [e for e in comparison.categories if e.ratio is not None]
    if not entries:
        return '<p class="glance-empty">No category has a measured or modelled ratio.</p>'
    a, b = comparison.a.label, comparison.b.label
    span = _span(entries)
    height = 14 + len(entries) * ROW + 10
    rows = "".join(_row(e, i, span, a, b) for i, e in enumerate(entries))
    left, right = f"← {axis_name(b)} faster", f"{axis_name(a)} faster →"
    axis = (
        f'<line x1="{WIDTH / 2}" x2="{WIDTH / 2}" y1="18" y2="{height - 18}" '
        f'stroke="{AXIS_COLOR}" stroke-dasharray="2 3"/>'
        f'<text x="{WIDTH / 2 - 6}" y="{height - 2}" text-anchor="end" class="glance-axis"'
        f"{_squeezed(left)}>{escape(left)}</text>"
        f'<text x="{WIDTH / 2 + 6}" y="{height - 2}" class="glance-axis"'
        f"{_squeezed(right)}>{escape(right)}</text>"
    )
    return (
        f'<svg class="glance-svg" viewBox="0 0 {WIDTH} {height}" role="img" '
        f'aria-label="Per category: who is faster and by how much, with 95% intervals">'
        f"{axis}{rows}</svg>"
    )


def _without_ratio(comparison: Comparison) -> str:
    missing = [e for e in comparison.categories if e.ratio is None]
    if not missing:
        return ""
    items = "; ".join(f"{e.title}: {e.reason}" for e in missing)
    return f'<p class="glance-none">No ratio — {escape(items)}.</p>'


def _score(label: str, entry: ScoreEntry | None, side: str) -> str:
    if entry is None:
        return (
            f'<div class="glance-score {side}"><span class="glance-k">{escape(label)}</span>'
            '<b>—</b><span class="glance-sub">no benchmark in common with the reference'
            "</span></div>"
        )
    interval = (
        f"[{format_number(entry.low)}–{format_number(entry.high)}] "
        if entry.low is not None and entry.high is not None
        else ""
    )
    paired = (
        f"same benchmarks as the other side; own score {format_number(entry.own_value or 0.0)} on "
        f"{entry.own_covered_benchmarks}"
        if entry.paired
        else "own coverage, as on the leaderboard"
    )
    return (
        f'<div class="glance-score {side}"><span class="glance-k">Atlas Score · '
        f"{escape(label)}</span><b>{format_number(entry.value)}</b>"
        f'<span class="glance-sub">{interval}{escape(entry.coverage)}, {paired}; '
        f"{escape(entry.reference_gpu)} = 100</span></div>"
    )


def _answers(comparison: Comparison) -> list[tuple[str, str]]:
    """(question, answer) for: fits my model? how fast? what per 1M tokens?"""
    statements = comparison.all_statements()
    fits = [
        render_statement(s) for s in statements if s.question and s.question.startswith("Can the")
    ]
    cost = [
        render_statement(s) for s in statements if s.question and "cheaper to serve" in s.question
    ]
    focus = _focus_fit(comparison)
    answers = [("Fits my model?", focus or " ".join(dict.fromkeys(fits)) or "—")]
    speed = _speed(comparison)
    if speed:
        answers.append(speed)
    answers.append(("$ per 1M tokens?", cost[0] if cost else "—"))
    return answers


def _focus_fit(comparison: Comparison) -> str:
    """For an LLM named with --model: why a side cannot run it (and the format that fits), or
    that both sides run it; '' without one (the 70B answers stand)."""
    model = comparison.options.get("model")
    if not model:
        return ""
    kind = not_an_llm(str(model))
    if kind == "diffusion":
        return _image_fit(comparison)
    if kind:
        return ""
    try:
        section = comparison.section("inference")
    except KeyError:
        return ""
    refusals = [render_statement(s) for s in section.statements if "fitting" in s.words]
    if refusals:
        return " ".join(refusals)
    instead = [render_statement(s) for s in section.statements if "instead" in s.words]
    if instead:  # a side runs another format (or engine) than asked, as its users would
        return "Not as asked on every side: " + " ".join(instead)
    workload = _llm_workload(section)
    if not workload:
        return ""
    split = _cpu_split_sides(comparison)
    if split:
        return (
            f"Partly: {workload} runs on both sides, but {split} only with part of the model "
            "on the CPU (the engine's own split; its speeds below are for that split)."
        )
    return f"Yes: {workload} runs on both sides (speeds below)."


def _cpu_split_sides(comparison: Comparison) -> str:
    """'RTX 4090' (or 'RTX 4090 and RTX 5090'): the sides whose llama.cpp/Ollama runs the model
    partly on the CPU (the inference section's offload statements); '' when none does."""
    sides = [
        str(s.words["system"])
        for s in comparison.all_statements()
        if "split" in s.words and "engine" in s.words and "system" in s.words
    ]
    return " and ".join(dict.fromkeys(sides))


IMAGES_PER_MIN = " images per minute (whole system)"


def _image_fit(comparison: Comparison) -> str:
    """For an image model named with --model (the summary opens with it): the sides that need
    CPU offload for it, else that both run it without."""
    offloads = [render_statement(s) for s in comparison.summary if "image_model" in s.words]
    if offloads:
        return " ".join(offloads)
    speeds = [s for s in comparison.summary if s.words.get("what", "").endswith(IMAGES_PER_MIN)]
    if not speeds:
        return ""
    label = speeds[0].words["what"].removesuffix(IMAGES_PER_MIN)
    return f"Yes: {label} runs on both sides without CPU offload (speeds in the image section)."


def _llm_workload(section: Section) -> str:
    """'llama-3.1-8b in bf16 on vLLM': the LLM speed table's title, without its basis."""
    table = next((t for t in section.tables if t.id == "llm-speed"), None)
    return "" if table is None else table.title.split(" (modelled")[0]


def _speed(comparison: Comparison) -> tuple[str, str] | None:
    try:
        section = comparison.section("inference")
    except KeyError:
        return None
    for table in section.tables:
        for row in table.rows:
            if isinstance(row[0], Text) and row[0].text.startswith("Single-user decode"):
                workload = _llm_workload(section)
                return (
                    f"How fast? (single-user decode of {workload}, modelled)",
                    f"{comparison.a.label} {cell_text(row[1])} · "
                    f"{comparison.b.label} {cell_text(row[2])}",
                )
    return None


def _headline(comparison: Comparison) -> str:
    try:
        statements = comparison.section("measured").statements
    except KeyError:
        return ""
    return render_statement(statements[0]) if statements else ""


def render_glance(comparison: Comparison) -> str:
    """The at-a-glance block as an HTML fragment."""
    answers = "".join(f"<dt>{escape(q)}</dt><dd>{escape(a)}</dd>" for q, a in _answers(comparison))
    scores = _score(comparison.a.label, comparison.scores.a, "a") + _score(
        comparison.b.label, comparison.scores.b, "b"
    )
    headline = escape(_headline(comparison))
    return (
        '<section class="glance" id="at-a-glance"><h2>At a glance</h2>'
        f'<p class="glance-headline">{headline}</p><div class="glance-grid">'
        f'<figure class="glance-chart"><figcaption>Per category: who is faster, by how much '
        f"(dot: geometric mean of A ÷ B; bar: 95% interval; hollow: modelled)</figcaption>"
        f"{category_svg(comparison)}{_without_ratio(comparison)}</figure>"
        f'<div class="glance-side"><div class="glance-scores">{scores}</div>'
        f'<dl class="glance-answers">{answers}</dl></div></div></section>'
    )
