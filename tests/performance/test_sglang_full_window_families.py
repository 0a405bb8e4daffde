"""SGLang disables its hybrid SWA memory pool for Gemma 2 and Gemma 3 (server_args:
'Disable hybrid SWA memory for {model_arch} as it is not yet supported'), so their
sliding-window layers cache the whole context like the global ones; gpt-oss and the other
engines keep only the window."""

from __future__ import annotations

import pytest

from gpuatlas.performance.llm.memory import (
    MemoryInputs,
    kv_per_sequence_gb,
    sliding_window_held_tokens,
)
from gpuatlas.performance.llm.predict import llm_runtime
from gpuatlas.performance.llm.refusal import memory_inputs


def _inputs(model: str, weights: str, engine: str) -> MemoryInputs:
    return memory_inputs(llm_runtime("h100-sxm", model, weights, engine), "fp16")


@pytest.mark.unit
@pytest.mark.parametrize("model", ["gemma-3-12b", "gemma-2-9b"])
def test_sglang_holds_gemma_sliding_layers_in_full(model: str) -> None:
    inputs = _inputs(model, "bf16", "sglang")
    assert inputs.model.sliding_window  # the model has sliding-window layers
    assert sliding_window_held_tokens(inputs) == 0  # 0: the whole context
    # every layer holds every token: the cache grows in proportion to the context
    assert float(kv_per_sequence_gb(inputs, 1, 32_768)) == pytest.approx(
        2.0 * float(kv_per_sequence_gb(inputs, 1, 16_384)), rel=1e-9
    )


@pytest.mark.unit
def test_other_models_and_engines_keep_the_window() -> None:
    gpt_oss = _inputs("gpt-oss-20b", "mxfp4", "sglang")
    assert sliding_window_held_tokens(gpt_oss) == gpt_oss.model.sliding_window == 128
    vllm = _inputs("gemma-3-12b", "bf16", "vllm")
    assert sliding_window_held_tokens(vllm) >= vllm.model.sliding_window
    sglang = _inputs("gemma-3-12b", "bf16", "sglang")
    assert float(kv_per_sequence_gb(sglang, 1, 32_768)) > 4.0 * float(
        kv_per_sequence_gb(vllm, 1, 32_768)
    )
