"""System benchmarks: CPU single/multi-core work rate, disk sequential and random I/O.

CPU score = work units per second; one unit = SHA-256 of 64 KiB + zlib level 6 of 64 KiB of
text + 20,000 float multiply-adds in pure Python (tokenisation and pre-processing are
Python-bound like this). Multi-core runs one process per logical core and sums their rates.
Disk figures use a temporary file in --param path (default: the system temp folder); reads
bypass the page cache with O_DIRECT where the file system allows it, else the result warns.
"""

from __future__ import annotations

import hashlib
import mmap
import multiprocessing
import os
import tempfile
import time
import zlib
from pathlib import Path

import numpy as np

from gpuatlas.bench.options import Reporter, RunOptions
from gpuatlas.bench.runners.inprocess import RepeatOutput, Workload, parameters, run_workload
from gpuatlas.records.result import BenchResult, Settings
from gpuatlas.records.suite import Benchmark

BLOCK = (b"the quick brown fox jumps over the lazy dog 0123456789 " * 1200)[: 64 * 1024]
ALIGNMENT = 4096


def _work_unit() -> None:
    hashlib.sha256(BLOCK).digest()
    zlib.compress(BLOCK, 6)
    total = 0.0
    for step in range(20_000):
        total = total * 0.999 + step
    if total < 0:
        raise AssertionError("unreachable")


def cpu_rate(seconds: float) -> float:
    """Work units per second on this core for about `seconds`."""
    units, started = 0, time.perf_counter()
    while (elapsed := time.perf_counter() - started) < seconds:
        _work_unit()
        units += 1
    return units / elapsed


def run_cpu(
    benchmark: Benchmark, options: RunOptions, reporter: Reporter | None = None
) -> BenchResult:
    params = parameters(benchmark, options)
    threads = int(params["threads"]) or (os.cpu_count() or 1)
    seconds = float(params["seconds"])

    def measure(repeat: int) -> RepeatOutput:
        if threads == 1:
            rates = [cpu_rate(seconds)]
        else:
            with multiprocessing.get_context("spawn").Pool(threads) as pool:
                rates = pool.map(cpu_rate, [seconds] * threads)
        return RepeatOutput(
            items=[{"core_rate": r} for r in rates],
            values={"cpu_score": float(sum(rates))},
            duration_s=seconds,
        )

    settings = Settings(repeats=options.repeats, extra={"processes": threads, "seconds": seconds})
    units = {"cpu_score": "units/s", "core_rate": "units/s"}
    return run_workload(
        benchmark, options, Workload(measure=measure, settings=settings, units=units), reporter
    )


def _aligned_buffer(size: int) -> mmap.mmap:
    return mmap.mmap(-1, size)  # page aligned, as O_DIRECT needs


def _open_for_reading(path: Path) -> tuple[int, bool]:
    flag = getattr(os, "O_DIRECT", 0)
    if flag:
        try:
            return os.open(path, os.O_RDONLY | flag), True
        except OSError:
            pass
    descriptor = os.open(path, os.O_RDONLY)
    if hasattr(os, "posix_fadvise"):
        os.posix_fadvise(descriptor, 0, 0, os.POSIX_FADV_DONTNEED)
    return descriptor, False


def _write_file(path: Path, size: int, block: int) -> float:
    payload = np.random.default_rng(0).integers(0, 256, block, dtype=np.uint8).tobytes()
    started = time.perf_counter()
    with path.open("wb", buffering=0) as sink:
        for _ in range(size // block):
            sink.write(payload)
        os.fsync(sink.fileno())
    return time.perf_counter() - started


def _read_sequential(path: Path, block: int) -> tuple[float, int, bool]:
    descriptor, direct = _open_for_reading(path)
    buffer, total = _aligned_buffer(block), 0
    started = time.perf_counter()
    try:
        while (count := os.readv(descriptor, [buffer])) > 0:
            total += count
    finally:
        os.close(descriptor)
    return time.perf_counter() - started, total, direct


def _scratch_file(params: dict[str, object]) -> Path:
    folder = Path(str(params.get("path") or tempfile.gettempdir()))
    return folder / f"gpuatlas-disk-{os.getpid()}.bin"


def _cache_warning(direct: bool) -> list[str]:
    if direct:
        return []
    return [
        "O_DIRECT not available on this file system: reads may be served from the page "
        "cache (the figure can be too high)"
    ]


def run_disk_sequential(
    benchmark: Benchmark, options: RunOptions, reporter: Reporter | None = None
) -> BenchResult:
    params = parameters(benchmark, options)
    size, block = int(params["size_mb"]) * 2**20, int(params["block_kb"]) * 1024
    path, warnings = _scratch_file(params), list[str]()

    def measure(repeat: int) -> RepeatOutput:
        try:
            write_s = _write_file(path, size, block)
            read_s, read_bytes, direct = _read_sequential(path, block)
        finally:
            path.unlink(missing_ok=True)
        warnings.extend(w for w in _cache_warning(direct) if w not in warnings)
        values = {"write_mb_s": size / write_s / 1e6, "read_mb_s": read_bytes / read_s / 1e6}
        return RepeatOutput(items=[values], values=values, duration_s=write_s + read_s)

    settings = Settings(
        repeats=options.repeats,
        extra={"path": str(path.parent), "bytes": size, "block_bytes": block},
    )
    units = {"write_mb_s": "MB/s", "read_mb_s": "MB/s"}
    return run_workload(
        benchmark,
        options,
        Workload(measure=measure, settings=settings, units=units, warnings=warnings),
        reporter,
    )


def _random_reads(
    path: Path, size: int, block: int, seconds: float, seed: int
) -> tuple[int, float, bool]:
    descriptor, direct = _open_for_reading(path)
    buffer = _aligned_buffer(block)
    offsets = np.random.default_rng(seed).integers(0, size // block, 1_000_000) * block
    reads, started = 0, time.perf_counter()
    try:
        while (elapsed := time.perf_counter() - started) < seconds:
            os.preadv(descriptor, [buffer], int(offsets[reads % len(offsets)]))
            reads += 1
    finally:
        os.close(descriptor)
    return reads, elapsed, direct


def run_disk_random(
    benchmark: Benchmark, options: RunOptions, reporter: Reporter | None = None
) -> BenchResult:
    params = parameters(benchmark, options)
    size, block = int(params["size_mb"]) * 2**20, int(params["block_kb"]) * 1024
    path, warnings = _scratch_file(params), list[str]()

    def measure(repeat: int) -> RepeatOutput:
        try:
            _write_file(path, size, 1024 * 1024)
            reads, elapsed, direct = _random_reads(
                path, size, block, float(params["seconds"]), options.seed + repeat
            )
        finally:
            path.unlink(missing_ok=True)
        warnings.extend(w for w in _cache_warning(direct) if w not in warnings)
        values = {"read_iops": reads / elapsed, "read_latency_us": 1e6 * elapsed / reads}
        return RepeatOutput(items=[values], values=values, duration_s=elapsed)

    settings = Settings(
        repeats=options.repeats,
        extra={"path": str(path.parent), "bytes": size, "block_bytes": block, "queue_depth": 1},
    )
    units = {"read_iops": "IOPS", "read_latency_us": "us"}
    return run_workload(
        benchmark,
        options,
        Workload(measure=measure, settings=settings, units=units, warnings=warnings),
        reporter,
    )
