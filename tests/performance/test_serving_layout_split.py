"""A serving layout says how its engine spreads the model over a replica's GPUs: llama.cpp and
Ollama split the layers (engines.toml multi_gpu "layer-split": consecutive layers per GPU, run
one after another), vLLM shards every layer (tensor parallel). '2x rtx-3090' serving
llama3.3:70b on Ollama was described as 'one replica over 2 GPUs (tensor parallel)'."""

from __future__ import annotations

import pytest

from gpuatlas.performance.llm.serving_layout import ServingLayout, layout_serving

pytestmark = pytest.mark.unit


def test_ollama_over_two_gpus_is_a_layer_split() -> None:
    # 0.12.6 allocates num_ctx 4,096, so the model fits the two GPUs whole; the newest release
    # allocates 256k (capped at 131,072) on 48 GiB and spills layers to the CPU (serving_offload)
    served = layout_serving(
        "2x rtx-3090",
        "llama-3.3-70b",
        "q4_k_m",
        "ollama",
        input_tokens=512,
        output_tokens=256,
        concurrency=1,
        engine_text="Ollama 0.12.6",
    )
    assert served.layout == ServingLayout(1, 2, "layer-split")
    assert served.layout.description == (
        "one replica over 2 GPUs (layers split over them, run one after another)"
    )


def test_vllm_over_two_gpus_is_tensor_parallel() -> None:
    served = layout_serving(
        "2x rtx-3090",
        "llama-3.1-70b",
        "awq-int4",
        "vllm",
        input_tokens=512,
        output_tokens=256,
        concurrency=1,
    )
    assert served.layout.split == "tensor"
    assert served.layout.description == "one replica over 2 GPUs (tensor parallel)"


def test_replicas_of_a_layer_split_group_and_of_one_gpu() -> None:
    assert ServingLayout(2, 2, "layer-split").description == (
        "2 replicas of 2 GPUs (layers split over them, run one after another) each"
    )
    assert ServingLayout(4, 1, "layer-split").description == "4 replicas of 1 GPU each"
