"""Render a Statement's text from its numbers, and format numbers the same way everywhere.

Placeholders are `{name:style}`: styles `ratio` (2.02×), `pct` (15%), `num` (1,008 / 82.6 /
0.45), `usd` ($1.19 / $0.0042), `int` (24), `qty` (number + unit). A plain `{name}` is a word.
The consistency test re-reads every number in the text through these same functions.
"""

from __future__ import annotations

import math
import string
from collections.abc import Mapping, Sequence
from typing import Any

from gpuatlas import numbers
from gpuatlas.report.document import Quantity, Statement

USD_PER_GB_HOUR = "USD/GB-h"
STYLES = ("ratio", "pct", "num", "usd", "int", "qty")


def format_number(value: float) -> str:
    """Three significant digits at most, thousands separated; integers stay whole."""
    magnitude = abs(value)
    if magnitude >= 100 or value == int(value) and magnitude >= 1:
        return f"{value:,.0f}"
    if magnitude >= 10:
        return f"{value:,.1f}".rstrip("0").rstrip(".")
    if magnitude >= 1:
        return f"{value:.2f}".rstrip("0").rstrip(".")
    if magnitude == 0:
        return "0"
    digits = max(2, 2 - int(math.floor(math.log10(magnitude))))
    return f"{value:.{digits}f}".rstrip("0").rstrip(".")


def format_ratio(value: float) -> str:
    return f"{value:.2f}×"


def format_pct(value: float) -> str:
    return f"{value:.0f}%"


def format_usd(value: float) -> str:
    """Whole dollars from $1,000 (totals), else to the cent, or 3 significant digits below a
    cent — the project's one money rule (gpuatlas.numbers.format_usd)."""
    if abs(value) >= 1000:
        return f"${value:,.0f}"
    return numbers.format_usd(value)


def format_int(value: float) -> str:
    return f"{round(value):,}"


def format_quantity(quantity: Quantity) -> str:
    if quantity.value is None:
        return "—"
    unit = quantity.unit
    if unit == "USD":
        return format_usd(quantity.value)
    if unit == USD_PER_GB_HOUR:  # a unit price: 3 significant digits, so its column compares
        return numbers.format_usd_rate(quantity.value)
    if unit == "×":
        return format_ratio(quantity.value)
    if unit == "%":
        return format_pct(quantity.value)
    return f"{format_number(quantity.value)} {unit}".strip()


def format_range(quantity: Quantity) -> str:
    """'82.6 [70–95] tok/s' when a range is known."""
    if quantity.value is None or quantity.low is None or quantity.high is None:
        return format_quantity(quantity)
    styler = _styler_for_unit(quantity.unit)
    unit = "" if quantity.unit in ("USD", "×", "%") else f" {quantity.unit}"
    return f"{styler(quantity.value)} [{styler(quantity.low)}–{styler(quantity.high)}]{unit}"


def _styler_for_unit(unit: str) -> Any:
    return {"USD": format_usd, "×": format_ratio, "%": format_pct}.get(unit, format_number)


STYLERS = {
    "ratio": format_ratio,
    "pct": format_pct,
    "num": format_number,
    "usd": format_usd,
    "int": format_int,
}


def styled(quantity: Quantity, style: str) -> str:
    if style == "qty":
        return format_quantity(quantity)
    if quantity.value is None:
        return "—"
    return str(STYLERS[style](quantity.value))


class _StatementFormatter(string.Formatter):
    def __init__(self, numbers: Mapping[str, Quantity], words: Mapping[str, str]):
        self.numbers = numbers
        self.words = words

    def get_value(self, key: int | str, args: Sequence[Any], kwargs: Mapping[str, Any]) -> Any:
        name = str(key)
        if name in self.numbers:
            return self.numbers[name]
        if name in self.words:
            return self.words[name]
        raise KeyError(f"statement placeholder {name!r} has no number or word")

    def format_field(self, value: Any, format_spec: str) -> str:
        if isinstance(value, Quantity):
            return styled(value, format_spec or "qty")
        return str(value)


def render_statement(statement: Statement) -> str:
    """The sentence, generated from the statement's own numbers and words."""
    return _StatementFormatter(statement.numbers, statement.words).format(statement.template)


def placeholders(template: str) -> list[tuple[str, str]]:
    """(name, style) of every placeholder in a template."""
    return [
        (name, spec or "")
        for _, name, spec, _ in string.Formatter().parse(template)
        if name is not None
    ]


def with_question(statement: Statement) -> str:
    """'Can the RTX 4090 run a 70B model? Not on RTX 4090 alone: …' for FAQ answers."""
    text = render_statement(statement)
    return f"{statement.question} {text}" if statement.question else text
