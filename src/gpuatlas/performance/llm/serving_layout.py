"""How a system of N GPUs serves one model best: replicas, tensor parallelism, or a mix.

An engine serves a model on a group of `tensor_parallel` GPUs (one replica); N GPUs hold
N / tensor_parallel replicas that serve independent requests. A model that fits one GPU is
served fastest by N replicas (no all-reduce per layer, N times the KV-cache room of one GPU's
share each); a model too large for one GPU needs a group big enough to hold it; in between,
a mix (2 replicas of 2 GPUs on 4 GPUs) can beat both. Every layout whose group size divides
N is evaluated at its largest batch that fits; the layout with the smallest groups that fit is
kept unless one with larger groups is predicted to serve more than `llm.layout_margin` (10 %)
more output tokens/s — a smaller predicted gain is inside the model's error.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Literal

from gpuatlas.catalog.request_lengths import RunLengths
from gpuatlas.catalog.systems import GpuSystem, build_system
from gpuatlas.errors import GpuAtlasError
from gpuatlas.memo import IdentityMemo
from gpuatlas.performance.engine_profiles import MultiGpuMode
from gpuatlas.performance.llm.attention_setting import attention_as_run
from gpuatlas.performance.llm.offload_speed import check_num_ctx
from gpuatlas.performance.llm.predict import QUEUED_NOTE_MARK, llm_runtime, serving_estimate
from gpuatlas.performance.llm.prompt_reuse import PromptReuse, prompt_cache
from gpuatlas.performance.llm.refusal import memory_inputs
from gpuatlas.performance.llm.run_lengths import SHAREGPT_NOTE_MARK
from gpuatlas.performance.llm.server_slots import SLOTS_NOTE_MARK, server_slots
from gpuatlas.performance.llm.step_times import LlmRuntime
from gpuatlas.performance.model_constants import model_constant
from gpuatlas.performance.predictions import Estimate
from gpuatlas.performance.resolve import FormatArg, ModelArg, SystemArg, as_system

LayoutChoice = Literal["auto", "tensor"]


@dataclass(frozen=True)
class ServingLayout:
    """`replicas` engines of `tensor_parallel` GPUs each; `split` is how an engine spreads the
    model over its group (llama.cpp/Ollama split layers: one GPU works at a time)."""

    replicas: int
    tensor_parallel: int
    split: MultiGpuMode = "tensor"

    @property
    def gpu_count(self) -> int:
        return self.replicas * self.tensor_parallel

    @property
    def description(self) -> str:
        if self.gpu_count == 1:
            return "one GPU"
        if self.tensor_parallel == 1:
            group = "1 GPU"
        elif self.split == "layer-split":
            group = f"{self.tensor_parallel} GPUs (layers split over them, run one after another)"
        else:
            group = f"{self.tensor_parallel} GPUs (tensor parallel)"
        if self.replicas == 1:
            return f"one replica over {group}"
        return f"{self.replicas} replicas of {group} each"

    def to_json(self) -> dict[str, int | str]:
        return {
            "replicas": self.replicas,
            "tensor_parallel": self.tensor_parallel,
            "description": self.description,
        }


@dataclass(frozen=True)
class LayoutServing:
    """The serving throughput of a whole system in its layout (all replicas together)."""

    layout: ServingLayout
    output_tok_s: Estimate
    per_replica: Estimate


def replica_shares(concurrency: int, replicas: int) -> list[int]:
    """`concurrency` sequences spread over `replicas` as evenly as they go (largest first)."""
    base, extra = divmod(concurrency, replicas)
    return [base + (1 if index < extra else 0) for index in range(replicas)]


def replica_loads(
    concurrency: int | Literal["max"], requests: int | None, replicas: int
) -> list[tuple[int | Literal["max"], int | None]]:
    """(concurrency, requests) of each replica that has work: both spread as evenly as they go
    (largest first); 'max' stays each replica's largest batch, and no requests (None) a steady
    stream. A replica left without a sequence or a request is idle and not listed."""
    count = replicas if concurrency == "max" else min(replicas, concurrency)
    if requests is not None:
        count = min(count, requests)
    sequences: list[int | Literal["max"]] = (
        ["max"] * count if concurrency == "max" else list(replica_shares(concurrency, count))
    )
    prompts: list[int | None] = (
        [None] * count if requests is None else list(replica_shares(requests, count))
    )
    return list(zip(sequences, prompts, strict=True))


def group_sizes(gpu_count: int) -> list[int]:
    """Tensor-parallel group sizes that split `gpu_count` GPUs into equal replicas."""
    return [size for size in range(1, gpu_count + 1) if gpu_count % size == 0]


def group_system(system: GpuSystem, size: int) -> GpuSystem:
    """One replica's group of `size` GPUs of the system (the system itself at its own size)."""
    if size == system.gpu_count:
        return system
    return build_system(system.gpu, size, system.network.id if system.network else None)


