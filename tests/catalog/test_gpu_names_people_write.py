"""GPU names as people write them (chat, spec sheets, nvidia-smi) resolve to the right catalog id;
names that fit several GPUs are ambiguous and list them; unknown names list close matches."""

from __future__ import annotations

import pytest

from gpuatlas.catalog.gpus import resolve_gpu
from gpuatlas.errors import UnknownNameError


@pytest.mark.parametrize(
    "written, expected",
    [
        # glued, spaced, hyphenated, any case
        ("rtx4090", "rtx-4090"),
        ("RTX-4090", "rtx-4090"),
        ("gtx1080ti", "gtx-1080-ti"),
        ("rtx 2080ti", "rtx-2080-ti"),
        ("4060ti 16gb", "rtx-4060-ti-16gb"),
        # memory size written with the name, checked against the GPU's memory
        ("RTX 3090 24GB", "rtx-3090"),
        ("RTX A6000 48GB", "rtx-a6000"),
        ("RTX 3060 12GB", "rtx-3060-12gb"),
        ("rtx 3060 8gb", "rtx-3060-8gb"),
        ("RTX 3080 10 GB", "rtx-3080-10gb"),
        ("H20 96GB", "h20"),
        # memory size and form factor
        ("B200 180GB SXM", "b200"),
        ("A100 80GB SXM4", "a100-80gb-sxm"),
        ("P100 SXM2", "p100-sxm2"),
        # vendor and marketing words
        ("NVIDIA GeForce RTX 4070 Ti SUPER", "rtx-4070-ti-super"),
        ("GeForce RTX 5070 Ti", "rtx-5070-ti"),
        ("NVIDIA RTX A2000 12GB", "rtx-a2000-12gb"),
        # nvidia-smi strings
        ("NVIDIA H100 80GB HBM3", "h100-sxm"),
        ("NVIDIA RTX 6000 Ada Generation", "rtx-6000-ada"),
        ("NVIDIA RTX 4000 SFF Ada Generation", "rtx-4000-sff-ada"),
        ("NVIDIA RTX PRO 6000 Blackwell Server Edition", "rtx-pro-6000-blackwell-server"),
        ("NVIDIA A800-SXM4-80GB", "a800-80gb-sxm"),
        ("Tesla T4", "t4"),
        ("Tesla P40", "p40"),
        ("NVIDIA H200 NVL", "h200-nvl"),
        ("NVIDIA B300 SXM6 AC", "b300"),
        ("B300 SXM6", "b300"),
        # partial forms that name one GPU
        ("4090", "rtx-4090"),
        ("4090 D", "rtx-4090-d"),
        ("5090 laptop", "rtx-5090-laptop"),
        ("RTX 4090 Laptop GPU", "rtx-4090-laptop"),
        ("4070 ti super", "rtx-4070-ti-super"),
        ("RTX 4000 Ada", "rtx-4000-ada"),
        ("DGX Spark", "dgx-spark-gb10"),
        ("GB10", "dgx-spark-gb10"),
        ("Jetson AGX Orin", "jetson-agx-orin-64gb"),
        ("Jetson Thor", "jetson-agx-thor"),
        ("GB200", "gb200"),
        ("b300", "b300"),
        ("rtx 4090 pcie", "rtx-4090"),
        ("rtx4070tisuper", "rtx-4070-ti-super"),
        ("RTX 5060 Ti", "rtx-5060-ti-16gb"),
    ],
)
def test_names_people_write_resolve(written: str, expected: str) -> None:
    assert resolve_gpu(written).id == expected


@pytest.mark.parametrize(
    "written, candidates",
    [
        ("RTX 4000", ["rtx-4000-ada", "rtx-pro-4000-blackwell"]),
        # families without a declared default variant (data/gpu_variants.toml)
        ("RTX 4060 Ti", ["rtx-4060-ti-8gb", "rtx-4060-ti-16gb"]),
        ("Tesla P100", ["p100-16gb-pcie", "p100-12gb-pcie", "p100-sxm2"]),
        ("A800", ["a800-80gb-sxm", "a800-80gb-pcie"]),
    ],
)
def test_names_of_several_gpus_are_ambiguous(written: str, candidates: list[str]) -> None:
    with pytest.raises(UnknownNameError) as caught:
        resolve_gpu(written)
    assert caught.value.ambiguous
    assert caught.value.candidates == candidates


def test_ambiguous_rtx_6000_lists_every_rtx_6000() -> None:
    with pytest.raises(UnknownNameError) as caught:
        resolve_gpu("RTX 6000")
    assert set(caught.value.candidates) == {
        "rtx-6000-ada",
        "rtx-pro-6000-blackwell",
        "rtx-pro-6000-blackwell-max-q",
        "rtx-pro-6000-blackwell-server",
    }


@pytest.mark.parametrize(
    "written, near",
    [("RTX 4099", "rtx-4090"), ("rtx 3065", "rtx-3060-ti"), ("H210", "h20")],
)
def test_unknown_names_list_close_matches(written: str, near: str) -> None:
    with pytest.raises(UnknownNameError) as caught:
        resolve_gpu(written)
    assert not caught.value.ambiguous
    assert near in caught.value.candidates


@pytest.mark.parametrize(
    "written, first",
    [
        ("rtx-4009", "rtx-4090"),  # two digits swapped: one slip, where the RTX A4000 is two
        ("rtx4009", "rtx-4090"),
        ("rtx 5900", "rtx-5090"),  # was the RTX A5500 (digit for digit, 5900 is nearer 5500)
        ("rtx-3009", "rtx-3090"),
        ("h1000", "h100-sxm"),  # a zero too many: was the GTX 1080
        ("mi300", "mi300x"),
        ("l40ss", "l40s"),
    ],
)
def test_the_first_close_match_is_the_fewest_slips_from_the_model_number(
    written: str, first: str
) -> None:
    with pytest.raises(UnknownNameError) as caught:
        resolve_gpu(written)
    assert caught.value.candidates[0] == first


def test_close_matches_of_a_misspelt_4090_are_its_family_not_a_workstation_card() -> None:
    with pytest.raises(UnknownNameError) as caught:
        resolve_gpu("rtx-4009")
    assert caught.value.candidates[:5] == [
        "rtx-4090",
        "rtx-4090-d",
        "rtx-4080",
        "rtx-4070",
        "rtx-4060",
    ]


def test_a_memory_size_the_gpu_does_not_have_is_not_ignored() -> None:
    with pytest.raises(UnknownNameError) as caught:
        resolve_gpu("RTX 3090 48GB")
    assert not caught.value.ambiguous
    assert "rtx-3090" in caught.value.candidates


def test_a_model_number_without_its_variant_word_is_not_that_variant() -> None:
    """The catalog has the RX 5700 XT but not the RX 5700 (a card of its own: 2,304 cores, not
    2,560): "RX 5700" must not become the XT."""
    with pytest.raises(UnknownNameError) as caught:
        resolve_gpu("RX 5700")
    assert not caught.value.ambiguous
    assert caught.value.candidates[0] == "rx-5700-xt"


def test_a_model_number_and_its_variant_are_two_cards() -> None:
    """Both the GTX 1660 and the GTX 1660 SUPER are in the catalog: each name is its own card."""
    assert resolve_gpu("GTX 1660").id == "gtx-1660"
    assert resolve_gpu("GTX 1660 SUPER").id == "gtx-1660-super"
