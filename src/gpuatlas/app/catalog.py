"""`gpus`, `gpu show`, `system show`: the GPU catalog and multi-GPU systems, with sources."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pydantic import Field

from gpuatlas.app.documents import plain, versioned
from gpuatlas.app.requests import AnswerRequest
from gpuatlas.catalog.gpu_filters import select_gpus
from gpuatlas.catalog.system_devices import resolve_device
from gpuatlas.catalog.system_facts import extra_system_json
from gpuatlas.catalog.systems import resolve_system

if TYPE_CHECKING:
    from gpuatlas.catalog.gpu import Gpu
    from gpuatlas.catalog.systems import GpuSystem


class GpusRequest(AnswerRequest):
    """Which GPUs of the catalog (the filters of `gpuatlas gpus`); none: every GPU."""

    vendor: str | None = Field(
        None,
        min_length=1,
        max_length=40,
        description="Only this vendor (NVIDIA, AMD, Intel, Apple).",
    )
    min_memory_gb: float | None = Field(
        None, ge=0, le=100_000, description="Only GPUs with at least this much memory."
    )
    kind: str | None = Field(
        None, min_length=1, max_length=20, description="consumer, workstation, datacenter or apple."
    )
    segment: str | None = Field(
        None, min_length=1, max_length=20, description="consumer, workstation or datacenter."
    )


def chosen_gpus(request: GpusRequest) -> list[Gpu]:
    """The GPUs the filters choose, in catalog order (the CLI's table)."""
    return select_gpus(request.vendor, request.min_memory_gb, request.kind, request.segment)


def gpus_document(request: GpusRequest) -> dict[str, Any]:
    """``gpuatlas.gpus/1``: the request and every chosen GPU's datasheet facts with source."""
    return versioned(
        "gpus",
        {"request": request.model_dump(), "gpus": [gpu_facts(gpu) for gpu in chosen_gpus(request)]},
    )


def gpu_document(name: str) -> dict[str, Any]:
    """``gpuatlas.gpu/1``: one GPU's facts (any name people write: 'A100 80GB SXM4', '4090')."""
    return versioned("gpu", {"query": name, "gpu": gpu_facts(shown_gpu(name))})


def shown_gpu(name: str) -> Gpu:
    """The GPU a name shows: a unified-memory device in the memory size the name gives ('M4
    Pro 48GB': 48 GB, its GPU share recomputed; `gpu show` showed the 64 GB one, as `fit`
    did not), any other name as `resolve_gpu` reads it."""
    return resolve_device(name)[0]


def gpu_facts(gpu: Gpu) -> dict[str, Any]:
    """Every catalog field plus what is derived from them (native FP8, PCIe per direction)."""
    facts: dict[str, Any] = plain(gpu)
    facts["supports_fp8_natively"] = gpu.supports_fp8_natively
    facts["pcie_per_direction_gb_s"] = gpu.pcie_per_direction_gb_s
    return facts


def system_document(spec: str, network: str | None = None) -> dict[str, Any]:
    """``gpuatlas.system/1``: N × a GPU, its nodes, memory, power and links."""
    return versioned(
        "system", {"query": spec, "system": system_facts(resolve_system(spec, network))}
    )


def system_facts(system: GpuSystem) -> dict[str, Any]:
    return {
        "id": system.id,
        "gpu": system.gpu.id,
        "label": system.label,
        "gpu_count": system.gpu_count,
        "nodes": system.nodes,
        "total_memory_gb": system.total_memory_gb,
        "total_tdp_w": system.total_tdp_w,
        "link": plain(system.link),
        "network": plain(system.network),
        **extra_system_json(system),
    }
