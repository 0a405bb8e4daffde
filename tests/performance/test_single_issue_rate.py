"""A quantised mat-vec's unpacking (integer and bit instructions) issues one instruction per
FP32 lane and clock. Datasheets of RDNA 3/3.5/4 and CDNA 3/4 count dual-issued or packed FP32
in their FP32 rate, so the lanes x clock rate is a quarter of it there and half elsewhere."""

from __future__ import annotations

import pytest

from gpuatlas.catalog.gpus import gpu_by_id
from gpuatlas.performance.llm.predict import llm_runtime
from gpuatlas.performance.peak_rates import single_issue_per_s

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("gpu_id", "compute_units", "boost_ghz"),
    [
        ("rx-7900-xtx", 96, 2.5),  # RDNA 3: dual issue counted in its 61.4 TFLOPS
        ("rx-9070-xt", 64, 2.97),  # RDNA 4
        ("mi300x", 304, 2.1),  # CDNA 3: packed FP32 counted in its 163.4 TFLOPS
        ("rx-6800-xt", 72, 2.25),  # RDNA 2: no dual issue
        ("mi250x-gcd", 110, 1.7),  # CDNA 2: one GCD of the MI250X's two
        ("mi50-32gb", 60, 1.725),  # GCN 5
    ],
)
def test_the_single_issue_rate_is_lanes_times_clock(
    gpu_id: str, compute_units: int, boost_ghz: float
) -> None:
    lanes_per_compute_unit = 64
    expected = compute_units * lanes_per_compute_unit * boost_ghz * 1e9
    assert single_issue_per_s(gpu_by_id(gpu_id)) == pytest.approx(expected, rel=0.01)


def test_the_mat_vec_unpacking_runs_at_the_single_issue_rate() -> None:
    rdna3 = llm_runtime("rx-7900-xtx", "llama-3.1-8b", "q4_k_m", "llama.cpp")
    gcn5 = llm_runtime("mi50-32gb", "llama-3.1-8b", "q4_k_m", "llama.cpp")
    for runtime, lanes_per_s in ((rdna3, 96 * 64 * 2.5e9), (gcn5, 60 * 64 * 1.725e9)):
        issue_per_s = lanes_per_s * runtime.matvec_alu_issue_share
        expected = runtime.matvec_alu_ops_per_weight / issue_per_s
        assert runtime.matvec_alu_s_per_weight == pytest.approx(expected, rel=0.01)
    # a datasheet FP32 rate of 4.6x the MI50's is 2.3x its unpacking rate, not 4.6x
    assert rdna3.vector_flops / gcn5.vector_flops == pytest.approx(61.44 / 13.3)
    assert rdna3.single_issue_per_s / gcn5.single_issue_per_s == pytest.approx(61.44 / 13.3 / 2)


def test_nvidia_and_apple_rates_are_half_their_fp32_flops() -> None:
    for gpu_id in ("rtx-4090", "apple-m2-ultra-76c", "a100-80gb-sxm"):
        gpu = gpu_by_id(gpu_id)
        assert gpu.fp32_tflops is not None
        assert single_issue_per_s(gpu) == pytest.approx(gpu.fp32_tflops * 1e12 / 2)
