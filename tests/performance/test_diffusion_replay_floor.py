"""A replayed CUDA graph (torch.compile 'reduce-overhead', TensorRT or stable-fast with graphs)
takes the host's launches away, but its kernels still run one after another on the GPU, each
with a floor (graph launch gap, ramp and tail of a small grid). That per-kernel time scales with
the kernel count as eager's host time does with its op count, so a replayed forward keeps a
fitted share of eager diffusers' host time per forward, as GPU time (issue 10)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from gpuatlas.calibration.fitting import ImageTerms, _Params, fit_replay_share
from gpuatlas.performance.calibration_table import current_calibration, using_calibration
from gpuatlas.performance.media.diffusion import (
    EAGER_ENGINE,
    REPLAY_KEY,
    DiffusionWork,
    diffusion_work,
    image_params,
    predict_diffusion_run,
    replay_floor_ms,
    replay_host_share,
)
from gpuatlas.performance.resolve import as_diffusion, as_system

EAGER_HOST_MS = 20.0
PARAMS = _Params(
    eta_memory=1.0,
    eta_compute=0.6,
    step_overhead_ms=EAGER_HOST_MS,
    factor=1.0,
    sequence_overhead_us=-1.0,
)


def _replayed(gpu: str, batch: int = 1) -> DiffusionWork:
    # SD 1.5 at 512 px, 50 steps: at batch 1 a forward's GPU time is a few ms on these GPUs
    return diffusion_work(
        as_system(gpu),
        as_diffusion("sd-1.5"),
        resolution_px=512,
        steps=50,
        batch=batch,
        cfg=None,
        weights="fp16",
        variant="torch.compile+cuda-graphs",
    )


def _rows(true_share: float) -> list[tuple[_Params, tuple[ImageTerms, float]]]:
    rows = []
    for gpu in ("a100-80gb-sxm", "h100-sxm", "rtx-4090"):
        work = _replayed(gpu)
        measured = float(work.unscaled_batch_s(0.6, EAGER_HOST_MS, true_share * EAGER_HOST_MS))
        rows.append((PARAMS, (ImageTerms(work, measured, 1.0, gpu), EAGER_HOST_MS)))
    return rows


@pytest.mark.unit
def test_a_replayed_forward_adds_its_floor_to_the_gpu_time() -> None:
    work = _replayed("h100-sxm")
    gpu_only = work.forward_s(0.5, 0.0)
    # the host time itself is gone (a graph launch, not hundreds of kernel launches) ...
    assert work.forward_s(0.5, 30.0) == pytest.approx(gpu_only)
    # ... and the floor is GPU time the kernels take on top of their roofline time
    assert work.forward_s(0.5, 30.0, 4.0) == pytest.approx(gpu_only + 0.004)


@pytest.mark.unit
def test_the_floor_matters_at_batch_1_and_fades_at_large_batches() -> None:
    small, large = _replayed("h100-sxm", 1), _replayed("h100-sxm", 16)
    small_gain = small.forward_s(0.5, 0.0, 4.0) / small.forward_s(0.5, 0.0)
    large_gain = large.forward_s(0.5, 0.0, 4.0) / large.forward_s(0.5, 0.0)
    assert small_gain > 1.3
    assert large_gain < 1.1


@pytest.mark.unit
def test_rows_replayed_without_a_floor_keep_a_share_of_zero() -> None:
    assert fit_replay_share(_rows(0.0)) == 0.0


@pytest.mark.unit
def test_rows_slower_than_their_gpu_time_raise_the_share_toward_what_they_measured() -> None:
    # three GPUs whose replayed forwards kept 40 % of the eager host time: the share rises
    # toward 0.4; the prior toward 0 (2 pseudo-GPUs against these 3) keeps it below
    share = fit_replay_share(_rows(0.4))
    assert 0.15 <= share < 0.4


@pytest.mark.unit
def test_the_prediction_keeps_the_fitted_share_of_eagers_host_time() -> None:
    system, model = as_system("h100-sxm"), as_diffusion("sd-1.5")
    groups = dict(current_calibration().groups)
    groups[REPLAY_KEY] = {"host_ratio": 0.25, "n": 10.0}
    with using_calibration(replace(current_calibration(), groups=groups, version="t-replay")):
        assert replay_host_share() == 0.25
        eager_host_ms = image_params(system, model, EAGER_ENGINE).step_overhead_ms
        floor = replay_floor_ms(system, model, "torch.compile+cuda-graphs")
        assert floor == pytest.approx(0.25 * eager_host_ms)
        assert replay_floor_ms(system, model, "torch.compile") == 0.0
        found = predict_diffusion_run(
            system,
            model,
            resolution_px=512,
            steps=50,
            batch=1,
            cfg=None,
            weights="fp16",
            variant="torch.compile+cuda-graphs",
        )
        assert any("GPU-side floor" in note and "0.25x" in note for note in found.notes)


@pytest.mark.unit
def test_graphs_stay_faster_than_the_same_compile_without_them() -> None:
    def seconds(variant: str) -> float:
        return predict_diffusion_run(
            as_system("a100-80gb-sxm"),
            as_diffusion("sd-1.5"),
            resolution_px=512,
            steps=50,
            batch=1,
            cfg=None,
            weights="fp16",
            variant=variant,
        ).s_per_image.value

    assert seconds("torch.compile+cuda-graphs") < seconds("torch.compile")
