"""The engine a serving workload runs on each candidate system (`plan`, `fleet`, `cost`).

`--engine auto` (the default) is resolved per system, as `predict` and `fit` resolve it: the
checkpoint's own engine when its name says one (an Ollama tag, a GGUF file or quantisation),
else the engine people run on that GPU (performance/data/platform_engines.toml: vLLM on NVIDIA
datacenter and GeForce cards, llama.cpp on a Mac or a Radeon card, vLLM-ROCm on Instinct). A
named engine is used on every system as given."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache

from gpuatlas.catalog.model_weights import choose_weights, native_weights
from gpuatlas.catalog.models import resolve_model_reference
from gpuatlas.catalog.systems import GpuSystem
from gpuatlas.errors import GpuAtlasError
from gpuatlas.performance.engine_specs import engine_text_profile
from gpuatlas.performance.llm.memory import model_max_context
from gpuatlas.performance.llm.offload_speed import OFFLOAD_ENGINE_NAMES
from gpuatlas.performance.platform_engines import auto_engine, platform_engine

AUTO_ENGINE = "auto"


def is_auto_engine(engine: str) -> bool:
    return engine.strip().lower() == AUTO_ENGINE


@cache
def checkpoint_engine(model: str, weights: str | None = None) -> str | None:
    """The engine a checkpoint is made for ('ollama' for an Ollama tag, in any of the formats
    it is pulled in; 'llama.cpp' for a GGUF file, or for a GGUF quantisation such as Q4_K_M of
    a Hub checkpoint), None for a plain Hub checkpoint in a format vLLM loads. `weights`: the
    format served (its native format when None)."""
    try:
        reference = resolve_model_reference(model)
    except GpuAtlasError:
        return None
    native = native_weights(reference)
    if weights is None or native.engine is not None:
        return native.engine
    return choose_weights(weights, reference).engine


def server_checkpoint(model: str) -> str | None:
    """The same model as a Hub checkpoint that a serving engine (vLLM, SGLang) loads, when
    `model` names a build made for Ollama or llama.cpp (an Ollama tag, a GGUF file): its catalog
    id ('llama3.3:70b' -> 'llama-3.3-70b'); None for any other name."""
    if checkpoint_engine(model) not in OFFLOAD_ENGINE_NAMES:
        return None
    try:
        base = resolve_model_reference(model).model.id
    except GpuAtlasError:
        return None
    return base if checkpoint_engine(base) is None else None


def serving_engine(engine: str, model: str, weights: str | None, system: GpuSystem) -> str:
    """The engine text the estimators read for this workload on this system."""
    if not is_auto_engine(engine):
        return engine
    return auto_engine(engine, checkpoint_engine(model, weights), system)


def serving_engines(engine: str, model: str, systems: Sequence[GpuSystem]) -> list[str]:
    """The distinct engines the model's native format runs with over the systems, in order
    (vLLM where none is given or none resolves)."""
    found: list[str] = []
    for system in systems:
        try:
            found.append(serving_engine(engine, model, None, system))
        except GpuAtlasError:
            continue
    if not found:
        return ["vllm" if is_auto_engine(engine) else engine]
    return list(dict.fromkeys(found))


def engine_notes(engine: str, model: str, systems: Sequence[GpuSystem]) -> tuple[str, ...]:
    """One line per engine `auto` chose, naming the GPUs it runs on and why (nothing when the
    user named the engine)."""
    if not is_auto_engine(engine):
        return ()
    own = checkpoint_engine(model)
    if own is not None:
        return (f"engine: {own} (auto: the checkpoint is made for it: an Ollama tag, a GGUF)",)
    gpus_by_reason: dict[tuple[str, str], list[str]] = {}
    for system in systems:
        try:
            usual = platform_engine(system.gpu)
        except GpuAtlasError:
            continue
        names = gpus_by_reason.setdefault((usual.label, usual.why), [])
        if system.gpu.name not in names:
            names.append(system.gpu.name)
    return tuple(
        f"engine: {label} on {_gpu_list(names)} (auto: {why}; name another with --engine)"
        for (label, why), names in gpus_by_reason.items()
    )


def engine_loads(engine: str, weights: str) -> bool:
    """Whether the engine loads this weight format (an unknown engine: assumed so, and its
    own error comes from the estimator)."""
    try:
        return weights in engine_text_profile(engine).formats
    except GpuAtlasError:
        return True


def _gpu_list(names: list[str], shown: int = 4) -> str:
    if len(names) <= shown:
        return ", ".join(names)
    return f"{', '.join(names[:shown])} and {len(names) - shown} more"


def num_ctx_engines(engine: str, model: str, systems: Sequence[GpuSystem]) -> list[str]:
    """The engines among those the workload runs with over `systems` that take a context
    allocation (Ollama's num_ctx / OLLAMA_CONTEXT_LENGTH, llama.cpp's -c)."""
    found = []
    for each in serving_engines(engine, model, systems):
        try:
            if engine_text_profile(each).engine in OFFLOAD_ENGINE_NAMES:
                found.append(each)
        except GpuAtlasError:
            continue
    return found


def num_ctx_problems(
    num_ctx: int | None,
    engine: str,
    model: str,
    systems: Sequence[GpuSystem],
    context_tokens: int,
) -> list[str]:
    """Why `--num-ctx` cannot apply: no candidate runs Ollama/llama.cpp, shorter than a mean
    request's prompt plus output, or longer than the model's trained context."""
    if num_ctx is None:
        return []
    problems = []
    if not num_ctx_engines(engine, model, systems):
        engines = ", ".join(serving_engines(engine, model, systems))
        problems.append(
            f"--num-ctx is an Ollama/llama.cpp option; {engines} has none "
            "(name --engine ollama or --engine llama.cpp)"
        )
    try:
        longest = model_max_context(resolve_model_reference(model).model)  # type: ignore[arg-type]
    except GpuAtlasError:
        longest = 0  # the model's own error is reported by the request's check
    if longest and num_ctx > longest:
        problems.append(
            f"--num-ctx {num_ctx:,} is longer than {model}'s {longest:,}-token context; "
            f"use {longest} or less"
        )
    elif num_ctx < context_tokens:
        problems.append(
            f"--num-ctx {num_ctx:,} is shorter than a request's prompt plus output "
            f"({context_tokens:,} tokens); use at least {context_tokens} or shorter "
            "--input-tokens/--output-tokens"
        )
    return problems


def parallel_problems(
    parallel: int | None, engine: str, model: str, systems: Sequence[GpuSystem]
) -> list[str]:
    """Why `--parallel` (a llama.cpp/Ollama server's request slots) cannot apply: below 1, or
    no candidate runs Ollama/llama.cpp (vLLM-class engines run every request their KV cache
    holds)."""
    if parallel is None:
        return []
    if parallel < 1:
        return [f"--parallel must be at least 1, got {parallel}"]
    if num_ctx_engines(engine, model, systems):
        return []
    engines = ", ".join(serving_engines(engine, model, systems))
    return [
        f"--parallel (request slots) is an Ollama/llama.cpp option; {engines} runs every "
        "request its KV cache holds (name --engine ollama or --engine llama.cpp)"
    ]


def num_ctx_note(num_ctx: int | None, engine: str, model: str, systems: Sequence[GpuSystem]) -> str:
    """What `--num-ctx` set, and where (empty when not given)."""
    if num_ctx is None:
        return ""
    takes = num_ctx_engines(engine, model, systems)
    others = [e for e in serving_engines(engine, model, systems) if e not in takes]
    line = f"num_ctx {num_ctx:,} tokens per sequence (--num-ctx) on {', '.join(takes)}"
    if others:
        line += f"; {', '.join(others)} allocate KV as requests need it"
    return line
