"""What a sliding-window layer's KV cache holds per sequence, by engine (`sliding_window_kv`).

Reported numbers: llm-d-incubation/llm-d-planner @d3121e0 (2026-04-22),
accuracy/results/v0.19.0/logs/*.log, vLLM 0.19.0 on one H100 80GB (gpt-oss-20b: two),
max_model_len 8192, max_num_batched_tokens 8192: "Available KV cache memory" (the pool, in
catalog/data/measurements/kv_capacity/) and "Maximum concurrency for 8,192 tokens per request".
vLLM's hybrid KV cache manager sizes a sliding layer's share of a request at start-up as the
last window-1 tokens plus one scheduled step, capped at max_model_len ("window+chunk"), so at
8192 tokens every layer counts in full. Running sequences hold the window (blocks outside it
are freed each step), which is what the vllm profile counts ("window").
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from gpuatlas.catalog.kv_capacity import KvCapacityRow, load_kv_capacity
from gpuatlas.performance.engine_specs import engine_profile
from gpuatlas.performance.llm.kv_capacity_check import kv_capacity_inputs
from gpuatlas.performance.llm.memory import (
    GB,
    GIB,
    MemoryInputs,
    fitting_sequences,
    kv_per_sequence_gb,
    max_sequences,
    sliding_window_held_tokens,
)
from gpuatlas.performance.primitives import ARRAY


def _row(model: str, gpu_count: int = 1) -> KvCapacityRow:
    return next(
        r
        for r in load_kv_capacity()
        if (r.model, r.gpu_count, r.engine_version, r.kv_cache)
        == (model, gpu_count, "0.19.0", "auto")
        and r.weights in ("bf16", "mxfp4")
    )


def _start_up(inputs: MemoryInputs) -> MemoryInputs:
    """vLLM's start-up accounting of a request (sliding layers: window + one step)."""
    return replace(inputs, engine=replace(inputs.engine, sliding_window_kv="window+chunk"))


def _logged_concurrency(inputs: MemoryInputs, row: KvCapacityRow) -> float:
    """Concurrency at max_model_len from the logged pool and the model's KV per sequence."""
    assert row.reported_kv_gib is not None and row.max_model_len is not None
    pool_gb = row.reported_kv_gib * GIB / GB
    return float(pool_gb / kv_per_sequence_gb(inputs, row.gpu_count, row.max_model_len))


@pytest.mark.parametrize(
    ("model", "gpu_count", "logged"),
    [
        ("gemma-2-2b", 1, 81.73),  # window 4096 on 13 of 26 layers
        ("gemma-2-9b", 1, 20.60),
        ("gemma-2-27b", 1, 7.16),
        ("gemma-3-12b", 1, 15.88),  # window 1024 on 40 of 48 layers
        ("gpt-oss-20b", 2, 316.07),  # window 128 on 12 of 24 layers, TP 2
    ],
)
def test_start_up_accounting_matches_vllms_log(model: str, gpu_count: int, logged: float) -> None:
    inputs = _start_up(kv_capacity_inputs(_row(model, gpu_count)))
    assert _logged_concurrency(inputs, _row(model, gpu_count)) == pytest.approx(logged, rel=0.01)


def test_running_sequences_hold_the_window_under_vllm() -> None:
    """The vllm profile counts the window: gemma-3-12b at 8192 tokens holds 3.7x the logged
    start-up concurrency (58.7 against 15.88) once prompts are in."""
    row = _row("gemma-3-12b")
    inputs = kv_capacity_inputs(row)
    assert inputs.engine.sliding_window_kv == "window"
    assert _logged_concurrency(inputs, row) > 3.5 * 15.88


def test_long_contexts_keep_only_window_and_chunk_on_sliding_layers() -> None:
    """gemma-3-12b at 32768 tokens under vLLM: 8 full layers x 32768 + 40 sliding x 9216
    (window 1024 + chunk 8192) layer-tokens, against 48 x 32768 with every layer full."""
    inputs = _start_up(kv_capacity_inputs(_row("gemma-3-12b")))
    assert sliding_window_held_tokens(inputs) == 1024 + 8192
    full = replace(inputs, engine=replace(inputs.engine, sliding_window_kv="full"))
    ratio = kv_per_sequence_gb(full, 1, 32768) / kv_per_sequence_gb(inputs, 1, 32768)
    assert ratio == pytest.approx(48 * 32768 / (8 * 32768 + 40 * 9216))


@pytest.mark.parametrize(
    ("engine", "version", "held"),
    [
        ("vllm", "0.19.0", 1024),  # hybrid KV cache manager (PR #17996, v0.9.1)
        ("vllm", "0.2.5", 0),  # V0 before 0.2.7 (vllm-eager): every layer full
        ("vllm", "0.8.5", 0),  # before the hybrid KV cache manager: every layer full
        ("vllm", "0.9.0", 0),
        ("vllm", "0.9.1", 1024),  # the first release with it
        ("vllm rocm", "0.8.5", 0),
        ("llama.cpp", "b6000", 1024 + 512),  # SWA cache: n_swa + n_ubatch (PR #13833)
        ("llama.cpp", "b3000", 0),  # before the SWA cache (PR #13194)
    ],
)
def test_engine_generations_hold_what_their_release_does(
    engine: str, version: str, held: int
) -> None:
    inputs = kv_capacity_inputs(_row("gemma-3-12b"))
    profile = engine_profile(engine, version=version)
    assert sliding_window_held_tokens(replace(inputs, engine=profile)) == held


def test_vllm_before_the_hybrid_manager_shares_the_current_levels() -> None:
    """0.6-0.9.0 differ from the current vllm only in the sliding layers' cache: their rows
    calibrate, and predict from, vllm's levels."""
    profile = engine_profile("vllm", version="0.8.5")
    assert profile.shares_levels and profile.calibrate_from == "vllm"


def test_models_without_sliding_layers_are_unchanged() -> None:
    inputs = kv_capacity_inputs(_row("mistral-small-3.1"))
    full = replace(inputs, engine=replace(inputs.engine, sliding_window_kv="full"))
    assert kv_per_sequence_gb(inputs, 1, 8192) == kv_per_sequence_gb(full, 1, 8192)


def test_batch_path_gives_the_same_sequences() -> None:
    inputs = kv_capacity_inputs(_row("gemma-3-12b"))
    contexts = np.array([512, 4096, 9216, 32768, 131072])
    batch = fitting_sequences(inputs, 1, contexts, ops=ARRAY)
    assert [int(x) for x in batch] == [max_sequences(inputs, 1, int(c)) for c in contexts]
