"""LLM predictions built on the runtime: latency, throughput, serving capacity, with ranges."""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Literal

from gpuatlas.catalog.request_lengths import RunLengths, lengths_problems
from gpuatlas.catalog.systems import GpuSystem
from gpuatlas.errors import InvalidRequestError
from gpuatlas.memo import IdentityMemo, object_key
from gpuatlas.performance.calibration_table import GroupParams, current_calibration
from gpuatlas.performance.engine_profiles import require_kv_cache
from gpuatlas.performance.engine_specs import require_format_on, resolve_engine_on
from gpuatlas.performance.llm.host_memory import host_ram_note
from gpuatlas.performance.llm.memory import max_sequences, require_even_head_split
from gpuatlas.performance.llm.offload_speed import (
    OffloadSpeed,
    offload_for,
    offloaded_decode_step_s,
    offloaded_prefill_s,
)
from gpuatlas.performance.llm.prompt_reuse import PromptCache
from gpuatlas.performance.llm.refusal import MemoryRefusalError, memory_inputs
from gpuatlas.performance.llm.run_lengths import RunSpans, sharegpt_note, sharegpt_run
from gpuatlas.performance.llm.server_slots import ServerSlots, slots_note
from gpuatlas.performance.llm.serving_offload import offload_share, serving_running, serving_split
from gpuatlas.performance.llm.step_times import (
    MODEL_NAME,
    LlmRuntime,
    clear_runtime_cache,
    runtime_for,
)
from gpuatlas.performance.peak_rates import hardware_class
from gpuatlas.performance.predictions import Estimate, LlmPrediction
from gpuatlas.performance.primitives import Value
from gpuatlas.performance.resolve import (
    FormatArg,
    ModelArg,
    SystemArg,
    as_format,
    as_llm,
    as_system,
    kv_bytes_per_element,
    kv_cache_id,
)

EngineArg = str
# `LlmPrediction.bound` of a decode step whose mat-vec unpacking takes longer than its bytes
MATVEC_ALU_BOUND = "mat-vec ALU"
HOST_MEMORY_BOUND = "host memory"  # decode reads weights from the CPU's memory (an offload)


def llm_runtime(
    system: SystemArg,
    model: ModelArg,
    weights: FormatArg,
    engine: EngineArg,
    kv_cache: str = "fp16",
) -> LlmRuntime:
    """Resolve names, check the engine loads the format, and return the cached runtime:
    remembered per arguments (names by value, objects by identity) and calibration, since the
    planner and the serving simulator ask for the same few hundred runtimes a hundred
    thousand times."""
    calibration = current_calibration()
    key = (object_key(system), object_key(model), object_key(weights), object_key(engine), kv_cache)
    return _RESOLVED_RUNTIMES.answer(
        key,
        (calibration, system, model, weights, engine),
        lambda: _resolved_runtime(system, model, weights, engine, kv_cache),
    )


# (system, model, weights, engine as names or ids, KV cache) -> the runtime, for those very
# arguments under the very calibration (a plan over every GPU, count and format asks ~7,600)
_RESOLVED_RUNTIMES: IdentityMemo[
    tuple[str | int, str | int, str | int, str | int, str], LlmRuntime
] = IdentityMemo(16384)


def clear_runtime_caches() -> None:
    """Forget every runtime: the ones resolved per arguments and the ones built per
    configuration (a benchmark's timed run builds them itself)."""
    _RESOLVED_RUNTIMES.clear()
    clear_runtime_cache()


def _resolved_runtime(
    system: SystemArg,
    model: ModelArg,
    weights: FormatArg,
    engine: EngineArg,
    kv_cache: str,
) -> LlmRuntime:
    """`llm_runtime`, resolved afresh."""
    resolved_engine = resolve_engine_on(engine, as_system(system).gpu)
    weight_format = as_format(weights)
    require_format_on(resolved_engine, weight_format.id, as_system(system).gpu)
    require_kv_cache(resolved_engine, kv_cache_id(kv_cache))
    on = as_system(system)
    llm = as_llm(model)
    require_even_head_split(resolved_engine, llm, on.gpu_count)
    runtime = runtime_for(on, llm, weight_format, resolved_engine, kv_bytes_per_element(kv_cache))
    return _on_host(runtime, on)


