"""A decode step of a MoE model on an engine profile with engines.toml moe_layer_time (llama.cpp
and Ollama on CUDA: Ollama runs ggml's MoE kernels too) pays a fixed time per MoE layer on top of
the bytes it reads: the router, top-k, weight gather and expert-sum kernels of each MoE layer.
The time is the calibration's (calibration.json moe_layer_decode_us, fitted by gpuatlas
calibrate), the model_constants prior where none was fitted. Dense models, other engines and
other backends do not pay it."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

import gpuatlas.performance.calibration_table as table
from gpuatlas.calibration.fitting import decode_terms, fit_moe_layer_time, moe_layer_rows
from gpuatlas.calibration.fitting import observations as to_observations
from gpuatlas.catalog.measurements import load_measurements
from gpuatlas.catalog.model_names import resolve_model
from gpuatlas.performance.calibration_table import Calibration, shipped_calibration
from gpuatlas.performance.engine_profiles import resolve_engine
from gpuatlas.performance.engine_specs import engine_profile
from gpuatlas.performance.llm.predict import llm_runtime

pytestmark = pytest.mark.unit

LAYER_US = 60.0  # a time per MoE layer as a calibration could have fitted it
QWEN3_MOE_LAYERS = 48  # Qwen3-30B-A3B config.json: 48 layers, every one MoE (128 experts, 8 used)
FUSED_US = 10.0  # a time per MoE layer of the fused era as a calibration could have fitted it


def _with_time(layer_us: float, version: str, fused_us: float | None = None) -> Calibration:
    """Both eras' time per MoE layer (the fused era's `fused_us` when given, else the same)."""
    fused = {"us": layer_us if fused_us is None else fused_us, "n": 2.0}
    return replace(
        shipped_calibration(),
        version=version,
        moe_layer={"us": layer_us, "n": 2.0},
        moe_layer_eras={"fused": fused},
    )


def _step_s(calibration: Calibration, model: str, weights: str, engine: str) -> float:
    with table.using_calibration(calibration):
        runtime = llm_runtime("rtx-4090", model, weights, engine)
    return float(runtime.decode_step_s(1, 512))


def test_the_prior_is_no_time_per_moe_layer() -> None:
    assert table.MOE_LAYER_US_PRIOR == 0.0
    assert replace(shipped_calibration(), moe_layer={}).moe_layer_us == 0.0


def test_qwen3_moe_pays_its_48_moe_layers_where_a_dense_model_pays_none() -> None:
    # The term is the MoE layers x the time per layer: 48 x 60 us = 2.88 ms per token for
    # Qwen3-30B-A3B, whatever it reads; Llama-2-7B (dense, of about twice the active bytes)
    # pays nothing, so of two models reading the same bytes the MoE one is slower by it.
    with_time = _with_time(LAYER_US, "test-moe-layer-on")
    without = _with_time(0.0, "test-moe-layer-off")
    # (llama.cpp-2025: the builds that pay it per layer, not per used expert)
    moe_extra = _step_s(with_time, "qwen3-30b-a3b", "q4_0", "llama.cpp-2025")
    moe_extra -= _step_s(without, "qwen3-30b-a3b", "q4_0", "llama.cpp-2025")
    assert moe_extra == pytest.approx(QWEN3_MOE_LAYERS * LAYER_US * 1e-6, rel=1e-9)
    dense_extra = _step_s(with_time, "llama-2-7b", "q4_0", "llama.cpp-2025")
    dense_extra -= _step_s(without, "llama-2-7b", "q4_0", "llama.cpp-2025")
    assert dense_extra == 0.0


@pytest.mark.parametrize("engine", ["ollama", "ollama 0.12.6", "ollama 0.9.0"])
def test_ollama_pays_the_same_48_moe_layers_on_cuda(engine: str) -> None:
    # Ollama's llama runner is llama.cpp's graph, and its own Go engine builds the same ops
    # (model/models/qwen3/model.go: router, Softmax, TopK, Rows, MulmatID experts, and one Add
    # per used expert): every generation on CUDA pays the time per MoE layer.
    with_time = _with_time(LAYER_US, "test-moe-layer-ollama-on")
    without = _with_time(0.0, "test-moe-layer-ollama-off")
    extra = _step_s(with_time, "qwen3-30b-a3b", "q4_k_m", engine)
    extra -= _step_s(without, "qwen3-30b-a3b", "q4_k_m", engine)
    assert extra == pytest.approx(QWEN3_MOE_LAYERS * LAYER_US * 1e-6, rel=1e-9)


@pytest.mark.parametrize(
    ("engine", "pays"),
    [
        ("llama.cpp", True),
        ("llama.cpp-2025", True),  # its own flag: the bench generation of the same kernels
        ("llama.cpp-2025-fused-moe", True),  # its own flag: that generation after the fusions
        ("llama.cpp-metal", False),  # extends llama.cpp but its rows show no such time
        ("llama.cpp-vulkan", False),
        ("mlx-lm", False),
        ("vllm", False),
        ("ollama", True),  # ggml's MoE kernel chain underneath (see engines.toml)
        ("ollama-2025", True),  # its own flag, as llama.cpp-2025
        ("ollama-2024", True),
        ("ollama-metal", False),  # backends without rows showing it, as llama.cpp's
        ("ollama-rocm", False),
        ("ollama-vulkan", False),
    ],
)
def test_who_pays_the_moe_layer_time(engine: str, pays: bool) -> None:
    assert resolve_engine(engine).moe_layer_time is pays


def test_ollama_pays_the_time_without_calibrating_it() -> None:
    # Ollama pays the time fitted on llama.cpp's rows (the same kernels) but its own MoE rows,
    # whose GPU groups have no dense row to fix the level, do not move it.
    assert resolve_engine("ollama").fits_moe_layer_time is False
    assert resolve_engine("llama.cpp").fits_moe_layer_time is True
    items = [i for i in to_observations(load_measurements()) if i.kind == "decode"]
    assert all(item.row.engine != "ollama" for item in moe_layer_rows(items))


@pytest.mark.parametrize(
    ("engine", "era_us"),
    [
        ("llama.cpp-2025", LAYER_US),  # builds before the 2025-11 era (the fused MoE chain)
        ("llama.cpp-2025-fused-moe", FUSED_US),  # named by month from 2025-11
        ("llama.cpp", FUSED_US),  # the current builds keep the fused chain
        ("ollama", LAYER_US),  # pays llama.cpp's time of the builds before
    ],
)
def test_each_build_era_pays_its_own_time(engine: str, era_us: float) -> None:
    # Qwen3-30B-A3B's 48 MoE layers at the era's time: 60 us per layer before the fusions,
    # 10 us per layer after them.
    with_times = _with_time(LAYER_US, "test-moe-layer-eras-on", fused_us=FUSED_US)
    without = _with_time(0.0, "test-moe-layer-eras-off")
    extra = _step_s(with_times, "qwen3-30b-a3b", "q4_0", engine)
    extra -= _step_s(without, "qwen3-30b-a3b", "q4_0", engine)
    assert extra == pytest.approx(QWEN3_MOE_LAYERS * era_us * 1e-6, rel=1e-9)


@pytest.mark.parametrize(
    ("version", "date", "profile"),
    [
        ("master of 2025-10-29", "2025-10-29", "llama.cpp-2025"),  # PR #16834, before #16857
        ("build 5cca2542a", "2025-10-26", "llama.cpp-2025"),  # PR #16715's base commit
        ("master of 2026-01-23", "2026-01-23", "llama.cpp-2025-fused-moe"),  # PR #19053
        ("b4426", None, "llama.cpp-2025"),  # a build number keeps its generation
    ],
)
def test_builds_named_by_month_choose_their_moe_era(
    version: str, date: str | None, profile: str
) -> None:
    assert engine_profile("llama.cpp", None, version, date).id == profile


@pytest.mark.parametrize(
    ("version", "profile"),
    [
        ("b6841", "llama.cpp-2025"),  # PR #16715's merge: gate/up fused, no expert reduce yet
        ("b6901", "llama.cpp-2025"),  # the last build before PR #16857's merge commit
        ("b6902", "llama.cpp-2025-fused-moe"),  # PR #16857 merged (ggml-org/llama.cpp 4146d6a1a)
        ("b7825", "llama.cpp-2025-fused-moe"),  # January 2026
        ("b9436", "llama.cpp-2025-fused-moe"),  # the last build whose llama-bench ran -fa 0
        ("b9437", "llama.cpp"),  # -fa auto in llama-bench (PR #23714): the current profile
    ],
)
def test_builds_named_by_number_choose_their_moe_era(version: str, profile: str) -> None:
    assert engine_profile("llama.cpp", None, version, None).id == profile


@pytest.mark.parametrize("engine", ["llama.cpp-2025-fused-moe", "llama.cpp"])
@pytest.mark.parametrize(
    ("model", "weights", "moe_layers"),
    [("gpt-oss-20b", "mxfp4_moe", 24), ("qwen3-30b-a3b", "q4_0", QWEN3_MOE_LAYERS)],
)
def test_the_fused_era_pays_its_time_per_moe_layer(
    engine: str, model: str, weights: str, moe_layers: int
) -> None:
    # The CUDA backend fuses the n_expert_used - 1 adds over the used experts into one launch
    # (ggml_cuda_op_fused_add, PR #15631), so top-4 gpt-oss-20b (24 MoE layers) and top-8
    # Qwen3-30B-A3B (48) pay the fitted time once per MoE layer, not per used expert.
    with_times = _with_time(0.0, "test-moe-per-layer-on", fused_us=FUSED_US)
    without = _with_time(0.0, "test-moe-per-layer-off")
    extra = _step_s(with_times, model, weights, engine) - _step_s(without, model, weights, engine)
    assert extra == pytest.approx(moe_layers * FUSED_US * 1e-6, rel=1e-9)


def test_the_eras_round_trip_through_the_calibration_file() -> None:
    document = table.calibration_document(_with_time(42.5, "test-moe-eras-file", 7.5), "test")
    assert document["moe_layer_decode_us_by_era"] == {"fused": {"us": 7.5, "n": 2}}
    again = table.parse_calibration(json.dumps(document))
    assert again.moe_layer_us_of("fused") == pytest.approx(7.5)
    assert again.moe_layer_us_of("") == pytest.approx(42.5)
    assert replace(again, moe_layer_eras={}).moe_layer_us_of("fused") == table.MOE_LAYER_US_PRIOR


def test_the_time_round_trips_through_the_calibration_file() -> None:
    document = table.calibration_document(_with_time(42.5, "test-moe-layer-file"), "test")
    assert document["moe_layer_decode_us"] == {"us": 42.5, "n": 2}
    again = table.parse_calibration(json.dumps(document))
    assert again.moe_layer_us == pytest.approx(42.5)
    unfitted = table.calibration_document(replace(shipped_calibration(), moe_layer={}), "test")
    assert "moe_layer_decode_us" not in unfitted
    assert table.parse_calibration(json.dumps(unfitted)).moe_layer_us == table.MOE_LAYER_US_PRIOR


def test_the_decode_fit_reads_the_rows_with_the_time_in_force() -> None:
    # The fit's fixed seconds of a paying row carry its MoE layers x the time in force, so
    # the levels refitted at each candidate time see the bytes' share of the step only.
    items = [i for i in to_observations(load_measurements()) if i.kind == "decode"]
    paying = moe_layer_rows(items)
    assert paying
    item = paying[0]
    with table.using_calibration(_with_time(0.0, "test-moe-terms-off")):
        off = decode_terms(item)
    with table.using_calibration(_with_time(LAYER_US, "test-moe-terms-on")):
        on = decode_terms(item)
    assert off is not None and on is not None
    model = resolve_model(item.row.model)
    expected = model.moe_layers * LAYER_US * 1e-6
    assert on.fixed_s - off.fixed_s == pytest.approx(expected, rel=1e-9)


def test_without_paying_rows_the_fit_keeps_the_prior() -> None:
    dense = [
        item
        for item in to_observations(load_measurements())
        if item.kind == "decode" and item.row.model.startswith("meta-llama/Llama-2-7b")
    ]
    fitted = fit_moe_layer_time(replace(shipped_calibration(), version="test-moe-none"), dense)
    assert fitted.moe_layer == {}
    assert fitted.moe_layer_eras == {}
    assert fitted.moe_layer_us == table.MOE_LAYER_US_PRIOR
