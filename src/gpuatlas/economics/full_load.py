"""A system's full-load serving rate: the calibrated serving model's output tokens/s with as
many sequences in flight as its engine holds at once, in the system's best layout.

One function for one question: `gpuatlas cost` prices full load with it (the note and each
serving row's full-load price), `gpuatlas compare` its cost per 1M output tokens and its
serving throughput, so both answers give the same figure for the same system, model, weights,
engine and request lengths.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Literal

from gpuatlas.catalog.systems import GpuSystem, build_system
from gpuatlas.economics.simulation_step_times import EstimatorStepSource, StepTimeSource
from gpuatlas.errors import GpuAtlasError
from gpuatlas.performance.api import serving_layout
from gpuatlas.performance.engine_specs import engine_text_profile
from gpuatlas.performance.llm.offload_speed import OFFLOAD_ENGINE_NAMES
from gpuatlas.performance.llm.predict import early_stop, with_early_stop
from gpuatlas.performance.llm.serving_layout import LayoutServing, ServingLayout


def takes_num_ctx(engine_text: str) -> bool:
    """Whether the engine has a context allocation (Ollama's num_ctx, llama.cpp's -c): a
    --num-ctx applies to those engines only (vLLM and SGLang page their KV cache)."""
    try:
        return engine_text_profile(engine_text).engine in OFFLOAD_ENGINE_NAMES
    except GpuAtlasError:
        return False


def held_sequences(
    system: GpuSystem,
    model: str,
    weights: str,
    engine: str,
    context_tokens: int,
    num_ctx: int | None = None,
    parallel: int | None = None,
) -> int | Literal["max"]:
    """The sequences the engine holds at once: Ollama/llama.cpp allocate num_ctx (their default
    or the one set) of KV per sequence whatever a request's length, within their request
    slots (`parallel` as set, else the release's), as `plan` and `cost` run them; other
    engines page their KV cache ("max": as many as the requests' KV allows)."""
    if not takes_num_ctx(engine):
        return "max"
    source = EstimatorStepSource(system, model, weights, engine, num_ctx, parallel)
    return max(1, source.max_batch(context_tokens))


def full_load_serving(
    system: GpuSystem,
    model: str,
    weights: str,
    engine: str,
    *,
    input_tokens: int,
    output_tokens: int,
    num_ctx: int | None = None,
    parallel: int | None = None,
    mean_output_tokens: float | None = None,
) -> LayoutServing:
    """Output tokens/s of the whole system at full load: the serving model at the sequences
    the engine holds (`held_sequences`), in the system's best layout (replicas of a GPU group
    when the model fits one). `num_ctx` and `parallel` (request slots per engine replica) are
    llama.cpp/Ollama settings, ignored for engines without them; with them, each replica of
    the layout holds its own sequences, as one GPU alone does. `mean_output_tokens`: requests
    that stop at end-of-sequence below `output_tokens` on average, costed as `predict
    serving` costs a steady stream of them (performance early_stop)."""
    stopped = early_stop(output_tokens, mean_output_tokens, None)
    found = _held_serving(
        system,
        model,
        weights,
        engine,
        (input_tokens, output_tokens if stopped is None else stopped.timed_tokens),
        (num_ctx, parallel) if takes_num_ctx(engine) else (None, None),
    )
    if stopped is None:
        return found
    return replace(
        found,
        output_tok_s=with_early_stop(found.output_tok_s, stopped),
        per_replica=with_early_stop(found.per_replica, stopped),
    )


def _held_serving(
    system: GpuSystem,
    model: str,
    weights: str,
    engine: str,
    lengths: tuple[int, int],
    settings: tuple[int | None, int | None],
) -> LayoutServing:
    """`full_load_serving` for requests of `lengths` (input, output tokens), with the engine's
    (num_ctx, parallel) `settings`."""
    input_tokens, output_tokens = lengths
    num_ctx, parallel = settings
    context = input_tokens + output_tokens

    def at(concurrency: int | Literal["max"]) -> LayoutServing:
        return serving_layout(
            system,
            model,
            weights,
            engine,
            concurrency=concurrency,
            input_tokens=input_tokens,
            output_tokens=output_tokens,
            parallel=parallel,
            num_ctx=num_ctx,
        )

    found = at(held_sequences(system, model, weights, engine, context, num_ctx, parallel))
    if found.layout.replicas == 1 or not takes_num_ctx(engine):
        return found
    group = replica_system(system, found.layout)
    each = held_sequences(group, model, weights, engine, context, num_ctx, parallel)
    return at(each if each == "max" else each * found.layout.replicas)


def replica_system(system: GpuSystem, layout: ServingLayout) -> GpuSystem:
    """One engine replica of the layout: a group of the system's GPUs on its network."""
    network = system.network.id if system.network else None
    return build_system(system.gpu, layout.tensor_parallel, network)


def layout_group(
    source: StepTimeSource, input_tokens: float, output_tokens: float
) -> tuple[StepTimeSource, ServingLayout | None]:
    """One engine replica of the layout `full_load_serving` picks for the source's system
    (replicas of a GPU group when the model fits one, tensor parallel over them all when it
    must, or a mix), and that layout: `plan` and `cost` simulate that replica and share the
    traffic over the system's replicas of it. The source unchanged and no layout for one GPU,
    a source other than the estimator's, or a system the serving model has no layout for."""
    if not isinstance(source, EstimatorStepSource) or source.system.gpu_count == 1:
        return source, None
    system = source.system
    try:
        layout = full_load_serving(
            system,
            source.model,
            source.weights,
            source.engine,
            input_tokens=int(round(input_tokens)),
            output_tokens=int(round(output_tokens)),
            num_ctx=source.num_ctx,
            parallel=source.parallel,
        ).layout
    except GpuAtlasError:
        return source, None
    if layout.tensor_parallel == system.gpu_count:
        return source, layout
    return replace(source, system=replica_system(system, layout)), layout
