"""Choosing GPUs from the catalog by vendor, memory and kind (consumer, workstation, data centre,
Apple). The CLI and the web only parse options and render what these functions return."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Literal, get_args

from gpuatlas.catalog.gpu import Gpu
from gpuatlas.catalog.gpus import all_gpus
from gpuatlas.errors import GpuAtlasError, UnknownNameError

GpuKind = Literal["consumer", "workstation", "datacenter", "apple"]
GPU_KINDS: tuple[GpuKind, ...] = get_args(GpuKind)


def gpu_kind(gpu: Gpu) -> GpuKind:
    """Apple devices are their own kind (unified memory); every other GPU's kind is its segment."""
    if gpu.vendor.lower() == "apple":
        return "apple"
    return gpu.segment


def select_gpus(
    vendor: str | None = None,
    min_memory_gb: float | None = None,
    kind: str | None = None,
    segment: str | None = None,
    gpus: Sequence[Gpu] | None = None,
) -> list[Gpu]:
    """The catalog's GPUs (or `gpus`) passing every filter given, in catalog order.

    Raises GpuAtlasError / UnknownNameError naming the valid choices for a bad filter value."""
    pool = list(all_gpus() if gpus is None else gpus)
    _check_choice("vendor", vendor, sorted({gpu.vendor for gpu in pool}))
    _check_choice("GPU kind", kind, GPU_KINDS)
    _check_choice("segment", segment, ("consumer", "workstation", "datacenter"))
    if min_memory_gb is not None and min_memory_gb < 0:
        raise GpuAtlasError(f"--min-memory-gb must be 0 or more, not {min_memory_gb:g}")
    return [
        gpu
        for gpu in pool
        if (vendor is None or gpu.vendor.lower() == vendor.lower())
        and (kind is None or gpu_kind(gpu) == kind.lower())
        and (segment is None or gpu.segment == segment.lower())
        and (min_memory_gb is None or (gpu.memory_gb or 0.0) >= min_memory_gb)
    ]


def _check_choice(what: str, value: str | None, choices: Iterable[str]) -> None:
    known = list(choices)
    if value is not None and value.lower() not in {choice.lower() for choice in known}:
        raise UnknownNameError(what, value, known)
