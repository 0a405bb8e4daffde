"""The one message for a request that does not fit in memory: what does not fit, why, and what
would (a smaller weight format the engine loads, or more GPUs), numbers with thousands
separators."""

from __future__ import annotations

from dataclasses import replace
from functools import cached_property
from typing import TYPE_CHECKING

from gpuatlas.catalog.formats import find_format
from gpuatlas.catalog.model_weights import first_format_that_fits
from gpuatlas.errors import GpuAtlasError, InvalidRequestError
from gpuatlas.performance.engine_specs import formats_on
from gpuatlas.performance.llm.memory import MemoryInputs, max_sequences, min_gpus
from gpuatlas.performance.llm.offload_speed import OFFLOAD_ENGINE_NAMES
from gpuatlas.performance.resolve import as_format, kv_cache_id

if TYPE_CHECKING:
    from gpuatlas.performance.llm.step_times import LlmRuntime


# Every refusal says "... do not fit on <system> ..."; answers that explain a refusal find it so.
MEMORY_REFUSAL_MARK = "do not fit on"


class MemoryRefusalError(InvalidRequestError):
    """A request that does not fit in memory: the full refusal (what would fit) as its message,
    the brief one (`brief_does_not_fit_message`, for rows of a many-case batch) as `brief`."""

    def __init__(self, runtime: LlmRuntime, batch: int, context_tokens: int, fitting: int):
        GpuAtlasError.__init__(self)  # the full message is composed when first read
        self._refused = (runtime, batch, context_tokens, fitting)
        self.brief = brief_does_not_fit_message(runtime, batch, context_tokens, fitting)

    @cached_property
    def full_message(self) -> str:
        """The refusal with what would fit (a search over formats and GPU counts: a batch
        row reads only `brief`, so it is not paid there)."""
        return does_not_fit_message(*self._refused)

    @property
    def problems(self) -> list[str]:  # type: ignore[override]
        return [self.full_message]

    def __str__(self) -> str:
        return self.full_message


def is_memory_refusal(text: str) -> bool:
    """Whether an error text is this module's refusal (the request does not fit in memory)."""
    return MEMORY_REFUSAL_MARK in text


def no_sequence_fits_message(runtime: LlmRuntime, context_tokens: int) -> str:
    """Not even one sequence of `context_tokens` fits."""
    return does_not_fit_message(runtime, 1, context_tokens, 0)


def does_not_fit_message(runtime: LlmRuntime, batch: int, context_tokens: int, fitting: int) -> str:
    """`batch` sequences of `context_tokens` ask for more KV cache than fits (`fitting` do)."""
    inputs = memory_inputs(runtime, "fp16")  # the KV precision's id only names it here
    count = runtime.system.gpu_count
    why = _why(inputs, count, context_tokens, fitting)
    head = _refusal_head(runtime, batch, context_tokens)
    return f"{head}: {why}; {_what_would_fit(inputs, count, context_tokens, batch)}"


def brief_does_not_fit_message(
    runtime: LlmRuntime, batch: int, context_tokens: int, fitting: int
) -> str:
    """The refusal of a row of a many-case batch: what does not fit and why, from the figures
    the evaluation already has (no search for the longest context or a format that fits, so an
    error row costs no more than a predicted one); `gpuatlas fit` says what would fit."""
    if fitting >= 1:
        why = _fitting_phrase(fitting)
    else:
        why = "not even one sequence of this context fits beside the weights"
    head = _refusal_head(runtime, batch, context_tokens)
    return f"{head}: {why} (`gpuatlas fit` says what would)"


def _fitting_phrase(fitting: int) -> str:
    noun = "sequence fits" if fitting == 1 else "sequences fit"
    return f"at most {fitting:,} {noun} at this context"


def _refusal_head(runtime: LlmRuntime, batch: int, context_tokens: int) -> str:
    asked = (
        f"{context_tokens:,} tokens of context"
        if batch == 1
        else f"{batch:,} sequences of {context_tokens:,} tokens"
    )
    return (
        f"{asked} {MEMORY_REFUSAL_MARK} {runtime.system.id} with {runtime.model.id} "
        f"({runtime.weight_format.id}, {runtime.engine.id})"
    )


