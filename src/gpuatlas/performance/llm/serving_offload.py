"""A llama.cpp/Ollama server whose model does not fit the GPU whole at the context it
allocates: the engine's own GPU/CPU layer split (offload_speed) also decides its serving
throughput. Ollama sizes the split for num_ctx x its request slots (server/sched.go sets
NumCtx = num_ctx x parallel before llm/memory.go picks the layer count, and a partial load
runs one slot unless OLLAMA_NUM_PARALLEL says more); llama.cpp's `--fit` sizes it for the
sequences its slots hold. The layers left in host memory are read at the host's bandwidth on
every decode step and copied over PCIe for every prompt batch, as in `predict llm`."""

from __future__ import annotations

from typing import Literal

from gpuatlas.performance.llm.offload_speed import (
    OffloadSpeed,
    allocated_context,
    automatic_offload,
    offload_for,
    offloaded_decode_step_s,
    offloaded_prefill_s,
    require_split_host_room,
)
from gpuatlas.performance.llm.refusal import memory_inputs
from gpuatlas.performance.llm.server_slots import ServerSlots
from gpuatlas.performance.llm.step_times import LlmRuntime


def serving_running(concurrency: int | Literal["max"], slots: ServerSlots) -> int:
    """Sequences a split server decodes at once: its slots, or fewer requests in flight."""
    return slots.slots if concurrency == "max" else max(1, min(concurrency, slots.slots))


def serving_split(
    runtime: LlmRuntime,
    slots: ServerSlots | None,
    running: int,
    context_tokens: int,
    kv_cache: str = "fp16",
    engine_text: str | None = None,
    num_ctx: int | None = None,
) -> OffloadSpeed | None:
    """The split a llama.cpp/Ollama server (`slots` not None) runs when one sequence at the
    context it allocates (Ollama: num_ctx, its release's default unless set; llama.cpp: the
    run's context, or -c) does not fit the GPU with the weights; None when it fits, or for
    engines without slots (vLLM-class engines refuse instead). With `running` > 1 slots the
    split is sized for that many sequences' KV (Ollama's num_ctx x parallel)."""
    if slots is None:
        return None
    inputs = memory_inputs(runtime, kv_cache)
    one = offload_for(inputs, 1, context_tokens, engine_text=engine_text, num_ctx=num_ctx)
    if one is None or running <= 1:
        return one
    allocated = allocated_context(inputs, context_tokens, engine_text, num_ctx)
    several = automatic_offload(inputs, context_tokens, None, engine_text, allocated * running)
    if several is None:
        return one
    require_split_host_room(inputs, several, allocated * running)
    return several


def offload_share(
    runtime: LlmRuntime,
    offload: OffloadSpeed,
    running: int,
    input_tokens: int,
    output_tokens: int,
) -> float:
    """The all-GPU time of one serving cycle (`running` prompts, then `output_tokens` decode
    steps at that batch) over its time with `offload`'s layers on the CPU (at most 1): the
    factor the calibrated all-GPU serving rate is scaled by."""
    prefill_s = runtime.prefill_s(input_tokens, running) if input_tokens > 0 else 0.0
    context = input_tokens + output_tokens / 2
    step_s = float(runtime.decode_step_s(running, context))
    split_prefill_s = (
        offloaded_prefill_s(float(prefill_s), running * input_tokens, offload)
        if input_tokens > 0
        else 0.0
    )
    split_step_s = offloaded_decode_step_s(step_s, offload, running, context)
    split_s = split_prefill_s + output_tokens * split_step_s
    all_gpu_s = float(prefill_s) + output_tokens * step_s
    return min(1.0, all_gpu_s / split_s) if split_s > 0 else 1.0


__all__ = ["offload_share", "serving_running", "serving_split"]
