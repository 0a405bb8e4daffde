"""The GPU data files' schema and their validation: imported only when a file is actually
parsed (a cold catalog cache, tests, a user's own file), never on a cached start. The schema is
built from the one declaration of a GPU's fields (`gpu.Gpu`, `gpu.GpuLink`)."""

from __future__ import annotations

import tomllib
from functools import cache
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict

from gpuatlas.catalog.file_schemas import build, file_schema, validated_tables
from gpuatlas.catalog.gpu import Gpu
from gpuatlas.errors import DataFileError


@cache
def gpu_file_schema() -> type[BaseModel]:
    """One [[gpu]] table as written in a data file: every `Gpu` field under its file name, the
    link's fields flat (`link_kind`, …, `interconnect_text`); an unknown key is an error."""
    return file_schema(Gpu, ConfigDict(extra="forbid"))


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
    records, problems = validated_tables("gpu", tables, gpu_file_schema())
    return [build(Gpu, record) for record in records], problems


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
