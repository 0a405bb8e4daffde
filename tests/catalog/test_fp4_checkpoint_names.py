"""NVIDIA's and Red Hat's NVFP4 exports resolve to their base model with the nvfp4 format,
also a re-export numbered after its format (nvidia/DeepSeek-R1-0528-FP4-v2)."""

from __future__ import annotations

import pytest

from gpuatlas.catalog.model_names import resolve_model_reference

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("name", "model_id"),
    [
        ("nvidia/Llama-3.3-70B-Instruct-FP4", "llama-3.3-70b"),
        ("nvidia/DeepSeek-R1-0528-FP4", "deepseek-v3"),
        ("nvidia/DeepSeek-R1-0528-FP4-v2", "deepseek-v3"),
        ("nvidia/Qwen3-30B-A3B-FP4", "qwen3-30b-a3b"),
        ("RedHatAI/Qwen3-8B-NVFP4", "qwen3-8b"),
    ],
)
def test_nvfp4_checkpoints_resolve_to_their_base_model(name: str, model_id: str) -> None:
    reference = resolve_model_reference(name, allow_hub=False)
    assert (reference.model.id, reference.format_id) == (model_id, "nvfp4")


def test_a_version_that_names_the_model_is_not_dropped() -> None:
    reference = resolve_model_reference("deepseek-ai/DeepSeek-V2-Lite-Chat", allow_hub=False)
    assert (reference.model.id, reference.format_id) == ("deepseek-v2-lite", None)
