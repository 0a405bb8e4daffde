"""Markdown renderer: headings, generated sentences, pipe tables, notes and a sources list."""

from __future__ import annotations

from gpuatlas.report.cells import cell_text, provenance_text
from gpuatlas.report.document import Comparison, Section, Table
from gpuatlas.report.phrasing import format_number, render_statement
from gpuatlas.report.phrasing import with_question as _with_question


def _escape(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _table(table: Table, a_label: str, b_label: str) -> list[str]:
    columns = [_column(c, a_label, b_label) for c in table.columns]
    lines = [
        f"**{table.title}**",
        "",
        "| " + " | ".join(columns) + " |",
        "|" + "|".join("---" for _ in columns) + "|",
    ]
    lines += ["| " + " | ".join(_escape(cell_text(c)) for c in row) + " |" for row in table.rows]
    if table.notes:  # a blank line first, or Markdown reads the note as another table row
        lines += ["", *[f"*{_escape(note)}*" for note in table.notes]]
    return [*lines, ""]


def _column(name: str, a_label: str, b_label: str) -> str:
    if name == "A":
        return a_label
    if name == "B":
        return b_label
    return name


def _section(section: Section, comparison: Comparison) -> list[str]:
    lines = [f"## {section.title}", ""]
    if section.omitted:
        return [*lines, f"*Omitted: {section.omitted}*", ""]
    for statement in section.statements:
        prefix = f"**{statement.question}** " if statement.question else ""
        lines.append(f"- {prefix}{render_statement(statement)}")
    if section.statements:
        lines.append("")
    for table in section.tables:
        lines += _table(table, comparison.a.label, comparison.b.label)
    lines += [f"> {note}" for note in section.notes]
    return [*lines, ""]


def _scores(comparison: Comparison) -> list[str]:
    lines = []
    for label, entry in (
        (comparison.a.label, comparison.scores.a),
        (comparison.b.label, comparison.scores.b),
    ):
        if entry is None:
            lines.append(f"- {label}: no score (no benchmark in common with the reference)")
            continue
        interval = (
            f" [{format_number(entry.low)}–{format_number(entry.high)}]"
            if entry.low is not None and entry.high is not None
            else ""
        )
        value = format_number(entry.value)
        lines.append(f"- {label}: **{value}**{interval}, scored on {entry.basis}")
    return ["## Atlas Score", "", *lines, "", *[f"> {n}" for n in comparison.scores.notes], ""]


def sources(comparison: Comparison) -> list[str]:
    """Every distinct catalog, price and model source behind the numbers."""
    seen: dict[str, None] = {}
    for section in comparison.sections:
        for table in section.tables:
            for row in table.rows:
                for cell in row:
                    text = provenance_text(cell.provenance)
                    if (
                        text
                        and cell.provenance
                        and cell.provenance.kind in ("catalog", "price", "modelled")
                    ):
                        seen.setdefault(text, None)
    return list(seen)


def render_markdown(comparison: Comparison) -> str:
    a, b = comparison.a, comparison.b
    lines = [
        f"# {a.label} vs {b.label}",
        "",
        f"*GPU Atlas comparison · schema {comparison.schema_version} · generated "
        f"{comparison.generated_at}*",
        "",
    ]
    notes = [note for side in (a, b) for note in side.assumptions]
    lines += [f"*Note: {_escape(note)}*" for note in notes] + ([""] if notes else [])
    lines += [f"- {_with_question(s)}" for s in comparison.summary] + [""]
    lines += _scores(comparison)
    for section in comparison.sections:
        lines += _section(section, comparison)
    lines += ["## Sources", ""] + [f"- {_escape(s)}" for s in sources(comparison)] + [""]
    return "\n".join(lines)
