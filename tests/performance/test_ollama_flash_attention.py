"""Ollama's flash-attention default (OLLAMA_FLASH_ATTENTION unset), read in github:ollama/ollama:
off before v0.11.8; from v0.11.8 on for the architectures fs/ggml/ggml.go FlashAttention()
lists (gptoss, then qwen3/qwen3moe and gemma3); from v0.13.4 llama.cpp's 'auto' mode for every
model. Without it decode reads each KV head once per query head sharing it (ggml's broadcast
mat-vec) and writes its scores through memory; with it once, and no scores."""

from __future__ import annotations

import pytest

from gpuatlas.performance.engine_specs import engine_profile
from gpuatlas.performance.llm.predict import llm_runtime
from gpuatlas.performance.llm.step_times import LlmRuntime

CONTEXT_TOKENS = 28_000


@pytest.mark.unit
@pytest.mark.parametrize(
    ("engine", "profile"),
    [
        ("ollama 0.9.0", "ollama-2024"),
        ("ollama 0.11.7", "ollama-2024"),
        ("ollama 0.11.8", "ollama-2025"),
        ("ollama 0.13.3", "ollama-2025"),
        ("ollama 0.13.4", "ollama-2026"),  # flash attention 'auto', as ollama (v0.30.0 on)
        ("ollama 0.30.0", "ollama"),
        ("ollama", "ollama"),  # unstated: the newest release
    ],
)
def test_release_picks_the_flash_attention_generation(engine: str, profile: str) -> None:
    assert llm_runtime("rtx-4090", "llama3.1:8b", "q4_k_m", engine).engine.id == profile


@pytest.mark.unit
def test_a_dated_run_reads_the_release_of_its_date() -> None:
    assert engine_profile("ollama", None, None, "2025-06-01").id == "ollama-2024"
    assert engine_profile("ollama", None, None, "2025-10-20").id == "ollama-2025"
    assert engine_profile("ollama", None, None, "2026-02-01").id == "ollama-2026"
    assert engine_profile("ollama", None, None, "2026-07-01").id == "ollama"


@pytest.mark.unit
def test_each_backend_has_the_generations() -> None:
    # a llama-runner model: gpt-oss runs on the Go engine (test_ollama_go_engine.py)
    llama = "meta-llama/Llama-3.1-8B-Instruct"
    assert llm_runtime("apple-m4-max-40c", llama, "q4_k_m", "ollama 0.9.0").engine.id == (
        "ollama-metal-2024"
    )
    assert llm_runtime("rx-7900-xtx", llama, "q4_k_m", "ollama 0.12.6").engine.id == (
        "ollama-rocm-2025"
    )
    assert llm_runtime("rx-7900-xtx", llama, "q4_k_m", "ollama 0.21.0").engine.id == (
        "ollama-rocm-2026"
    )


@pytest.mark.unit
def test_gpt_oss_reads_its_kv_heads_once_from_v0_11_8() -> None:
    before = llm_runtime("rtx-4090", "gpt-oss-20b", "mxfp4", "ollama 0.11.7")
    after = llm_runtime("rtx-4090", "gpt-oss-20b", "mxfp4", "ollama 0.11.8")
    heads_per_kv_head = before.model.num_attention_heads / before.model.num_kv_heads  # 64 / 8
    assert before.kv_reads_per_decode_step == heads_per_kv_head == 8.0
    assert after.kv_reads_per_decode_step == 1.0
    assert after.decode_score_bytes(CONTEXT_TOKENS) == 0.0
    assert after.score_bytes(4096, 1) == 0.0
    assert before.decode_score_bytes(CONTEXT_TOKENS) > 0.0


@pytest.mark.unit
def test_other_architectures_wait_for_the_auto_mode_of_v0_13_4() -> None:
    listed = llm_runtime("rtx-4090", "llama3.1:8b", "q4_k_m", "ollama 0.12.6")
    assert listed.kv_reads_per_decode_step == 4.0  # Llama 3.1 8B: 32 query heads / 8 KV heads
    assert listed.decode_score_bytes(CONTEXT_TOKENS) > 0.0
    auto = llm_runtime("rtx-4090", "llama3.1:8b", "q4_k_m", "ollama 0.13.4")
    assert auto.kv_reads_per_decode_step == 1.0
    assert auto.decode_score_bytes(CONTEXT_TOKENS) == 0.0


def _gpt_oss_step_bytes(batch: int) -> tuple[LlmRuntime, LlmRuntime, float, float]:
    """gpt-oss-20b on an RTX 4090 under Ollama 0.11.7 (unfused) and 0.11.8 (flash attention):
    both runtimes and the bytes of one decode step of `batch` sequences at CONTEXT_TOKENS."""
    before = llm_runtime("rtx-4090", "gpt-oss-20b", "mxfp4", "ollama 0.11.7")
    after = llm_runtime("rtx-4090", "gpt-oss-20b", "mxfp4", "ollama 0.11.8")
    _, bytes_before = before.decode_terms(batch, CONTEXT_TOKENS)
    _, bytes_after = after.decode_terms(batch, CONTEXT_TOKENS)
    return before, after, float(bytes_before), float(bytes_after)


@pytest.mark.unit
def test_long_context_decode_reads_one_eighth_of_the_kv() -> None:
    # Two sequences: a batched step multiplies KQ as a matrix product, so without flash
    # attention each of gpt-oss's 8 query heads per KV head reads the KV from memory.
    before, after, bytes_before, bytes_after = _gpt_oss_step_bytes(2)
    weights = after.shape.weight_read_bytes(2)
    kv_after = 2 * after.kv_read_bytes(CONTEXT_TOKENS)
    assert bytes_after == pytest.approx(weights + kv_after, rel=1e-9)
    kv_before = bytes_before - weights - 2 * before.decode_score_bytes(CONTEXT_TOKENS)
    assert kv_before == pytest.approx(8.0 * kv_after, rel=1e-9)


@pytest.mark.unit
def test_one_sequence_re_reads_gpt_oss_kv_from_the_4090_l2() -> None:
    # One sequence: a KV head's keys of one layer at 28,000 tokens are 3.6 MB (head size
    # 64, fp16), inside the 72 MB L2, so the re-reads cost no memory traffic; the scores do.
    before, _, bytes_before, bytes_after = _gpt_oss_step_bytes(1)
    scores = before.decode_score_bytes(CONTEXT_TOKENS)
    assert scores > 0.0
    assert bytes_before == pytest.approx(bytes_after + scores, rel=1e-9)
