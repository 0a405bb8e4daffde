"""The request slots a llama.cpp-based server runs by default (Ollama's OLLAMA_NUM_PARALLEL:
1 before 0.2.0, automatic 4 to 0.6.6 and 2 to 0.9.x, 1 from 0.10.0; llama-server's --parallel:
1, then 4 from PR #16736), read from performance/data/server_slots.toml."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, lru_cache

from pydantic import BaseModel, ConfigDict, Field

from gpuatlas.errors import DataFileError
from gpuatlas.performance.context_defaults import run_date, semver
from gpuatlas.performance.engine_releases import read_data_file, validated_tables

FILE_NAME = "server_slots.toml"
VersionKey = tuple[str, tuple[int, ...]]  # ('semver', (0, 5, 7)) or ('build', (5540,))
_ISO_DATE = r"^(\d{4}-\d{2}-\d{2})?$"
_VERSION = r"^((\d+\.\d+(\.\d+)?)|(b\d+))?$"
_BUILD = re.compile(r"(?<![\w.])b(\d{2,6})\b", re.IGNORECASE)


@dataclass(frozen=True)
class SlotDefault:
    """The engine's default slots at a release, and where that is written. `fits_or_one`:
    Ollama's automatic choice (the slots when the model loads whole at slots x num_ctx,
    else one)."""

    slots: int
    fits_or_one: bool
    source: str


class _Rule(BaseModel):
    model_config = ConfigDict(extra="forbid")
    engine: str = Field(min_length=1)
    from_version: str = Field(default="", pattern=_VERSION)
    before_version: str = Field(default="", pattern=_VERSION)
    from_date: str = Field(default="", pattern=_ISO_DATE)
    before_date: str = Field(default="", pattern=_ISO_DATE)
    slots: int = Field(ge=1)
    fits_or_one: bool = False
    source: str = Field(min_length=3)

    def holds(self, engine: str, version: VersionKey | None, dated: str) -> bool:
        if engine != self.engine:
            return False
        if version is None and dated:  # a dated run: the release current on that date
            return (not self.from_date or dated >= self.from_date) and (
                not self.before_date or dated < self.before_date
            )
        if version is None:  # unstated: the engine's newest behaviour
            return not self.before_version
        return in_version_range(version, self.from_version, self.before_version)


def in_version_range(version: VersionKey, from_version: str, before_version: str) -> bool:
    """Whether `version` is at or after `from_version` and before `before_version` (empty
    bounds, and bounds of another scheme, do not limit)."""
    low, high = version_key(from_version), version_key(before_version)
    return _at_least(version, low) and (high is None or not _at_least(version, high))


def _at_least(version: VersionKey, bound: VersionKey | None) -> bool:
    """Whether `version` is at or after `bound` (a bound of another scheme does not limit)."""
    return bound is None or version[0] != bound[0] or version[1] >= bound[1]


def version_key(text: str | None) -> VersionKey | None:
    """('build', (5540,)) for 'llama.cpp b5540', ('semver', (0, 5, 7)) for 'Ollama 0.5.7',
    None without a version."""
    build = _BUILD.search(text or "")
    if build is not None:
        return "build", (int(build.group(1)),)
    point = semver(text)
    return None if point is None else ("semver", point)


@cache
def _rules() -> tuple[_Rule, ...]:
    path, document = read_data_file(FILE_NAME)
    problems: list[str] = []
    rules = validated_tables(_Rule, document, "server_slots", problems)
    if problems:
        raise DataFileError(path, problems)
    return tuple(rules)


class _SingleSlotFamily(BaseModel):
    model_config = ConfigDict(extra="forbid")
    engine: str = Field(min_length=1)
    family: str = Field(min_length=1)
    ollama_architecture: str = Field(min_length=1)
    from_version: str = Field(default="", pattern=_VERSION)
    from_date: str = Field(default="", pattern=_ISO_DATE)
    source: str = Field(min_length=3)

    def holds(self, engine: str, family: str, version: VersionKey | None, dated: str) -> bool:
        if (engine, family) != (self.engine, self.family):
            return False
        if version is None:  # a dated run: listed by then; unstated: the newest release
            return not dated or not self.from_date or dated >= self.from_date
        return _at_least(version, version_key(self.from_version))


@cache
def _single_slot_families() -> tuple[_SingleSlotFamily, ...]:
    path, document = read_data_file(FILE_NAME)
    problems: list[str] = []
    rules = validated_tables(_SingleSlotFamily, document, "single_slot_family", problems)
    if problems:
        raise DataFileError(path, problems)
    return tuple(rules)


@lru_cache(maxsize=4096)  # a batch asks it per row; the rules are read once
def single_slot_rule(engine: str, family: str, engine_text: str | None) -> str | None:
    """The source that says the engine at the release in `engine_text` runs models of this
    catalog `family` one request at a time whatever its setting (Ollama's architectures 'not
    safe with num_parallel > 1'), else None."""
    version = version_key(engine_text)
    dated = run_date(engine_text) if version is None else ""
    for rule in _single_slot_families():
        if rule.holds(engine, family, version, dated):
            return rule.source
    return None


@lru_cache(maxsize=4096)  # a batch asks it per row; the rules are read once
def default_slots(engine: str, engine_text: str | None) -> SlotDefault | None:
    """The default slots of the engine family at the release written in `engine_text`
    ('Ollama 0.5.7', 'llama.cpp b5540', 'ollama (run of 2025-03-01)': the release of that
    date; no version: the newest); None for an engine without a rule (vLLM, SGLang, ...)."""
    version = version_key(engine_text)
    dated = run_date(engine_text) if version is None else ""
    for rule in _rules():
        if rule.holds(engine, version, dated):
            return SlotDefault(rule.slots, rule.fits_or_one, rule.source)
    return None


__all__ = ["SlotDefault", "default_slots", "single_slot_rule", "version_key"]
