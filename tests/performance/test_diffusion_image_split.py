"""One image split over GPUs by xDiT's sequence parallelism (Ulysses, Ring) or CFG parallel:
each GPU does 1/s of the forward's FLOPs, keeps the whole weights, and exchanges activations
per attention layer (image_parallel.py); the host time of each exchange call is fitted in
calibrate (issue 10)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from gpuatlas.calibration.fitting import ImageTerms, _Params, fit_split_call_host_us
from gpuatlas.calibration.written_rows import _engine as written_engine
from gpuatlas.catalog.systems import Link
from gpuatlas.errors import InvalidRequestError
from gpuatlas.performance.calibration_table import current_calibration, using_calibration
from gpuatlas.performance.media.diffusion import (
    DiffusionWork,
    diffusion_work,
    predict_diffusion_run,
    split_key,
)
from gpuatlas.performance.media.image_parallel import (
    ImageParallelism,
    TokenShape,
    exchange_bytes_per_gpu,
    exchange_count,
    exchange_s,
    image_parallelism,
    splits_by_default,
)
from gpuatlas.performance.resolve import as_diffusion, as_system

# FLUX.1-dev at 1024 px: 4096 image + 512 text tokens, hidden 3072, 19 + 38 blocks
FLUX_1024 = TokenShape(layers=57, hidden=3072, tokens=4608)
ACTIVATION_BYTES = 4608 * 3072 * 2  # one layer's [tokens x hidden] in bf16


def _work(
    gpus: int,
    variant: str | None,
    engine: str = "diffusers",
    model: str = "flux.1-dev",
    cfg: bool | None = None,
) -> DiffusionWork:
    return diffusion_work(
        as_system(f"{gpus}x h100-sxm"),
        as_diffusion(model),
        resolution_px=1024,
        steps=28,
        batch=1,
        cfg=cfg,
        weights="bf16",
        variant=variant,
        engine=engine,
    )


@pytest.mark.unit
def test_ulysses_sends_four_all_to_alls_of_its_token_share_per_layer() -> None:
    # u = 4: each GPU holds N/4 tokens and sends 3/4 of them, four times per layer
    ulysses, ring = exchange_bytes_per_gpu(FLUX_1024, ImageParallelism(ulysses=4), 1, 2.0)
    assert ulysses == pytest.approx(57 * 4 * ACTIVATION_BYTES / 4 * 3 / 4)
    assert ring == 0.0


@pytest.mark.unit
def test_ring_passes_k_and_v_around_r_minus_one_hops_per_layer() -> None:
    ulysses, ring = exchange_bytes_per_gpu(FLUX_1024, ImageParallelism(ring=4), 1, 2.0)
    assert ulysses == 0.0
    assert ring == pytest.approx(57 * 2 * ACTIVATION_BYTES / 4 * 3)


@pytest.mark.unit
def test_exchange_time_is_bytes_over_the_link_plus_a_latency_per_call() -> None:
    link = Link(
        id="test",
        name="test",
        kind="nvlink",
        per_direction_gb_s=100.0,
        latency_us=5.0,
        allreduce_efficiency=0.5,
        peer_to_peer=True,
        source="test",
    )
    split = ImageParallelism(ulysses=2, ring=2)
    ulysses, ring = exchange_bytes_per_gpu(FLUX_1024, split, 1, 2.0)
    calls = exchange_count(FLUX_1024, split)
    assert calls == 57 * (4 + 2)
    expected = (ulysses + ring) / 50e9 + calls * 5e-6
    assert exchange_s(FLUX_1024, split, 1, 2.0, link) == pytest.approx(expected)


@pytest.mark.unit
def test_a_split_forward_carries_one_sth_of_the_flops_and_all_the_weights() -> None:
    one, four = _work(1, None), _work(4, "ulysses-4")
    assert four.forward_flops == pytest.approx(one.forward_flops / 4)
    assert four.forward_bytes == one.forward_bytes
    assert four.gpus_per_image == 4
    assert four.exchange_s > 0.0 and four.exchanges == 57 * 4


@pytest.mark.unit
def test_without_split_words_a_multi_gpu_run_is_replicas() -> None:
    replicas = _work(4, None)
    assert replicas.gpus_per_image == 1 and replicas.exchange_s == 0.0


@pytest.mark.unit
def test_xdit_on_several_gpus_defaults_to_ulysses_over_all_of_them() -> None:
    assert image_parallelism("xdit", set(), 8) == ImageParallelism(ulysses=8)
    assert image_parallelism("xdit", set(), 1) == ImageParallelism()
    assert _work(4, None, engine="xdit").gpus_per_image == 4


@pytest.mark.unit
def test_split_images_per_minute_count_one_image_per_group() -> None:
    split = predict_diffusion_run(
        as_system("4x h100-sxm"),
        as_diffusion("flux.1-dev"),
        resolution_px=1024,
        steps=28,
        batch=1,
        cfg=None,
        variant="ulysses-2",
    )
    per_image = split.s_per_image.value
    # two groups of two GPUs, each making one image per s_per_image
    assert split.images_per_min.value == pytest.approx(60.0 * 2 / per_image)


@pytest.mark.unit
def test_a_split_that_does_not_divide_the_gpus_is_refused() -> None:
    with pytest.raises(InvalidRequestError, match="does not divide"):
        image_parallelism("diffusers", {"ulysses-3"}, 4)


@pytest.mark.unit
def test_a_unet_cannot_be_split_by_sequence() -> None:
    with pytest.raises(InvalidRequestError, match="UNet"):
        _work(2, "ulysses-2", model="sdxl-base-1.0")


@pytest.mark.unit
def test_cfg_parallel_halves_the_latents_of_a_forward() -> None:
    split = _work(2, "cfg-parallel", model="sd-3.5-large", cfg=True)
    whole = _work(2, None, model="sd-3.5-large", cfg=True)
    assert split.forward_flops == pytest.approx(whole.forward_flops / 2)
    assert split.exchange_s == 0.0


def _split_rows(true_us: float, copies: int) -> list[tuple[_Params, ImageTerms]]:
    params = _Params(
        eta_memory=1.0, eta_compute=0.5, step_overhead_ms=20.0, factor=1.0, sequence_overhead_us=-1
    )
    rows = []
    for copy in range(copies):
        for gpus, variant in ((2, "ulysses-2"), (4, "ulysses-4"), (4, "ring-4")):
            # the work without the packaged calibration's fitted call time: the rows' only call
            # time is `true_us`
            work = replace(_work(gpus, variant), exchange_host_s=0.0)
            measured = float(work.unscaled_batch_s(0.5, 20.0 + work.exchanges * true_us * 1e-3))
            rows.append((params, ImageTerms(work, measured, 1.0, f"gpu-{copy}-{gpus}-{variant}")))
    return rows


@pytest.mark.unit
def test_the_fit_moves_toward_the_host_time_per_exchange_call() -> None:
    assert fit_split_call_host_us(_split_rows(0.0, 1), {}) == 0.0
    few = fit_split_call_host_us(_split_rows(400.0, 1), {})
    many = fit_split_call_host_us(_split_rows(400.0, 10), {})
    # the prior (2 pseudo-GPUs that measured no call time) pulls toward 0, less with more GPUs
    assert 0.0 < few < many <= 400.0
    assert many >= 0.8 * 400.0


@pytest.mark.unit
def test_the_fitted_host_time_per_call_adds_to_each_forward_of_its_engine() -> None:
    base = current_calibration()
    groups = {**base.groups, split_key("diffusers"): {"kernel_overhead_us": 300.0, "n": 5.0}}
    with using_calibration(replace(base, groups=groups)):
        eager = _work(4, "ulysses-4")
        compiled = _work(4, "ulysses-4+torch.compile")
    assert eager.exchange_host_s == pytest.approx(57 * 4 * 300e-6)
    assert compiled.exchange_host_s == 0.0


@pytest.mark.unit
def test_xdit_named_in_the_engine_text_splits_by_default() -> None:
    # a measured row names its engine 'diffusers' and the application in its version text
    assert splits_by_default("diffusers", "diffusers xDiT (xfuser) 0.3.4")
    assert not splits_by_default("diffusers", "diffusers 0.30.0")
    split = image_parallelism("diffusers", set(), 4, "diffusers xDiT (xfuser) 0.3.4")
    assert split == ImageParallelism(ulysses=4)


@pytest.mark.unit
def test_a_written_image_row_keeps_the_application_it_names() -> None:
    cells = {"engine": "xDiT", "engine_version": "xfuser 0.3.4", "backend": ""}
    engine, version, _ = written_engine(cells, "image_s")
    assert engine == "diffusers"
    assert "xDiT" in version and "0.3.4" in version


@pytest.mark.unit
def test_an_xdit_unet_run_on_several_gpus_keeps_one_image_per_gpu() -> None:
    # xDiT's default split is a sequence split of DiTs; a UNet cannot take it
    assert _work(2, None, engine="xdit", model="sdxl-base-1.0").gpus_per_image == 1
