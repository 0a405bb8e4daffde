"""The runner function behind each in-process benchmark's `runner` name.

Above the runner modules, which share the frame in `inprocess`; a runner module imports its
heavy libraries (torch, diffusers, transformers) only when it runs.
"""

from __future__ import annotations

from collections.abc import Callable

from gpuatlas.bench.options import Reporter, RunOptions
from gpuatlas.bench.runners import gpu_micro, image, ocr, system
from gpuatlas.records.result import BenchResult
from gpuatlas.records.suite import Benchmark


def _registry() -> dict[str, Callable[[Benchmark, RunOptions, Reporter | None], BenchResult]]:
    return {
        "diffusers-image": image.run_image_benchmark,
        "trocr-ocr": ocr.run_ocr_benchmark,
        "torch-gemm": gpu_micro.run_gemm,
        "torch-memory-bandwidth": gpu_micro.run_memory_bandwidth,
        "torch-transfer": gpu_micro.run_transfer,
        "torch-all-reduce": gpu_micro.run_all_reduce,
        "cpu": system.run_cpu,
        "disk-sequential": system.run_disk_sequential,
        "disk-random": system.run_disk_random,
    }


def runner_for(name: str) -> Callable[[Benchmark, RunOptions, Reporter | None], BenchResult]:
    return _registry()[name]
