"""The tool each vendor's users read a GPU's total memory with (catalog/data/memory_tools.toml):
nvidia-smi on NVIDIA, rocm-smi / amd-smi on AMD, xpu-smi on Intel, Metal's
recommendedMaxWorkingSetSize on a Mac. An answer's memory footnote names the one of its GPU.

The file is validated through `file_schemas` like the other catalog files: a malformed row is
reported with the file, the row's line and the field."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from functools import cache
from importlib import resources

from pydantic import BaseModel, ConfigDict

from gpuatlas.catalog.field_meanings import meaning
from gpuatlas.catalog.file_schemas import build, file_schema, table_lines, validated_tables
from gpuatlas.errors import DataFileError

MEMORY_TOOLS_FILE = "memory_tools.toml"
TABLE = "vendor"


@dataclass(frozen=True)
class MemoryTool:
    """What a vendor's tool is called for a card's memory and for a unified-memory device's
    GPU share ('' where the vendor has none of that kind), with the source."""

    vendor: str = field(metadata=meaning("Vendor", min_length=1))
    tool: str = field(default="", metadata=meaning("Tool for a card's total memory"))
    unified_tool: str = field(
        default="", metadata=meaning("Where a unified-memory device reports the GPU's share")
    )
    source: str = field(default="", metadata=meaning("Source", required_in_file=True, min_length=1))
    as_of: str = field(
        default="",
        metadata=meaning("Read on", required_in_file=True, pattern=r"^\d{4}-\d{2}-\d{2}$"),
    )


@cache
def memory_tool_file_schema() -> type[BaseModel]:
    """One [[vendor]] table: a `MemoryTool`'s fields, nothing else."""
    return file_schema(MemoryTool, ConfigDict(extra="forbid", strict=True))


def parse_memory_tools(text: str, origin: str = MEMORY_TOOLS_FILE) -> dict[str, MemoryTool]:
    """The tools of a memory_tools.toml text by vendor (raises DataFileError naming the file,
    each bad row's line and field, or a vendor listed twice)."""
    try:
        tables = tomllib.loads(text).get(TABLE, [])
    except tomllib.TOMLDecodeError as error:
        raise DataFileError(origin, [f"invalid TOML: {error}"]) from None
    records, problems = validated_tables(
        TABLE,
        tables,
        memory_tool_file_schema(),
        key="vendor",
        header_lines=table_lines(text, TABLE),
    )
    tools: dict[str, MemoryTool] = {}
    for record in records:
        tool = build(MemoryTool, record)
        if tool.vendor in tools:
            problems.append(f"[[{TABLE}]] {tool.vendor}: listed twice")
        tools[tool.vendor] = tool
    if problems:
        raise DataFileError(origin, problems)
    return tools


@cache
def memory_tools() -> dict[str, MemoryTool]:
    """The tools by vendor name."""
    path = resources.files("gpuatlas.catalog") / "data" / MEMORY_TOOLS_FILE
    return parse_memory_tools(path.read_text("utf-8"), str(path))


def memory_tool(vendor: str) -> MemoryTool | None:
    """The vendor's tool, or None for a vendor the data does not list."""
    return memory_tools().get(vendor)
