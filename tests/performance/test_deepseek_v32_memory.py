"""DeepSeek V3.2 (DeepSeek Sparse Attention): the V3 architecture plus a lightning indexer whose
FP8 keys are cached beside MLA's latent; the KV cache holds both."""

from __future__ import annotations

import pytest

from gpuatlas.catalog.model_names import resolve_model_reference
from gpuatlas.catalog.model_weights import llm_of
from gpuatlas.performance.llm.fit_answer import answer_fit
from gpuatlas.performance.llm.memory import GB
from gpuatlas.performance.llm.shape import kv_bytes_per_token_layer

pytestmark = pytest.mark.unit

LAYERS = 61
MLA_ELEMENTS = 512 + 64  # kv_lora_rank + qk_rope_head_dim
INDEXER_BYTES = 128 + 4  # FP8 key of index_head_dim 128 + one FP32 scale per 128


@pytest.mark.parametrize(
    "name", ["deepseek-v3.2", "deepseek-ai/DeepSeek-V3.2-Exp", "deepseek-ai/DeepSeek-V3.2"]
)
def test_the_names_people_write_resolve_to_v32_with_its_indexer(name: str) -> None:
    model = llm_of(resolve_model_reference(name).model)
    assert model is not None and model.id == "deepseek-v3.2"
    assert (model.index_head_dim, model.index_topk) == (128, 2048)
    assert model.indexer_bytes_per_token_per_layer() == INDEXER_BYTES


def test_a_token_caches_the_mla_latent_at_the_kv_precision_and_the_fp8_indexer_key() -> None:
    v32 = llm_of(resolve_model_reference("deepseek-v3.2").model)
    v3 = llm_of(resolve_model_reference("deepseek-v3").model)
    assert v32 is not None and v3 is not None
    assert kv_bytes_per_token_layer(v32, 2.0) == MLA_ELEMENTS * 2 + INDEXER_BYTES  # 1,284
    assert kv_bytes_per_token_layer(v32, 1.0) == MLA_ELEMENTS + INDEXER_BYTES  # fp8 KV: 708
    assert kv_bytes_per_token_layer(v3, 2.0) == MLA_ELEMENTS * 2  # no indexer
    assert v3.indexer_bytes_per_token_per_layer() == 0.0


def test_fit_holds_both_caches_per_gpu_replicated_like_mla() -> None:
    """MLA's latent is not split by tensor parallelism, nor is the indexer's key: each of 8
    GPUs holds 61 x 1,284 bytes per token."""
    context = 32768
    answer = answer_fit(
        "8x h200", resolve_model_reference("deepseek-v3.2"), ["fp8"], context_tokens=context
    )
    expected = LAYERS * (MLA_ELEMENTS * 2 + INDEXER_BYTES) * context / GB
    assert answer.detail.per_gpu.kv_cache_gb == pytest.approx(expected, rel=1e-9)
    assert answer.detail.fits
