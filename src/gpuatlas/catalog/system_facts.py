"""Facts about a system beyond its GPUs and links, as labelled sentences and a JSON part: bridged
pairs inside a bigger box, the GPU-usable share of unified memory, a superchip's CPU memory."""

from __future__ import annotations

from gpuatlas.catalog.systems import GpuSystem


def _gb(value: float) -> str:
    return f"{value:,.0f} GB" if value == round(value) else f"{value:,.1f} GB"


def extra_system_facts(system: GpuSystem) -> list[tuple[str, str]]:
    """(label, sentence) pairs for `system show` and reports; empty for a plain N x GPU box."""
    facts: list[tuple[str, str]] = []
    groups = system.bridged_groups
    if groups is not None:
        count = system.gpus_per_node // groups.group_size
        facts.append(
            (
                "bridged groups",
                f"{count} groups of {groups.group_size} GPUs, each joined by {groups.link.name} "
                f"({groups.link.per_direction_gb_s:g} GB/s per direction); the groups talk over "
                "the GPU-to-GPU link above",
            )
        )
    if system.gpu.unified_memory:
        usable = system.total_gpu_usable_memory_gb
        facts.append(
            (
                "GPU-usable memory",
                f"{_gb(usable)} of {_gb(system.total_memory_gb)} unified memory by default. "
                f"{system.gpu.gpu_memory_share_text}",
            )
        )
    if system.host_memory is not None:
        host = system.host_memory
        facts.append(
            (
                "CPU memory (offload)",
                f"{_gb(host.memory_gb)} {host.description}, reached over {host.link}; "
                "not counted as GPU memory",
            )
        )
    if system.source:
        facts.append(("source", system.source))
    return facts


def extra_system_json(system: GpuSystem) -> dict[str, object]:
    """The same facts as numbers for --json documents."""
    groups = system.bridged_groups
    host = system.host_memory
    return {
        "name": system.name or None,
        "memory_configuration_gb": system.memory_configuration_gb,
        "unified_memory": system.gpu.unified_memory,
        "total_gpu_usable_memory_gb": system.total_gpu_usable_memory_gb,
        "bridged_group_size": groups.group_size if groups else None,
        "bridged_group_link": groups.link.name if groups else None,
        "host_memory_gb": host.memory_gb if host else None,
        "host_link": host.link if host else None,
    }
