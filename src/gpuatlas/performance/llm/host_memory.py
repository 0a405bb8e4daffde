"""Host memory as a limit for llama.cpp/Ollama layers or MoE experts kept on the CPU.

The weights a split leaves on the CPU, and the KV cache of the layers the CPU runs, live in the
machine's RAM beside the operating system. llama.cpp maps a GGUF file (mmap, its default):
weights that do not fit in RAM would be paged in from disk on every token, at disk speed; that
is not modelled, so such a split is refused with the numbers and what would fit instead.

How much RAM the machine has: as stated (`--host-ram-gb`, a system whose `host_memory` is
given), the catalog's figure for a named machine (a Grace superchip's LPDDR5X, systems.toml),
else a stated assumption by the GPU's class (DESKTOP_HOST_RAM_GB, SERVER_HOST_RAM_PER_GPU_GB).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

from gpuatlas.catalog.systems import GpuSystem, HostMemory
from gpuatlas.errors import InvalidRequestError
from gpuatlas.memo import IdentityMemo

# Steam Hardware & Software Survey (store.steampowered.com/hwsurvey): 16 GB is the most common
# RAM tier (47.08 % in May 2024, 40.24 % in January 2026) and 32 GB the next (28.72 %, May
# 2024). A desktop bought to run models on its GPU is assumed to have the larger common tier.
DESKTOP_HOST_RAM_GB = 32.0
DESKTOP_HOST_RAM_SOURCE = (
    "assumed: a desktop with 32 GB (Steam Hardware & Software Survey: 16 GB the most common "
    "tier, 32 GB the next)"
)
# NVIDIA's reference servers: DGX A100 (640 GB), DGX H100 and DGX B200 each have 2 TB of system
# memory for 8 GPUs (the DGX user guides' hardware tables): 256 GB per GPU.
SERVER_HOST_RAM_PER_GPU_GB = 256.0
SERVER_HOST_RAM_SOURCE = (
    "assumed: 256 GB per GPU, as NVIDIA's DGX A100/H100/B200 servers (2 TB for 8 GPUs)"
)
# What the operating system and the engine's own process keep: Windows 11's minimum RAM
# (4 GB, microsoft.com/windows/windows-11-specifications), a stated floor.
OS_RESERVE_GB = 4.0
GIVEN_SOURCE = "as given: --host-ram-gb"
MEASURED_SOURCE = "a measured run (it fit its host)"


@dataclass(frozen=True)
class HostRam:
    """The machine's RAM and where the figure comes from."""

    memory_gb: float
    source: str


def host_ram_of(system: GpuSystem) -> HostRam:
    """The RAM of the machine the GPUs sit in: the system's own figure (as given, or a named
    machine's from the catalog), else the assumption for the GPU's class."""
    if system.host_memory is not None:
        host = system.host_memory
        return HostRam(host.memory_gb, host.description)
    if system.gpu.segment == "datacenter":
        per_node = SERVER_HOST_RAM_PER_GPU_GB * system.gpus_per_node
        return HostRam(per_node, SERVER_HOST_RAM_SOURCE)
    return HostRam(DESKTOP_HOST_RAM_GB, DESKTOP_HOST_RAM_SOURCE)


def host_ram_note(system: GpuSystem) -> str:
    """The RAM the split was checked against, for an answer's notes."""
    host = host_ram_of(system)
    text = (
        f"host RAM {host.memory_gb:,.0f} GB ({host.source}) holds the CPU's weights and KV "
        f"with {OS_RESERVE_GB:g} GB for the OS"
    )
    return text if host.source == GIVEN_SOURCE else f"{text}; state yours with --host-ram-gb"


_WITH_HOST_RAM: IdentityMemo[tuple[int, float], GpuSystem] = IdentityMemo(10_000)


def with_host_ram(
    system: GpuSystem, host_ram_gb: float | None, source: str = GIVEN_SOURCE
) -> GpuSystem:
    """The system with the RAM of its machine stated (None: the system as it is). The same
    system object comes back for the same arguments (caches key splits by the system's id)."""
    if host_ram_gb is None:
        return system
    check_host_ram_gb(host_ram_gb)
    return _WITH_HOST_RAM.answer(
        (id(system), host_ram_gb),
        (system,),
        lambda: replace(system, host_memory=HostMemory(host_ram_gb, source, "PCIe")),
    )


def check_host_ram_gb(host_ram_gb: float) -> None:
    if not host_ram_gb > 0 or math.isnan(host_ram_gb):
        raise InvalidRequestError([f"--host-ram-gb must be more than 0, got {host_ram_gb:g}"])


@dataclass(frozen=True)
class HostNeed:
    """What a GPU/CPU split keeps in host memory, in GB (10^9 bytes)."""

    weights_gb: float
    kv_gb: float

    @property
    def total_gb(self) -> float:
        return self.weights_gb + self.kv_gb + OS_RESERVE_GB


def host_shortfall_message(need: HostNeed, host: HostRam, what: str) -> str:
    """The refusal: what the split keeps on the CPU, the RAM there is, and what would fit."""
    return (
        f"{what} does not fit in host memory: {need.weights_gb:,.1f} GB of weights and "
        f"{need.kv_gb:,.1f} GB of KV cache on the CPU + {OS_RESERVE_GB:g} GB for the OS "
        f"= {need.total_gb:,.1f} GB > {host.memory_gb:,.0f} GB of host RAM ({host.source}); "
        "llama.cpp and Ollama map the GGUF file (mmap), so the rest would be read from disk at "
        "disk speed on every token, not modelled. "
        f"State the machine's RAM with --host-ram-gb (at least {math.ceil(need.total_gb)}), "
        "or use a smaller weight format or more GPUs"
    )


def require_host_room(system: GpuSystem, need: HostNeed, what: str) -> None:
    """Refuse a split whose CPU side does not fit the machine's RAM."""
    host = host_ram_of(system)
    if need.total_gb > host.memory_gb:
        raise HostMemoryRefusalError(host_shortfall_message(need, host, what))


class HostMemoryRefusalError(InvalidRequestError):
    """A GPU/CPU split whose CPU side does not fit the host's RAM."""

    def __init__(self, message: str):
        super().__init__([message])


__all__ = [
    "DESKTOP_HOST_RAM_GB",
    "OS_RESERVE_GB",
    "SERVER_HOST_RAM_PER_GPU_GB",
    "HostMemoryRefusalError",
    "HostNeed",
    "HostRam",
    "host_ram_note",
    "host_ram_of",
    "require_host_room",
    "with_host_ram",
]
