"""What the estimate area's commands share: the --json option, model resolution and the
`--weights auto` choice (the checkpoint's own format, with the reason)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import typer

if TYPE_CHECKING:
    from gpuatlas.catalog.model_names import ModelReference
    from gpuatlas.catalog.model_weights import WeightsChoice

JSON_OPTION = typer.Option(False, "--json", help="Machine-readable output.")
WEIGHTS_HELP = (
    "Weight format: auto (the checkpoint's own: its quantization_config, name or "
    "Ollama tag), fp16, bf16, fp8, AWQ, Q4_K_M..."
)
ENGINE_HELP = "Inference engine; auto: Ollama for Ollama tags, llama.cpp for GGUF, else vLLM."
# `fit`'s --context written on a predict command: read nowhere, refused with the options that
# say it there (hidden from --help; without it the user got "No such option: --context")
CONTEXT_REFUSED = typer.Option(None, "--context", hidden=True)
CONTEXT_WORDS = (
    "a prediction takes the prompt as --input N and the reply as --output N (fit's --context "
    "is one sequence's whole context); --num-ctx N sets the context llama.cpp and Ollama "
    "allocate per sequence"
)


def refuse_context(context: int | None) -> None:
    """A usage error naming the options that say what `--context` says on `fit`."""
    if context is not None:
        raise typer.BadParameter(CONTEXT_WORDS, param_hint="'--context'")


def model_reference(name: str) -> ModelReference:
    """Resolve a model name for the CLI, keeping how it matched and its format hint."""
    from gpuatlas.catalog.models import resolve_model_argument

    return resolve_model_argument(name)


def model_object(name: str) -> Any:
    """Resolve a model name for the CLI (a config.json path, a library name, or a Hub id)."""
    return model_reference(name).model


def weights_choice(weights: str, name: str) -> WeightsChoice:
    """The format a `--weights` value means for this model ('auto': its native format)."""
    from gpuatlas.catalog.model_weights import choose_weights

    return choose_weights(weights, model_reference(name))


def engine_choice(engine: str, choice: WeightsChoice, system: object = None) -> str:
    """An `--engine auto` value: Ollama for Ollama tags, llama.cpp for GGUF, else the engine
    people run on the system's GPU (llama.cpp on a Mac, vLLM on NVIDIA), vLLM without one."""
    from gpuatlas.catalog.model_weights import choose_engine

    if system is None:
        return choose_engine(engine, choice)
    from gpuatlas.performance.platform_engines import auto_engine

    return auto_engine(engine, choice.engine, system)
