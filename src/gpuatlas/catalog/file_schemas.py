"""The data files' pydantic schemas, built from the catalog types' declarations when a file is
parsed (a cold catalog cache, tests, a user's own file), never on a cached start.

A schema has one field per value the file writes: a field of the catalog dataclass under its
file name (`FieldMeaning.file_key`), with its type, default and checks; a nested dataclass
(`Gpu.link`) is written flat, its fields under their own file names. `build` turns a validated
record back into the catalog type.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Mapping, Sequence
from functools import cache
from typing import Any, Literal, TypeVar, get_type_hints

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    create_model,
    model_validator,
)

from gpuatlas.catalog.field_meanings import file_key, meaning_of

Built = TypeVar("Built")
SchemaField = tuple[str, Any, Any]  # (file name, type, pydantic FieldInfo)


def file_schema(
    record_type: type,
    config: ConfigDict,
    validators: Mapping[str, Any] | None = None,
    file_only: Mapping[str, tuple[Any, Any]] | None = None,
) -> type[BaseModel]:
    """The pydantic model of one record of a data file holding `record_type` values;
    `file_only` adds (type, FieldInfo) of names the file writes that the loader folds into
    another field (a link's `as_of` goes into its `source`). Its validator is built when a
    file is first validated (defer_build), not when the schema is made: a cached start makes
    schemas it never validates with (model_library_file's blocks)."""
    definitions: dict[str, Any] = {
        name: (annotation, info) for name, annotation, info in _schema_fields(record_type)
    }
    definitions.update(file_only or {})
    return create_model(
        f"{record_type.__name__}FileRecord",
        __config__=ConfigDict(**{**config, "defer_build": True}),
        __validators__=dict(validators or {}),
        **definitions,
    )


def csv_file_schema(
    record_type: type, validators: Mapping[str, Any] | None = None
) -> type[BaseModel]:
    """The schema of one CSV row: cells stripped, columns the type does not declare ignored,
    and an empty cell of an optional column taken as the declared default."""
    optional = frozenset(
        name for name, _, info in _schema_fields(record_type) if not info.is_required()
    )

    def blank_means_default(cls: type[BaseModel], row: object) -> object:
        """Drop the row's empty optional cells (one pass per row: a file has thousands)."""
        if not isinstance(row, dict):
            return row
        return {k: v for k, v in row.items() if k not in optional or v not in ("", None)}

    return file_schema(
        record_type,
        ConfigDict(extra="ignore", str_strip_whitespace=True),
        {
            **(validators or {}),
            "blank_means_default": model_validator(mode="before")(blank_means_default),
        },
    )


@cache
def _field_types(record_type: type) -> dict[str, Any]:
    return get_type_hints(record_type)


def _nested_type(record_type: type, declared: dataclasses.Field[Any]) -> type | None:
    """The dataclass a field holds, when it holds one (its fields are written flat)."""
    annotation = _field_types(record_type)[declared.name]
    return (
        annotation
        if isinstance(annotation, type) and dataclasses.is_dataclass(annotation)
        else None
    )


@cache
def _schema_fields(record_type: type) -> tuple[SchemaField, ...]:
    """The file's fields of `record_type`, computed once per type."""
    return tuple(_declared_schema_fields(record_type))


def _declared_schema_fields(record_type: type) -> Iterator[SchemaField]:
    for declared in dataclasses.fields(record_type):
        nested = _nested_type(record_type, declared)
        if nested is not None:
            yield from _schema_fields(nested)
        elif meaning_of(declared).in_file:
            yield file_key(declared), _file_type(record_type, declared), _info(declared)


def _file_type(record_type: type, declared: dataclasses.Field[Any]) -> Any:
    """The field's type, narrowed to its `choices` where it declares some."""
    choices = meaning_of(declared).choices
    return Literal[choices] if choices else _field_types(record_type)[declared.name]


def _info(declared: dataclasses.Field[Any]) -> Any:
    checks: dict[str, Any] = dict(meaning_of(declared).checks)
    if meaning_of(declared).required_in_file:
        return Field(**checks)
    if declared.default_factory is not dataclasses.MISSING:
        return Field(default_factory=declared.default_factory, **checks)
    if declared.default is not dataclasses.MISSING:
        return Field(default=declared.default, **checks)
    return Field(**checks)


def file_columns(record_type: type) -> tuple[str, ...]:
    """Every name a file may write for `record_type`, in declaration order."""
    return tuple(name for name, _, _ in _schema_fields(record_type))


def required_file_columns(record_type: type) -> tuple[str, ...]:
    """The names a file must write for `record_type` (its fields without a default)."""
    return tuple(name for name, _, info in _schema_fields(record_type) if info.is_required())


def build(record_type: type[Built], record: BaseModel, **loader_values: Any) -> Built:
    """The catalog value of a validated record; `loader_values` set (or replace) fields the
    loader knows (`origin`, `gpu_id` resolved from the file's GPU name)."""
    values = _values(record_type, vars(record))  # a pydantic model keeps its fields in __dict__
    values.update(loader_values)
    return record_type(**values)


BuildStep = tuple[str, str, type | None]  # (attribute, file name, nested dataclass or None)


@cache
def _build_steps(record_type: type) -> tuple[BuildStep, ...]:
    """Where each field of `record_type` comes from in a record, computed once per type (a
    catalog file has hundreds of records)."""
    steps: list[BuildStep] = []
    for declared in dataclasses.fields(record_type):
        nested = _nested_type(record_type, declared)
        if nested is not None or meaning_of(declared).in_file:
            steps.append((declared.name, file_key(declared), nested))
    return tuple(steps)


def _values(record_type: type, written: dict[str, Any]) -> dict[str, Any]:
    return {
        attribute: written[key] if nested is None else nested(**_values(nested, written))
        for attribute, key, nested in _build_steps(record_type)
    }


def validated_tables(
    table_name: str,
    tables: Sequence[Mapping[str, Any]],
    schema: type[BaseModel],
    *,
    key: str = "id",
    header_lines: Sequence[int] = (),
) -> tuple[list[BaseModel], list[str]]:
    """Every TOML table that validates, and every problem of the others, each named by table
    and field: "[[gpu]] #3 (rtx-4090), field memory_gb: Input should be greater than 0"; the
    table is named by its `key` value, and by its line when `header_lines` (`table_lines`)
    gives where each table starts: "line 12, [[vendor]] #2 (AMD), field source: …"."""
    records: list[BaseModel] = []
    problems: list[str] = []
    for position, table in enumerate(tables, start=1):
        try:
            records.append(schema.model_validate(table))
        except ValidationError as error:
            label = f"[[{table_name}]] #{position} ({table.get(key, '?')})"
            if position <= len(header_lines):
                label = f"line {header_lines[position - 1]}, {label}"
            problems += [
                f"{label}, field {'.'.join(str(part) for part in issue['loc'])}: {issue['msg']}"
                for issue in error.errors()
            ]
    return records, problems


def table_lines(text: str, table_name: str) -> list[int]:
    """The line (from 1) of each `[[table_name]]` header in a TOML text, in order."""
    header = f"[[{table_name}]]"
    return [
        number
        for number, line in enumerate(text.splitlines(), start=1)
        if line.strip().split("#", 1)[0].strip() == header
    ]
