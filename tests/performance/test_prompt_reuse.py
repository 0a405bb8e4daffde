"""Prompt-cache reuse (performance/data/prefix_cache.toml, llm.prompt_reuse): a request whose
prompt (or prefix) the engine has cached prefills only its uncached tokens, at the engine's
block granularity and never the last prompt token; vLLM and SGLang hold the shared prefix's
KV once; the first wave of a finite run finds the cache empty."""

from __future__ import annotations

import pytest

from gpuatlas.errors import InvalidRequestError
from gpuatlas.performance import api
from gpuatlas.performance.llm.memory import kv_per_sequence_gb, max_sequences
from gpuatlas.performance.llm.predict import (
    finite_run_output_tok_s,
    llm_runtime,
    serving_cycle_s,
    serving_estimate,
    serving_output_tok_s,
)
from gpuatlas.performance.llm.prompt_reuse import prompt_cache
from gpuatlas.performance.llm.refusal import memory_inputs

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("engine", "text", "reuse", "shared", "cached"),
    [
        ("vllm", None, "identical", None, 1984),  # 1,999 reusable -> 124 full blocks of 16
        ("vllm", "vllm 0.10.1", "shared-prefix", 1500, 1488),  # 93 blocks of 16
        ("sglang", None, "identical", None, 1999),  # radix, token level; last token computed
        ("sglang", None, "shared-prefix", 1500, 1500),
        ("llama.cpp", "llama.cpp b5540", "identical", None, 1999),  # cache_prompt default on
        ("ollama", "Ollama 0.12.6", "identical", None, 1999),
        ("vllm", "vllm 0.6.3", "identical", None, 0),  # V0: --enable-prefix-caching off
        ("llama.cpp", "llama.cpp b4000", "identical", None, 0),  # before PR #10501
    ],
)
def test_cached_tokens_by_engine(
    engine: str, text: str | None, reuse: str, shared: int | None, cached: int
) -> None:
    found = prompt_cache(engine, text, reuse, 2000, shared)  # type: ignore[arg-type]
    assert found is not None
    assert found.cached_tokens(2000) == cached


def test_a_prompt_shorter_than_a_block_reuses_nothing_on_vllm() -> None:
    found = prompt_cache("vllm", None, "identical", 16)
    assert found is not None and found.cached_tokens(16) == 0  # 15 reusable < one block


def test_only_block_engines_share_the_prefix_kv() -> None:
    vllm = prompt_cache("vllm", None, "identical", 2000)
    ollama = prompt_cache("ollama", None, "identical", 2000)
    assert vllm is not None and ollama is not None
    assert vllm.shared_kv_tokens(2000) == 1984
    assert ollama.shared_kv_tokens(2000) == 0  # each slot keeps its own copy


def test_no_reuse_is_no_cache() -> None:
    assert prompt_cache("vllm", None, "none", 2000) is None


@pytest.mark.parametrize(
    ("engine", "reuse", "shared", "says"),
    [
        ("tensorrt-llm", "identical", None, "not modelled for tensorrt-llm"),
        ("vllm", "shared-prefix", None, "--shared-prefix-tokens"),
        ("vllm", "shared-prefix", 3000, "from 1 to the prompt's 2,000"),
        ("vllm", "identical", 100, "applies to --prompt-reuse shared-prefix only"),
        ("vllm", "sometimes", None, "must be one of none, shared-prefix, identical"),
    ],
)
def test_bad_prompt_reuse_is_refused_with_a_reason(
    engine: str, reuse: str, shared: int | None, says: str
) -> None:
    with pytest.raises(InvalidRequestError, match=says):
        prompt_cache(engine, None, reuse, 2000, shared)  # type: ignore[arg-type]


def test_cached_prefill_covers_only_the_new_tokens() -> None:
    """A cycle with 1,984 cached tokens saves exactly the prefill of those tokens: the 16 new
    ones are prefilled after (attending to) the cached prefix."""
    runtime = llm_runtime("h100-sxm", "llama-3.1-8b", "bf16", "vllm")
    saved = serving_cycle_s(runtime, 8, 2000, 128) - serving_cycle_s(runtime, 8, 2000, 128, 1984)
    server = runtime.server
    assert saved == pytest.approx(server.prefill_s(2000, 8) - server.prefill_s(16, 8, 1984))
    assert saved > 0


