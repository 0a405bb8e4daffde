"""Multi-GPU systems: N × a GPU plus the links between them ("4x rtx-4090", "8x h100-sxm").

A system's GPUs talk over the GPU's own link (NVLink, NVSwitch, bridge, Infinity Fabric) when it
spans them, else over PCIe — with peer-to-peer disabled on GeForce cards (and unavailable on
consumer Radeon cards). A 2-way bridge in a bigger box bridges pairs, which then talk over PCIe.
Beyond one node (8 GPUs), nodes talk over a network, one NIC per GPU by default. Unified-memory
devices (a Mac, a Strix Halo box) are one GPU per machine: several of them are several nodes.
Named systems (superchips, Mac Studio configurations) live in data/systems.toml.
"""

from __future__ import annotations

import dataclasses
import math
import re
import tomllib
from dataclasses import dataclass, field
from functools import cache, lru_cache
from importlib import resources
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from gpuatlas.catalog.field_meanings import meaning
from gpuatlas.catalog.file_schemas import build, file_schema, validated_tables
from gpuatlas.catalog.gpu import Gpu
from gpuatlas.catalog.gpu_variants import NameAssumption
from gpuatlas.catalog.gpus import gpu_by_id
from gpuatlas.catalog.parsed_cache import cached_parse
from gpuatlas.catalog.system_devices import named_system_record, read_device
from gpuatlas.catalog.system_keys import system_key
from gpuatlas.catalog.unified_memory import with_memory_configuration
from gpuatlas.errors import DataFileError, GpuAtlasError, InvalidRequestError, UnknownNameError
from gpuatlas.memo import IdentityMemo

GPUS_PER_NODE_MAX = 8
_SYSTEM_PATTERN = re.compile(r"^\s*(\d+)\s*(?:x|×|\*)\s*(.+?)\s*$", re.IGNORECASE)
# "16 H100", "2 A100 80GB": a count of one or two digits, a space, then a name (not a number);
# "2 3090s": a model number in the plural.
_SPACED_COUNT = re.compile(r"^\s*(\d{1,2})\s+(\D.*?|\d{3,4}s)\s*$", re.IGNORECASE)
# The count written after the device: 'A100 x 4', 'H100 ×8' (a benchmark table's column),
# '3090 x2' (not 3090 GPUs named '2').
# 'A100 x 4', 't4 x2', and Kaggle's 'T4x2' (no name in the catalog ends in x and a number)
_TRAILING_COUNT = re.compile(r"^\s*(.+?)\s*[x×]\s*(\d{1,2})\s*$", re.IGNORECASE)
# A count in words, as people ask: 'two 3090s', 'dual 4090', 'quad A100'.
_COUNT_WORDS = {
    "one": 1,
    "two": 2,
    "dual": 2,
    "three": 3,
    "triple": 3,
    "four": 4,
    "quad": 4,
    "six": 6,
    "eight": 8,
}
_WORD_COUNT = re.compile(rf"^\s*({'|'.join(_COUNT_WORDS)})\s+(.+?)\s*$", re.IGNORECASE)
# A model number in the plural after a count: '2x 3090s', 'two A100s' (read only when the name
# as written is unknown: 'L40s' is the L40S).
_PLURAL = re.compile(r"^(.*\d)s$", re.IGNORECASE)


@dataclass(frozen=True)
class Link:
    """A path between two GPUs (or nodes), with what collective models need."""

    id: str = field(metadata=meaning(pattern=r"^[a-z0-9][a-z0-9.-]*$"))
    name: str
    kind: str
    per_direction_gb_s: float = field(metadata=meaning("Per direction", "GB/s", gt=0))
    latency_us: float = field(metadata=meaning("Latency", "µs", gt=0))
    allreduce_efficiency: float = field(
        metadata=meaning("All-reduce bus bandwidth ÷ link rate", gt=0, le=1)
    )
    peer_to_peer: bool = field(metadata=meaning(in_file=False))  # from the kind
    source: str = field(metadata=meaning(min_length=3))  # the file's source and as_of

    @property
    def effective_allreduce_gb_s(self) -> float:
        """Bus bandwidth a ring all-reduce reaches on this link."""
        return self.per_direction_gb_s * self.allreduce_efficiency


@dataclass(frozen=True)
class BridgedGroups:
    """GPUs bridged in groups smaller than the system (2-way NVLink bridges in a 4-GPU box):
    `link` inside each group of `group_size`; the system's `link` between groups."""

    group_size: int
    link: Link


@dataclass(frozen=True)
class HostMemory:
    """CPU memory a superchip's GPU reaches over a coherent link (Grace LPDDR5X over
    NVLink-C2C): usable for offload, not counted as GPU memory."""

    memory_gb: float
    description: str
    link: str


