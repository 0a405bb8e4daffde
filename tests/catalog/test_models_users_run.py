"""Checkpoint ids and Ollama tags of models people run resolve to the right library model
(issue 10, item 8): the Hub ids of the packaged measurements (Mistral-7B-Instruct-v0.2) and
the names a user types, with the format the name carries."""

from __future__ import annotations

import pytest

from gpuatlas.catalog.model_arch import ModelArch
from gpuatlas.catalog.models import resolve_model_reference


@pytest.mark.parametrize(
    ("name", "model_id", "format_id"),
    [
        ("mistralai/Mistral-7B-Instruct-v0.2", "mistral-7b-v0.2", None),
        ("TheBloke/Mistral-7B-Instruct-v0.2-GGUF", "mistral-7b-v0.2", None),
        ("mistralai/Mistral-7B-Instruct-v0.3", "mistral-7b-v0.3", None),
        ("Mixtral-8x22B", "mixtral-8x22b", None),
        ("meta-llama/Llama-3.2-1B-Instruct", "llama-3.2-1b", None),
        ("Llama-3.2-3B", "llama-3.2-3b", None),
        ("meta-llama/Llama-3.3-70B-Instruct", "llama-3.3-70b", None),
        ("Qwen2.5-14B-Instruct-AWQ", "qwen2.5-14b", "awq-int4"),
        ("Qwen/Qwen2.5-Coder-32B-Instruct-GPTQ-Int4", "qwen2.5-coder-32b", "gptq-int4"),
        ("deepseek-ai/DeepSeek-R1-Distill-Qwen-32B", "deepseek-r1-distill-qwen-32b", None),
        ("google/gemma-3-4b-it", "gemma-3-4b", None),
        ("microsoft/phi-4", "phi-4", None),
        ("nvidia/Llama-3.1-Nemotron-70B-Instruct-HF", "llama-3.1-nemotron-70b", None),
        ("meta-llama/Llama-4-Scout-17B-16E-Instruct", "llama-4-scout", None),
        ("Qwen/QwQ-32B", "qwq-32b", None),
        ("Qwen/QwQ-32B-AWQ", "qwq-32b", "awq-int4"),
        ("llama3.1:8b-instruct-q8_0", "llama-3.1-8b", "q8_0"),
        ("qwen2.5:14b", "qwen2.5-14b", None),
        ("deepseek-r1:32b", "deepseek-r1-distill-qwen-32b", None),
        ("gemma3:27b", "gemma-3-27b", None),
        ("mistral-small:24b", "mistral-small-24b", None),
        ("phi4:14b", "phi-4", None),
        ("qwq:32b", "qwq-32b", None),
    ],
)
def test_names_users_write_resolve_offline(name: str, model_id: str, format_id: str | None) -> None:
    reference = resolve_model_reference(name, allow_hub=False)
    assert reference.model.id == model_id
    assert reference.format_id == format_id


def test_mistral_7b_v02_is_its_own_release() -> None:
    # v0.2: 32k context and no sliding window (v0.1: a 4,096-token window)
    v02 = resolve_model_reference("mistralai/Mistral-7B-Instruct-v0.2", allow_hub=False).model
    v01 = resolve_model_reference("mistralai/Mistral-7B-Instruct-v0.1", allow_hub=False).model
    assert isinstance(v02, ModelArch) and isinstance(v01, ModelArch)
    assert v02.max_position_embeddings == 32768
    assert v02.sliding_window is None
    assert v01.sliding_window == 4096
    assert v02.vocab_size == 32000
    assert v02.total_params() == pytest.approx(7.24e9, rel=0.02)


def test_qwq_32b_is_the_qwen25_32b_shape_with_131k_context() -> None:
    qwq = resolve_model_reference("Qwen/QwQ-32B", allow_hub=False).model
    assert isinstance(qwq, ModelArch)
    assert qwq.num_layers == 64
    assert qwq.num_kv_heads == 8
    assert qwq.max_position_embeddings == 131072
    assert qwq.total_params() == pytest.approx(32.5e9, rel=0.02)
