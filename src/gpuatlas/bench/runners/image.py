"""Image generation in process with diffusers: seconds per image at fixed size and steps."""

from __future__ import annotations

import time
from typing import Any

from gpuatlas.bench.options import Reporter, RunOptions
from gpuatlas.bench.runners.inprocess import (
    RepeatOutput,
    Workload,
    parameters,
    run_workload,
    synchronize,
    torch_device,
)
from gpuatlas.errors import InvalidRequestError
from gpuatlas.records.result import BenchResult, Settings
from gpuatlas.records.suite import Benchmark

PROMPT = "a lighthouse on a rocky coast at sunset, detailed oil painting"
UNITS = {"image_s": "s/image", "images_per_min": "images/min", "step_s": "s/step"}


def torch_dtype(name: str, device: str) -> tuple[Any, str, list[str]]:
    """The torch dtype for a dtype id; on CPU half precision falls back to fp32 (noted)."""
    import torch

    dtypes = {"fp32": torch.float32, "fp16": torch.float16, "bf16": torch.bfloat16}
    if name not in dtypes:
        raise InvalidRequestError([f"dtype {name!r}: expected one of {', '.join(dtypes)}"])
    if device == "cpu" and name != "fp32":
        return torch.float32, "fp32", [f"{name} on the CPU is not representative: ran in fp32"]
    return dtypes[name], name, []


def load_pipeline(model: str, dtype: Any, device: str) -> Any:
    from diffusers import DiffusionPipeline
    from diffusers.utils import logging as diffusers_logging

    diffusers_logging.disable_progress_bar()
    try:
        pipeline = DiffusionPipeline.from_pretrained(model, dtype=dtype)
    except (OSError, ValueError) as error:
        raise InvalidRequestError([f"cannot load diffusers pipeline {model!r}: {error}"]) from None
    pipeline.set_progress_bar_config(disable=True)
    return pipeline.to(device)


def _generate(pipeline: Any, params: dict[str, Any], device: str, seed: int) -> float:
    import torch

    generator = torch.Generator(device="cpu").manual_seed(seed)
    synchronize(device)
    started = time.perf_counter()
    pipeline(
        PROMPT,
        num_inference_steps=params["steps"],
        width=params["width"],
        height=params["height"],
        generator=generator,
        output_type="np",
    )
    synchronize(device)
    return time.perf_counter() - started


def run_image_benchmark(
    benchmark: Benchmark, options: RunOptions, reporter: Reporter | None = None
) -> BenchResult:
    params = parameters(benchmark, options)
    device = torch_device(options)
    dtype, dtype_name, warnings = torch_dtype(params.get("dtype", "fp16"), device)
    model = options.model or benchmark.model or ""
    pipeline = load_pipeline(model, dtype, device)

    def measure(repeat: int) -> RepeatOutput:
        durations = [
            _generate(pipeline, params, device, options.seed * 1000 + repeat * 100 + i)
            for i in range(params["images"])
        ]
        total = sum(durations)
        return RepeatOutput(
            items=[{"image_s": d, "step_s": d / params["steps"]} for d in durations],
            values={"images_per_min": 60.0 * len(durations) / total},
            duration_s=total,
            work_items=len(durations),
        )

    settings = Settings(
        model=model,
        width=params["width"],
        height=params["height"],
        steps=params["steps"],
        dtype=dtype_name,
        device=device,
        repeats=options.repeats,
        seed=options.seed,
        batch_size=1,
        extra={
            "images_per_repeat": params["images"],
            "prompt": PROMPT,
            "pipeline": type(pipeline).__name__,
        },
    )
    workload = Workload(
        measure=measure,
        settings=settings,
        units=UNITS,
        warnings=warnings,
        warmup=lambda: None if _generate(pipeline, params, device, 1) else None,
    )
    return run_workload(benchmark, options, workload, reporter)