def _on_host(runtime: LlmRuntime, system: GpuSystem) -> LlmRuntime:
    """The cached runtime (keyed by the system's id) on `system` when its host memory is stated
    differently (--host-ram-gb: the limit of a GPU/CPU split, llm.host_memory)."""
    if runtime.system.host_memory == system.host_memory:
        return runtime
    return replace(runtime, system=system)


def runtime_max_batch(
    runtime: LlmRuntime, context_tokens: int, kv_cache: str = "fp16", shared_tokens: int = 0
) -> int:
    """Largest batch that fits in memory at this context, capped by the engine's max_batch
    (engines.toml; vLLM's server allows 1024 on an H100, scheduler_defaults.toml, but 'max'
    rows often set their own max_num_seqs, which the cases do not carry: kept at the profile's).
    `shared_tokens`: a cached prefix the engine holds once for every sequence."""
    fitting = max_sequences(
        memory_inputs(runtime, kv_cache),
        runtime.system.gpu_count,
        max(context_tokens, 1),
        shared_tokens=shared_tokens,
    )
    return min(fitting, runtime.engine.max_batch)


def server_running_cap(runtime: LlmRuntime, concurrency: int) -> int:
    """Requests the server runs at once out of `concurrency` offered, before memory: its
    per-GPU default (vLLM 0.9.1+: 256 on an A100 or under 70 GiB, 1024 above) where
    scheduler_defaults.toml has a rule, else all of them."""
    server = runtime.server
    return concurrency if server is runtime else min(concurrency, server.engine.max_batch)


def make_estimate(
    value: float, unit: str, kind: str, extrapolated: bool, notes: tuple[str, ...] = ()
) -> Estimate:
    calibration = current_calibration()
    low, high = calibration.band(value, kind, extrapolated)
    return Estimate(
        value=value,
        low=low,
        high=high,
        unit=unit,
        model=MODEL_NAME,
        calibration_version=calibration.version,
        extrapolated=extrapolated,
        notes=notes,
    )


def rate_at_most(estimate: Estimate, ceiling: float) -> Estimate:
    """The estimate with its high end no past `ceiling` (the roofline's rate), never below
    the value itself (a fitted efficiency may put the value past a spec sheet's peak)."""
    if not ceiling < estimate.high:
        return estimate
    return replace(estimate, high=max(estimate.value, ceiling))


def time_at_least(estimate: Estimate, floor: float) -> Estimate:
    """The estimate with its low end no shorter than `floor` (the roofline's time), never
    above the value itself."""
    if not floor > estimate.low:
        return estimate
    return replace(estimate, low=min(estimate.value, floor))


def require_fits(runtime: LlmRuntime, batch: int, context_tokens: int, kv_cache: str) -> None:
    """Raise a clear error for a batch that cannot run on this system."""
    if batch < 1:
        raise InvalidRequestError([f"batch must be at least 1, got {batch}"])
    fitting = max_sequences(
        memory_inputs(runtime, kv_cache), runtime.system.gpu_count, max(context_tokens, 1)
    )
    if batch > fitting:
        raise MemoryRefusalError(runtime, batch, context_tokens, fitting)


def predict_runtime(
    runtime: LlmRuntime,
    *,
    batch: int,
    input_tokens: int,
    output_tokens: int,
    kv_cache: str = "fp16",
    gpu_layers: int | None = None,
    host_bandwidth_gb_s: float | None = None,
    experts_on_cpu: bool = False,
    engine_text: str | None = None,
    num_ctx: int | None = None,
    depth_tokens: int = 0,
) -> LlmPrediction:
    """One batch of requests on the system. On llama.cpp/Ollama a single sequence that does
    not fit the GPU runs partly on the CPU (the engine's own layer split, or `gpu_layers`;
    `engine_text` as written, 'Ollama 0.12', sets Ollama's default num_ctx, `num_ctx` the
    context allocated instead: OLLAMA_CONTEXT_LENGTH, llama.cpp -c). `depth_tokens`: tokens
    already in each sequence's KV cache when the prompt arrives (llama-bench -d): the prompt
    attends to them, and decode runs after them."""
    context = depth_tokens + input_tokens + output_tokens
    inputs = memory_inputs(runtime, kv_cache)
    offload = offload_for(
        inputs,
        batch,
        context,
        gpu_layers,
        host_bandwidth_gb_s,
        experts_on_cpu,
        engine_text,
        num_ctx,
    )
    if offload is None:
        require_fits(runtime, batch, context, kv_cache)
    prediction = _predict_on_gpu(runtime, batch, input_tokens, output_tokens, depth_tokens)
    if offload is None:
        return prediction
    return _offloaded(runtime, prediction, offload, depth_tokens)