@dataclass(frozen=True)
class GpuSystem:
    """`gpu_count` GPUs of one kind in `nodes` nodes; `link` inside a node, `network` across.
    `memory_configuration_gb` is set when a unified-memory device was chosen in one of its
    memory sizes ("Mac Studio M2 Ultra 64GB"); `name` when the system is a named one;
    `name_assumption` when a bare family name ("A100") was read as its default variant."""

    gpu: Gpu
    gpu_count: int
    link: Link | None
    nodes: int = 1
    network: Link | None = None
    bridged_groups: BridgedGroups | None = None
    memory_configuration_gb: float | None = None
    name: str = ""
    host_memory: HostMemory | None = None
    source: str = ""
    name_assumption: NameAssumption | None = None

    @property
    def id(self) -> str:
        gpu_id = self.gpu.id
        if self.memory_configuration_gb is not None:
            gpu_id = f"{gpu_id} {self.memory_configuration_gb:g}GB"
        return system_key(gpu_id, self.gpu_count)

    @property
    def results_key(self) -> str:
        """How the results store keys this system: a memory configuration of a chip (Mac
        Studio M2 Ultra 192GB) shares the chip's results."""
        return system_key(self.gpu.id, self.gpu_count)

    @property
    def label(self) -> str:
        if self.name:
            return self.name
        name = self.gpu.short_name
        if self.memory_configuration_gb is not None:
            name = f"{name} {self.memory_configuration_gb:g} GB"
        return name if self.gpu_count == 1 else f"{self.gpu_count}× {name}"

    @property
    def total_memory_gb(self) -> float:
        return (self.gpu.memory_gb or 0.0) * self.gpu_count

    @property
    def total_gpu_usable_memory_gb(self) -> float:
        """Memory the GPUs may use: on unified-memory devices the OS's default GPU share."""
        return (self.gpu.gpu_usable_memory_gb or 0.0) * self.gpu_count

    @property
    def gpus_per_node(self) -> int:
        return math.ceil(self.gpu_count / self.nodes)

    @property
    def total_tdp_w(self) -> float:
        return (self.gpu.tdp_w or 0.0) * self.gpu_count


@cache
def all_links() -> dict[str, Link]:
    """data/links.toml by id (from the parsed-data cache when the file is unchanged: every
    system a command builds asks for its link)."""
    path = Path(str(resources.files("gpuatlas.catalog") / "data" / "links.toml"))
    return cached_parse("links", [path], lambda: load_link_file(path))


def load_link_file(path: Path) -> dict[str, Link]:
    """A links file's [[link]] tables by id; every problem of the file is reported at once."""
    tables = tomllib.loads(path.read_text("utf-8")).get("link", [])
    records, problems = validated_tables("link", tables, link_file_schema())
    if problems:
        raise DataFileError(str(path), problems)
    links = [_link_from_record(record) for record in records]
    return {link.id: link for link in links}


@cache
def link_file_schema() -> type[BaseModel]:
    """One [[link]] table: a `Link`'s fields plus the date its source was read."""
    date = Field(pattern=r"^\d{4}-\d{2}-\d{2}$")
    return file_schema(Link, ConfigDict(extra="forbid"), file_only={"as_of": (str, date)})


