"""The per-step budget an engine's server runs with by default on a GPU (vLLM's
max_num_batched_tokens and max_num_seqs depend on the GPU's memory), read from
performance/data/scheduler_defaults.toml."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, replace
from functools import cache
from importlib import resources

from pydantic import BaseModel, ConfigDict, Field

from gpuatlas.catalog.gpu import Gpu
from gpuatlas.performance.engine_profiles import EngineProfile

DEFAULT_MAX_BATCHED_TOKENS = 8192  # the simulator's budget for engines without a rule
DEFAULT_MAX_RUNNING = 256  # vLLM's long-standing max_num_seqs; a ceiling on the batch


@dataclass(frozen=True)
class SchedulerBudget:
    """Tokens one step may schedule (longer prompts are prefilled in chunks) and the requests
    running at once."""

    max_batched_tokens: int = DEFAULT_MAX_BATCHED_TOKENS
    max_running: int = DEFAULT_MAX_RUNNING
    source: str = ""


class _Rule(BaseModel):
    model_config = ConfigDict(extra="forbid")
    profiles: list[str]
    min_gpu_memory_gb: float = 0.0
    excluded_gpu_names: list[str] = []
    max_batched_tokens: int = Field(ge=1)
    max_running: int = Field(ge=1)
    source: str

    def holds(self, profile_id: str, gpu: Gpu) -> bool:
        name = gpu.name.lower()
        return (
            profile_id in self.profiles
            and (gpu.memory_gb or 0.0) >= self.min_gpu_memory_gb
            and not any(word.lower() in name for word in self.excluded_gpu_names)
        )


@cache
def _rules() -> tuple[_Rule, ...]:
    path = resources.files("gpuatlas.performance") / "data" / "scheduler_defaults.toml"
    table = tomllib.loads(path.read_text("utf-8"))
    return tuple(_Rule.model_validate(t) for t in table["scheduler_default"])


def ruled_budget(profile_id: str, gpu: Gpu) -> SchedulerBudget | None:
    """The budget of the first rule that holds for this engine profile on this GPU, else None."""
    for rule in _rules():
        if rule.holds(profile_id, gpu):
            return SchedulerBudget(rule.max_batched_tokens, rule.max_running, rule.source)
    return None


def scheduler_budget(profile_id: str, gpu: Gpu) -> SchedulerBudget:
    """The default budget of this engine profile's server on this GPU (the first rule that
    holds; the simulator's defaults when none does)."""
    return ruled_budget(profile_id, gpu) or SchedulerBudget()


def server_profile(profile: EngineProfile, gpu: Gpu) -> EngineProfile:
    """The profile as its server runs on this GPU by default: a rule's batched tokens become
    the prefill chunk and its running requests the batch cap (vLLM 0.9.1+ on an H100: 8192 and
    1024; on an A100 or a GPU under 70 GiB: 2048 and 256). Unchanged without a rule."""
    budget = ruled_budget(profile.id, gpu)
    if budget is None:
        return profile
    return replace(
        profile,
        prefill_chunk_tokens=budget.max_batched_tokens,
        max_batch=budget.max_running,
    )
