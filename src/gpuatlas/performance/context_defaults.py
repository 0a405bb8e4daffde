"""The context an engine allocates when the user sets none (Ollama's num_ctx: 2,048 tokens
before 0.6.7, 4,096 to 0.15.4, then 4k/32k/256k by GPU memory), read from
performance/data/context_defaults.toml."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, lru_cache

from pydantic import BaseModel, ConfigDict, Field

from gpuatlas.errors import DataFileError
from gpuatlas.performance.engine_releases import read_data_file, validated_tables

FILE_NAME = "context_defaults.toml"
Semver = tuple[int, int, int]
_ISO_DATE = r"^(\d{4}-\d{2}-\d{2})?$"


@dataclass(frozen=True)
class ContextDefault:
    """The tokens per sequence the engine allocates by default, and where that is written."""

    tokens: int
    source: str
    model_max_tokens: int = 0  # the model's trained context when it capped the default

    @property
    def capped(self) -> bool:
        return self.model_max_tokens > 0


class _Rule(BaseModel):
    model_config = ConfigDict(extra="forbid")
    engine: str = Field(min_length=1)
    from_version: str = Field(default="", pattern=r"^(\d+\.\d+(\.\d+)?)?$")
    before_version: str = Field(default="", pattern=r"^(\d+\.\d+(\.\d+)?)?$")
    from_date: str = Field(default="", pattern=_ISO_DATE)
    before_date: str = Field(default="", pattern=_ISO_DATE)
    min_total_gpu_memory_gib: float = Field(default=0.0, ge=0)
    tokens: int = Field(ge=1)
    source: str = Field(min_length=3)

    def holds(
        self, engine: str, version: Semver | None, total_gib: float, run_date: str = ""
    ) -> bool:
        if engine != self.engine or total_gib < self.min_total_gpu_memory_gib:
            return False
        if version is None and run_date:  # a dated run: the release current on that date
            return (not self.from_date or run_date >= self.from_date) and (
                not self.before_date or run_date < self.before_date
            )
        if version is None:  # unstated: the engine's newest behaviour
            return not self.before_version
        low, high = semver(self.from_version), semver(self.before_version)
        return (low is None or version >= low) and (high is None or version < high)


def run_date(text: str | None) -> str:
    """The ISO date (YYYY-MM-DD, or YYYY-MM read as its first day) in an engine text such as
    'ollama (run of 2025-09-06)' (a measured run that states no version), '' without one."""
    found = re.search(r"\b(\d{4}-\d{2})(-\d{2})?\b", text or "")
    if found is None:
        return ""
    return found.group(1) + (found.group(2) or "-01")


def semver(text: str | None) -> Semver | None:
    """(major, minor, patch) of the first dotted version in the text ('Ollama 0.15.5',
    'v0.12'), None without one."""
    found = re.search(r"(?<![\w.])v?(\d+)\.(\d+)(?:\.(\d+))?", text or "")
    if found is None:
        return None
    major, minor, patch = found.groups()
    return int(major), int(minor), int(patch or 0)


@cache
def _rules() -> tuple[_Rule, ...]:
    path, document = read_data_file(FILE_NAME)
    problems: list[str] = []
    rules = validated_tables(_Rule, document, "context_default", problems)
    if problems:
        raise DataFileError(path, problems)
    return tuple(rules)


@lru_cache(maxsize=4096)  # a batch asks it per row; the rules are read once
def default_context(
    engine: str, version: str | None, total_gpu_memory_gib: float, model_max_tokens: int = 0
) -> ContextDefault | None:
    """The engine's default context at this version on this much GPU memory (summed over the
    GPUs), capped at the model's trained context; None for an engine without a rule. A text
    with a date and no version ('ollama (run of 2025-09-06)') is read at the release of that date.
    Ollama 0.15.5+ on an RTX 4090 (23.99 GiB): 32,768; on 2 x RTX 3060 12 GB: 32,768 too."""
    point = semver(version)
    dated = run_date(version) if point is None else ""
    for rule in _rules():
        if rule.holds(engine, point, total_gpu_memory_gib, dated):
            if 0 < model_max_tokens < rule.tokens:
                return ContextDefault(model_max_tokens, rule.source, model_max_tokens)
            return ContextDefault(rule.tokens, rule.source)
    return None


__all__ = ["ContextDefault", "default_context", "run_date", "semver"]
