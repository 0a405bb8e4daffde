"""Unified-memory devices (Apple Silicon, AMD Strix Halo, MI300A): how much of the shared memory
the GPU may use, and a device in one of the memory configurations it is sold with.

macOS lets the GPU wire about two thirds of RAM on machines with up to 36 GB and three quarters
above that (Metal's `recommendedMaxWorkingSetSize`: 21,845 MB of 32 GB on M1/M2 Max; ~48 GB of
64 GB on M2 Max); `sudo sysctl iogpu.wired_limit_mb=N` raises it until reboot. Newer macOS
releases report somewhat more (~74% of 16-24 GB, ~84% of 128 GB on macOS 26), so the rule is
the conservative default.
"""

from __future__ import annotations

import dataclasses

from gpuatlas.catalog.gpu import Gpu
from gpuatlas.errors import InvalidRequestError

MACOS_SMALL_MEMORY_LIMIT_GB = 36.0
MACOS_SMALL_MEMORY_GPU_SHARE = 2 / 3
MACOS_LARGE_MEMORY_GPU_SHARE = 0.75
MACOS_GPU_SHARE_TEXT = (
    "macOS default GPU wired limit (Metal recommendedMaxWorkingSetSize): ~2/3 of RAM up to "
    "36 GB, ~3/4 above; raise with `sudo sysctl iogpu.wired_limit_mb=<MB>` (until reboot). "
    "Measured: 21,845 MB of 32 GB (M1 Max/M2 Max, llama.cpp PR #2011, ollama #434); ~48 GB of "
    "64 GB (M2 Max, llama.cpp #1870); newer macOS reports more (11.8 of 16 GB, llmfit PR #754; "
    "107.5 of 128 GiB on macOS 26, antirez/ds4 PR #893)."
)


def raise_limit_hint(gpu: Gpu) -> str:
    """How a user raises the GPU's share of a unified-memory device, where one can."""
    if gpu.vendor == "Apple":
        return "raise it with `sudo sysctl iogpu.wired_limit_mb=<MB>` (until reboot)"
    if gpu.vendor == "AMD":
        return (
            "set by the BIOS/Adrenalin Variable Graphics Memory carve-out; on Linux GTT beyond "
            "it is bounded by the amdgpu.gttsize / ttm.pages_limit kernel parameters"
        )
    return "what the kernel and CUDA report; no setting raises it"


def macos_default_gpu_share(memory_gb: float) -> float:
    """The fraction of a Mac's unified memory the GPU may wire by default."""
    if memory_gb <= MACOS_SMALL_MEMORY_LIMIT_GB:
        return MACOS_SMALL_MEMORY_GPU_SHARE
    return MACOS_LARGE_MEMORY_GPU_SHARE


def with_memory_configuration(gpu: Gpu, memory_gb: float) -> Gpu:
    """The device in one of the memory configurations it is sold with ("M2 Ultra 64GB"), its
    GPU share recomputed for that size on a Mac. A size it is not sold with is an error."""
    if not gpu.unified_memory or not gpu.memory_options_gb:
        raise InvalidRequestError(
            [
                f"{gpu.id} has no memory configurations to choose from; it has {gpu.memory_gb:g} GB"
                if gpu.memory_gb
                else f"{gpu.id} has no memory size"
            ]
        )
    if memory_gb not in gpu.memory_options_gb:
        sizes = ", ".join(f"{size:g} GB" for size in gpu.memory_options_gb)
        raise InvalidRequestError(
            [f"{gpu.name} is not sold with {memory_gb:g} GB; choose one of {sizes}"]
        )
    share = gpu.gpu_memory_share_default
    if gpu.vendor == "Apple":
        share = macos_default_gpu_share(memory_gb)
    return dataclasses.replace(gpu, memory_gb=memory_gb, gpu_memory_share_default=share)


def unified_memory_facts(gpu: Gpu) -> list[tuple[str, str]]:
    """(label, sentence) pairs for `gpu show`: what a unified-memory device's GPU may use."""
    if not gpu.unified_memory:
        return []
    facts = []
    usable = gpu.gpu_usable_memory_gb
    if usable is not None and gpu.memory_gb:
        facts.append(
            (
                "GPU-usable memory",
                f"{usable:,.1f} of {gpu.memory_gb:g} GB unified memory by default. "
                f"{gpu.gpu_memory_share_text}".strip(),
            )
        )
    if gpu.memory_options_gb:
        sizes = ", ".join(f"{size:g}" for size in gpu.memory_options_gb)
        example = f"{gpu.id} {gpu.memory_options_gb[0]:g}GB"
        facts.append(("memory configurations", f"{sizes} GB (choose one: '{example}')"))
    if gpu.gpu_cores is not None:
        facts.append(("GPU cores", str(gpu.gpu_cores)))
    return facts