def _memory_side_bound(alu_excess_bytes: float) -> str:
    """What limits a decode step that is not compute-bound: its weight bytes ("memory"), or
    the unpacking work of the engine's own mat-vec where that takes longer than the bytes
    ("mat-vec ALU": llama.cpp's quantised formats on GPUs whose lanes issue the integer work;
    `alu_excess_bytes` is `LlmRuntime.matvec_alu_excess_bytes` of the step)."""
    return MATVEC_ALU_BOUND if alu_excess_bytes > 0.0 else "memory"


# Gemma 3n's AltUp, LAuReL and per-layer inputs add many small operations to every layer
# (llama.cpp's graph: 63 nodes per layer against 30 for a Gemma 3 layer, llm/ggml_nodes.py); an
# engine that pays a time per kernel (mlx-lm's stages, llama.cpp's and Ollama's graph nodes)
# costs them, one costed per step or per layer does not.
UNCOSTED_SMALL_OPS_NOTE = (
    "AltUp, LAuReL and the per-layer inputs run many small operations in every layer "
    "(about twice a plain layer's kernels); {engine} is costed per step, not per kernel, "
    "so this decode is likely too fast"
)


# A decode step whose kernels' fixed time is at least this share of it says so (the reason a
# faster memory, or fewer active parameters, speeds it up less than the bytes suggest).
KERNEL_TIME_NOTE_SHARE = 0.2
KERNEL_WORDS = {
    "ggml-nodes": "GPU kernels (ggml graph nodes)",
    "mlx-stages": "kernel stages",
    "own-kernels": "GPU kernels",
}


def _kernel_time_note(runtime: LlmRuntime, tpot_s: float) -> tuple[str, ...]:
    kernels_s = runtime.kernels_ms * 1e-3
    if kernels_s < KERNEL_TIME_NOTE_SHARE * tpot_s:
        return ()
    words = KERNEL_WORDS[runtime.engine.kernel_graph]
    if not runtime.engine.fits_kernel_overhead:
        origin = "the engine profile's time per kernel"
    elif runtime.decode.kernel_overhead_us >= 0.0:
        origin = "fitted for this engine and GPU class"
    else:
        origin = "the engine's prior"
    return (
        f"each token runs {runtime.paid_kernels:,} {words} at "
        f"{runtime.time_per_kernel_us:.2f} µs each ({origin}): "
        f"{kernels_s * 1e3:.1f} of its {tpot_s * 1e3:.1f} ms, a time faster memory does not "
        "shorten",
    )


def _decode_notes(runtime: LlmRuntime, tpot_s: float) -> tuple[str, ...]:
    notes = _kernel_time_note(runtime, tpot_s)
    if runtime.model.altup_inputs <= 1 or runtime.engine.kernel_overhead_us > 0.0:
        return notes
    return (*notes, UNCOSTED_SMALL_OPS_NOTE.format(engine=runtime.engine.engine))


