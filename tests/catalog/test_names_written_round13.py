"""Names the round-13 held-out sources write (holdout/as_written_r13) that meant nothing to the
atlas (issue 10): a mixture-of-experts model named by its total size alone ('Qwen3.5-397B'),
llama.cpp's glued architecture names in llama-bench's model column ('qwen3next 80B.A3B',
'qwen35moe 35B.A3B'), Kimi K2.5 (Kimi K2's language model, continually pretrained) and
vLLM-Omni's image pipelines (diffusers' pipelines around its own DiT modules).
Names, not values: each reads as what it means; names that stay ambiguous or unknown are
refused as before."""

from __future__ import annotations

import pytest

from gpuatlas.catalog.model_kind import model_reading
from gpuatlas.catalog.model_names import resolve_model_reference
from gpuatlas.errors import UnknownNameError
from gpuatlas.performance.engine_specs import parse_engine_spec
from gpuatlas.performance.media.diffusion import check_image_engine_known


@pytest.mark.unit
@pytest.mark.parametrize(
    ("written", "model", "format_id"),
    [
        ("Qwen3.5-397B", "qwen3.5-397b-a17b", None),
        ("Qwen/Qwen3.5-397B-FP8", "qwen3.5-397b-a17b", "fp8"),
        ("qwen3.5 397B", "qwen3.5-397b-a17b", None),
    ],
)
def test_a_moe_model_named_by_its_total_size(written: str, model: str, format_id: str) -> None:
    reference = resolve_model_reference(written, allow_hub=False)
    assert (reference.model.id, reference.format_id) == (model, format_id)
    assert reference.matched_by == "alias"  # said as another name of it, not a fine-tune


@pytest.mark.unit
def test_the_total_size_reading_is_said_as_another_name() -> None:
    reading = model_reading("Qwen3.5-397B")
    assert reading is not None
    assert reading.note == (
        "Qwen3.5-397B read as qwen3.5-397b-a17b (another name of it: the same architecture)"
    )


@pytest.mark.unit
@pytest.mark.parametrize("written", ["Qwen3.5-398B", "Qwen3.5-397B-A18B"])
def test_a_total_size_no_model_has_stays_unknown(written: str) -> None:
    with pytest.raises(UnknownNameError):
        resolve_model_reference(written, allow_hub=False)


@pytest.mark.unit
def test_a_dense_name_is_not_completed_to_a_moe() -> None:
    assert resolve_model_reference("Llama-3.1-8B", allow_hub=False).model.id == "llama-3.1-8b"


@pytest.mark.unit
@pytest.mark.parametrize(
    ("written", "same_as", "format_id"),
    [
        ("qwen3next 80B.A3B Q2_K - Medium", "Qwen3-Next-80B-A3B", "q2_k"),
        ("qwen3next 80B.A3B Q4_K - Medium", "Qwen3-Next-80B-A3B", "q4_k_m"),
        ("qwen35moe 35B.A3B Q4_K - Medium", "Qwen3.5-35B-A3B", "q4_k_m"),
    ],
)
def test_llama_bench_glued_architecture_names(written: str, same_as: str, format_id: str) -> None:
    reference = resolve_model_reference(written, allow_hub=False)
    expected = resolve_model_reference(same_as, allow_hub=False).model.id
    assert (reference.model.id, reference.format_id) == (expected, format_id)


@pytest.mark.unit
@pytest.mark.parametrize("written", ["Kimi K2.5", "moonshotai/Kimi-K2.5", "kimi-k2.5"])
def test_kimi_k2_5_is_kimi_k2s_language_model(written: str) -> None:
    reference = resolve_model_reference(written, allow_hub=False)
    assert reference.model.id == "kimi-k2"
    assert reference.model.total_params() > 1.0e12


@pytest.mark.unit
@pytest.mark.parametrize(
    ("written", "label"),
    [("vLLM-Omni", "vLLM-Omni"), ("vLLM-Omni 0.19.1+cu129", "vLLM-Omni 0.19.1+cu129")],
)
def test_vllm_omni_image_pipelines_run_as_diffusers(written: str, label: str) -> None:
    spec = parse_engine_spec(written)
    assert (spec.engine, spec.version, spec.frontend) == ("diffusers", None, label)
    check_image_engine_known(written.split()[0])  # `predict diffusion --engine vllm-omni`


@pytest.mark.unit
def test_plain_vllm_is_still_vllm() -> None:
    spec = parse_engine_spec("vLLM 0.8.5")
    assert (spec.engine, spec.version, spec.frontend) == ("vllm", "0.8.5", None)
