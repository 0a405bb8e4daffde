"""A prefill of a model with recurrent (linear-attention: Gated DeltaNet, Mamba-2) layers on an
engine profile with engines.toml recurrent_prefill_time (llama.cpp on CUDA) pays a fixed time per
prompt token in each such layer on top of the prompt's GEMMs: the chunked delta-net graph and the
scan kernels walk the tokens, they are not GEMMs over them. The time is the calibration's
(calibration.json recurrent_prefill_token_layer_us, fitted by gpuatlas calibrate), the
model_constants prior where none was fitted. Models without recurrent layers, decode steps,
other engines and other backends do not pay it."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

import gpuatlas.performance.calibration_table as table
from gpuatlas.calibration.fitting import (
    fit_recurrent_prefill_time,
    prefill_terms,
    recurrent_prefill_rows,
)
from gpuatlas.calibration.fitting import observations as to_observations
from gpuatlas.catalog.measurements import load_measurements
from gpuatlas.catalog.model_names import resolve_model
from gpuatlas.performance.calibration_table import Calibration, shipped_calibration
from gpuatlas.performance.engine_profiles import all_engines
from gpuatlas.performance.llm.predict import llm_runtime

pytestmark = pytest.mark.unit

TOKEN_LAYER_US = 3.0  # a time per prompt token and recurrent layer as a calibration could fit it
PROMPT_TOKENS = 512
# Qwen3.5-9B config.json: 32 layers, full_attention_interval 4, so 24 Gated DeltaNet layers;
# Qwen3-Next-80B-A3B: 48 layers, 36 of them Gated DeltaNet.
QWEN35_9B_RECURRENT_LAYERS = 24
QWEN3_NEXT_RECURRENT_LAYERS = 36


def _with_time(token_layer_us: float, version: str) -> Calibration:
    return replace(
        shipped_calibration(), version=version, recurrent_prefill={"us": token_layer_us, "n": 2.0}
    )


def _prefill_s(calibration: Calibration, model: str, weights: str, engine: str = "llama.cpp"):
    with table.using_calibration(calibration):
        runtime = llm_runtime("rtx-5090", model, weights, engine)
    return float(runtime.prefill_s(PROMPT_TOKENS)), float(runtime.decode_step_s(1, PROMPT_TOKENS))


def test_the_prior_is_no_time_per_token_and_recurrent_layer() -> None:
    assert table.RECURRENT_PREFILL_US_PRIOR == 0.0
    assert replace(shipped_calibration(), recurrent_prefill={}).recurrent_prefill_us == 0.0


def test_the_recurrent_layers_of_qwen3_5_pay_per_prompt_token_where_a_dense_model_pays_none() -> (
    None
):
    # The term is prompt tokens x recurrent layers x the time: 512 x 24 x 3 us = 36.9 ms for
    # Qwen3.5-9B, whatever its GEMMs take; Qwen3-8B (no recurrent layer, about the same weight
    # bytes) pays nothing; and a decode step pays nothing either (one token per step runs the
    # recurrence directly).
    on = _with_time(TOKEN_LAYER_US, "test-recurrent-prefill-on")
    off = _with_time(0.0, "test-recurrent-prefill-off")
    hybrid_on, hybrid_step_on = _prefill_s(on, "qwen3.5-9b", "q4_k_m")
    hybrid_off, hybrid_step_off = _prefill_s(off, "qwen3.5-9b", "q4_k_m")
    expected_s = PROMPT_TOKENS * QWEN35_9B_RECURRENT_LAYERS * TOKEN_LAYER_US * 1e-6
    assert hybrid_on - hybrid_off == pytest.approx(expected_s, rel=1e-9)
    assert hybrid_step_on == hybrid_step_off
    dense_on, _ = _prefill_s(on, "qwen3-8b", "q4_k_m")
    dense_off, _ = _prefill_s(off, "qwen3-8b", "q4_k_m")
    assert dense_on == dense_off


def test_qwen3_next_pays_its_36_gated_deltanet_layers() -> None:
    on = _with_time(TOKEN_LAYER_US, "test-recurrent-next-on")
    off = _with_time(0.0, "test-recurrent-next-off")
    extra = _prefill_s(on, "qwen3-next-80b-a3b", "q4_k_m", "llama.cpp")[0]
    extra -= _prefill_s(off, "qwen3-next-80b-a3b", "q4_k_m", "llama.cpp")[0]
    expected_s = PROMPT_TOKENS * QWEN3_NEXT_RECURRENT_LAYERS * TOKEN_LAYER_US * 1e-6
    assert extra == pytest.approx(expected_s, rel=1e-9)


def test_only_llama_cpp_and_ollama_on_cuda_pay_the_recurrent_prefill_time() -> None:
    # The current generation and the bench generation of the same kernels (each with its own
    # flag, not inherited): the Metal, Vulkan, ROCm and SYCL twins that extend llama.cpp have no
    # rows showing the time, and the other engines run other kernels. Ollama runs llama.cpp's
    # graph (llama-server from v0.30.0) or its Go engine's chunked delta-net of the same shape.
    paying = {profile.id for profile in all_engines() if profile.recurrent_prefill_time}
    llama_cpp = {"llama.cpp", "llama.cpp-2025", "llama.cpp-2025-fused-moe"}
    assert paying == llama_cpp | {"ollama", "ollama-2026", "ollama-go", "ollama-2025"}


def test_ollama_pays_the_time_but_its_rows_do_not_fit_it() -> None:
    calibration = _with_time(TOKEN_LAYER_US, "test-recurrent-ollama")
    on, _ = _prefill_s(calibration, "Qwen/Qwen3.5-9B", "q4_k_m", "ollama 0.21.0")
    off, _ = _prefill_s(
        _with_time(0.0, "test-recurrent-ollama-off"), "Qwen/Qwen3.5-9B", "q4_k_m", "ollama 0.21.0"
    )
    added = PROMPT_TOKENS * QWEN35_9B_RECURRENT_LAYERS * TOKEN_LAYER_US * 1e-6
    assert on - off == pytest.approx(added, rel=1e-6)
    items = [i for i in to_observations(load_measurements()) if i.kind == "prefill"]
    assert not [i for i in recurrent_prefill_rows(items) if i.row.engine == "ollama"]


def test_the_time_round_trips_through_the_calibration_file() -> None:
    document = table.calibration_document(_with_time(2.5, "test-recurrent-file"), "test")
    assert document["recurrent_prefill_token_layer_us"] == {"us": 2.5, "n": 2}
    again = table.parse_calibration(json.dumps(document))
    assert again.recurrent_prefill_us == pytest.approx(2.5)
    unfitted = table.calibration_document(
        replace(shipped_calibration(), recurrent_prefill={}), "test"
    )
    assert "recurrent_prefill_token_layer_us" not in unfitted
    parsed = table.parse_calibration(json.dumps(unfitted))
    assert parsed.recurrent_prefill_us == table.RECURRENT_PREFILL_US_PRIOR


def test_the_prefill_fit_reads_the_rows_with_the_time_in_force() -> None:
    # The fit's fixed seconds of each paying row carry its tokens x recurrent layers x the time
    # in force, so the levels refitted at each candidate time see the GEMMs' share only.
    items = [i for i in to_observations(load_measurements()) if i.kind == "prefill"]
    # one GPU: a layer split over several pays the pipelined share of it (pipeline_share)
    paying = [i for i in recurrent_prefill_rows(items) if i.row.gpu_count == 1]
    assert {item.row.model for item in paying} >= {"Qwen/Qwen3.5-9B"}
    fixed_s = {}
    for us in (0.0, TOKEN_LAYER_US):
        with table.using_calibration(_with_time(us, f"test-recurrent-terms-{us}")):
            fixed_s[us] = [terms.fixed_s for terms in map(prefill_terms, paying) if terms]
    added_s = [on - off for on, off in zip(fixed_s[TOKEN_LAYER_US], fixed_s[0.0], strict=True)]
    expected_s = [
        (item.case.input_tokens or 0)
        * len(resolve_model(item.row.model).linear_attention_layers)
        * TOKEN_LAYER_US
        * 1e-6
        for item in paying
    ]
    assert added_s == pytest.approx(expected_s, rel=1e-9)


def test_a_layer_split_row_pays_the_pipelined_share_of_the_time() -> None:
    # Two P100s splitting Qwen3.8-27B by layers (round 34's rows): llama.cpp pipelines each
    # batch's ubatches through the GPUs, so the recurrent time, like the GEMMs', is paid at
    # (m + n - 1) / (m n) of the one-after-another time: 2,048 tokens = 4 ubatches of 512 on
    # 2 GPUs -> 5/8
    items = [i for i in to_observations(load_measurements()) if i.kind == "prefill"]
    split = [
        i
        for i in recurrent_prefill_rows(items)
        if i.row.gpu_count == 2 and i.case.input_tokens == 2048 and "P100" in i.row.notes
    ]
    assert split
    fixed_s = {}
    for us in (0.0, TOKEN_LAYER_US):
        with table.using_calibration(_with_time(us, f"test-recurrent-split-{us}")):
            fixed_s[us] = [terms.fixed_s for terms in map(prefill_terms, split) if terms]
    layers = len(resolve_model("Qwen/Qwen3.8-27B").linear_attention_layers)
    one_after_another_s = 2048 * layers * TOKEN_LAYER_US * 1e-6
    for on, off in zip(fixed_s[TOKEN_LAYER_US], fixed_s[0.0], strict=True):
        assert on - off == pytest.approx(one_after_another_s * 5 / 8, rel=1e-9)


def test_without_paying_rows_the_fit_keeps_the_prior() -> None:
    dense = [
        item
        for item in to_observations(load_measurements())
        if item.kind == "prefill" and item.row.model.startswith("meta-llama/Llama-2-7b")
    ]
    start = replace(shipped_calibration(), version="test-recurrent-none")
    fitted = fit_recurrent_prefill_time(start, dense)
    assert fitted.recurrent_prefill == {}
    assert fitted.recurrent_prefill_us == table.RECURRENT_PREFILL_US_PRIOR