def memory_inputs(runtime: LlmRuntime, kv_cache: str) -> MemoryInputs:
    """The memory model's inputs for a resolved runtime."""
    return MemoryInputs(
        system=runtime.system,
        model=runtime.model,
        weight_format=runtime.weight_format,
        engine=runtime.engine,
        kv_bytes_per_element=runtime.kv_bytes_per_element,
        kv_cache_id=kv_cache_id(kv_cache),
    )


def _why(inputs: MemoryInputs, count: int, context_tokens: int, fitting: int) -> str:
    if fitting >= 1:
        return _fitting_phrase(fitting)
    if max_sequences(inputs, count, 1) < 1:
        return "the weights leave no room for one sequence's KV cache"
    longest = _longest_context(inputs, count, context_tokens)
    return f"one sequence fits up to {longest:,} tokens of context"


def _longest_context(inputs: MemoryInputs, count: int, context_tokens: int) -> int:
    """The longest context below `context_tokens` one sequence fits at (1 fits)."""
    low, high = 1, context_tokens
    while high - low > 1:
        middle = (low + high) // 2
        if max_sequences(inputs, count, middle) >= 1:
            low = middle
        else:
            high = middle
    return low


def _what_would_fit(inputs: MemoryInputs, count: int, context_tokens: int, batch: int) -> str:
    options = []
    smaller = _smaller_format_that_fits(inputs, count, context_tokens, batch)
    if smaller is not None:
        options.append(f"a smaller format ({smaller})")
    gpus = min_gpus(inputs, context_tokens, batch)
    if gpus is not None and gpus > count:
        options.append(f"{gpus} GPUs")
    if smaller is None and _splits_with_the_cpu_elsewhere(inputs, count):
        options.append(CPU_SPLIT_OPTION)
    if _splits_with_the_cpu_here(inputs):
        options.append(
            "partial offload: --gpu-layers N keeps the other layers on the CPU (`gpuatlas "
            f"fit {inputs.system.id} {inputs.model.id} -w {inputs.weight_format.id}` names N)"
        )
    if not options:
        return "try a shorter context or a smaller batch"
    return "try " + " or ".join(options)


# llama.cpp (and Ollama, built on it) keep the layers that do not fit on the CPU ("CPU+GPU
# hybrid inference to partially accelerate models larger than the total VRAM capacity",
# ggml-org/llama.cpp README); Q4_K_M is the GGUF type it takes by default (common/arg.cpp).
CPU_SPLIT_OPTION = (
    "llama.cpp, which keeps the layers that do not fit on the CPU "
    "(--engine llama.cpp --weights q4_k_m)"
)


def _splits_with_the_cpu_here(inputs: MemoryInputs) -> bool:
    """Whether the engine asked for can itself keep layers on the CPU (llama.cpp, Ollama) on a
    GPU with memory of its own: a build that does not fit them by itself (before llama.cpp's
    automatic fit) is told how (`--gpu-layers`)."""
    return inputs.engine.engine in OFFLOAD_ENGINE_NAMES and not inputs.system.gpu.unified_memory


def _splits_with_the_cpu_elsewhere(inputs: MemoryInputs, count: int) -> bool:
    """Whether to offer an engine that runs the model partly on the CPU: the weights leave no
    room for one sequence (not a context or batch too large), the engine asked for keeps every
    layer on the GPU, and the GPU has memory of its own (a unified-memory device has no CPU
    memory beside the GPU's)."""
    return (
        inputs.engine.engine not in OFFLOAD_ENGINE_NAMES
        and not inputs.system.gpu.unified_memory
        and max_sequences(inputs, count, 1) < 1
    )


def _smaller_format_that_fits(
    inputs: MemoryInputs, count: int, context_tokens: int, batch: int
) -> str | None:
    """The first of the engine's formats, in its own order, with fewer bits per weight than the
    current one, at which `batch` sequences of `context_tokens` fit on `count` GPUs."""
    current_bits = inputs.weight_format.bits_per_weight

    def fits(format_id: str) -> bool:
        found = find_format(format_id)
        if found is None or found.bits_per_weight >= current_bits:
            return False
        trial = replace(inputs, weight_format=as_format(format_id))
        return max_sequences(trial, count, context_tokens) >= batch

    formats = formats_on(inputs.engine, inputs.system.gpu)
    return first_format_that_fits(formats, fits, besides=inputs.weight_format.id)
