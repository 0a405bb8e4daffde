"""Multi-GPU systems: N × a GPU plus the links between them ("4x rtx-4090", "8x h100-sxm").

A system's GPUs talk over the GPU's own link (NVLink, NVSwitch, bridge, Infinity Fabric) when it
spans them, else over PCIe — with peer-to-peer disabled on GeForce cards. Beyond one node
(8 GPUs), nodes talk over a network, one NIC per GPU by default.
"""

from __future__ import annotations

import math
import re
import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources

from pydantic import BaseModel, ConfigDict, Field

from gpuatlas.catalog.gpu import Gpu
from gpuatlas.catalog.gpus import resolve_gpu
from gpuatlas.errors import InvalidRequestError, UnknownNameError

GPUS_PER_NODE_MAX = 8
_SYSTEM_PATTERN = re.compile(r"^\s*(\d+)\s*(?:x|×|\*)\s*(.+?)\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class Link:
    """A path between two GPUs (or nodes), with what collective models need."""

    id: str
    name: str
    kind: str
    per_direction_gb_s: float
    latency_us: float
    allreduce_efficiency: float
    peer_to_peer: bool
    source: str

    @property
    def effective_allreduce_gb_s(self) -> float:
        """Bus bandwidth a ring all-reduce reaches on this link."""
        return self.per_direction_gb_s * self.allreduce_efficiency


class LinkRecord(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str
    name: str
    kind: str
    per_direction_gb_s: float = Field(gt=0)
    latency_us: float = Field(gt=0)
    allreduce_efficiency: float = Field(gt=0, le=1)
    source: str
    as_of: str


@dataclass(frozen=True)
class GpuSystem:
    """`gpu_count` GPUs of one kind in `nodes` nodes; `link` inside a node, `network` across."""

    gpu: Gpu
    gpu_count: int
    link: Link | None
    nodes: int = 1
    network: Link | None = None

    @property
    def id(self) -> str:
        return self.gpu.id if self.gpu_count == 1 else f"{self.gpu_count}x {self.gpu.id}"

    @property
    def label(self) -> str:
        name = self.gpu.short_name
        return name if self.gpu_count == 1 else f"{self.gpu_count}× {name}"

    @property
    def total_memory_gb(self) -> float:
        return (self.gpu.memory_gb or 0.0) * self.gpu_count

    @property
    def gpus_per_node(self) -> int:
        return math.ceil(self.gpu_count / self.nodes)

    @property
    def total_tdp_w(self) -> float:
        return (self.gpu.tdp_w or 0.0) * self.gpu_count


@cache
def all_links() -> dict[str, Link]:
    text = (resources.files("gpuatlas.catalog") / "data" / "links.toml").read_text("utf-8")
    records = [LinkRecord.model_validate(t) for t in tomllib.loads(text)["link"]]
    return {r.id: _link_from_record(r) for r in records}


def _link_from_record(record: LinkRecord) -> Link:
    return Link(
        id=record.id,
        name=record.name,
        kind=record.kind,
        per_direction_gb_s=record.per_direction_gb_s,
        latency_us=record.latency_us,
        allreduce_efficiency=record.allreduce_efficiency,
        peer_to_peer=record.kind != "pcie-host-staged",
        source=f"{record.source} (as of {record.as_of})",
    )


def own_link(gpu: Gpu) -> Link:
    """The GPU's own NVLink/NVSwitch/bridge/Infinity Fabric link, as a Link."""
    assert gpu.link.per_direction_gb_s is not None
    efficiency = 0.8 if gpu.link.kind in ("nvlink", "infinity-fabric") else 0.75
    return Link(
        id=f"{gpu.link.kind}-{gpu.link.generation or 0}",
        name=gpu.link.description,
        kind=gpu.link.kind,
        per_direction_gb_s=gpu.link.per_direction_gb_s,
        latency_us=gpu.link.latency_us or 3.0,
        allreduce_efficiency=efficiency,
        peer_to_peer=True,
        source=f"{gpu.source} (as of {gpu.as_of})",
    )


def pcie_link(gpu: Gpu) -> Link:
    """PCIe between cards of this kind; GeForce cards have peer-to-peer disabled."""
    generation = int(gpu.pcie_generation or 4)
    generation = min(max(generation, 3), 5)
    staged = gpu.segment == "consumer" and generation >= 4
    return all_links()[f"pcie-{generation}-x16" + ("-no-p2p" if staged else "")]


def intra_node_link(gpu: Gpu, gpus_in_node: int) -> Link | None:
    if gpus_in_node <= 1:
        return None
    if (
        gpu.link.kind != "none"
        and gpu.link.per_direction_gb_s
        and gpus_in_node <= gpu.link.max_gpus
    ):
        return own_link(gpu)
    return pcie_link(gpu)


def default_network(gpu: Gpu) -> Link:
    if gpu.segment == "consumer":
        return all_links()["ethernet-100g"]
    if gpu.architecture_family in ("hopper", "blackwell", "cdna3"):
        return all_links()["infiniband-ndr-400"]
    return all_links()["infiniband-hdr-200"]


def build_system(gpu: Gpu, gpu_count: int, network_id: str | None = None) -> GpuSystem:
    if gpu_count < 1:
        raise InvalidRequestError([f"GPU count must be at least 1, got {gpu_count}"])
    nodes = math.ceil(gpu_count / GPUS_PER_NODE_MAX)
    link = intra_node_link(gpu, math.ceil(gpu_count / nodes))
    network = None
    if nodes > 1:
        network = all_links()[network_id] if network_id else default_network(gpu)
    return GpuSystem(gpu=gpu, gpu_count=gpu_count, link=link, nodes=nodes, network=network)


def resolve_system(text: str, network_id: str | None = None) -> GpuSystem:
    """'4x rtx-4090', '2 x A100 80GB SXM4', '8×h100-sxm' or a single GPU name → a GpuSystem."""
    if network_id is not None and network_id not in all_links():
        raise UnknownNameError("network", network_id, sorted(all_links()))
    match = _SYSTEM_PATTERN.match(text)
    if match:
        return build_system(resolve_gpu(match.group(2)), int(match.group(1)), network_id)
    return build_system(resolve_gpu(text), 1, network_id)