def _link_from_record(record: BaseModel) -> Link:
    written = record.model_dump()
    return build(
        Link,
        record,
        peer_to_peer=written["kind"] != "pcie-host-staged",
        source=f"{written['source']} (as of {written['as_of']})",
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
    """PCIe between cards of this kind; GeForce cards have peer-to-peer disabled by the driver,
    and consumer Radeon cards do not reliably get it (large BAR and platform support needed)."""
    generation = int(gpu.pcie_generation or 4)
    generation = min(max(generation, 3), 5)
    staged = gpu.segment == "consumer" and generation >= 4
    suffix = ""
    if staged:
        suffix = "-radeon-no-p2p" if gpu.vendor == "AMD" else "-no-p2p"
    return all_links()[f"pcie-{generation}-x16{suffix}"]


def _spans_own_link(gpu: Gpu, gpus_in_node: int) -> bool:
    return bool(
        gpu.link.kind != "none"
        and gpu.link.per_direction_gb_s
        and gpus_in_node <= gpu.link.max_gpus
    )


def intra_node_link(gpu: Gpu, gpus_in_node: int) -> Link | None:
    if gpus_in_node <= 1:
        return None
    if _spans_own_link(gpu, gpus_in_node):
        return own_link(gpu)
    return pcie_link(gpu)


def bridged_groups(gpu: Gpu, gpus_in_node: int) -> BridgedGroups | None:
    """Pairs (or groups) a bridge connects when the box has more GPUs than the bridge spans:
    4x RTX 3090 = two NVLink-bridged pairs, the pairs talking over PCIe."""
    group_size = gpu.link.max_gpus
    if (
        gpu.link.kind != "nvlink-bridge"
        or not gpu.link.per_direction_gb_s
        or gpus_in_node <= group_size
        or gpus_in_node % group_size
    ):
        return None
    return BridgedGroups(group_size=group_size, link=own_link(gpu))


def default_network(gpu: Gpu) -> Link:
    if gpu.vendor == "Apple":
        return all_links()["thunderbolt-5" if _has_thunderbolt_5(gpu) else "thunderbolt-4"]
    if gpu.unified_memory and gpu.segment == "consumer":
        return all_links()["usb4-40g"]
    if gpu.segment == "consumer":
        return all_links()["ethernet-100g"]
    if gpu.architecture_family in ("hopper", "blackwell", "cdna3"):
        return all_links()["infiniband-ndr-400"]
    return all_links()["infiniband-hdr-200"]


def _has_thunderbolt_5(gpu: Gpu) -> bool:
    """M3 Ultra, M4 Pro and M4 Max Macs have Thunderbolt 5; earlier ones Thunderbolt 4."""
    return gpu.id.startswith(("apple-m3-ultra", "apple-m4-pro", "apple-m4-max"))


def gpus_per_node_max(gpu: Gpu) -> int:
    """A unified-memory device is a whole machine: one GPU per node."""
    return 1 if gpu.unified_memory and gpu.segment in ("apple", "consumer") else GPUS_PER_NODE_MAX


def build_system(gpu: Gpu, gpu_count: int, network_id: str | None = None) -> GpuSystem:
    """`gpu_count` of `gpu` on their links (the network between nodes: `network_id`, else the
    GPU's default), built once per GPU, count and network: the same object each time, so the
    estimators' caches, which key systems by identity, find it (catalog GPUs are immutable and
    the entry keeps its GPU alive, so the id stays that GPU's)."""
    return _BUILT_SYSTEMS.answer(
        (id(gpu), gpu_count, network_id),
        (gpu,),
        lambda: _assembled_system(gpu, gpu_count, network_id),
    )


_BUILT_SYSTEMS: IdentityMemo[tuple[int, int, str | None], GpuSystem] = IdentityMemo(4096)


def _assembled_system(gpu: Gpu, gpu_count: int, network_id: str | None) -> GpuSystem:
    if gpu_count < 1:
        raise InvalidRequestError([f"GPU count must be at least 1, got {gpu_count}"])
    nodes = math.ceil(gpu_count / gpus_per_node_max(gpu))
    gpus_in_node = math.ceil(gpu_count / nodes)
    link = intra_node_link(gpu, gpus_in_node)
    network = None
    if nodes > 1:
        network = all_links()[network_id] if network_id else default_network(gpu)
    return GpuSystem(
        gpu=gpu,
        gpu_count=gpu_count,
        link=link,
        nodes=nodes,
        network=network,
        bridged_groups=bridged_groups(gpu, gpus_in_node),
    )


# A GPU named with the power limit it ran under ('RTX 3090 capped at 250W', 'RTX PRO 4000
# Blackwell at 140W', 'A6000 @ 200W', 'RTX 4090 (power limit 300 W)'). A laptop part's TGP
# ('115W TGP') is its specification, not a cap: not read here.
_POWER_CAP = re.compile(
    r"^(?P<device>.+?)[\s,(]+(?:(?:power[- ]?)?(?:capped|limited|limit|cap)\s*(?:at|to)?|at|@)"
    r"\s*(?P<watts>\d{2,4}(?:\.\d+)?)\s*W(?:atts?)?\b"
    r"(?:\s*(?:power\s*)?(?:cap|limit))?\)?\s*$"
    r"|^(?P<device2>.+?)[\s,(]+(?P<watts2>\d{2,4}(?:\.\d+)?)\s*W(?:atts?)?\s+"
    r"(?:power[- ]?)?(?:cap|limit)\)?\s*$",
    re.IGNORECASE,
)


POWER_CAP_SAME_W = 1.0  # a stated power within 1 W of the rated board power is that power


def power_capped(text: str) -> tuple[str, float] | None:
    """(the GPU as named, the watts) of a name stating the power limit it ran under."""
    found = _POWER_CAP.match(text.strip())
    if found is None:
        return None
    device = found["device"] or found["device2"]
    return device.strip(), float(found["watts"] or found["watts2"])


def _stated_power(text: str, network_id: str | None) -> GpuSystem | None:
    """A GPU named with the power it ran at: the GPU where that is its rated board power;
    refused, saying so, where it is a limit below (or above) it; None for a name stating no
    power, or whose rest is no GPU either (its own error says so).

    The performance model reads a card's rated board power (`tdp_w`: the sustained clock it
    holds under a dense load, performance/sustained_clocks.py) but takes no power limit from a
    request, so a capped card would be predicted as the uncapped one. The name without the cap
    is returned to the user to run at the rated power."""
    capped = power_capped(text)
    if capped is None:
        return None
    device, watts = capped
    try:
        system = resolve_system(device, network_id)
    except GpuAtlasError:
        return None  # the name is unknown without the cap too: its own error says so
    if system.gpu.tdp_w is not None and abs(system.gpu.tdp_w - watts) <= POWER_CAP_SAME_W:
        return system  # the card's own rated power, stated ('RTX PRO 4000 Blackwell at 140W')
    rated = f"{system.gpu.tdp_w:g} W" if system.gpu.tdp_w else "its rated board power"
    raise InvalidRequestError(
        [
            f"GPU {text!r} is {system.gpu.id} under a {watts:g} W power limit, which is not "
            f"modelled: predictions take no power-limit input and model {system.gpu.id} at "
            f"{rated}; name it without the limit ({device!r}) to predict it at its rated power"
        ]
    )


def resolve_system(text: str, network_id: str | None = None) -> GpuSystem:
    """'4x rtx-4090', '2 x A100 80GB SXM4', '8×h100-sxm', 'A100 x 4', a single GPU name, a
    unified-memory device in one of its memory sizes ('Mac Studio M2 Ultra 192GB') or a named system
    ('GH200 superchip') → a GpuSystem."""
    if network_id is not None and network_id not in all_links():
        raise UnknownNameError("network", network_id, sorted(all_links()))
    named = named_system(text)
    if named is not None:
        return named
    stated = _stated_power(text, network_id)
    if stated is not None:
        return stated
    trailing = _TRAILING_COUNT.match(text)
    if trailing is not None:
        return _device_system(int(trailing.group(2)), trailing.group(1), network_id)
    worded = _WORD_COUNT.match(text)
    if worded is not None:
        return _device_system(_COUNT_WORDS[worded.group(1).lower()], worded.group(2), network_id)
    match = _SYSTEM_PATTERN.match(text) or _SPACED_COUNT.match(text)
    if match is None:
        return _device_system(1, text, network_id)
    try:
        return _device_system(int(match.group(1)), match.group(2), network_id)
    except UnknownNameError as counted:
        try:  # '6900xt', '7900 XTX': a model number and its suffix, not 6900 GPUs named 't'
            return _device_system(1, text, network_id)
        except UnknownNameError:
            raise counted from None


def _device_system(count: int, device: str, network_id: str | None) -> GpuSystem:
    module = named_system_record(device)
    if module is not None and module.module:  # '4x MI250': four modules of two GCDs
        return build_system(gpu_by_id(module.gpu), count * module.gpu_count, network_id)
    try:
        gpu, memory_gb, assumption = read_device(device)
    except UnknownNameError as unknown:
        plural = _PLURAL.match(device.strip()) if count > 1 else None
        if plural is None:
            raise
        try:
            gpu, memory_gb, assumption = read_device(plural.group(1))
        except UnknownNameError:
            raise unknown from None
    gpu, count = module_devices(gpu, count)
    system = build_system(gpu, count, network_id)
    return dataclasses.replace(
        system, memory_configuration_gb=memory_gb, name_assumption=assumption
    )


def module_devices(gpu: Gpu, count: int) -> tuple[Gpu, int]:
    """A module that software sees as several GPUs (an MI250X: two 64 GB GCDs; systems.toml
    names its catalog id as a system of them): `count` modules are count x that many devices
    ('2x mi250x' is 4 GCDs, it was 2 GPUs of 128 GB); any other GPU as given."""
    record = named_system_record(gpu.id)
    if record is None or not record.module:
        return gpu, count
    return gpu_by_id(record.gpu), count * record.gpu_count


def named_system(text: str) -> GpuSystem | None:
    """A named system from data/systems.toml ('GH200 superchip'), or None."""
    record = named_system_record(text)
    if record is None:
        return None
    gpu = gpu_by_id(record.gpu)
    if record.memory_configuration_gb is not None:
        gpu = with_memory_configuration(gpu, record.memory_configuration_gb)
    host = None
    if record.host_memory_gb is not None:
        host = HostMemory(record.host_memory_gb, record.host_memory, record.host_link)
    return dataclasses.replace(
        build_system(gpu, record.gpu_count),
        memory_configuration_gb=record.memory_configuration_gb,
        name=record.name,
        host_memory=host,
        source=f"{record.source} (as of {record.as_of})",
    )


@lru_cache(maxsize=1024)
def system_name(system_id: str) -> str:
    """The product name people read ("RTX 4090", "4× H100 SXM"); the id when unknown."""
    try:
        return resolve_system(system_id).label
    except GpuAtlasError:
        return system_id
