"""Apple chip names without a GPU core count ("M2 Ultra", "M3 Max", "M4 Pro") are read as the
full chip, and the answer says so and names the other core count, as bare NVIDIA family names
do (issue 10; data/gpu_variants.toml `bare_names`)."""

from __future__ import annotations

import pytest

from gpuatlas.app.name_notes import name_assumptions
from gpuatlas.catalog.gpu_variants import variant_families
from gpuatlas.catalog.gpus import read_gpu_name
from gpuatlas.catalog.systems import resolve_system


@pytest.mark.parametrize(
    ("written", "read_as", "other"),
    [
        ("M2 Ultra", "apple-m2-ultra-76c", "apple-m2-ultra-60c"),
        ("Apple M3 Max", "apple-m3-max-40c", "apple-m3-max-30c"),
        ("m4 pro", "apple-m4-pro-20c", "apple-m4-pro-16c"),
        ("M1", "apple-m1-8c", "apple-m1-7c"),
    ],
)
def test_a_bare_chip_name_is_the_full_chip_and_says_so(
    written: str, read_as: str, other: str
) -> None:
    gpu, assumption = read_gpu_name(written)
    assert gpu.id == read_as
    assert assumption is not None
    assert assumption.other_variants == (other,)
    assert assumption.sentence.startswith(f"{written} read as {gpu.name}")


def test_the_note_gives_the_other_core_count_and_its_lower_bandwidth() -> None:
    # M3 Max: 40 cores at 400 GB/s up to 128 GB, or 30 cores at 300 GB/s up to 96 GB
    note = resolve_system("M3 Max").name_assumption
    assert note is not None
    assert "30 GPU cores" in note.sentence and "300 GB/s" in note.sentence
    assert note.memory_differs and note.other_memory_gb == (96.0,)


@pytest.mark.parametrize("written", ["M4 Pro 16-core", "M2 Ultra 60c", "apple-m2-ultra-76c"])
def test_a_name_with_the_core_count_needs_no_note(written: str) -> None:
    assert read_gpu_name(written)[1] is None


def test_a_mac_with_a_memory_size_keeps_the_note() -> None:
    system = resolve_system("Mac Studio M2 Ultra 64GB")
    assert system.gpu.id == "apple-m2-ultra-76c"
    assert system.memory_configuration_gb == 64.0
    assert system.name_assumption is not None
    assert system.name_assumption.other_variants == ("apple-m2-ultra-60c",)


def test_answer_documents_carry_the_assumption() -> None:
    (entry,) = name_assumptions(["M2 Max"])
    assert (entry["read_as"], entry["other_variants"]) == ("apple-m2-max-38c", ["apple-m2-max-30c"])


def test_every_bare_name_resolves_to_its_familys_default() -> None:
    families = [family for family in variant_families() if family.bare_names]
    assert len(families) >= 15
    for family in families:
        for name in family.bare_names:
            gpu, assumption = read_gpu_name(name)
            assert gpu.id == family.variants[0], name
            assert assumption is not None and assumption.family == family.name
