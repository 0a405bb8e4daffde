"""The GPU data files' schema (pydantic) and their validation: imported only when a file is
actually parsed (a cold catalog cache, tests, a user's own file), never on a cached start."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from gpuatlas.catalog.gpu import Gpu, GpuLink, LinkKind, Segment
from gpuatlas.errors import DataFileError


class GpuRecord(BaseModel):
    """One [[gpu]] table as written in the data file (the file's schema)."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9.-]*$")
    vendor: str
    name: str
    aliases: list[str] = []
    segment: Segment
    architecture: str
    architecture_family: str
    compute_capability: str | None = None
    release_year: int = Field(ge=1990, le=2100)
    memory_gb: float | None = Field(default=None, gt=0)
    memory_type: str
    memory_bandwidth_gb_s: float | None = Field(default=None, gt=0)
    fp32_tflops: float | None = Field(default=None, gt=0)
    tf32_dense_tflops: float | None = Field(default=None, gt=0)
    fp16_dense_tflops: float | None = Field(default=None, gt=0)
    bf16_dense_tflops: float | None = Field(default=None, gt=0)
    fp8_dense_tflops: float | None = Field(default=None, gt=0)
    int8_dense_tops: float | None = Field(default=None, gt=0)
    int4_dense_tops: float | None = Field(default=None, gt=0)
    tensor_accumulate: str
    fp16_with_fp16_accumulate_dense_tflops: float | None = Field(default=None, gt=0)
    tdp_w: float | None = Field(default=None, gt=0)
    tdp_text: str = ""
    form_factor: str
    interconnect_text: str
    link_kind: LinkKind
    link_generation: int | None = None
    link_total_gb_s: float | None = Field(default=None, gt=0)
    link_per_direction_gb_s: float | None = Field(default=None, gt=0)
    link_max_gpus: int = Field(default=1, ge=1)
    link_latency_us: float | None = Field(default=None, gt=0)
    pcie_generation: float | None = None
    pcie_lanes: int | None = None
    l2_cache_mb: float | None = None
    cache_text: str = ""
    ecc: bool | None = None
    sm_count: int | None = None
    cuda_cores: int | None = None
    tensor_cores: int | None = None
    launch_price_usd: float | None = Field(default=None, gt=0)
    unified_memory: bool = False
    gpu_memory_share_default: float | None = Field(default=None, gt=0, le=1)
    gpu_memory_share_text: str = ""
    memory_options_gb: list[float] = []
    gpu_cores: int | None = Field(default=None, ge=1)
    source: str = Field(min_length=3)
    as_of: str = Field(pattern=r"^\d{4}-\d{2}-\d{2}$")
    notes: str = ""

    def to_gpu(self) -> Gpu:
        fields = self.model_dump(exclude={"aliases", "interconnect_text", "memory_options_gb"})
        link = GpuLink(
            kind=fields.pop("link_kind"),
            description=self.interconnect_text,
            generation=fields.pop("link_generation"),
            total_gb_s=fields.pop("link_total_gb_s"),
            per_direction_gb_s=fields.pop("link_per_direction_gb_s"),
            max_gpus=fields.pop("link_max_gpus"),
            latency_us=fields.pop("link_latency_us"),
        )
        return Gpu(
            aliases=tuple(self.aliases),
            link=link,
            memory_options_gb=tuple(self.memory_options_gb),
            **fields,
        )


def load_gpu_file(path: Path) -> list[Gpu]:
    """Parse and validate a GPU data file; every problem is reported at once."""
    try:
        document = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as error:
        raise DataFileError(str(path), [f"not valid TOML: {error}"]) from None
    tables: list[dict[str, Any]] = document.get("gpu", [])
    gpus, problems = _validated_gpus(tables)
    problems += _duplicate_id_problems(gpus)
    if problems:
        raise DataFileError(str(path), problems)
    return gpus


def _validated_gpus(tables: list[dict[str, Any]]) -> tuple[list[Gpu], list[str]]:
    gpus: list[Gpu] = []
    problems: list[str] = []
    for position, table in enumerate(tables, start=1):
        label = f"[[gpu]] #{position} ({table.get('id', '?')})"
        try:
            gpus.append(GpuRecord.model_validate(table).to_gpu())
        except ValidationError as error:
            problems += [
                f"{label}, field {'.'.join(str(p) for p in issue['loc'])}: {issue['msg']}"
                for issue in error.errors()
            ]
    return gpus, problems


def _duplicate_id_problems(gpus: list[Gpu]) -> list[str]:
    seen: set[str] = set()
    problems = []
    for gpu in gpus:
        if gpu.id in seen:
            problems.append(f"field id: duplicate GPU id {gpu.id!r}")
        seen.add(gpu.id)
    return problems


def load_gpu_files(paths: list[Path]) -> list[Gpu]:
    """Every GPU of several files; an id defined in two files is reported like any problem."""
    gpus = [gpu for path in paths for gpu in load_gpu_file(path)]
    problems = _duplicate_id_problems(gpus)
    if problems:
        raise DataFileError(", ".join(str(path) for path in paths), problems)
    return gpus
