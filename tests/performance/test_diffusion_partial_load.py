"""UIs that load a denoiser partly (ComfyUI, SwarmUI, Forge) stream over PCIe every step only
the part that does not fit beside the working memory; diffusers' sequential offload streams all
of it (issue 10)."""

from __future__ import annotations

import pytest

from gpuatlas.catalog.gpus import gpu_by_id
from gpuatlas.performance import api
from gpuatlas.performance.media.pipeline_compute import (
    FITS_SHARE,
    PCIE_OFFLOAD_BYTES_S,
    PCIE_OFFLOAD_SHARE,
    ComponentBytes,
    offload_bytes_s,
    offload_for,
)

FLUX_LIKE = ComponentBytes(denoiser=23.8e9, text_encoders=9.9e9, vae=0.17e9)


def test_a_partial_load_streams_only_what_does_not_fit() -> None:
    capacity_gb, working_gb, steps = 16.0, 3.0, 20
    room_gb = capacity_gb * FITS_SHARE - working_gb
    partial = offload_for(FLUX_LIKE, working_gb, capacity_gb, steps, partial_load=True)
    sequential = offload_for(FLUX_LIKE, working_gb, capacity_gb, steps)
    others_s = (FLUX_LIKE.text_encoders + FLUX_LIKE.vae) / PCIE_OFFLOAD_BYTES_S
    streamed_s = steps * (FLUX_LIKE.denoiser - room_gb * 1e9) / PCIE_OFFLOAD_BYTES_S
    assert partial.kind == "partial" and sequential.kind == "sequential"
    assert partial.seconds == pytest.approx(streamed_s + others_s)
    assert sequential.seconds == pytest.approx(steps * 23.8e9 / PCIE_OFFLOAD_BYTES_S + others_s)
    assert any("partial load" in note for note in partial.note)


def test_a_partial_load_changes_nothing_when_the_denoiser_fits() -> None:
    for capacity_gb in (40.0, 80.0):
        assert offload_for(FLUX_LIKE, 3.0, capacity_gb, 20, partial_load=True) == offload_for(
            FLUX_LIKE, 3.0, capacity_gb, 20
        )


@pytest.mark.parametrize("engine", ["ComfyUI", "SwarmUI"])
def test_flux_on_a_16_gb_card_in_a_partial_loading_ui_beats_sequential_offload(
    engine: str,
) -> None:
    ui = api.predict_diffusion("rtx-4080", "flux.1-dev", steps=20, engine=engine)
    diffusers = api.predict_diffusion("rtx-4080", "flux.1-dev", steps=20, engine="diffusers")
    assert ui.offload == "partial" and diffusers.offload == "sequential"
    assert ui.s_per_image.value < diffusers.s_per_image.value


def test_forge_loads_partially_too() -> None:
    found = api.predict_diffusion("rtx-4060-ti-16gb", "flux.1-dev", steps=20, engine="forge")
    assert found.offload == "partial"


def test_a_card_that_holds_the_pipeline_is_the_same_in_comfyui_and_diffusers() -> None:
    ui = api.predict_diffusion("h100-sxm", "flux.1-dev", steps=20, engine="comfyui")
    diffusers = api.predict_diffusion("h100-sxm", "flux.1-dev", steps=20, engine="diffusers")
    assert ui.offload == diffusers.offload == "none"
    assert ui.s_per_image.value == pytest.approx(diffusers.s_per_image.value)


def test_the_partial_load_variant_word_loads_a_diffusers_run_partly() -> None:
    # a measured ComfyUI row names its engine 'diffusers'; the word carries the UI's loading
    worded = api.predict_diffusion(
        "rtx-4080", "flux.1-dev", steps=20, engine="diffusers", variant="partial-load"
    )
    ui = api.predict_diffusion("rtx-4080", "flux.1-dev", steps=20, engine="ComfyUI")
    assert worded.offload == "partial"
    assert worded.s_per_image.value == pytest.approx(ui.s_per_image.value)


def test_comfyui_runs_on_an_intel_arc_card_through_pytorchs_xpu_device() -> None:
    # FLUX.1-dev fp8 (11.9 GB transformer) on a 12 GB Arc B580: loaded in part, as on a
    # 12 GB GeForce card; SDXL in fp16 fits whole
    flux = api.predict_diffusion(
        "arc-b580", "flux.1-dev", steps=20, weights="fp8", engine="ComfyUI"
    )
    sdxl = api.predict_diffusion("arc-b580", "sdxl", steps=28, weights="fp16", engine="ComfyUI")
    assert flux.offload == "partial"
    assert sdxl.offload == "none" and sdxl.s_per_image.value > 0


