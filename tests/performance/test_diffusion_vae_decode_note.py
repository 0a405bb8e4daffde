"""A diffusion answer says how its memory figure decodes the latents when the whole batch's VAE
decode does not fit beside the weights (one image at a time, or 512 px tiles): SDXL on an RTX
4090 needed 18.3 GB at 1536 px and 11.0 GB at 2048 px, and 12.8 GB at 1024 px against 9.5 GB
on an RTX 3060, with nothing saying why the figure fell."""

from __future__ import annotations

import pytest

from gpuatlas.performance import api

pytestmark = pytest.mark.unit


def _run(system: str, resolution: int) -> tuple[float, str]:
    found = api.predict_diffusion(system, "sdxl", resolution=resolution)
    return found.memory_gb, " ".join(found.s_per_image.notes)


def test_a_decode_in_tiles_is_said_where_the_figure_falls() -> None:
    plain_gb, plain_notes = _run("rtx-4090", 1536)
    tiled_gb, tiled_notes = _run("rtx-4090", 2048)
    assert tiled_gb < plain_gb
    assert "VAE decodes" not in plain_notes
    assert "memory: the VAE decodes in 512 px tiles" in tiled_notes
    assert "enable_vae_tiling()" in tiled_notes


def test_a_card_short_of_room_says_it_at_the_default_size() -> None:
    assert "VAE decodes" not in _run("rtx-4090", 1024)[1]
    assert "memory: the VAE decodes in 512 px tiles" in _run("rtx-3060", 1024)[1]


def test_a_batch_whose_decode_fits_one_image_at_a_time_says_slicing_not_tiles() -> None:
    found = api.predict_diffusion("rtx-3060", "sdxl", resolution=768, batch=4)
    notes = " ".join(found.s_per_image.notes)
    assert "memory: the VAE decodes one image at a time (VAE slicing" in notes
    assert "tiles" not in notes


def test_an_offloaded_pipeline_decodes_beside_the_vae_alone() -> None:
    """FLUX dev in bf16 on a 24 GB RX 7900 XTX offloads its weights: the decode runs with the
    VAE alone on the GPU and fits, so no tiling note (it said the decode needed 5.9 GB 'more
    than the 0.0 GB this GPU has there', of a GPU the offload had emptied)."""
    offloaded = api.predict_diffusion("rx-7900-xtx", "flux.1-dev")
    assert offloaded.needs_cpu_offload
    assert "VAE decodes" not in " ".join(offloaded.s_per_image.notes)
    big = api.predict_diffusion("rtx-3060", "flux.1-dev", resolution=2048)
    (note,) = [note for note in big.s_per_image.notes if "VAE decodes" in note]
    assert "beside the VAE (the rest offloaded)" in note and "0.0 GB" not in note