def layout_serving(
    system: SystemArg,
    model: ModelArg,
    weights: FormatArg,
    engine: str,
    *,
    input_tokens: int,
    output_tokens: int,
    kv_cache: str = "fp16",
    concurrency: int | Literal["max"] = "max",
    layout: LayoutChoice = "auto",
    requests: int | None = None,
    engine_text: str | None = None,
    parallel: int | None = None,
    prompt_reuse: PromptReuse = "none",
    shared_prefix_tokens: int | None = None,
    num_ctx: int | None = None,
    flash_attention: bool | None = None,
    lengths: RunLengths = "fixed",
) -> LayoutServing:
    """Output tokens/s of the system in the best layout ('auto') or as one tensor-parallel
    replica over every GPU ('tensor'): at each replica's largest batch ("max"), or with
    `concurrency` sequences spread evenly over the replicas. `requests`: a finite run of that
    many prompts (spread over the replicas like the concurrency), each replica running its
    share in waves (predict.wave_batches); None: a steady stream. A llama.cpp/Ollama replica
    runs `parallel` request slots, else the default of the release in `engine_text` (else in
    `engine`): llm.server_slots. `prompt_reuse`: every request sends the same prompt
    ('identical') or the same first `shared_prefix_tokens` ('shared-prefix'), which the
    engine's prefix cache reuses (llm.prompt_reuse). `flash_attention`: llama.cpp's -fa as the
    server runs it (None: the engine's default; llm.attention_setting). `lengths`: the finite
    run's replies all output_tokens long ('fixed') or spread like ShareGPT's ('sharegpt',
    llm.run_lengths)."""
    whole = as_system(system)
    sizes = group_sizes(whole.gpu_count) if layout == "auto" else [whole.gpu_count]
    best: LayoutServing | None = None
    errors: dict[int, GpuAtlasError] = {}
    margin = 1.0 + model_constant("llm", "layout_margin")
    for size in sizes:  # smallest groups (most replicas) first
        try:
            found = _serving_of(
                whole,
                size,
                model,
                weights,
                engine,
                concurrency,
                (input_tokens, output_tokens),
                kv_cache,
                requests,
                (engine_text or engine, parallel),
                (prompt_reuse, shared_prefix_tokens),
                num_ctx,
                (flash_attention, lengths),
            )
        except GpuAtlasError as error:
            errors[size] = error
            continue
        if best is None or found.output_tok_s.value > margin * best.output_tok_s.value:
            best = found
    if best is None:  # the single-replica layout's error is the one to report
        raise errors[max(errors)]
    return best


