"""GeForce/workstation Blackwell trains faster than Ada where its datasheet says so (issue 10).

The RTX 5090 has 209.5 dense bf16 TFLOPS (fp32 accumulate) and 1,792 GB/s against the RTX
4090's 165.2 TFLOPS and 1,008 GB/s, and runs the same warp-level MMA kernels (sm_120 has no
tcgen05 of the B200). Its predicted training speed was 0.80x the 4090's because the
calibration's "blackwell" compute prior (set for B200) was applied to it."""

from __future__ import annotations

import pytest

from gpuatlas.catalog.gpus import resolve_gpu
from gpuatlas.catalog.systems import build_system
from gpuatlas.performance import api
from gpuatlas.performance.peak_rates import peak_flops
from gpuatlas.performance.training.speed import fitted_mfu


def _tokens_per_s(gpu: str, method: str) -> float:
    prediction = api.predict_training(
        gpu, "llama-3.1-8b", tokens=1e9, method=method, micro_batch=1, recompute=True
    )
    return prediction.tok_s.value


@pytest.mark.parametrize("method", ["lora", "qlora"])
def test_the_5090_fine_tunes_faster_than_the_4090(method: str) -> None:
    ratio = _tokens_per_s("rtx-5090", method) / _tokens_per_s("rtx-4090", method)
    peak_ratio = (
        peak_flops(resolve_gpu("rtx-5090"), "bf16")[0]
        / peak_flops(resolve_gpu("rtx-4090"), "bf16")[0]
    )
    assert peak_ratio == pytest.approx(209.5 / 165.2)
    # compute-bound: at least the gain in dense bf16 peak, within the calibration's spread
    assert ratio > 1.15


def test_geforce_blackwell_reaches_a_geforce_share_of_its_peak_not_the_b200s() -> None:
    geforce_mfu, _ = fitted_mfu(build_system(resolve_gpu("rtx-5090"), 1))
    ada_mfu, _ = fitted_mfu(build_system(resolve_gpu("rtx-4090"), 1))
    b200_mfu, _ = fitted_mfu(build_system(resolve_gpu("b200"), 1))
    assert geforce_mfu > b200_mfu
    assert geforce_mfu == pytest.approx(ada_mfu, rel=0.25)