def _predict_on_gpu(
    runtime: LlmRuntime, batch: int, input_tokens: int, output_tokens: int, depth_tokens: int = 0
) -> LlmPrediction:
    calibration = current_calibration()
    context = depth_tokens + input_tokens + output_tokens / 2
    ttft_s = runtime.prefill_s(input_tokens, batch, depth_tokens) if input_tokens > 0 else 0.0
    ttft_s += runtime.call_wire_s if input_tokens > 0 else 0.0  # one run: weights wired anew
    tpot_s = runtime.decode_step_s(batch, context)
    flops, charged = runtime.decode_terms(batch, context)
    alu_excess_bytes = float(runtime.matvec_alu_excess_bytes(batch))
    moved = charged - alu_excess_bytes  # traffic, not the ALU's time
    prefill_flops = runtime.prefill_model_flops(input_tokens, batch, depth_tokens)
    prefill_flops -= runtime.expert_pass_flops(input_tokens, batch)  # MFU counts useful FLOPs
    system_bandwidth = runtime.bandwidth_bytes_s * runtime.split
    decode_x = runtime.extrapolated(calibration, "decode")
    prefill_x = runtime.extrapolated(calibration, "prefill")
    compute_bound = flops / runtime.peak_flops > charged / runtime.bandwidth_bytes_s
    bound = "compute" if compute_bound else _memory_side_bound(alu_excess_bytes)
    prefill_rate = batch * input_tokens / ttft_s if ttft_s > 0 else 0.0
    system_flops = runtime.matrix_peak_flops * runtime.split  # the GPU's, not the build's
    prefill_mfu = prefill_flops * runtime.split / ttft_s / system_flops if ttft_s > 0 else 0.0
    decode_notes = _decode_notes(runtime, float(tpot_s))
    # the ranges stop at the roofline: no step shorter than its FLOPs at peak or bytes at the
    # full bandwidth (a symmetric band around 57 tok/s reached 72 where the bytes allow 67)
    decode_floor_s = float(runtime.decode_floor_s(batch, context))
    prefill_floor_s = (
        float(runtime.prefill_floor_s(input_tokens, batch, depth_tokens)) if input_tokens else 0.0
    )
    tpot_share = tpot_s / decode_floor_s if decode_floor_s > 0 else math.inf
    ttft_share = ttft_s / prefill_floor_s if prefill_floor_s > 0 else math.inf
    return LlmPrediction(
        system_id=runtime.system.id,
        model_id=runtime.model.id,
        weights=runtime.weight_format.id,
        engine=runtime.engine.id,
        batch=batch,
        input_tokens=input_tokens,
        output_tokens=output_tokens,
        ttft_ms=time_at_least(
            make_estimate(ttft_s * 1e3, "ms", "prefill", prefill_x), prefill_floor_s * 1e3
        ),
        tpot_ms=time_at_least(
            make_estimate(tpot_s * 1e3, "ms", "decode", decode_x, decode_notes),
            decode_floor_s * 1e3,
        ),
        prefill_tok_s=rate_at_most(
            make_estimate(prefill_rate, "tok/s", "prefill", prefill_x), prefill_rate * ttft_share
        ),
        decode_tok_s=rate_at_most(
            make_estimate(batch / tpot_s, "tok/s", "decode", decode_x, decode_notes),
            batch / tpot_s * tpot_share,
        ),
        per_sequence_tok_s=rate_at_most(
            make_estimate(1.0 / tpot_s, "tok/s", "decode", decode_x), tpot_share / tpot_s
        ),
        mbu=rate_at_most(
            make_estimate(
                moved * runtime.split / tpot_s / system_bandwidth, "fraction", "decode", decode_x
            ),
            moved * runtime.split / tpot_s / system_bandwidth * tpot_share,
        ),
        mfu=rate_at_most(
            make_estimate(prefill_mfu, "fraction", "prefill", prefill_x), prefill_mfu * ttft_share
        ),
        bound=bound,
    )


