"""What a system spec names besides "N x GPU": a unified-memory device in one of the memory sizes
it is sold with ("Mac Studio M2 Ultra 192GB", "apple-m4-max-40c 64GB"), or a named system from
data/systems.toml (superchips: "GH200 superchip"). Named systems match their names exactly, so
GPU names keep resolving to GPUs."""

from __future__ import annotations

import re
import tomllib
from dataclasses import replace
from functools import cache
from importlib import resources

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from gpuatlas.catalog.gpu import Gpu
from gpuatlas.catalog.gpu_variants import NameAssumption
from gpuatlas.catalog.gpus import gpu_by_id, memory_word, read_gpu_name, without_mac_model
from gpuatlas.catalog.names import normalise
from gpuatlas.catalog.unified_memory import with_memory_configuration
from gpuatlas.errors import DataFileError, UnknownNameError

_MEMORY_SUFFIX = re.compile(
    r"^(?P<device>.+?)[\s,(]+(?P<memory>\d+(?:\.\d+)?)\s*gb?\)?\s*$", re.IGNORECASE
)


class NamedSystemRecord(BaseModel):
    """One [[system]] table of data/systems.toml."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9.-]*$")
    name: str
    aliases: list[str] = []
    gpu: str
    gpu_count: int = Field(default=1, ge=1)
    # the devices of one module that software sees as several GPUs (an MI250X's two GCDs):
    # 'N x <its name>' is N modules, N x gpu_count devices
    module: bool = False
    memory_configuration_gb: float | None = Field(default=None, gt=0)
    host_memory_gb: float | None = Field(default=None, gt=0)
    host_memory: str = ""
    host_link: str = ""
    source: str = Field(min_length=3)
    as_of: str = Field(pattern=r"^\d{4}-\d{2}-\d{2}$")
    notes: str = ""


def resolve_device(text: str) -> tuple[Gpu, float | None]:
    """The GPU a device spec names, configured when it names a unified-memory device's memory
    size. A size the device is not sold with is an InvalidRequestError listing the sizes."""
    gpu, memory_gb, _ = read_device(text)
    return gpu, memory_gb


def read_device(text: str) -> tuple[Gpu, float | None, NameAssumption | None]:
    """`resolve_device`, with the assumption made when a bare family name ("A100") was read as
    its default variant."""
    match = _MEMORY_SUFFIX.match(text)
    memory_gb, device = (
        (float(match["memory"]), match["device"]) if match else memory_word(text)
    )  # the size may stand inside the name too: "Apple M4 Max 48GB 16 Core"
    if memory_gb is not None:
        configured = _configured_device(device, memory_gb)
        if configured is not None:
            gpu, size_gb, assumption = configured
            written = replace(assumption, written=text.strip()) if assumption else None
            return gpu, size_gb, written
    gpu, assumption = read_gpu_name(without_mac_model(text))
    return gpu, None, assumption


def _configured_device(
    device: str, memory_gb: float
) -> tuple[Gpu, float, NameAssumption | None] | None:
    """A unified-memory device in one of its memory sizes; a bare chip name ("M2 Ultra 64GB")
    keeps the assumption of which GPU core count it was read as."""
    try:
        gpu, assumption = read_gpu_name(without_mac_model(device))
    except UnknownNameError:
        return None
    if not gpu.unified_memory:
        return None
    if not gpu.memory_options_gb and gpu.memory_gb == memory_gb:
        return None  # one size only, the one written ("jetson-agx-orin-64gb"): the plain name
    if assumption is not None and assumption.other_variants:  # the size may pick the variant:
        # 'M3 Max 64GB' is the 40-core (a CPU core count that picked it already stands)
        gpu, assumption = _variant_sold_with(gpu, assumption, memory_gb)
    return with_memory_configuration(gpu, memory_gb), memory_gb, assumption


def _variant_sold_with(
    gpu: Gpu, assumption: NameAssumption, memory_gb: float
) -> tuple[Gpu, NameAssumption]:
    """A bare chip name with a size only one variant is sold with ("M3 Max 36GB": the 36 GB M3
    Max has the 30-core GPU, Apple sells the 40-core one with 48, 64 or 128 GB) is that
    variant, said so, also when it is the name's own reading ('M3 Max 64GB' warned that the
    variants differ in memory); with none or several such variants, the name's own reading
    stands (and a size none is sold with is refused with the sizes it is sold with)."""
    variants = (assumption.gpu_id, *assumption.other_variants)
    sold = [v for v in variants if memory_gb in gpu_by_id(v).memory_options_gb]
    if len(sold) != 1:
        return gpu, assumption
    chosen = gpu_by_id(sold[0])
    others = tuple(v for v in variants if v != chosen.id)
    reason = (
        f"the only {assumption.family} sold with {memory_gb:g} GB: "
        f"{chosen.gpu_cores} GPU cores, {chosen.memory_bandwidth_gb_s:g} GB/s"
    )
    return chosen, replace(
        assumption,
        gpu_id=chosen.id,
        gpu_name=chosen.name,
        reason=reason,
        other_variants=others,
        memory_gb=memory_gb,  # the size written: the variants no longer differ in it
        other_memory_gb=tuple(memory_gb for _ in others),
    )


@cache
def named_system_records() -> dict[str, NamedSystemRecord]:
    """data/systems.toml by id; every record's GPU must be in the catalog."""
    path = resources.files("gpuatlas.catalog") / "data" / "systems.toml"
    tables = tomllib.loads(path.read_text("utf-8")).get("system", [])
    records: dict[str, NamedSystemRecord] = {}
    problems: list[str] = []
    for position, table in enumerate(tables, start=1):
        try:
            record = NamedSystemRecord.model_validate(table)
        except ValidationError as error:
            problems += [f"[[system]] #{position}: {issue['msg']}" for issue in error.errors()]
            continue
        problems += _record_problems(record, records)
        records[record.id] = record
    if problems:
        raise DataFileError(str(path), problems)
    return records


def _record_problems(record: NamedSystemRecord, seen: dict[str, NamedSystemRecord]) -> list[str]:
    problems = [f"system {record.id!r}: duplicate id"] if record.id in seen else []
    try:
        gpu_by_id(record.gpu)
    except KeyError:
        problems.append(f"system {record.id!r}: unknown GPU id {record.gpu!r}")
    return problems


def named_system_record(text: str) -> NamedSystemRecord | None:
    """The named system whose id, name or alias is `text` (after normalisation), if any."""
    return _records_by_name().get(normalise(text))


@cache
def _records_by_name() -> dict[str, NamedSystemRecord]:
    """Every record under its normalised id, name and aliases; a name two records share stays
    the first record's (file order)."""
    by_name: dict[str, NamedSystemRecord] = {}
    for record in named_system_records().values():
        for name in (record.id, record.name, *record.aliases):
            by_name.setdefault(normalise(name), record)
    return by_name