def test_offloaded_weights_stream_over_the_cards_own_pcie_link() -> None:
    # RTX 4060 Ti 16 GB: PCIe 4.0 x8 (15.8 GB/s per direction), half the RTX 4080's x16 link;
    # both 16 GB, so the same bytes stream and the 4060 Ti's streaming takes twice as long
    x8 = gpu_by_id("rtx-4060-ti-16gb")
    x16 = gpu_by_id("rtx-4080")
    assert offload_bytes_s(x8) == pytest.approx(15.8e9 * PCIE_OFFLOAD_SHARE)
    assert offload_bytes_s(x16) == pytest.approx(2 * offload_bytes_s(x8), rel=0.01)
    half = offload_for(FLUX_LIKE, 3.0, 16.0, 20, stream_bytes_s=offload_bytes_s(x8))
    full = offload_for(FLUX_LIKE, 3.0, 16.0, 20, stream_bytes_s=offload_bytes_s(x16))
    assert half.seconds == pytest.approx(2 * full.seconds, rel=0.01)
    assert "GB/s over PCIe" in half.why


def test_a_pcie_3_card_streams_at_half_a_pcie_4_cards_rate() -> None:
    # GTX 1080 Ti: PCIe 3.0 x16, 15.8 GB/s per direction; PCIe 4.0 x16 is twice that
    assert offload_bytes_s(gpu_by_id("gtx-1080-ti")) == pytest.approx(
        PCIE_OFFLOAD_BYTES_S / 2, rel=0.01
    )


def test_a_run_that_offloads_by_choice_streams_the_whole_denoiser_every_step() -> None:
    # enable_sequential_cpu_offload on an 80 GB card that holds FLUX whole: 23.8 GB per step
    # plus the text encoders and VAE once
    chosen = offload_for(FLUX_LIKE, 3.0, 80.0, 20, forced=True)
    others_s = (FLUX_LIKE.text_encoders + FLUX_LIKE.vae) / PCIE_OFFLOAD_BYTES_S
    assert offload_for(FLUX_LIKE, 3.0, 80.0, 20).kind == "none"
    assert chosen.kind == "sequential" and chosen.chosen and not chosen.needed
    assert chosen.seconds == pytest.approx(20 * 23.8e9 / PCIE_OFFLOAD_BYTES_S + others_s)


def test_streaming_on_a_side_stream_overlaps_the_forwards() -> None:
    # group offloading with use_stream: the GPU waits only for the text encoders and VAE; each
    # step's 23.8 GB streams beside the forward
    streamed = offload_for(FLUX_LIKE, 3.0, 80.0, 20, forced=True, side_stream=True)
    others_s = (FLUX_LIKE.text_encoders + FLUX_LIKE.vae) / PCIE_OFFLOAD_BYTES_S
    assert streamed.seconds == pytest.approx(others_s)
    assert streamed.step_stream_s == pytest.approx(23.8e9 / PCIE_OFFLOAD_BYTES_S)
    waited = api.predict_diffusion("h100-sxm", "flux.1-dev", steps=20, variant="sequential-offload")
    overlapped = api.predict_diffusion(
        "h100-sxm", "flux.1-dev", steps=20, variant="sequential-offload+offload-stream"
    )
    resident = api.predict_diffusion("h100-sxm", "flux.1-dev", steps=20)
    assert waited.offload == overlapped.offload == "sequential"
    assert not waited.needs_cpu_offload  # the H100 holds FLUX: the run chose to offload
    assert resident.s_per_image.value < overlapped.s_per_image.value < waited.s_per_image.value


def test_a_denoise_loop_timing_moves_no_text_encoder_or_vae() -> None:
    loop = offload_for(FLUX_LIKE, 3.0, 80.0, 1, forced=True, other_parts=False)
    assert loop.seconds == pytest.approx(23.8e9 / PCIE_OFFLOAD_BYTES_S)


def test_the_no_cfg_word_runs_one_latent_per_forward() -> None:
    # SD 2.1-base guides by default (two UNet passes per step); a UNet timed on one latent
    guided = api.predict_diffusion("a100-80gb-sxm", "sd-2.1-base", steps=1, variant="denoise-loop")
    single = api.predict_diffusion(
        "a100-80gb-sxm", "sd-2.1-base", steps=1, variant="denoise-loop+no-cfg"
    )
    asked = api.predict_diffusion(
        "a100-80gb-sxm", "sd-2.1-base", steps=1, variant="denoise-loop", cfg=False
    )
    assert guided.cfg and not single.cfg
    assert single.s_per_image.value == pytest.approx(asked.s_per_image.value)
    assert single.s_per_image.value < guided.s_per_image.value