def test_steady_stream_with_identical_prompts_is_served_from_the_cache() -> None:
    runtime = llm_runtime("h100-sxm", "llama-3.1-8b", "bf16", "vllm")
    prompt = prompt_cache("vllm", None, "identical", 2000)
    found = serving_estimate(runtime, 32, 2000, 128, prompt=prompt)
    assert found.value == pytest.approx(serving_output_tok_s(runtime, 32, 2000, 128, 1984))
    assert found.value > serving_estimate(runtime, 32, 2000, 128).value
    assert any("finds 1,984 of its 2,000 prompt tokens" in note for note in found.notes)


def test_the_first_wave_of_a_finite_run_prefills_in_full() -> None:
    """64 requests at concurrency 32: wave 1 prefills 2,000 tokens each, wave 2 16."""
    runtime = llm_runtime("h100-sxm", "llama-3.1-8b", "bf16", "vllm")
    output = 128

    def wave_s(cached: int) -> float:
        return 32 * output / serving_output_tok_s(runtime, 32, 2000, output, cached)

    expected = 64 * output / (wave_s(0) + wave_s(1984))
    assert finite_run_output_tok_s(runtime, 32, 64, 2000, output, 1984) == pytest.approx(expected)
    prompt = prompt_cache("vllm", None, "identical", 2000)
    found = serving_estimate(runtime, 32, 2000, output, requests=64, prompt=prompt)
    assert found.value == pytest.approx(expected)


def test_a_shared_prefix_is_counted_once_in_the_kv_pool() -> None:
    """n sequences of 4,000 tokens sharing 3,000: the pool holds 3,000 once plus 1,000 each
    (and each sequence's logits), so more of them fit than without sharing."""
    runtime = llm_runtime("rtx-4090", "llama-3.1-8b", "awq-int4", "vllm")
    inputs = memory_inputs(runtime, "fp16")
    alone = max_sequences(inputs, 1, 4000)
    shared = max_sequences(inputs, 1, 4000, shared_tokens=3000)
    per_gb = float(kv_per_sequence_gb(inputs, 1, 4000))
    prefix_gb = float(kv_per_sequence_gb(inputs, 1, 3000))
    # the room `alone` sequences filled now holds the prefix once and the rest in 1,000s
    assert shared >= int((alone * per_gb - prefix_gb) // (per_gb - prefix_gb)) - 1
    assert shared > 3 * alone


def test_predict_serving_api_states_the_reuse() -> None:
    none = api.serving_layout(
        "h100-sxm",
        "llama-3.1-8b",
        "bf16",
        "vllm",
        concurrency=32,
        input_tokens=2000,
        output_tokens=128,
    )
    reused = api.serving_layout(
        "h100-sxm",
        "llama-3.1-8b",
        "bf16",
        "vllm",
        concurrency=32,
        input_tokens=2000,
        output_tokens=128,
        prompt_reuse="identical",
    )
    assert reused.output_tok_s.value > none.output_tok_s.value
    assert any("prefix cache" in note for note in reused.output_tok_s.notes)


def test_recurrent_models_are_refused_with_a_reason() -> None:
    with pytest.raises(InvalidRequestError, match="recurrent"):
        prompt_cache("vllm", None, "identical", 2000, recurrent=True)
    assert prompt_cache("vllm", None, "none", 2000, recurrent=True) is None
    with pytest.raises(InvalidRequestError, match="recurrent"):
        api.serving_layout(
            "h100-sxm",
            "qwen3.5-9b",
            "bf16",
            "vllm",
            concurrency=8,
            input_tokens=2000,
            output_tokens=128,
            prompt_reuse="identical",
        )


def test_sliding_window_models_keep_the_saving_but_not_the_shared_kv() -> None:
    found = prompt_cache("vllm", None, "identical", 2000, sliding_window=True)
    assert found is not None
    assert found.cached_tokens(2000) == 1984
    assert found.shared_kv_tokens(2000) == 0
    assert "not counted" in found.note


def test_lmdeploy_does_not_cache_prefixes_by_default() -> None:
    found = prompt_cache("lmdeploy", None, "identical", 2000)
    assert found is not None and found.cached_tokens(2000) == 0
    assert "--enable-prefix-caching" in found.note
