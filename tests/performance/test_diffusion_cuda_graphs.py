"""A denoiser whose forwards replay a captured CUDA graph (torch.compile mode 'reduce-overhead' or
'max-autotune', TensorRT with CUDA graphs) spends no host launch time per step (issue 10)."""

from __future__ import annotations

from gpuatlas.catalog.measurements import load_measurements
from gpuatlas.catalog.systems import resolve_system
from gpuatlas.performance import api
from gpuatlas.performance.media.diffusion import diffusion_work
from gpuatlas.performance.resolve import as_diffusion

GRAPH_MODES = ("reduce-overhead", "max-autotune", "cuda graph")


def test_a_replayed_forward_costs_its_gpu_time_only() -> None:
    system, model = resolve_system("a100-80gb-sxm"), as_diffusion("sd-turbo")
    eager, replayed = (
        diffusion_work(
            system, model, resolution_px=512, steps=4, batch=1, cfg=None, variant=variant
        )
        for variant in ("torch.compile", "torch.compile+cuda-graphs")
    )
    # at batch 1 and 512 px the UNet's GPU time is a few ms: 30 ms of launches dominate
    assert replayed.forward_s(0.5, 30.0) < 0.5 * eager.forward_s(0.5, 30.0)
    assert replayed.forward_s(0.5, 30.0) == replayed.forward_s(0.5, 0.0)


def test_the_prediction_says_graphs_take_the_host_time_away() -> None:
    found = api.predict_diffusion(
        "a100-80gb-sxm", "sd-turbo", steps=4, variant="torch.compile+cuda-graphs"
    )
    assert any("captured CUDA graph" in note for note in found.notes)


def test_rows_whose_sources_state_graph_modes_say_cuda_graphs() -> None:
    rows = [r for r in load_measurements() if r.metric in ("image_s", "images_per_min")]
    stated = [
        r
        for r in rows
        if any(mode in f"{r.notes} {r.engine_version}".lower() for mode in GRAPH_MODES)
        and ((r.variant and "torch.compile" in r.variant) or r.engine == "tensorrt")
    ]
    assert len(stated) >= 40
    assert all(r.variant and "cuda-graphs" in r.variant for r in stated)
