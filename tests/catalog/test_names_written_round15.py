"""Names the round-15 held-out sources write (holdout/as_written_r15) that meant nothing to the
atlas (issue 10): llama-bench's file-type name for an unquantised F32 file ('llama 1B all F32'),
a quantised re-export numbered after its format with a space or for NF4 ('Flux1 Dev NF4 v2'), a
size written after a release date ('Mistral-Large-Instruct-2407-123B') and a pretraining
checkpoint's stage word ('TinyLlama-1.1B-intermediate').
Names, not values: each reads as what it means; names that stay ambiguous or unknown are
refused as before."""

from __future__ import annotations

import pytest

from gpuatlas.catalog.gpus import resolve_gpu
from gpuatlas.catalog.model_names import resolve_model_reference
from gpuatlas.errors import UnknownNameError


@pytest.mark.unit
@pytest.mark.parametrize(
    ("written", "model_and_format"),
    [
        # llama.cpp llama_model_ftype_name: LLAMA_FTYPE_ALL_F32 is written "all F32"
        ("llama 1B all F32", ("llama-3.2-1b", "fp32")),
        ("llama 8B all F32", ("llama-3.1-8b", "fp32")),
        # a re-export numbered after its format
        ("Flux1 Dev NF4 v2", ("flux.1-dev", "nf4")),
        ("flux1-dev-bnb-nf4-v2", ("flux.1-dev", "nf4")),
        ("nvidia/DeepSeek-R1-0528-FP4-v2", ("deepseek-v3", "nvfp4")),
        ("DeepSeek-R1-0528 FP4 v2", ("deepseek-v3", "nvfp4")),
    ],
)
def test_a_file_type_or_format_revision_names_the_format(
    written: str, model_and_format: tuple[str, str]
) -> None:
    reference = resolve_model_reference(written)
    assert (reference.model.id, reference.format_id) == model_and_format


@pytest.mark.unit
@pytest.mark.parametrize(
    "written",
    [
        "Mistral-Large-Instruct-2407-123B",
        "turboderp_Mistral-Large-Instruct-2407-123B-exl2_4.25bpw",
        "Mistral-Large-123B-Instruct-2407",
    ],
)
def test_a_size_written_after_the_release_date_names_the_model(written: str) -> None:
    assert resolve_model_reference(written).model.id == "mistral-large-2"


@pytest.mark.unit
def test_a_release_date_that_names_a_release_is_still_read_first() -> None:
    released = resolve_model_reference("Qwen3-30B-A3B-Instruct-2507")
    assert released.model.id == "qwen3-30b-a3b-2507"


@pytest.mark.unit
def test_a_bare_size_without_its_unit_is_still_refused() -> None:
    with pytest.raises(UnknownNameError):
        resolve_model_reference("llama-3.1-70")


@pytest.mark.unit
def test_a_pretraining_checkpoints_stage_word_names_no_other_model() -> None:
    assert resolve_model_reference("TinyLlama-1.1B-intermediate").model.id == "tinyllama-1.1b"


@pytest.mark.unit
@pytest.mark.parametrize(
    "written", ["Qwen3.9-27B", "Qwen3.9-27B-ABLITERATED-Q4_K_M.gguf", "inkling-small"]
)
def test_models_the_catalog_does_not_hold_stay_refused(written: str) -> None:
    with pytest.raises(UnknownNameError):
        resolve_model_reference(written)


@pytest.mark.unit
def test_an_unknown_checkpoint_file_is_refused_with_the_models_its_words_name() -> None:
    with pytest.raises(UnknownNameError) as refused:
        resolve_model_reference("Qwen3.9-27B-ABLITERATED-Q4_K_M.gguf")
    assert "qwen3.8-27b" in refused.value.candidates


@pytest.mark.unit
@pytest.mark.parametrize(
    ("written", "gpu_id"),
    [
        # patientx/ComfyUI-Zluda issue 159 writes 'AMD Radeon 9070XT': the suffix glued to the
        # number is the variant word the RX 9070 XT's names carry
        ("AMD Radeon 9070XT", "rx-9070-xt"),
        ("AMD Radeon 7900XTX", "rx-7900-xtx"),
        ("Radeon 9070", "rx-9070"),
    ],
)
def test_a_variant_suffix_glued_to_the_number_after_radeon_names_that_variant(
    written: str, gpu_id: str
) -> None:
    assert resolve_gpu(written).id == gpu_id
