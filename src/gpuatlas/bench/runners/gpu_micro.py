"""GPU micro-benchmarks with torch: GEMM TFLOP/s per dtype, device memory bandwidth,
host<->device copies (pinned), all-reduce bus bandwidth across local GPUs.

On the CPU (only with --allow-cpu, for testing) sizes are divided by CPU_SIZE_DIVISOR and the
result says it is not a GPU figure.
"""

from __future__ import annotations

import time
from collections.abc import Callable
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

CPU_SIZE_DIVISOR = 8
CPU_NOTE = "measured on the CPU (--allow-cpu): not a GPU figure, for testing only"


def _timed(operation: Callable[[], Any], device: str, iterations: int) -> list[float]:
    operation()  # warm-up (kernel selection, allocation)
    synchronize(device)
    durations = []
    for _ in range(iterations):
        started = time.perf_counter()
        operation()
        synchronize(device)
        durations.append(time.perf_counter() - started)
    return durations


def _scaled(params: dict[str, Any], key: str, device: str) -> int:
    value = int(params[key])
    return max(64, value // CPU_SIZE_DIVISOR) if device == "cpu" else value


def _micro_workload(
    benchmark: Benchmark,
    options: RunOptions,
    device: str,
    operation: Callable[[], Any],
    per_iteration: Callable[[float], float],
    metric: str,
    unit: str,
    extra: dict[str, Any],
) -> BenchResult:
    iterations = int(parameters(benchmark, options).get("iterations", 10))

    def measure(repeat: int) -> RepeatOutput:
        durations = _timed(operation, device, iterations)
        rates = [per_iteration(d) for d in durations]
        return RepeatOutput(
            items=[{metric: r, "iteration_s": d} for r, d in zip(rates, durations, strict=True)],
            values={f"{metric}_repeat_median": sorted(rates)[len(rates) // 2]},
            duration_s=sum(durations),
        )

    settings = Settings(
        device=device,
        repeats=options.repeats,
        seed=options.seed,
        dtype=extra.get("dtype"),
        extra=extra,
    )
    warnings = [CPU_NOTE] if device == "cpu" else []
    workload = Workload(
        measure=measure,
        settings=settings,
        units={metric: unit, f"{metric}_repeat_median": unit, "iteration_s": "s"},
        warnings=warnings,
    )
    return run_workload(benchmark, options, workload, reporter=None)


def _gemm_operation(dtype_name: str, size: int, device: str) -> Callable[[], Any]:
    import torch

    if dtype_name == "fp8":
        if device == "cpu" or not hasattr(torch, "_scaled_mm"):
            raise InvalidRequestError(
                ["FP8 GEMM needs an NVIDIA GPU with FP8 tensor cores (Ada, Hopper, Blackwell)"]
            )
        a = torch.randn(size, size, device=device).to(torch.float8_e4m3fn)
        b = torch.randn(size, size, device=device).to(torch.float8_e4m3fn).t()
        one = torch.tensor(1.0, device=device)
        return lambda: torch._scaled_mm(a, b, scale_a=one, scale_b=one, out_dtype=torch.bfloat16)
    dtypes = {
        "fp32": torch.float32,
        "tf32": torch.float32,
        "fp16": torch.float16,
        "bf16": torch.bfloat16,
    }
    torch.backends.cuda.matmul.allow_tf32 = dtype_name == "tf32"
    a = torch.randn(size, size, device=device, dtype=dtypes[dtype_name])
    b = torch.randn(size, size, device=device, dtype=dtypes[dtype_name])
    return lambda: torch.matmul(a, b)


def run_gemm(
    benchmark: Benchmark, options: RunOptions, reporter: Reporter | None = None
) -> BenchResult:
    params = parameters(benchmark, options)
    device = torch_device(options)
    size = _scaled(params, "size", device)
    operation = _gemm_operation(params["dtype"], size, device)
    flops = 2.0 * size**3
    return _micro_workload(
        benchmark,
        options,
        device,
        operation,
        lambda s: flops / s / 1e12,
        "tflops",
        "TFLOP/s",
        {"dtype": params["dtype"], "m=n=k": size},
    )


def run_memory_bandwidth(
    benchmark: Benchmark, options: RunOptions, reporter: Reporter | None = None
) -> BenchResult:
    import torch

    params = parameters(benchmark, options)
    device = torch_device(options)
    size_bytes = _scaled(params, "size_mb", device) * 2**20
    source = torch.empty(size_bytes, dtype=torch.uint8, device=device)
    target = torch.empty_like(source)
    moved = 2.0 * size_bytes  # read + write
    return _micro_workload(
        benchmark,
        options,
        device,
        lambda: target.copy_(source),
        lambda s: moved / s / 1e9,
        "bandwidth_gb_s",
        "GB/s",
        {"bytes": size_bytes, "counted": "read + write"},
    )


def run_transfer(
    benchmark: Benchmark, options: RunOptions, reporter: Reporter | None = None
) -> BenchResult:
    import torch

    params = parameters(benchmark, options)
    device = torch_device(options)
    size_bytes = _scaled(params, "size_mb", device) * 2**20
    pinned = device != "cpu"
    host = torch.empty(size_bytes, dtype=torch.uint8, pin_memory=pinned)
    gpu = torch.empty(size_bytes, dtype=torch.uint8, device=device)
    if params["direction"] == "h2d":
        operation: Callable[[], Any] = lambda: gpu.copy_(host, non_blocking=True)  # noqa: E731
    else:
        operation = lambda: host.copy_(gpu, non_blocking=True)  # noqa: E731
    return _micro_workload(
        benchmark,
        options,
        device,
        operation,
        lambda s: size_bytes / s / 1e9,
        "bandwidth_gb_s",
        "GB/s",
        {"bytes": size_bytes, "direction": params["direction"], "pinned": pinned},
    )


def run_all_reduce(
    benchmark: Benchmark, options: RunOptions, reporter: Reporter | None = None
) -> BenchResult:
    import torch

    params = parameters(benchmark, options)
    count = torch.cuda.device_count() if torch.cuda.is_available() else 0
    if count < 2:
        raise InvalidRequestError(
            [f"{benchmark.id} needs at least 2 local NVIDIA GPUs (found {count})"]
        )
    import torch.cuda.nccl as nccl

    size_bytes = int(params["size_mb"]) * 2**20
    tensors = [torch.ones(size_bytes // 4, device=f"cuda:{i}") for i in range(count)]

    def operation() -> None:
        nccl.all_reduce(tensors)
        for index in range(count):
            torch.cuda.synchronize(index)

    bus_factor = 2.0 * (count - 1) / count  # NCCL-tests bus bandwidth convention
    return _micro_workload(
        benchmark,
        options,
        "cuda",
        operation,
        lambda s: size_bytes * bus_factor / s / 1e9,
        "bus_bandwidth_gb_s",
        "GB/s",
        {"bytes": size_bytes, "gpus": count, "dtype": "fp32"},
    )
