"""catalog/data/memory_tools.toml is validated through `file_schemas` like the other catalog
files: a malformed row names the file, the row's line and the field."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import pytest

from gpuatlas.catalog.memory_tools import parse_memory_tools
from gpuatlas.errors import DataFileError


def packaged_text() -> str:
    return (resources.files("gpuatlas.catalog") / "data" / "memory_tools.toml").read_text("utf-8")


def broken_copy(tmp_path: Path, old: str, new: str) -> Path:
    text = packaged_text()
    assert old in text
    path = tmp_path / "memory_tools.toml"
    path.write_text(text.replace(old, new, 1), "utf-8")
    return path


def problems_of(path: Path) -> tuple[str, list[str]]:
    with pytest.raises(DataFileError) as raised:
        parse_memory_tools(path.read_text("utf-8"), str(path))
    return raised.value.path, raised.value.problems


def line_of(path: Path, text: str) -> int:
    """The line (from 1) of the `[[vendor]]` header above the first line holding `text`."""
    lines = path.read_text("utf-8").splitlines()
    found = next(i for i, line in enumerate(lines) if text in line)
    header = max(i for i in range(found + 1) if lines[i].strip() == "[[vendor]]")
    return header + 1


@pytest.mark.unit
def test_the_packaged_file_is_valid() -> None:
    tools = parse_memory_tools(packaged_text())
    assert {"NVIDIA", "AMD", "Intel", "Apple"} <= set(tools)
    assert all(tool.source and tool.as_of for tool in tools.values())


@pytest.mark.unit
def test_a_bad_date_names_the_file_line_row_and_field(tmp_path: Path) -> None:
    text = packaged_text()
    date_start = text.index('as_of = "', text.index('vendor = "AMD"'))
    path = tmp_path / "memory_tools.toml"
    path.write_text(
        text[:date_start] + 'as_of = "3 Dec 2026"' + text[text.index("\n", date_start) :]
    )
    where, problems = problems_of(path)
    assert where == str(path)
    assert len(problems) == 1
    line = line_of(path, 'vendor = "AMD"')
    assert problems[0].startswith(f"line {line}, [[vendor]] #2 (AMD), field as_of: ")
    assert "pattern" in problems[0]


@pytest.mark.unit
def test_a_missing_source_and_a_misspelt_field_are_both_named(tmp_path: Path) -> None:
    path = broken_copy(tmp_path, 'vendor = "Intel"\ntool', 'vendor = "Intel"\ntoool')
    text = path.read_text("utf-8")
    intel = text.index('vendor = "Intel"')
    source = text.index("source = ", intel)
    path.write_text(text[:source] + text[text.index("\n", source) + 1 :])
    _, problems = problems_of(path)
    line = line_of(path, 'vendor = "Intel"')
    label = f"line {line}, [[vendor]] #3 (Intel), field"
    assert f"{label} source: Field required" in problems
    assert any(p.startswith(f"{label} toool: Extra inputs") for p in problems)


@pytest.mark.unit
def test_a_vendor_listed_twice_is_refused(tmp_path: Path) -> None:
    path = broken_copy(tmp_path, 'vendor = "Intel"', 'vendor = "AMD"')
    _, problems = problems_of(path)
    assert problems == ["[[vendor]] AMD: listed twice"]


@pytest.mark.unit
def test_invalid_toml_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "memory_tools.toml"
    path.write_text("[[vendor]\nvendor = 1\n", "utf-8")
    where, problems = problems_of(path)
    assert where == str(path)
    assert problems[0].startswith("invalid TOML")
