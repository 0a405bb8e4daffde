"""Names the round-14 held-out sources write (holdout/as_written_r14) that meant nothing to the
atlas (issue 10): a Mac's spec-sheet wording around its chip ('MacBook Air M1 (8 cpu/gpu core,
8gb ram)', '(12-core CPU, 19-core GPU)'), the Illustrious XL family of SDXL fine-tunes
('Hassaku XL (Illustrious)'), and another program's name glued to a known engine's ('mlx_audio'),
refused as an unknown engine rather than as an unreadable version.
Names, not values: each reads as what it means; names that stay ambiguous or unknown are
refused as before."""

from __future__ import annotations

import pytest

from gpuatlas.catalog.gpu_written_names import without_spec_sheet_words
from gpuatlas.catalog.model_names import resolve_model_reference
from gpuatlas.catalog.systems import resolve_system
from gpuatlas.errors import InvalidRequestError, UnknownNameError
from gpuatlas.performance.engine_specs import parse_engine_spec


@pytest.mark.unit
@pytest.mark.parametrize(
    ("written", "gpu_id"),
    [
        ("MacBook Air M1 (8 cpu/gpu core, 8gb ram)", "apple-m1-8c"),
        ("M1 8GB RAM", "apple-m1-8c"),
        ("M2 Pro (12-core CPU, 19-core GPU)", "apple-m2-pro-19c"),
        ("M2 Pro 12 cpu/19 gpu cores", "apple-m2-pro-19c"),
        ("M3 Max (16-core CPU, 40-core GPU, 64GB unified memory)", "apple-m3-max-40c"),
        ("Mac mini M4 Pro (14-core CPU, 20-core GPU, 64GB RAM)", "apple-m4-pro-20c"),
    ],
)
def test_a_macs_spec_sheet_wording_names_its_gpu(written: str, gpu_id: str) -> None:
    assert resolve_system(written).gpu.id == gpu_id


@pytest.mark.unit
def test_the_gpu_core_count_is_kept_and_the_cpu_count_beside_it_dropped() -> None:
    assert without_spec_sheet_words("M2 Pro (12-core CPU, 19-core GPU)") == "M2 Pro (19-core GPU)"
    assert without_spec_sheet_words("M1 (8 cpu/gpu core, 8gb ram)") == "M1 (8-core GPU, 8gb)"


@pytest.mark.unit
def test_a_cpu_core_count_alone_is_left_to_the_variant_reading() -> None:
    # 16 cores is the M4 Max's CPU count: the variant reading pairs it with the 40-core GPU
    assert without_spec_sheet_words("Apple M4 Max 48GB 16 Core") == "Apple M4 Max 48GB 16 Core"
    assert resolve_system("Apple M4 Max 48GB 16 Core").gpu.id == "apple-m4-max-40c"


@pytest.mark.unit
def test_a_gpu_core_count_apple_does_not_sell_stays_unknown() -> None:
    with pytest.raises(UnknownNameError):
        resolve_system("M2 Pro (12-core CPU, 23-core GPU)")


@pytest.mark.unit
@pytest.mark.parametrize(
    "written",
    [
        "Hassaku XL (Illustrious)",
        "WAI-NSFW-illustrious-SDXL",
        "OnomaAIResearch/Illustrious-xl-early-release-v0",
    ],
)
def test_illustrious_checkpoints_are_sdxl_fine_tunes(written: str) -> None:
    reference = resolve_model_reference(written, allow_hub=False)
    assert (reference.model.id, reference.matched_by) == ("sdxl-base-1.0", "derived_checkpoint")


@pytest.mark.unit
def test_a_family_name_alone_stays_ambiguous() -> None:
    with pytest.raises(UnknownNameError) as error:
        resolve_model_reference("Stable Diffusion", allow_hub=False)
    assert {"sd-1.5", "sd-2.1"} <= set(error.value.candidates)


@pytest.mark.unit
@pytest.mark.parametrize("written", ["mlx_audio", "mlx-audio 0.2.1", "llama-cpp-python"])
def test_another_program_glued_to_an_engine_name_is_an_unknown_engine(written: str) -> None:
    with pytest.raises(UnknownNameError) as error:
        parse_engine_spec(written)
    assert error.value.name == written.split()[0]


@pytest.mark.unit
def test_words_after_a_space_are_still_read_as_version_or_backend() -> None:
    assert parse_engine_spec("mlx_lm").engine == "mlx-lm"
    assert parse_engine_spec("ollama-rocm").backend == "rocm"
    with pytest.raises(InvalidRequestError, match="cannot read 'audio'"):
        parse_engine_spec("mlx audio")


@pytest.mark.unit
@pytest.mark.parametrize(
    ("written", "desktop"),
    [
        ("NVIDIA GeForce RTX 2080 SUPER with Max-Q Design", "rtx-2080-super"),
        ("NVIDIA GeForce RTX 2080 with Max-Q Design", "rtx-2080"),
    ],
)
def test_a_laptop_part_missing_from_the_catalog_says_so(written: str, desktop: str) -> None:
    with pytest.raises(UnknownNameError) as error:
        resolve_system(written)
    message = str(error.value)
    assert "has the desktop" in message and f"({desktop}) but not this laptop part" in message
    assert "rtx-4090-laptop" in message  # the laptop parts it does hold
    assert "rtx-pro-6000-blackwell-max-q" not in message.split("Laptop GPUs")[1]


@pytest.mark.unit
@pytest.mark.parametrize(
    ("written", "gpu_id"),
    [
        ("RTX 4090 Laptop", "rtx-4090-laptop"),
        ("RTX PRO 6000 Blackwell Max-Q", "rtx-pro-6000-blackwell-max-q"),
    ],
)
def test_laptop_and_max_q_parts_in_the_catalog_still_resolve(written: str, gpu_id: str) -> None:
    assert resolve_system(written).gpu.id == gpu_id


@pytest.mark.unit
def test_an_unknown_laptop_name_without_a_desktop_namesake_is_plainly_unknown() -> None:
    with pytest.raises(UnknownNameError) as error:
        resolve_system("RTX 9999 Laptop")
    assert "desktop" not in str(error.value)
