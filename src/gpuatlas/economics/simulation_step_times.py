"""Step times for the serving simulator, from any source of per-step predictions.

The simulator needs three things about a replica: how many requests fit in memory at once, how
long a decode step takes at each batch, how long a prefill takes. `StepTimeSource` is that
contract; `EstimatorStepSource` answers it from the estimation engine (`gpuatlas.performance.api`),
tests answer it with closed-form fakes. `step_times_from` samples a source on a small grid and
interpolates, so a simulation costs a handful of estimator calls, not one per step.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import cached_property
from typing import Protocol, TypeVar, cast

import numpy as np

from gpuatlas.catalog.systems import GpuSystem
from gpuatlas.economics.serving_simulation import StepTimes
from gpuatlas.errors import GpuAtlasError
from gpuatlas.memo import IdentityMemo
from gpuatlas.performance import api
from gpuatlas.performance.calibration_table import current_calibration
from gpuatlas.performance.engine_specs import resolve_engine_on
from gpuatlas.performance.llm.memory import gib_text
from gpuatlas.performance.llm.offload_speed import (
    OFFLOAD_ENGINE_NAMES,
    OffloadSpeed,
    offloaded_decode_step_s,
    offloaded_prefill_s,
)
from gpuatlas.performance.scheduler_defaults import SchedulerBudget, scheduler_budget

PREFILL_GRID_TOKENS = (1, 128, 512, 2048, 8192)


class StepTimeSource(Protocol):
    """Per-step predictions for one replica (one model, format and engine on one system)."""

    def max_batch(self, context_tokens: int) -> int:
        """Requests that fit in memory at once with `context_tokens` each (0: none fits)."""
        ...

    def memory_note(self, context_tokens: int) -> str:
        """Why it does or does not fit, with numbers (weights, KV, free memory)."""
        ...

    def decode_step_s(self, batch: int, context_tokens: int) -> float: ...

    def prefill_s(self, tokens: int, prompts: int = 1) -> float:
        """One prefill step over `prompts` prompts of `tokens` tokens each."""
        ...

    def max_batched_tokens(self) -> int:
        """Tokens one step may schedule: a longer prompt is prefilled in chunks of what is
        left of it after the running requests' decode tokens."""
        ...


def batch_grid(max_batch: int) -> np.ndarray:
    """1, 2, 4, … up to `max_batch` (always included)."""
    powers = [1 << i for i in range(max_batch.bit_length()) if (1 << i) <= max_batch]
    return np.array(sorted({*powers, max_batch}), dtype=np.float64)


def step_times_from(
    source: StepTimeSource, input_tokens: float, output_tokens: float, max_batch: int
) -> StepTimes:
    """`sampled_step_times`; an estimator source's are remembered (`remembered`): a plan's
    N-GPU setup served as N one-GPU replicas steps the very replica its one-GPU sibling did.
    The arrays are read-only, since every holder of the answer shares them."""
    if not isinstance(source, EstimatorStepSource):
        return sampled_step_times(source, input_tokens, output_tokens, max_batch)
    question = ("steps", input_tokens, output_tokens, max_batch)
    return remembered(
        source,
        question,
        lambda: _read_only(sampled_step_times(source, input_tokens, output_tokens, max_batch)),
    )


def _read_only(steps: StepTimes) -> StepTimes:
    for array in (steps.decode_step_s, steps.prefill_tokens, steps.prefill_step_s):
        array.flags.writeable = False
    return steps


