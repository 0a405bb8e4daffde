"""Inference engine profiles (data/engines.toml): formats, memory policy, efficiency priors."""

from __future__ import annotations

import difflib
import re
import tomllib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from functools import cache
from importlib import resources
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from gpuatlas.catalog.formats import resolve_format
from gpuatlas.errors import DataFileError, GpuAtlasError, InvalidRequestError, UnknownNameError

MultiGpuMode = Literal["tensor", "layer-split"]


@dataclass(frozen=True)
class EngineProfile:
    """One engine's behaviour as the estimators need it (see data/engines.toml)."""

    id: str
    names: tuple[str, ...]
    formats: tuple[str, ...]
    kv_cache: tuple[str, ...]
    memory_fraction: float
    cuda_context_gb: float
    kv_block_tokens: int
    eta_memory: float
    eta_compute: float
    step_overhead_ms: float
    layer_overhead_ms: float
    sequence_overhead_us: float
    attention_score_bytes: float
    max_batch: int
    prefill_chunk_tokens: int
    multi_gpu: MultiGpuMode
    fp16_accumulate: bool
    activation_gb_per_1k_batch_tokens: float
    source: str
    quantized_kv_cache: str = ""  # KV precision 'auto' takes from quantized checkpoints
    quantized_kv_formats: tuple[str, ...] = ()  # the weight formats whose checkpoints set it

    def supports_format(self, format_id: str) -> bool:
        return format_id in self.formats