def _offloaded(
    runtime: LlmRuntime, on_gpu: LlmPrediction, offload: OffloadSpeed, depth_tokens: int = 0
) -> LlmPrediction:
    """The all-GPU prediction with the layers in host memory run on the CPU: decode adds
    their bytes and their KV cache at the host's bandwidth, prefill their copies over PCIe.
    The band is the extrapolated one (the host's memory is assumed unless given)."""
    note = f"{offload.describe()}; {host_ram_note(runtime.system)}"
    context = depth_tokens + on_gpu.input_tokens + on_gpu.output_tokens / 2
    tpot_s = offloaded_decode_step_s(on_gpu.tpot_ms.value / 1e3, offload, on_gpu.batch, context)
    ttft_s = (
        offloaded_prefill_s(on_gpu.ttft_ms.value / 1e3, on_gpu.input_tokens, offload)
        if on_gpu.input_tokens > 0
        else 0.0
    )
    prompt = on_gpu.batch * on_gpu.input_tokens

    def estimate(value: float, unit: str, kind: str) -> Estimate:
        return make_estimate(value, unit, kind, True, (note,))

    moved_share = on_gpu.tpot_ms.value / 1e3 / tpot_s
    return replace(
        on_gpu,
        ttft_ms=estimate(ttft_s * 1e3, "ms", "prefill"),
        tpot_ms=estimate(tpot_s * 1e3, "ms", "decode"),
        prefill_tok_s=estimate(prompt / ttft_s if ttft_s > 0 else 0.0, "tok/s", "prefill"),
        decode_tok_s=estimate(on_gpu.batch / tpot_s, "tok/s", "decode"),
        per_sequence_tok_s=estimate(1.0 / tpot_s, "tok/s", "decode"),
        mbu=estimate(on_gpu.mbu.value * moved_share, "fraction", "decode"),
        mfu=estimate(
            on_gpu.mfu.value * (on_gpu.ttft_ms.value / 1e3 / ttft_s if ttft_s > 0 else 0.0),
            "fraction",
            "prefill",
        ),
        bound=HOST_MEMORY_BOUND if offload.cpu_read_gb > 0 else on_gpu.bound,
        notes=(*on_gpu.notes, note),
    )


def serving_output_tok_s(
    runtime: LlmRuntime,
    concurrency: int,
    input_tokens: int,
    output_tokens: int,
    cached_tokens: int = 0,
) -> float:
    """Closed-loop server: each of `concurrency` requests prefills then decodes; with continuous
    batching the work per cycle is c prefills plus `output_tokens` decode steps at batch c.
    `cached_tokens`: prompt tokens each request finds in the engine's prefix cache."""
    cycle_s = serving_cycle_s(runtime, concurrency, input_tokens, output_tokens, cached_tokens)
    return float(serving_rate(runtime, concurrency, output_tokens, cycle_s))


def serving_rate(
    runtime: LlmRuntime, concurrency: Value, output_tokens: Value, cycle_s: Value
) -> Value:
    """Serving output tokens/s from one cycle's time (floats, or arrays of cases)."""
    params = serving_params(runtime)
    sequence_s = output_tokens * concurrency * params.sequence_overhead_us * 1e-6
    return concurrency * output_tokens / (cycle_s / params.factor + sequence_s)


def serving_cycle_s(
    runtime: LlmRuntime,
    concurrency: int,
    input_tokens: int,
    output_tokens: int,
    cached_tokens: int = 0,
) -> float:
    """One cycle's modelled time without the per-sequence overhead (that one is calibrated
    separately for serving: it dominates at very large batches). The prompts are prefilled in
    the server's chunks on this GPU (`LlmRuntime.server`); a prefix of `cached_tokens` found
    in the prefix cache is not computed again, its new tokens attend to it."""
    context = input_tokens + output_tokens / 2
    if cached_tokens > 0:
        prefill_s = runtime.server.prefill_s(
            input_tokens - cached_tokens, concurrency, cached_tokens
        )
    else:
        prefill_s = runtime.server.prefill_s(input_tokens, concurrency)
    return float(
        cycle_from_step_times(
            runtime,
            concurrency,
            output_tokens,
            prefill_s,
            runtime.decode_step_s(concurrency, context),
        )
    )


def cycle_from_step_times(
    runtime: LlmRuntime,
    concurrency: Value,
    output_tokens: Value,
    prefill_s: Value,
    decode_step_s: Value,
) -> Value:
    """Prefill plus `output_tokens` decode steps, the engine's per-sequence overhead removed."""
    step_s = decode_step_s - concurrency * runtime.engine.sequence_overhead_us * 1e-6
    return prefill_s + output_tokens * step_s


def serving_params(runtime: LlmRuntime) -> GroupParams:
    """Serving calibration: a rate factor and the per-sequence step overhead (µs)."""
    params = current_calibration().params(
        "serving",
        (1.0, 1.0, 0.0),
        runtime.engine.id,
        hardware_class(runtime.system.gpu),
        runtime.precision_class,
    )
    if params.sequence_overhead_us < 0:
        return replace(params, sequence_overhead_us=runtime.engine.sequence_overhead_us)
    return params


