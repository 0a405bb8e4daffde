"""What a catalog field means, declared once beside its type: the label people read, its unit,
its name in the data files and the checks a data file's value must pass.

A catalog type (`Gpu`, `PriceSnapshot`, `Link`) is a plain frozen dataclass; a field that needs
more than a name and a type carries a `FieldMeaning` in its metadata::

    memory_gb: float | None = field(default=None, metadata=meaning("Memory", "GB", gt=0))

The data files' pydantic schemas are built from these declarations only when a file is parsed
(`file_schemas`), so a command started from the parsed-catalog cache builds none, and the
tables that show a field (`gpu_fields`) read its label and unit from here.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

METADATA_KEY = "gpuatlas.meaning"
# The checks a data file's value may declare: pydantic's Field constraints of the same names.
CHECK_NAMES = frozenset(
    {"gt", "ge", "lt", "le", "pattern", "min_length", "max_length", "allow_inf_nan"}
)


class FieldMeaning:
    """One field's meaning. `file_key` is the field's name in the data file when it differs
    from the attribute's ("gpu" for `gpu_id`); `in_file` False for a value the loader sets
    (where a snapshot came from); `required_in_file` for a field with a default that a file
    must still write (a purchase price's date); `choices` the values a file may write when
    the type allows more (a user-set price's condition is any label, a file's new or used);
    `checks` are (constraint, bound) pairs such as ("gt", 0).

    A plain class: every catalog command imports it, and building a dataclass (or a
    NamedTuple) costs each start 1.5 to 5 M instructions."""

    # fmt: off
    __slots__ = (
        "label", "unit", "column", "file_key", "in_file", "required_in_file", "choices", "checks",
    )
    # fmt: on

    def __init__(
        self,
        label: str = "",
        unit: str = "",
        column: str = "",
        file_key: str = "",
        in_file: bool = True,
        required_in_file: bool = False,
        choices: tuple[str, ...] = (),
        checks: tuple[tuple[str, object], ...] = (),
    ) -> None:
        self.label = label
        self.unit = unit
        self.column = column
        self.file_key = file_key
        self.in_file = in_file
        self.required_in_file = required_in_file
        self.choices = choices
        self.checks = checks


PLAIN = FieldMeaning()
OPTION_NAMES = frozenset(FieldMeaning.__slots__) - {"label", "unit", "checks"}


def meaning(label: str = "", unit: str = "", **details: Any) -> dict[str, FieldMeaning]:
    """A dataclass field's metadata declaring its meaning: `details` are `FieldMeaning`'s other
    attributes (column, file_key, …) and the file checks (gt=0, pattern=…); any other name is a
    TypeError."""
    checks = {name: value for name, value in details.items() if name not in OPTION_NAMES}
    if not CHECK_NAMES.issuperset(checks):
        unknown = sorted(set(checks) - CHECK_NAMES)
        raise TypeError(f"unknown field check(s) {unknown}; known: {sorted(CHECK_NAMES)}")
    options = {name: value for name, value in details.items() if name in OPTION_NAMES}
    return {METADATA_KEY: FieldMeaning(label, unit, checks=tuple(checks.items()), **options)}


def meaning_of(declared_field: dataclasses.Field[Any]) -> FieldMeaning:
    """The field's declared meaning (an empty one when it declares none)."""
    found: FieldMeaning = declared_field.metadata.get(METADATA_KEY, PLAIN)
    return found


def file_key(declared_field: dataclasses.Field[Any]) -> str:
    """The field's name in the data files."""
    return meaning_of(declared_field).file_key or declared_field.name


def meanings_by_name(record_type: type) -> Mapping[str, FieldMeaning]:
    """Every field of a catalog dataclass with its declared meaning, in declaration order."""
    return {f.name: meaning_of(f) for f in dataclasses.fields(record_type)}
