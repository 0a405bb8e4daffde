"""The LLM engine people run on a platform (llama.cpp on a Mac, vLLM on NVIDIA, vLLM-ROCm on
Instinct, …): what a comparison side or an `--engine auto` fit uses when the user names none,
read from performance/data/platform_engines.toml."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources

from pydantic import BaseModel, ConfigDict

from gpuatlas.catalog.gpu import Gpu
from gpuatlas.catalog.systems import GpuSystem, resolve_system
from gpuatlas.errors import InvalidRequestError
from gpuatlas.performance.engine_specs import engine_profile, frontend_for_checkpoint


@dataclass(frozen=True)
class PlatformEngine:
    """An engine text the estimators read ('llama.cpp metal'), its label and why it is used."""

    engine: str
    label: str
    why: str = ""
    source: str = ""
    user_named: bool = False
    offload: PlatformEngine | None = None  # run instead when no format of this one fits


class _Rule(BaseModel):
    model_config = ConfigDict(extra="forbid", defer_build=True)  # built when the file is read
    vendor: str
    segments: list[str] = []
    architecture_families: list[str] = []
    engine: str
    label: str
    why: str
    source: str
    offload_engine: str = ""
    offload_label: str = ""
    offload_why: str = ""
    offload_source: str = ""

    def offload(self) -> PlatformEngine | None:
        if not self.offload_engine:
            return None
        return PlatformEngine(
            self.offload_engine, self.offload_label, self.offload_why, self.offload_source
        )

    def holds(self, gpu: Gpu) -> bool:
        return (
            gpu.vendor.lower() == self.vendor.lower()
            and (not self.segments or gpu.segment in self.segments)
            and (
                not self.architecture_families
                or gpu.architecture_family in self.architecture_families
            )
        )


@cache
def _rules() -> tuple[_Rule, ...]:
    text = (resources.files("gpuatlas.performance") / "data" / "platform_engines.toml").read_text(
        "utf-8"
    )
    return tuple(_Rule.model_validate(t) for t in tomllib.loads(text)["platform_engine"])


def platform_engine(gpu: Gpu) -> PlatformEngine:
    """The engine people run on this GPU (the first rule that holds)."""
    for rule in _rules():
        if rule.holds(gpu):
            return PlatformEngine(
                rule.engine, rule.label, rule.why, rule.source, offload=rule.offload()
            )
    raise InvalidRequestError(
        [
            f"no usual LLM engine is recorded for {gpu.vendor} {gpu.id} "
            "(performance/data/platform_engines.toml); name one with --engine"
        ]
    )


def side_engine(gpu: Gpu, named: str | None = None) -> PlatformEngine:
    """The user's engine when named (the same on both sides), else the platform's usual one."""
    if named:
        return PlatformEngine(named, named, user_named=True)
    return platform_engine(gpu)


def auto_engine(engine: str, checkpoint_engine: str | None, system: object) -> str:
    """An `--engine auto` value on a system: the checkpoint's own engine when it names one (an
    Ollama tag, a GGUF file), else the profile people run on that GPU ('llama.cpp-metal' on a
    Mac, 'vllm-rocm' on Instinct, 'vllm' on NVIDIA). Any other value is returned as given,
    except an application that runs this checkpoint with another of its engines (LM Studio
    runs an MLX checkpoint with its MLX engine)."""
    if engine.strip().lower() != "auto":
        return frontend_for_checkpoint(engine, checkpoint_engine)
    if checkpoint_engine:
        return checkpoint_engine
    resolved = system if isinstance(system, GpuSystem) else resolve_system(str(system))
    return engine_profile(platform_engine(resolved.gpu).engine, resolved.gpu).id
