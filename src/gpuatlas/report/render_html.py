"""Self-contained HTML renderer: inline CSS and SVG charts, no scripts, works offline."""

from __future__ import annotations

from html import escape
from importlib import resources

from gpuatlas.report.cells import cell_text, provenance_text
from gpuatlas.report.document import Cell, Comparison, Quantity, Section, Table
from gpuatlas.report.glance import render_glance
from gpuatlas.report.phrasing import render_statement
from gpuatlas.report.phrasing import with_question as _with_question
from gpuatlas.report.render_markdown import sources
from gpuatlas.report.svg_charts import comparison_chart, curve_chart

VERDICT_NAMES = {
    "a_faster": "A faster",
    "b_faster": "B faster",
    "roughly_equal": "roughly equal",
    "inconclusive": "inconclusive",
}


def _css() -> str:
    data = resources.files("gpuatlas.report") / "data"
    return "\n".join((data / name).read_text("utf-8") for name in ("report.css", "glance.css"))


def _cell(cell: Cell) -> str:
    tip = provenance_text(cell.provenance)
    title = f' title="{escape(tip)}"' if tip else ""
    css = ' class="num"' if isinstance(cell, Quantity) else ""
    text = escape(cell_text(cell))
    if text in VERDICT_NAMES.values():
        key = next(k for k, v in VERDICT_NAMES.items() if v == text)
        text = f'<span class="badge {key}">{text}</span>'
    return f"<td{css}{title}>{text}</td>"


def _column(name: str, comparison: Comparison) -> str:
    return {"A": comparison.a.label, "B": comparison.b.label}.get(name, name)


def _table(table: Table, comparison: Comparison) -> str:
    head = "".join(f"<th>{escape(_column(c, comparison))}</th>" for c in table.columns)
    rows = "".join("<tr>" + "".join(_cell(c) for c in row) + "</tr>" for row in table.rows)
    notes = "".join(f'<p class="notes">{escape(n)}</p>' for n in table.notes)
    return (
        f'<div class="table-wrap"><table><caption>{escape(table.title)}</caption>'
        f"<thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table></div>{notes}"
    )


def _statements(section: Section) -> str:
    items = []
    for statement in section.statements:
        question = (
            f'<span class="q">{escape(statement.question)}</span>' if statement.question else ""
        )
        css = f' class="verdict-{statement.verdict}"' if statement.verdict else ""
        items.append(f"<li{css}>{question}{escape(render_statement(statement))}</li>")
    return f'<ul class="statements">{"".join(items)}</ul>' if items else ""


def _section(section: Section, comparison: Comparison) -> str:
    if section.omitted:
        return (
            f'<section class="report omitted" id="{section.id}"><h2>'
            f'{escape(section.title)}</h2><p class="notes">Omitted: '
            f"{escape(section.omitted)}</p></section>"
        )
    charts = "".join(
        comparison_chart(c, comparison.a.label, comparison.b.label) for c in section.charts
    )
    charts += "".join(curve_chart(curve) for curve in section.curves)
    tables = "".join(_table(t, comparison) for t in section.tables)
    notes = "".join(f'<p class="notes">{escape(n)}</p>' for n in section.notes)
    return (
        f'<section class="report" id="{section.id}"><h2>{escape(section.title)}</h2>'
        f"{_statements(section)}{charts}{tables}{notes}</section>"
    )


def render_html(comparison: Comparison) -> str:
    a, b = comparison.a, comparison.b
    summary = "".join(f"<li>{escape(_with_question(s))}</li>" for s in comparison.summary)
    toc = "".join(f'<a href="#{s.id}">{escape(s.title)}</a>' for s in comparison.sections)
    body = "".join(_section(s, comparison) for s in comparison.sections)
    source_items = "".join(f"<li>{escape(s)}</li>" for s in sources(comparison))
    notes = "".join(
        f'<div class="meta">Note: {escape(note)}</div>'
        for side in (a, b)
        for note in side.assumptions
    )
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(a.label)} vs {escape(b.label)} · GPU Atlas</title>
<style>{_css()}</style></head>
<body>
<header class="hero"><h1><span class="a">{escape(a.label)}</span> vs
<span class="b">{escape(b.label)}</span></h1>
<div class="meta">GPU Atlas comparison · schema {escape(comparison.schema_version)} ·
generated {escape(comparison.generated_at)} · hover any number for its source</div>
{notes}<div class="glance-wrap">{render_glance(comparison)}</div>
<ul class="statements" style="margin-top:16px">{summary}</ul></header>
<nav class="toc">{toc}</nav>
<main>{body}</main>
<footer><h3>Sources</h3><ul>{source_items}</ul></footer>
</body></html>
"""
