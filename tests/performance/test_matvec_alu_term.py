"""A few-sequence decode step of llama.cpp's quantised mat-vec takes the longer of its weight
bytes and its unpacking ALU work (formats.toml matvec_alu_ops_per_weight at the share of the
issue rate fitted for the backend, calibration.json matvec_alu_issue_share_by_backend) on GPUs
whose FP32 lanes also issue the integer work; NVIDIA
Volta and newer (a separate INT32 pipe), 16-bit weights and vendor-library engines keep the
bytes alone."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from gpuatlas.catalog.formats import resolve_format
from gpuatlas.catalog.systems import resolve_system
from gpuatlas.performance.llm.predict import llm_runtime, predict_runtime
from gpuatlas.performance.llm.step_times import (
    MATVEC_MAX_BATCH,
    LlmRuntime,
    matvec_alu_backend,
)
from gpuatlas.performance.peak_rates import has_concurrent_int32_pipe
from gpuatlas.performance.primitives import ARRAY

SHARE = 0.35  # a share at which a P40 Q2_K/Q3_K step is ALU-bound (the tests set it)

pytestmark = pytest.mark.unit


def _p40(weights: str) -> LlmRuntime:
    runtime = llm_runtime("p40", "llama-2-7b", weights, "llama.cpp")
    return replace(runtime, matvec_alu_issue_share=SHARE)


def _expected_alu_bytes(runtime: LlmRuntime, batch: int) -> float:
    """weights x batch x ops per weight at half the FP32 FLOP rate x the share, as bytes."""
    weight_bytes = float(runtime.shape.weight_read_bytes(batch))
    weights = weight_bytes / (runtime.weight_format.model_bits_per_weight / 8.0)
    ops = weights * batch * runtime.matvec_alu_ops_per_weight
    alu_s = ops / (runtime.system.gpu.fp32_tflops * 1e12 / 2.0 * runtime.matvec_alu_issue_share)
    return alu_s * runtime.bandwidth_bytes_s


def test_k_quants_cost_more_alu_per_byte_than_legacy_quants() -> None:
    # Counted from vecdotq.cuh: Q2_K/Q3_K unpack 16-weight sub-blocks with their own scales,
    # Q4_0/Q8_0 only mask nibbles or take bytes as they are.
    def per_byte(format_id: str) -> float:
        found = resolve_format(format_id)
        return found.matvec_alu_ops_per_weight / (found.model_bits_per_weight / 8.0)

    assert per_byte("q8_0") < per_byte("q4_0") < per_byte("q4_k_m") < per_byte("q2_k")
    assert per_byte("q3_k_s") > 4 * per_byte("q4_0")
    assert resolve_format("fp16").matvec_alu_ops_per_weight == 0.0


@pytest.mark.parametrize(
    ("gpu", "expected"),
    [("p40", False), ("v100-sxm2-32gb", True), ("rtx-4090", True), ("h100-sxm", True)],
)
def test_which_gpus_have_a_separate_int32_pipe(gpu: str, expected: bool) -> None:
    assert has_concurrent_int32_pipe(resolve_system(gpu).gpu) is expected


def test_apple_and_amd_gpus_share_their_lanes() -> None:
    assert not has_concurrent_int32_pipe(resolve_system("apple-m2-ultra-76c").gpu)
    assert not has_concurrent_int32_pipe(resolve_system("rx-7900-xtx").gpu)


def test_a_p40_q2_k_step_is_bound_by_its_alu_work() -> None:
    # P40: 11.8 TFLOP/s FP32 (5.9e12 lane instructions/s), 347 GB/s. Q2_K's ~6.5
    # instructions per 0.42 bytes at the share exceed what the bytes take.
    runtime = _p40("q2_k")
    weight_bytes = float(runtime.shape.weight_read_bytes(1))
    expected = _expected_alu_bytes(runtime, 1)
    assert expected > weight_bytes
    assert float(runtime.matvec_alu_excess_bytes(1)) == pytest.approx(expected - weight_bytes)
    _, moved = runtime.decode_terms(1, 0)
    assert float(moved) == pytest.approx(expected, rel=1e-6)


def test_the_alu_work_grows_with_the_sequences_up_to_the_mat_vec_batch() -> None:
    runtime = _p40("q4_0")
    for batch in (1, 4, MATVEC_MAX_BATCH):
        assert float(runtime.matvec_alu_bytes(batch)) == pytest.approx(
            _expected_alu_bytes(runtime, batch)
        )
    assert float(runtime.matvec_alu_bytes(MATVEC_MAX_BATCH + 1)) == 0.0  # MMQ takes over


@pytest.mark.parametrize(
    ("gpu", "weights", "engine"),
    [
        ("rtx-4090", "q2_k", "llama.cpp"),  # Ada: INT32 pipe beside the FP32 one
        ("p40", "gguf-f16", "llama.cpp"),  # no count for 16-bit weights
        ("apple-m2-ultra-76c", "mlx-4bit", "mlx-lm"),  # no count for MLX's kernels yet
    ],
)
def test_no_alu_term_where_it_does_not_apply(gpu: str, weights: str, engine: str) -> None:
    runtime = llm_runtime(gpu, "llama-2-7b", weights, engine)
    assert float(runtime.matvec_alu_excess_bytes(1)) == 0.0


def test_vendor_library_engines_get_no_alu_term() -> None:
    runtime = llm_runtime("p40", "llama-2-7b", "q2_k", "llama.cpp")
    library = replace(runtime.engine, own_matvec_kernels=False)
    assert matvec_alu_backend(library, runtime.system.gpu) is None
    assert matvec_alu_backend(runtime.engine, runtime.system.gpu) == "cuda"


def test_the_array_path_gives_the_row_path_values() -> None:
    runtime = llm_runtime("apple-m1-max-32c", "llama-2-7b", "q4_k_m", "llama.cpp")
    batches = np.array([1.0, 2.0, 8.0, 9.0, 32.0])
    contexts = np.array([0.0, 512.0, 100.0, 4096.0, 64.0])
    vector = runtime.decode_step_s(batches, contexts, ARRAY)
    rows = [float(runtime.decode_step_s(b, c)) for b, c in zip(batches, contexts, strict=True)]
    assert np.allclose(vector, rows, rtol=1e-12)


def test_mbu_counts_the_bytes_moved_not_the_alu_time() -> None:
    runtime = _p40("q3_k_s")
    prediction = predict_runtime(runtime, batch=1, input_tokens=0, output_tokens=128)
    _, charged = runtime.decode_terms(1, 64)
    moved = float(charged) - float(runtime.matvec_alu_excess_bytes(1))
    expected = moved / (prediction.tpot_ms.value / 1e3) / runtime.bandwidth_bytes_s
    assert prediction.mbu.value == pytest.approx(expected)
    assert float(runtime.matvec_alu_excess_bytes(1)) > 0.0  # the step waits on the ALU


def test_metal_counts_its_own_kernels() -> None:
    # ggml-metal's mat-vec converts every nibble to float and multiplies it with a float
    # activation (no dp4a): a Q4_0 weight costs more than a Q8_0 one there, the reverse of
    # ggml-cuda's MMVQ, where dp4a takes four 8-bit products at once.
    q4_0, q8_0 = resolve_format("q4_0"), resolve_format("q8_0")
    assert q4_0.matvec_alu_ops_on("metal") > q8_0.matvec_alu_ops_on("metal")
    assert q4_0.matvec_alu_ops_on("cuda") < q8_0.matvec_alu_ops_on("cuda")
    q2_k = resolve_format("q2_k")  # a format without a Metal count: the CUDA count stands in
    uncounted = replace(q2_k, metal_matvec_alu_ops_per_weight=0.0)
    assert uncounted.matvec_alu_ops_on("metal") == q2_k.matvec_alu_ops_per_weight


def test_metal_q3_k_pays_its_high_bit_per_weight() -> None:
    # kernel_mul_mv_q3_K_f32: every weight's high bit is a mask test and a select on top of
    # the low bits' and/convert/fma, so a pure Q3_K weight costs more than a Q4_K one (two
    # nibbles per byte, masked and converted) and a Q2_K one (no high bit): 8.4 > 5.6 > 5.2
    q2_k_s, q3_k_s, q4_k_s = (resolve_format(f) for f in ("q2_k_s", "q3_k_s", "q4_k_s"))
    metal = [f.matvec_alu_ops_on("metal") for f in (q2_k_s, q4_k_s, q3_k_s)]
    assert metal == sorted(metal) and metal[2] > 1.4 * metal[1]
    # the _L mix's Q5_K tensors (9.5 on Metal) raise it, the _M mix's Q4_K ones lower it
    q3_k_m, q3_k_l = resolve_format("q3_k_m"), resolve_format("q3_k_l")
    assert q3_k_m.matvec_alu_ops_on("metal") < q3_k_s.matvec_alu_ops_on("metal")
    assert q3_k_l.matvec_alu_ops_on("metal") > q3_k_s.matvec_alu_ops_on("metal")


def test_the_runtime_counts_the_backend_it_runs_on() -> None:
    apple = llm_runtime("apple-m2-ultra-76c", "llama-2-7b", "q4_k_m", "llama.cpp")
    p40 = llm_runtime("p40", "llama-2-7b", "q4_k_m", "llama.cpp")
    q4_k_m = resolve_format("q4_k_m")
    assert apple.matvec_alu_ops_per_weight == q4_k_m.metal_matvec_alu_ops_per_weight
    assert p40.matvec_alu_ops_per_weight == q4_k_m.matvec_alu_ops_per_weight
    ada = llm_runtime("rtx-4090", "llama-2-7b", "q4_k_m", "llama.cpp")
    assert ada.matvec_alu_ops_per_weight == 0.0  # a separate INT32 pipe: no ALU term
