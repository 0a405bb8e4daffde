"""Comparisons with the new families (issue 11): a Mac against a GeForce card and a Radeon
against a GeForce card render every section; what does not apply says why; a Mac is never
described as a CUDA GPU or a PCIe card."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from gpuatlas.report import render_json, render_text

from .conftest import comparison_of

MAC = "Apple M2 Ultra (76-core GPU)"


@pytest.mark.parametrize(("a", "b"), [(MAC, "rtx-4090"), ("rx-7900-xtx", "rtx-3090")])
def test_new_family_pair_renders_every_section(a: str, b: str, fresh_data_dir: Path) -> None:
    comparison = comparison_of(a, b)
    assert len(comparison.sections) >= 10
    for section in comparison.sections:
        assert section.omitted or section.tables or section.statements, section.id
        if section.omitted:
            assert len(section.omitted) > 10, section.id  # a reason, not a bare flag
    text = render_text(comparison)
    assert max(len(line) for line in text.splitlines()) <= 100
    json.loads(render_json(comparison))


def test_a_mac_is_not_described_as_a_cuda_gpu_or_a_pcie_card(fresh_data_dir: Path) -> None:
    text = render_text(comparison_of(MAC, "rtx-4090"))
    assert "Metal (no CUDA)" in text and "llama.cpp (Metal)" in text
    assert "one system-on-chip with unified memory" in text
    assert "none (system on a chip)" in text


def test_a_mac_without_a_published_tdp_says_so_in_the_power_section(
    fresh_data_dir: Path,
) -> None:
    power = next(s for s in comparison_of(MAC, "rtx-4090").sections if s.id == "power")
    assert power.omitted is None or "TDP" in power.omitted
