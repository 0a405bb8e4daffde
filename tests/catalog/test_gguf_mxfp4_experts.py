"""gpt-oss GGUF files keep the MoE experts in MXFP4 whatever their quant type names (the type
covers attention, router and embeddings): the weights of each file as published, and a
12 GB card running the Q4_K_M file as published llama-bench runs did."""

from __future__ import annotations

import pytest

from gpuatlas.catalog.formats import resolve_format
from gpuatlas.catalog.model_weights import format_label
from gpuatlas.catalog.models import resolve_model
from gpuatlas.performance.api import inference_memory
from gpuatlas.performance.llm.shape import llm_shape

GPT_OSS_20B = "gpt-oss-20b"


@pytest.mark.parametrize(
    "format_id, published_gb",
    # huggingface.co/unsloth/gpt-oss-20b-GGUF file sizes (GB = 10^9 bytes)
    [("gguf-f16", 13.8), ("q4_k_m", 11.6), ("q5_k_m", 11.7), ("q4_0", 11.5)],
)
def test_gpt_oss_gguf_weights_match_the_published_files(
    format_id: str, published_gb: float
) -> None:
    model = resolve_model(GPT_OSS_20B, allow_hub=False)
    weights_gb = llm_shape(model, resolve_format(format_id)).total_weight_bytes / 1e9
    assert weights_gb == pytest.approx(published_gb, rel=0.05)


def test_a_dense_model_s_gguf_is_unchanged() -> None:
    model = resolve_model("llama-3.1-8b", allow_hub=False)
    q4 = resolve_format("q4_k_m")
    assert llm_shape(model, q4).total_weight_bytes == pytest.approx(
        model.total_params() * q4.model_bits_per_weight / 8, rel=0.01
    )


def test_the_label_says_the_experts_stay_mxfp4() -> None:
    model = resolve_model(GPT_OSS_20B, allow_hub=False)
    assert format_label(model, "q4_k_m") == "q4_k_m (GGUF) + mxfp4 experts (kept as published)"


def test_a_12_gb_card_runs_the_q4_k_m_file() -> None:
    for card in ("rtx-3060-12gb", "rtx-4070-ti"):
        fit = inference_memory(card, GPT_OSS_20B, "q4_k_m", context_tokens=4096, engine="llama.cpp")
        assert fit.fits, card