def running_batch(
    runtime: LlmRuntime,
    concurrency: int,
    context_tokens: int,
    kv_cache: str = "fp16",
    slots: ServerSlots | None = None,
    shared_tokens: int = 0,
) -> int:
    """Sequences a continuous-batching server runs at once for `concurrency` requests: all of
    them when their KV cache fits and the server's running cap allows (server_running_cap),
    else as many as the KV pool holds at the full context; the rest wait in the engine's queue
    (vLLM and TensorRT-LLM admit a request when its KV blocks are free), so the throughput is
    the one at that running batch. A llama.cpp/Ollama server runs at most its request
    `slots` (llm.server_slots). `shared_tokens`: a cached prefix held once for all of them."""
    if concurrency < 1:
        raise InvalidRequestError([f"batch must be at least 1, got {concurrency}"])
    fitting = max_sequences(
        memory_inputs(runtime, kv_cache),
        runtime.system.gpu_count,
        max(context_tokens, 1),
        shared_tokens=shared_tokens,
    )
    if fitting < 1:
        raise MemoryRefusalError(runtime, 1, context_tokens, 0)
    running = min(server_running_cap(runtime, concurrency), fitting)
    return running if slots is None else min(running, slots.slots)


QUEUED_NOTE_MARK = "concurrent requests exceed"


def queued_note(concurrency: int, running: int, capped: bool = False) -> str:
    """Why only `running` of `concurrency` requests run: the server's running cap (`capped`)
    or the KV cache."""
    limit = "the server's running cap" if capped else "the KV cache"
    return (
        f"{concurrency} {QUEUED_NOTE_MARK} {limit}: the engine runs {running} at once and "
        f"queues the rest (throughput at batch {running})"
    )


def wave_batches(running: int, requests: int) -> tuple[tuple[int, int], ...]:
    """(batch, waves) of a finite run: `requests` prompts with at most `running` in flight, of
    equal lengths, run as full waves of `running` and then one wave of the remainder (a client
    semaphore such as vLLM `bench serve --max-concurrency` refills a slot when a request ends,
    and equal requests end together)."""
    if running < 1 or requests < 1:
        raise InvalidRequestError(
            [f"running batch and requests must be >= 1 ({running}, {requests})"]
        )
    full, rest = divmod(requests, running)
    waves = ((running, full),) if full else ()
    return (*waves, (rest, 1)) if rest else waves


def finite_run_output_tok_s(
    runtime: LlmRuntime,
    running: int,
    requests: int,
    input_tokens: int,
    output_tokens: int,
    cached_tokens: int = 0,
) -> float:
    """Output tokens/s of a run of `requests` prompts in waves (`wave_batches`): all the output
    over the waves' summed time, each wave at its own batch. With a repeated prompt
    (`cached_tokens` > 0) the first wave finds the cache empty and prefills in full, the
    later ones only their uncached tokens."""

    def wave_s(batch: int, waves: int, cached: int) -> float:
        rate = serving_output_tok_s(runtime, batch, input_tokens, output_tokens, cached)
        return waves * batch * output_tokens / rate

    batches = wave_batches(running, requests)
    seconds = sum(wave_s(batch, waves, cached_tokens) for batch, waves in batches)
    if cached_tokens > 0:  # the first wave: nothing cached yet
        first = batches[0][0]
        seconds += wave_s(first, 1, 0) - wave_s(first, 1, cached_tokens)
    return requests * output_tokens / seconds


def spread_run_output_tok_s(
    runtime: LlmRuntime, run: RunSpans, input_tokens: int, mean_output_tokens: int
) -> float:
    """Output tokens/s of a run whose replies differ in length (`run_lengths`): each span of
    steps at its running batch takes the steps' share of that batch's serving cycle (a cycle:
    each running request prefills once and generates the mean reply), so every request's
    prefill is paid once over the run and each decode step at the batch still running."""
    rates: dict[int, float] = {}
    seconds = 0.0
    for batch, steps in run.spans:
        if batch not in rates:
            rates[batch] = serving_output_tok_s(runtime, batch, input_tokens, mean_output_tokens)
        seconds += batch * steps / rates[batch]
    return run.output_tokens / seconds


