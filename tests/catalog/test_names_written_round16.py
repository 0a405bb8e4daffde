"""Names the round-16 held-out sources write (holdout/as_written_r16) that meant nothing to the
atlas (issue 10): a card passed through to a virtual machine ('GTX 1060 6GB (VM)'), a bit width
written apart from its 'bit' ('AWQ 4-bit'), an AMD Quark export's KV-scales suffix
('amd/Llama-3.3-70B-Instruct-FP8-KV') and llm-d, the serving stack whose default model
server is vLLM ('llm-d-rocm v0.6.0').
Names, not values: each reads as what it means; names that stay unknown are refused as before."""

from __future__ import annotations

import pytest

from gpuatlas.catalog.formats import resolve_format
from gpuatlas.catalog.gpus import read_gpu_name, resolve_gpu
from gpuatlas.catalog.model_names import resolve_model_reference
from gpuatlas.errors import UnknownNameError
from gpuatlas.performance.engine_specs import parse_engine_spec


@pytest.mark.unit
@pytest.mark.parametrize(
    ("written", "gpu_id"),
    [
        ("GTX 1060 6GB (VM)", "gtx-1060-6gb"),
        ("RTX 3090 (passthrough)", "rtx-3090"),
        ("RTX 4090 (PCIe passthrough)", "rtx-4090"),
        ("RTX A6000 (virtual machine)", "rtx-a6000"),
    ],
)
def test_a_card_passed_through_to_a_virtual_machine_is_that_card(written: str, gpu_id: str) -> None:
    gpu, _ = read_gpu_name(written)
    assert gpu.id == gpu_id


@pytest.mark.unit
def test_a_virtual_machine_word_does_not_make_an_unknown_card_known() -> None:
    with pytest.raises(UnknownNameError):
        resolve_gpu("GTX 1065 (VM)")


@pytest.mark.unit
@pytest.mark.parametrize(
    ("written", "format_id"),
    [
        ("AWQ 4-bit", "awq-int4"),
        ("awq 4 bit", "awq-int4"),
        ("GPTQ 4-bits", "gptq-int4"),
        ("MLX 4-bit", "mlx-4bit"),
        ("MLX 8 bit", "mlx-8bit"),
        ("bnb 8-bit", "bnb-int8"),
        # names already written joined read as before
        ("awq-4bit", "awq-int4"),
        ("Q4_K_M", "q4_k_m"),
    ],
)
def test_a_bit_width_written_apart_names_the_format(written: str, format_id: str) -> None:
    assert resolve_format(written).id == format_id


@pytest.mark.unit
def test_a_bit_width_no_format_has_is_still_refused() -> None:
    with pytest.raises(UnknownNameError):
        resolve_format("AWQ 3-bit")


@pytest.mark.unit
@pytest.mark.parametrize("written", ["llm-d-rocm v0.6.0", "llm-d 0.6.0", "llm-d"])
def test_llm_d_is_predicted_as_vllm_its_default_model_server(written: str) -> None:
    spec = parse_engine_spec(written)
    # llm-d's own version names no vLLM release: it stays in the label, not the engine version
    assert (spec.engine, spec.version) == ("vllm", None)
    assert spec.frontend is not None and spec.frontend.startswith("llm-d")


@pytest.mark.unit
@pytest.mark.parametrize(
    ("written", "model_id"),
    [
        ("amd/Llama-3.3-70B-Instruct-FP8-KV", "llama-3.3-70b"),
        ("amd/Llama-3.1-8B-Instruct-FP8-KV", "llama-3.1-8b"),
        ("amd/Mixtral-8x7B-Instruct-v0.1-FP8-KV", "mixtral-8x7b"),
    ],
)
def test_fp8_weights_with_kv_cache_scales_are_fp8_weights(written: str, model_id: str) -> None:
    reference = resolve_model_reference(written, allow_hub=False)
    assert (reference.model.id, reference.format_id) == (model_id, "fp8")


@pytest.mark.unit
def test_a_kv_word_without_a_format_before_it_is_still_refused() -> None:
    with pytest.raises(UnknownNameError):
        resolve_model_reference("Llama-3.3-70B-KV", allow_hub=False)