def _serving_of(
    whole: GpuSystem,
    size: int,
    model: ModelArg,
    weights: FormatArg,
    engine: str,
    concurrency: int | Literal["max"],
    lengths: tuple[int, int],
    kv_cache: str,
    requests: int | None,
    slot_setting: tuple[str, int | None],
    reuse: tuple[PromptReuse, int | None],
    num_ctx: int | None,
    run_setting: tuple[bool | None, RunLengths],
) -> LayoutServing:
    """The system's serving in the layout of groups of `size` GPUs. `slot_setting`: (the
    engine as written, llama.cpp/Ollama request slots as set); `run_setting`: (flash
    attention as set, the replies' lengths)."""
    runtime = llm_runtime(group_system(whole, size), model, weights, engine, kv_cache)
    layout = ServingLayout(whole.gpu_count // size, size, runtime.engine.multi_gpu)
    setting = _ReplicaSetting(lengths, kv_cache, slot_setting, reuse, num_ctx, *run_setting)
    if concurrency == "max" and requests is None:
        one = _replica_serving(runtime, ("max", None), setting)
        total = one.scaled(float(layout.replicas))
    else:
        loads = replica_loads(concurrency, requests, layout.replicas)
        rates = {load: _replica_serving(runtime, load, setting) for load in set(loads)}
        one = rates[loads[0]]
        total = one.scaled(sum(rates[load].value for load in loads) / one.value)
    if whole.gpu_count > 1:
        notes = [_per_replica(note) if layout.replicas > 1 else note for note in total.notes]
        total = replace(total, notes=(*notes, f"served as {layout.description}"))
    return LayoutServing(layout, total, one)


@dataclass(frozen=True)
class _ReplicaSetting:
    """How every replica of a layout runs: request lengths (input, output tokens), KV cache,
    (engine as written, llama.cpp/Ollama request slots), (prompt reuse, shared prefix tokens),
    the context as set (num_ctx), flash attention as set and the replies' lengths (all
    output_tokens, or ShareGPT's spread: llm.run_lengths)."""

    lengths: tuple[int, int]
    kv_cache: str
    slot_setting: tuple[str, int | None]
    reuse: tuple[PromptReuse, int | None]
    num_ctx: int | None
    flash_attention: bool | None
    reply_lengths: RunLengths = "fixed"


_ReplicaLoad = tuple[int | Literal["max"], int | None]  # (sequences, requests) of one replica

# (id of the group's runtime, load, setting) -> its estimate, for that very runtime (the
# runtime cache, step_times.runtime_for, hands out one object per configuration and
# calibration): a system of 8 GPUs weighs groups of 1, 2 and 4 that its 2- and 4-GPU siblings
# weighed already (`plan` and the fleet view assess every count of every GPU)
_REPLICA_ESTIMATES: IdentityMemo[tuple[int, _ReplicaLoad, _ReplicaSetting], Estimate] = (
    IdentityMemo(32768)
)


def _replica_serving(runtime: LlmRuntime, load: _ReplicaLoad, setting: _ReplicaSetting) -> Estimate:
    """One replica's serving estimate at its `load`: `_replica_estimate`, computed once per
    runtime, load and setting."""
    return _REPLICA_ESTIMATES.answer(
        (id(runtime), load, setting),
        (runtime,),
        lambda: _replica_estimate(runtime, load, setting),
    )


def _replica_estimate(
    runtime: LlmRuntime, load: _ReplicaLoad, setting: _ReplicaSetting
) -> Estimate:
    """The serving estimate of one replica (one engine on its group of GPUs) running `load`."""
    engine_text = setting.slot_setting[0]
    runtime = attention_as_run(runtime, setting.flash_attention, engine_text, serving=True)
    lengths = setting.lengths
    check_num_ctx(memory_inputs(runtime, setting.kv_cache), sum(lengths), setting.num_ctx)
    slots = server_slots(
        runtime, *setting.slot_setting, sum(lengths), setting.kv_cache, setting.num_ctx
    )
    layers = runtime.model
    prompt = prompt_cache(
        runtime.engine.engine,
        engine_text,
        setting.reuse[0],
        lengths[0],
        setting.reuse[1],
        recurrent=bool(layers.linear_attention_layers),
        sliding_window=bool(layers.sliding_window_layers),
    )
    split = (engine_text, setting.num_ctx)  # the engine as written and the context as set
    return serving_estimate(
        runtime,
        load[0],
        *lengths,
        setting.kv_cache,
        load[1],
        slots,
        prompt,
        split,
        lengths=setting.reply_lengths,
    )


def _per_replica(note: str) -> str:
    """A replica's note, said of each replica."""
    if note.startswith("batch max"):
        return f"{note} per replica"
    if QUEUED_NOTE_MARK in note or SLOTS_NOTE_MARK in note or SHAREGPT_NOTE_MARK in note:
        return f"each replica: {note}"
    return note