def sampled_step_times(
    source: StepTimeSource, input_tokens: float, output_tokens: float, max_batch: int
) -> StepTimes:
    """Sample decode steps at a batch grid (at the mean context, prompt + half the output)
    and prefills at a token grid; interpolate linearly between the samples. A prefill step of
    T tokens is T // prompt whole prompts of the mean prompt length (each attends over its own
    tokens only, not over all T), and a lone prompt is on the grid, so an idle replica's TTFT
    is the static prefill of one prompt."""
    context = int(round(input_tokens + output_tokens / 2))
    grid = batch_grid(max_batch)
    sampled = np.array([source.decode_step_s(int(b), context) for b in grid])
    decode = np.interp(np.arange(max_batch + 1, dtype=np.float64), grid, sampled)
    decode[0] = 0.0
    prompt = max(1, int(round(input_tokens)))
    tokens = np.array(sorted({*PREFILL_GRID_TOKENS, prompt}), dtype=np.float64)
    prefill = np.array([_prefill_of_prompts_s(source, int(t), prompt) for t in tokens])
    return StepTimes(
        decode_step_s=decode,
        prefill_tokens=tokens,
        prefill_step_s=prefill,
        max_batched_tokens=source.max_batched_tokens(),
    )


def _prefill_of_prompts_s(source: StepTimeSource, tokens: int, prompt: int) -> float:
    """A prefill step of `tokens` tokens made of whole prompts of `prompt` tokens (one
    sequence when it is shorter than a prompt)."""
    prompts = max(1, tokens // prompt)
    return source.prefill_s(int(round(tokens / prompts)), prompts)


@dataclass(frozen=True)
class EstimatorStepSource:
    """Step times from the estimation engine for `model` in `weights` on `system` with `engine`."""

    system: GpuSystem
    model: str
    weights: str
    engine: str
    num_ctx: int | None = None  # Ollama's num_ctx / llama.cpp's -c as set (None: its default)
    parallel: int | None = None  # llama.cpp/Ollama request slots as set (None: the release's)

    @cached_property
    def budget(self) -> SchedulerBudget:
        """The engine server's default step budget on this GPU (scheduler_defaults.toml)."""
        try:
            profile = resolve_engine_on(self.engine, self.system.gpu)
        except GpuAtlasError:
            return SchedulerBudget()  # the estimator states the engine's error itself
        return scheduler_budget(profile.id, self.system.gpu)

    def max_batch(self, context_tokens: int) -> int:
        """Requests at once, each holding the KV of the context its engine allocates (Ollama:
        num_ctx, 32,768 tokens on a 24 GiB card from 0.15.5, whatever the request's length),
        at most the request slots of a llama.cpp/Ollama server (`parallel` as set, else the
        release's: Ollama from 0.10 one; its automatic choice checks the fit at num_ctx).
        Remembered per source and context (`remembered`)."""
        question = ("max_batch", context_tokens)
        return remembered(self, question, lambda: self._fitting_batch(context_tokens))

    def _fitting_batch(self, context_tokens: int) -> int:
        """`max_batch`, computed."""
        allocated = self.allocated_context(context_tokens)
        batch = api.max_serving_batch(
            self.system, self.model, self.weights, self.engine, context_tokens=allocated
        )
        slots = api.server_request_slots(
            self.system,
            self.model,
            self.weights,
            self.engine,
            context_tokens=context_tokens,
            parallel=self.parallel,
            num_ctx=self.num_ctx,
        )
        running = self.budget.max_running if slots is None else min(slots, self.budget.max_running)
        return min(int(batch), running)

    def allocated_context(self, context_tokens: int) -> int:
        """The KV context one sequence holds: `num_ctx` when set, else the engine's own."""
        return api.engine_context(
            self.system,
            self.model,
            self.weights,
            self.engine,
            context_tokens=context_tokens,
            num_ctx=self.num_ctx,
        )

    def max_batched_tokens(self) -> int:
        return self.budget.max_batched_tokens

    def memory_note(self, context_tokens: int) -> str:
        fit = api.inference_memory(
            self.system,
            self.model,
            self.weights,
            context_tokens=self.allocated_context(context_tokens),
            engine=self.engine,
        )
        part = fit.per_gpu
        return (
            f"per GPU: weights {gib_text(part.weights_gb)} + overhead "
            f"{gib_text(part.overhead_gb)} + one sequence's KV {gib_text(part.kv_cache_gb, 2)} "
            f"+ activations {gib_text(part.activations_gb)} = {gib_text(part.total_gb)} > "
            f"{gib_text(fit.usable_gb)} usable of {gib_text(fit.gpu_memory_gb)}"
        )

    def decode_step_s(self, batch: int, context_tokens: int) -> float:
        return float(
            api.decode_step_s(
                self.system,
                self.model,
                self.weights,
                self.engine,
                batch=batch,
                context_tokens=context_tokens,
                server=True,
            )
        )

    def prefill_s(self, tokens: int, prompts: int = 1) -> float:
        return float(
            api.prefill_s(
                self.system,
                self.model,
                self.weights,
                self.engine,
                tokens=tokens,
                batch=prompts,
                server=True,
            )
        )


T = TypeVar("T")

# (the source's system by id, its model, weights, engine, num_ctx, parallel, the question) ->
# the answer, for that very system (`build_system` hands out one per GPU, count and network)
# under the very calibration
_ANSWERS: IdentityMemo[tuple[object, ...], object] = IdentityMemo(16384)


def remembered(
    source: EstimatorStepSource, question: tuple[object, ...], answer: Callable[[], T]
) -> T:
    """The source's `answer` to `question`, computed once per source and calibration: a plan
    asks the same replica (one GPU of a type, a group of them) for each count and format of
    its setups. An error is not remembered (it is raised again by computing afresh)."""
    system = source.system
    key = (
        id(system),
        source.model,
        source.weights,
        source.engine,
        source.num_ctx,
        source.parallel,
        *question,
    )
    return cast(T, _ANSWERS.answer(key, (current_calibration(), system), answer))


@dataclass(frozen=True)
class OffloadedStepSource:
    """A replica whose llama.cpp/Ollama runs part of the model on the CPU because one sequence
    does not fit the GPU whole (`api.engine_offload`: Ollama's layer estimate, llama.cpp's
    --fit): one request at a time, each decode step the all-GPU step less the share of the
    weights now read from host memory plus those bytes at the host's bandwidth, each prefill
    the all-GPU prefill plus the host-held weights copied over PCIe per 512-token batch
    (performance/llm/offload_speed.py, as `fit` and `predict llm` state it)."""

    base: StepTimeSource
    offload: OffloadSpeed

    def max_batch(self, context_tokens: int) -> int:
        return 1

    def max_batched_tokens(self) -> int:
        return self.base.max_batched_tokens()

    def memory_note(self, context_tokens: int) -> str:
        return self.offload.describe()

    def decode_step_s(self, batch: int, context_tokens: int) -> float:
        all_gpu_s = self.base.decode_step_s(batch, context_tokens)
        return offloaded_decode_step_s(all_gpu_s, self.offload, batch, context_tokens)

    def prefill_s(self, tokens: int, prompts: int = 1) -> float:
        all_gpu_s = self.base.prefill_s(tokens, prompts)
        return offloaded_prefill_s(all_gpu_s, tokens * prompts, self.offload)


def offloaded_source(source: StepTimeSource, context_tokens: int) -> OffloadedStepSource | None:
    """The replica as the engine runs it partly on the CPU when not one sequence fits the GPU
    (None where the engine does not split a model by itself, or not one layer fits)."""
    if not isinstance(source, EstimatorStepSource):
        return None
    split = api.engine_offload(
        source.system,
        source.model,
        source.weights,
        source.engine,
        context_tokens=context_tokens,
        num_ctx=source.num_ctx,
    )
    return None if split is None else OffloadedStepSource(source, split)


def with_num_ctx(
    source: StepTimeSource, num_ctx: int | None, parallel: int | None = None
) -> StepTimeSource:
    """The source with Ollama's num_ctx / llama.cpp's -c set to `num_ctx` and its request
    slots to `parallel` where its engine has those options (other engines, and other sources,
    unchanged: vLLM and SGLang page their KV cache as requests need it and run every request
    it holds)."""
    if (num_ctx is None and parallel is None) or not isinstance(source, EstimatorStepSource):
        return source
    try:
        profile = resolve_engine_on(source.engine, source.system.gpu)
    except GpuAtlasError:
        return source  # the estimator states the engine's error itself
    if profile.engine not in OFFLOAD_ENGINE_NAMES:
        return source
    return replace(source, num_ctx=num_ctx, parallel=parallel)
