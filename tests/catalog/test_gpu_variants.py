"""Bare family names ("A100", "H100", "RTX 3080") are read as the family's declared default
variant (data/gpu_variants.toml), with the assumption stated; memory suffixes ("80G") and form
factors are read in any order; families with no declared default stay ambiguous."""

from __future__ import annotations

import pytest

from gpuatlas.catalog.gpu_variants import variant_families
from gpuatlas.catalog.gpus import gpus_by_id, read_gpu_name, resolve_gpu
from gpuatlas.catalog.systems import resolve_system
from gpuatlas.errors import UnknownNameError


@pytest.mark.parametrize(
    "written, expected",
    [
        ("H100", "h100-sxm"),
        ("NVIDIA H100", "h100-sxm"),
        ("H100 80GB", "h100-sxm"),
        ("A100", "a100-80gb-sxm"),
        ("Tesla A100", "a100-80gb-sxm"),
        ("A100 80G", "a100-80gb-sxm"),
        ("A100-80G", "a100-80gb-sxm"),
        ("a100-80", "a100-80gb-sxm"),
        ("a100 pcie", "a100-80gb-pcie"),
        ("A100 40 GB", "a100-40gb-sxm"),
        ("a100 40G pcie", "a100-40gb-pcie"),
        ("PCIe A100 40GB", "a100-40gb-pcie"),
        ("V100", "v100-16gb-sxm2"),
        ("V100 32GB", "v100-32gb-sxm2"),
        ("V100 PCIe", "v100-16gb-pcie"),
        ("RTX 3080", "rtx-3080-10gb"),
        ("NVIDIA GeForce RTX 3080", "rtx-3080-10gb"),
        ("RTX 3080 12G", "rtx-3080-12gb"),
        ("RTX 3060", "rtx-3060-12gb"),
        ("RTX3060", "rtx-3060-12gb"),
    ],
)
def test_family_names_read_as_their_default_variant(written: str, expected: str) -> None:
    assert resolve_gpu(written).id == expected


@pytest.mark.parametrize(
    "written, expected",
    [
        ("H100 SXM5", "h100-sxm"),
        ("SXM5 H100 80GB", "h100-sxm"),
        ("H100 NVL", "h100-nvl"),
        ("A100 SXM4 40GB", "a100-40gb-sxm"),
        ("40GB A100 SXM4", "a100-40gb-sxm"),
        ("A100-SXM4-80GB", "a100-80gb-sxm"),
        ("A10G", "a10g"),  # a model letter G, not a memory size
        ("RTX 3080 Ti", "rtx-3080-ti"),
    ],
)
def test_named_variants_need_no_assumption(written: str, expected: str) -> None:
    gpu, assumption = read_gpu_name(written)
    assert gpu.id == expected
    assert assumption is None


def test_assumption_names_what_was_read_and_the_other_variants() -> None:
    assumption = resolve_system("A100").name_assumption
    assert assumption is not None
    assert assumption.gpu_id == "a100-80gb-sxm"
    assert assumption.other_variants == ("a100-80gb-pcie", "a100-40gb-sxm", "a100-40gb-pcie")
    assert assumption.other_memory_gb == (80.0, 40.0, 40.0)
    assert assumption.memory_differs
    assert assumption.sentence.startswith("A100 read as A100 80GB SXM4 (")
    assert "other variants: a100-80gb-pcie (80 GB), a100-40gb-sxm (40 GB)" in assumption.sentence
    assert "whether a model fits may differ" in assumption.sentence


def test_only_the_variants_the_name_matched_are_listed() -> None:
    assumption = resolve_system("A100 80GB").name_assumption
    assert assumption is not None
    assert assumption.other_variants == ("a100-80gb-pcie",)
    assert not assumption.memory_differs
    assert "may differ" not in assumption.sentence


def test_a_multi_gpu_system_carries_the_assumption() -> None:
    system = resolve_system("8x H100")
    assert system.gpu.id == "h100-sxm" and system.gpu_count == 8
    assert system.name_assumption is not None
    assert system.name_assumption.written == "H100"
    assert system.name_assumption.other_variants == ("h100-pcie",)


def test_a_named_gpu_has_no_assumption() -> None:
    assert resolve_system("2x h100-sxm").name_assumption is None


@pytest.mark.parametrize("written", ["A800", "Tesla P100", "RTX 4060 Ti", "RTX 4000"])
def test_families_without_a_default_stay_ambiguous(written: str) -> None:
    with pytest.raises(UnknownNameError) as caught:
        resolve_gpu(written)
    assert caught.value.ambiguous


def test_every_family_names_catalog_gpus_of_one_model() -> None:
    catalog = gpus_by_id()
    for family in variant_families():
        assert all(gpu_id in catalog for gpu_id in family.variants), family.name
        key = family.name.lower().replace(" ", "-")  # "RTX 3080", "Apple M2 Ultra"
        assert all(key in gpu_id for gpu_id in family.variants), family.name
