"""On Apple silicon, a checkpoint built for GPU server engines (AWQ, GPTQ, FP8: vLLM, SGLang,
TensorRT-LLM, none of which runs on a Mac) is answered with what Mac users run instead: a GGUF
build of the same model on llama.cpp or Ollama, or an MLX build on mlx-lm, as the commands that
ask for them, and with the engines that do run on that GPU."""

from __future__ import annotations

import shlex
from collections.abc import Sequence

from gpuatlas.catalog.formats import find_format
from gpuatlas.catalog.model_names import ModelReference, resolve_model_reference
from gpuatlas.catalog.model_weights import WeightsChoice, choose_weights, native_weights
from gpuatlas.catalog.systems import GpuSystem
from gpuatlas.errors import GpuAtlasError, InvalidRequestError
from gpuatlas.performance.engine_profiles import all_engines
from gpuatlas.performance.engine_specs import engines_on, platform_of, resolve_engine_on
from gpuatlas.performance.platform_engines import auto_engine

# The GGUF and MLX builds of about the asked format's size that Mac users pull: Q4_K_M (the
# Ollama library's default build) / MLX 4-bit for a 4-bit server checkpoint, Q8_0 / MLX 8-bit
# for an 8-bit one (FP8, INT8).
FOUR_BIT_BUILDS = ("q4_k_m", "mlx-4bit")
EIGHT_BIT_BUILDS = ("q8_0", "mlx-8bit")
FOUR_BIT_LIMIT = 6.0  # bits per weight below which a checkpoint is answered with the 4-bit builds


def mac_builds(format_id: str) -> tuple[str, str]:
    """The GGUF and MLX formats that stand in for a server checkpoint in `format_id` on a Mac."""
    found = find_format(format_id)
    bits = found.bits_per_weight if found is not None else 16.0
    return FOUR_BIT_BUILDS if bits < FOUR_BIT_LIMIT else EIGHT_BIT_BUILDS


def apple_build_problem(
    system: GpuSystem,
    reference: ModelReference,
    weights: Sequence[str],
    engine: str,
    command: str = "fit",
) -> str | None:
    """Why the checkpoint (in the first format asked for, else its own) does not run on this
    Apple GPU with the engine `auto` picks there, and the GGUF / MLX builds of the same model
    to ask for instead (as `gpuatlas <command>` lines); None off Apple silicon, for a named
    engine, for a build made for Ollama or llama.cpp, or for a format the Mac's engine loads."""
    if system.gpu.vendor != "Apple" or engine.strip().lower() != "auto":
        return None
    try:
        asked = choose_weights(weights[0], reference) if weights else native_weights(reference)
        profile = resolve_engine_on(auto_engine("auto", asked.engine, system), system.gpu)
    except GpuAtlasError:
        return None  # the fit itself states the problem
    if asked.engine is not None or profile.supports_format(asked.format_id):
        return None
    here = engines_on(platform_of(system.gpu))
    elsewhere = sorted(
        {p.engine for p in all_engines() if p.supports_format(asked.format_id)} - set(here)
    )
    if not elsewhere:  # no server engine loads it either: the fit's own error says so
        return None
    return _problem(system, reference, asked, (profile.engine, here, elsewhere), command)


def _problem(
    system: GpuSystem,
    reference: ModelReference,
    asked: WeightsChoice,
    engines: tuple[str, list[str], list[str]],
    command: str,
) -> str:
    """`engines`: the one auto picks on the Mac, those that run there, the server engines
    that load the format."""
    engine, here, elsewhere = engines
    format_id = asked.format_id
    gguf, mlx = mac_builds(format_id)
    base = reference.model.id
    fit = f"gpuatlas {command} {shlex.quote(system.id)} {base}"
    return (
        f"{reference.name} in {format_id} is a build for GPU server engines "
        f"({', '.join(elsewhere)}), which do not run on {system.gpu.name}; "
        f"{engine}, the engine auto picks there, does not load {format_id}. On a Mac people "
        f"run a GGUF or MLX build of the same model, {base}: {fit} --weights {gguf} "
        f"(llama.cpp or Ollama), or {fit} --engine mlx-lm --weights {mlx} (mlx-lm). Engines "
        f"that run on {system.gpu.name}: {', '.join(here)}"
    )


def require_mac_build(
    system: GpuSystem,
    reference: ModelReference,
    weights: Sequence[str],
    engine: str,
    command: str = "fit",
) -> None:
    """Raise `apple_build_problem`'s answer as the request's problem, when there is one."""
    problem = apple_build_problem(system, reference, weights, engine, command)
    if problem is not None:
        raise InvalidRequestError([problem])


def case_build_problem(
    system: GpuSystem, model: str, weights_written: str, engine_written: str
) -> str | None:
    """`apple_build_problem` for a row of `predict --cases`: a row that names no engine (or
    'auto') is answered as the single command without --engine is, with the same pointer to
    the GGUF / MLX builds (as `gpuatlas predict llm` lines); None off Apple silicon, for a
    named engine, or when the model does not resolve (the row's own error says so)."""
    if system.gpu.vendor != "Apple" or engine_written.strip().lower() not in ("", "auto"):
        return None
    try:
        reference = resolve_model_reference(model)
    except GpuAtlasError:
        return None
    weights = [weights_written.strip()] if weights_written.strip() else []
    return apple_build_problem(system, reference, weights, "auto", "predict llm")