def _sharegpt_run_value(
    runtime: LlmRuntime, running: int, requests: int, input_tokens: int, output_tokens: int
) -> tuple[float, str]:
    """Output tokens/s of a run of `requests` ShareGPT replies at most `running` at once, and
    the note that says so."""
    run = sharegpt_run(running, requests, input_tokens, output_tokens)
    value = spread_run_output_tok_s(runtime, run, input_tokens, output_tokens)
    return value, sharegpt_note(requests, run)


def run_cycles(
    running: int,
    requests: int,
    input_tokens: int,
    output_tokens: int,
    lengths: RunLengths = "fixed",
) -> tuple[tuple[tuple[int, float], ...], int]:
    """A finite run as (batch, serving cycles at that batch) pairs, and the output tokens it
    generates: equal requests run in waves (`wave_batches`, a cycle each); ShareGPT replies
    in spans of steps (`run_lengths.sharegpt_run`, steps / output_tokens cycles each)."""
    if lengths == "fixed":
        waves = wave_batches(running, requests)
        return tuple((batch, float(count)) for batch, count in waves), requests * output_tokens
    run = sharegpt_run(running, requests, input_tokens, output_tokens)
    spans = tuple((batch, steps / output_tokens) for batch, steps in run.spans)
    return spans, run.output_tokens


@dataclass(frozen=True)
class EarlyStop:
    """Requests that end at end-of-sequence before the length asked for (a client without
    --ignore-eos): `timed_tokens` is the length a run's time is costed at, `yield_share` the
    share of it the requests generate on average."""

    timed_tokens: int
    yield_share: float
    note: str


def early_stop(
    output_tokens: int, mean_output_tokens: float | None, requests: int | None
) -> EarlyStop | None:
    """How requests that stop early change a run. A steady state refills a slot when a
    request ends, so it runs requests of the mean length. A finite run's wave lasts until its
    longest request reaches the cap (output_tokens), while the others generate the mean:
    costed as the wave at the cap yielding mean/cap of its tokens (a decode step bound by
    reading the weights takes about as long with the batch half drained). None: no early stop
    (mean not stated, or not below the cap)."""
    if mean_output_tokens is None or mean_output_tokens >= output_tokens:
        return None
    stated = f"requests stop at end-of-sequence: {mean_output_tokens:g} of {output_tokens} tokens"
    if requests is None:
        timed = max(1, round(mean_output_tokens))
        return EarlyStop(timed, mean_output_tokens / timed, f"{stated} on average (steady state)")
    share = mean_output_tokens / output_tokens
    return EarlyStop(output_tokens, share, f"{stated}; each wave lasts until its longest")