class _EngineRecord(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str
    names: list[str] = []
    formats: list[str] = Field(min_length=1)
    kv_cache: list[str] = Field(min_length=1)
    memory_fraction: float = Field(gt=0, le=1)
    cuda_context_gb: float = Field(ge=0)
    kv_block_tokens: int = Field(ge=1)
    eta_memory: float = Field(gt=0, le=1)
    eta_compute: float = Field(gt=0, le=1)
    step_overhead_ms: float = Field(ge=0)
    layer_overhead_ms: float = Field(ge=0)
    sequence_overhead_us: float = Field(ge=0)
    attention_score_bytes: float = Field(default=0.0, ge=0)
    max_batch: int = Field(ge=1)
    prefill_chunk_tokens: int = Field(ge=1)
    multi_gpu: MultiGpuMode
    fp16_accumulate: bool
    activation_gb_per_1k_batch_tokens: float = Field(ge=0)
    source: str = Field(min_length=3)
    quantized_kv_cache: str = ""
    quantized_kv_formats: list[str] = []


def parse_engines(text: str, origin: str = "engines.toml") -> tuple[EngineProfile, ...]:
    """Validate an engines file; every problem is reported at once."""
    try:
        tables = tomllib.loads(text).get("engine", [])
    except tomllib.TOMLDecodeError as error:
        raise DataFileError(origin, [f"not valid TOML: {error}"]) from None
    profiles: list[EngineProfile] = []
    problems: list[str] = []
    for position, table in enumerate(tables, start=1):
        try:
            record = _EngineRecord.model_validate(table)
        except ValidationError as error:
            label = f"[[engine]] #{position} ({table.get('id', '?')})"
            problems += [f"{label}, field {e['loc'][0]}: {e['msg']}" for e in error.errors()]
            continue
        values = record.model_dump()
        values.update(names=tuple(record.names), formats=tuple(record.formats))
        values["kv_cache"] = tuple(record.kv_cache)
        values["quantized_kv_formats"] = tuple(record.quantized_kv_formats)
        profiles.append(EngineProfile(**values))
    if problems:
        raise DataFileError(origin, problems)
    return tuple(profiles)


@cache
def all_engines() -> tuple[EngineProfile, ...]:
    path = resources.files("gpuatlas.estimate") / "data" / "engines.toml"
    return parse_engines(path.read_text(encoding="utf-8"), str(path))


def _key(name: str) -> str:
    return re.sub(r"[\s_]+", "-", name.strip().lower())


@cache
def _engine_index() -> dict[str, EngineProfile]:
    index: dict[str, EngineProfile] = {}
    for profile in all_engines():
        for name in (profile.id, *profile.names):
            index.setdefault(_key(name), profile)
    return index


def resolve_engine(name: str | EngineProfile) -> EngineProfile:
    """An engine from the names people write ("vLLM", "TensorRT-LLM", "llama.cpp")."""
    if isinstance(name, EngineProfile):
        return name
    found = _engine_index().get(_key(name))
    if found is not None:
        return _without_overheads(found) if _OVERHEADS_OFF else found
    ids = [profile.id for profile in all_engines()]
    close = difflib.get_close_matches(_key(name), list(_engine_index()), n=4, cutoff=0.5)
    candidates = sorted({_engine_index()[key].id for key in close}) or ids
    raise UnknownNameError("engine", name, candidates)


_OVERHEADS_OFF: list[bool] = []


@contextmanager
def engine_overheads_off() -> Iterator[None]:
    """Resolve engines without fixed costs (per-step, per-layer, per-sequence): the pure
    roofline baseline of the accuracy report."""
    _OVERHEADS_OFF.append(True)
    try:
        yield
    finally:
        _OVERHEADS_OFF.pop()


def _without_overheads(profile: EngineProfile) -> EngineProfile:
    return replace(profile, step_overhead_ms=0.0, layer_overhead_ms=0.0,
                   sequence_overhead_us=0.0)


def require_format(engine: EngineProfile, format_id: str) -> None:
    """Raise a clear error when the engine cannot load weights in this format."""
    if not engine.supports_format(format_id):
        engines = [p.id for p in all_engines() if p.supports_format(format_id)]
        raise InvalidRequestError(
            [
                f"engine {engine.id} does not load {format_id} weights "
                f"(it loads: {', '.join(engine.formats)}); engines that load {format_id}: "
                f"{', '.join(engines) or 'none'}"
            ]
        )


def require_kv_cache(engine: EngineProfile, kv_cache: str) -> None:
    if kv_cache not in engine.kv_cache:
        raise InvalidRequestError(
            [f"engine {engine.id} has no {kv_cache} KV cache (it offers: "
             f"{', '.join(engine.kv_cache)})"]
        )


# Engine generations that behave as different engines: (engine id, last minor of major 0
# that belongs to the old generation, the old generation's profile id).
_LEGACY_GENERATIONS = (("tensorrt-llm", 7, "tensorrt-llm-0.x"),)


def engine_for_version(engine: str, version: str | None, date: str | None = None) -> str:
    """The engine profile name for an engine at a version: TensorRT-LLM 0.5-0.7 (static
    batching in gptSessionBenchmark) and llama.cpp builds before b4000 (see
    `llama_cpp_generation`) are their own profiles; anything else keeps its name. `date`
    (ISO, of the measurement's source) places a version text that names no release."""
    if _key(engine) in _engine_names("llama.cpp"):
        return llama_cpp_generation(version, date)
    match = re.match(r"\s*v?(\d+)\.(\d+)", version or "")
    if match is None:
        return engine
    major, minor = int(match.group(1)), int(match.group(2))
    for engine_id, last_minor, legacy_id in _LEGACY_GENERATIONS:
        if _key(engine) in _engine_names(engine_id) and major == 0 and minor <= last_minor:
            return legacy_id
    return engine


_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
# llama.cpp generations by build number, and the month each began (b2000: late January 2024,
# b4000: late October 2024, from the ggml-org/llama.cpp release tags).
_LLAMA_CPP_GENERATIONS = ((2000, (2024, 2), "llama.cpp-2023"), (4000, (2024, 11), "llama.cpp-2024"))


def llama_cpp_generation(version: str | None, date: str | None = None) -> str:
    """'llama.cpp-2023' (before b2000), 'llama.cpp-2024' (b2000-b3999) or 'llama.cpp' (newer,
    or unknown), from a build number ('b2833'), else a month named in the version text
    ('builds of Dec 2023'), else the source's date."""
    text = (version or "").lower()
    build = re.search(r"\bb(\d{3,5})\b", text)
    month = _month_of(text) or _month_of_iso(date)
    for last_build, first_month, generation in _LLAMA_CPP_GENERATIONS:
        if build is not None and int(build.group(1)) < last_build:
            return generation
        if build is None and month is not None and month < first_month:
            return generation
    return "llama.cpp"


def _month_of(text: str) -> tuple[int, int] | None:
    found = re.search(r"\b(" + "|".join(_MONTHS) + r")[a-z]*\.? (20\d\d)\b", text)
    if found is None:
        return None
    return int(found.group(2)), _MONTHS.index(found.group(1)) + 1


def _month_of_iso(date: str | None) -> tuple[int, int] | None:
    found = re.match(r"(20\d\d)(?:-(\d\d))?", date or "")
    if found is None:
        return None
    return int(found.group(1)), int(found.group(2) or 1)


def _engine_names(engine_id: str) -> set[str]:
    return {key for key, profile in _engine_index().items() if profile.id == engine_id}


def auto_kv_cache(engine: str, weights: str) -> str:
    """KV precision an engine picks when the user leaves it at 'auto': the checkpoint's own
    quantization config for engines that read it (`quantized_kv_cache`, e.g. TensorRT-LLM 1.x
    with NVIDIA ModelOpt FP8/NVFP4 checkpoints, whose hf_quant_config.json sets
    kv_cache_quant_algo FP8), else fp16."""
    try:
        profile = resolve_engine(engine)
        format_id = resolve_format(weights).id
    except GpuAtlasError:
        return "fp16"
    if profile.quantized_kv_cache and format_id in profile.quantized_kv_formats:
        return profile.quantized_kv_cache
    return "fp16"
