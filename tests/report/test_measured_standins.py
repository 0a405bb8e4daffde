"""Modelled stand-ins read a public benchmark's workload as values (lengths, batch, image size),
never parsed from its name (issue 14)."""

from __future__ import annotations

from dataclasses import replace

from gpuatlas.catalog.systems import resolve_system
from gpuatlas.records.workload import Workload
from gpuatlas.report.modelled_standins import stand_in

DECODE = Workload(
    engine="llama.cpp",
    model="meta-llama/Llama-2-7b-hf",
    weights="q4_0",
    metric="decode_tok_s",
    batch=1,
    output_tokens=128,
)


def test_a_decode_stand_in_uses_the_stored_generation_length() -> None:
    system = resolve_system("rtx-4090")
    short = stand_in(DECODE, system)
    long = stand_in(replace(DECODE, input_tokens=4096, output_tokens=4096), system)
    assert short is not None and long is not None
    assert 0 < float(long.value) < float(short.value)  # a longer context reads more KV cache


def test_a_prompt_stand_in_needs_a_stated_prompt_length() -> None:
    system = resolve_system("rtx-4090")
    ttft = replace(DECODE, metric="ttft_ms", input_tokens=2048, output_tokens=1)
    assert stand_in(ttft, system) is not None
    assert stand_in(replace(ttft, input_tokens=None), system) is None


def test_only_single_stream_workloads_get_a_stand_in() -> None:
    system = resolve_system("rtx-4090")
    assert stand_in(replace(DECODE, batch=16), system) is None
    assert stand_in(replace(DECODE, batch=None), system) is None
    assert stand_in(replace(DECODE, max_batch=True, batch=None), system) is None
    assert stand_in(None, system) is None


def test_an_image_stand_in_uses_the_stored_size_and_steps() -> None:
    system = resolve_system("rtx-4090")
    image = Workload(
        engine="diffusers",
        model="runwayml/stable-diffusion-v1-5",
        weights="fp16",
        metric="image_s",
        batch=1,
        image_width_px=512,
        image_height_px=512,
        steps=50,
    )
    fewer = stand_in(replace(image, steps=25), system)
    full = stand_in(image, system)
    assert fewer is not None and full is not None
    assert float(fewer.value) < float(full.value)
