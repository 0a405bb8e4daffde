"""The fit answer's memory footnote names the tool the GPU's own vendor reads memory with: an
AMD card was told "nvidia-smi's total". NVIDIA: nvidia-smi; AMD: rocm-smi --showmeminfo vram /
amd-smi static --vram (ROCm/legacy-rocm-build#1909, AMD SMI docs); Intel: xpu-smi; Apple:
Metal's recommendedMaxWorkingSetSize (llama.cpp PR #2011). The engine is named as users name
it (vllm), not by its ROCm profile (vllm-rocm)."""

from __future__ import annotations

import pytest

from gpuatlas.app.fit import FitRequest, fit_document
from gpuatlas.catalog.memory_tools import memory_tools

pytestmark = pytest.mark.unit


def _fit(system: str) -> dict[str, object]:
    return fit_document(FitRequest(system=system, model="llama-3.1-8b"))


# The GPU, the tool its footnote names, a tool of another vendor it must not name.
VENDOR_TOOL = {
    "mi300x": ("rocm-smi", "nvidia-smi"),
    "rx-7900-xtx": ("amd-smi", "nvidia-smi"),
    "arc-a770": ("xpu-smi", "nvidia-smi"),
    "h100-sxm": ("nvidia-smi", "rocm-smi"),
    "apple-m4-max-40c": ("recommendedMaxWorkingSetSize", "nvidia-smi"),
}


@pytest.mark.parametrize("system", sorted(VENDOR_TOOL))
def test_the_memory_footnote_names_the_vendors_tool(system: str) -> None:
    named, not_named = VENDOR_TOOL[system]
    document = _fit(system)
    source = str(document["memory_source"])
    assert named in source
    assert not_named not in source
    assert "source" in document["memory_tool_source"]  # type: ignore[operator]


def test_every_vendor_row_cites_a_source_and_a_date() -> None:
    tools = memory_tools()
    assert {"NVIDIA", "AMD", "Intel", "Apple"} <= set(tools)
    for tool in tools.values():
        assert tool.source and tool.as_of
        assert tool.tool or tool.unified_tool


def test_the_margin_names_the_engine_not_its_rocm_profile() -> None:
    margin = str(_fit("mi300x")["margin"])
    assert margin.startswith("vllm uses 90% of each GPU")
    assert "vllm-rocm" not in margin