def serving_estimate(
    runtime: LlmRuntime,
    concurrency: int | Literal["max"],
    input_tokens: int,
    output_tokens: int,
    kv_cache: str = "fp16",
    requests: int | None = None,
    slots: ServerSlots | None = None,
    prompt: PromptCache | None = None,
    context_setting: tuple[str | None, int | None] = (None, None),
    mean_output_tokens: float | None = None,
    lengths: RunLengths = "fixed",
) -> Estimate:
    """Output tokens/s of a server at `concurrency` requests in flight ("max": the largest
    batch that fits); a llama.cpp/Ollama server runs at most its `slots` of them at once.
    `lengths`: a finite run of `requests` whose replies are ShareGPT's ('sharegpt': spread
    around output_tokens, `run_lengths`) rather than all output_tokens long ('fixed').
    `prompt`: every request repeats a prompt (or its prefix) that the engine's prefix cache
    reuses (llm.prompt_reuse); a steady stream always finds it cached. A llama.cpp/Ollama
    server whose model does not fit whole at the context it allocates (`context_setting`:
    the engine as written, 'Ollama 0.12', and num_ctx as set) runs the engine's own GPU/CPU
    layer split (llm.serving_offload). Requests that stop at end-of-sequence with
    `mean_output_tokens` on average change the length costed and the tokens yielded
    (`early_stop`)."""
    if output_tokens < 1:
        raise InvalidRequestError(["output_tokens must be at least 1 for serving throughput"])
    problems = lengths_problems(lengths, requests, mean_output_tokens)
    if problems:
        raise InvalidRequestError(problems)
    stopped = early_stop(output_tokens, mean_output_tokens, requests)
    output_tokens = output_tokens if stopped is None else stopped.timed_tokens
    context = input_tokens + output_tokens
    if slots is not None:
        running = serving_running(concurrency, slots)
        split = serving_split(runtime, slots, running, context, kv_cache, *context_setting)
        if split is not None:
            found = _split_serving(
                runtime, concurrency, (input_tokens, output_tokens), requests, slots, split, lengths
            )
            return with_early_stop(found, stopped)
    cached = 0 if prompt is None else prompt.cached_tokens(input_tokens)
    shared = 0 if prompt is None else prompt.shared_kv_tokens(input_tokens)
    notes: tuple[str, ...] = ()
    if concurrency == "max":
        fitting = runtime_max_batch(runtime, context, kv_cache, shared)
        if fitting < 1:
            raise MemoryRefusalError(runtime, 1, context, 0)
        offered = fitting if slots is None else min(fitting, slots.slots)
        notes = (f"batch max = {offered} concurrent sequences",)
    else:
        offered = concurrency
    running = running_batch(runtime, offered, context, kv_cache, slots, shared)
    if slots is not None and running == slots.slots < offered:
        notes = (slots_note(offered, slots),)
    elif running < offered:
        capped = running == server_running_cap(runtime, offered)
        notes = (queued_note(offered, running, capped),)
    elif slots is not None:
        notes = (*notes, slots.note)
    if requests is not None and lengths == "sharegpt":
        if cached:
            raise InvalidRequestError(
                ["ShareGPT requests carry different prompts: prompt reuse does not apply"]
            )
        value, note = _sharegpt_run_value(runtime, running, requests, input_tokens, output_tokens)
        notes = (*notes, note)
    elif requests is None or (requests % running == 0 and cached == 0):
        value = serving_output_tok_s(runtime, running, input_tokens, output_tokens, cached)
    else:
        value = finite_run_output_tok_s(
            runtime, running, requests, input_tokens, output_tokens, cached
        )
        if requests % running:
            last = f"the last wave runs {requests % running}"
            notes = (*notes, f"{requests} requests in waves of {running}: {last}")
    if prompt is not None:
        notes = (*notes, prompt.note)
    extrapolated = runtime.extrapolated(current_calibration(), "serving")
    return with_early_stop(make_estimate(value, "tok/s", "serving", extrapolated, notes), stopped)


def with_early_stop(estimate: Estimate, stopped: EarlyStop | None) -> Estimate:
    """The estimate of a run at its costed length, times the share its requests generate."""
    if stopped is None:
        return estimate
    scaled = estimate.scaled(stopped.yield_share)
    return replace(scaled, notes=(*scaled.notes, stopped.note))


def _split_serving(
    runtime: LlmRuntime,
    concurrency: int | Literal["max"],
    lengths: tuple[int, int],
    requests: int | None,
    slots: ServerSlots,
    split: OffloadSpeed,
    spread: RunLengths = "fixed",
) -> Estimate:
    """A llama.cpp/Ollama server with some layers on the CPU: the calibrated all-GPU serving
    rate at its running slots, slowed by the split's share (llm.serving_offload). The band is
    the extrapolated one, as for `predict llm` with a split. `spread`: the replies' lengths
    (serving_estimate's `lengths`)."""
    running = serving_running(concurrency, slots)
    input_tokens, output_tokens = lengths
    offered = running if concurrency == "max" else concurrency
    notes: tuple[str, ...] = (
        slots_note(offered, slots) if running < offered else slots.note,
        split.describe(),
    )
    if requests is not None and spread == "sharegpt":
        value, note = _sharegpt_run_value(runtime, running, requests, input_tokens, output_tokens)
        notes = (*notes, note)
    elif requests is None or requests % running == 0:
        value = serving_output_tok_s(runtime, running, input_tokens, output_tokens)
    else:
        value = finite_run_output_tok_s(runtime, running, requests, input_tokens, output_tokens)
    value *= offload_share(runtime, split, running, input_tokens, output_tokens)
    return make_estimate(value, "tok/s", "serving", True, notes)
