"""The tool each vendor's users read a GPU's total memory with (catalog/data/memory_tools.toml):
nvidia-smi on NVIDIA, rocm-smi / amd-smi on AMD, xpu-smi on Intel, Metal's
recommendedMaxWorkingSetSize on a Mac. An answer's memory footnote names the one of its GPU."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources


@dataclass(frozen=True)
class MemoryTool:
    """What a vendor's tool is called for a card's memory and for a unified-memory device's
    GPU share ('' where the vendor has none of that kind), with the source."""

    vendor: str
    tool: str
    unified_tool: str
    source: str
    as_of: str


@cache
def memory_tools() -> dict[str, MemoryTool]:
    """The tools by vendor name."""
    path = resources.files("gpuatlas.catalog") / "data" / "memory_tools.toml"
    rows = tomllib.loads(path.read_text("utf-8")).get("vendor", [])
    return {
        row["vendor"]: MemoryTool(
            vendor=row["vendor"],
            tool=row.get("tool", ""),
            unified_tool=row.get("unified_tool", ""),
            source=row["source"],
            as_of=row["as_of"],
        )
        for row in rows
    }


def memory_tool(vendor: str) -> MemoryTool | None:
    """The vendor's tool, or None for a vendor the data does not list."""
    return memory_tools().get(vendor)
