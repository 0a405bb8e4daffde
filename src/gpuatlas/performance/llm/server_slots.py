"""How many requests a llama.cpp or Ollama server decodes at once: its request slots (as set,
else the release's default, performance/slot_defaults.py). Requests beyond the slots wait in the
server's queue, so N streams against S slots are served at batch min(N, S)."""

from __future__ import annotations

from dataclasses import dataclass

from gpuatlas.errors import InvalidRequestError
from gpuatlas.performance.llm.memory import max_sequences
from gpuatlas.performance.llm.offload_speed import OFFLOAD_ENGINE_NAMES, default_num_ctx
from gpuatlas.performance.llm.refusal import memory_inputs
from gpuatlas.performance.llm.step_times import LlmRuntime
from gpuatlas.performance.slot_defaults import default_slots, single_slot_rule

SETTING = {"ollama": "OLLAMA_NUM_PARALLEL", "llama.cpp": "llama-server --parallel"}
SLOTS_NOTE_MARK = "requests at a time"


@dataclass(frozen=True)
class ServerSlots:
    """The slots the server runs and the sentence that says why (a setting or a default)."""

    slots: int
    note: str


def server_slots(
    runtime: LlmRuntime,
    engine_text: str | None,
    stated: int | None,
    context_tokens: int,
    kv_cache: str = "fp16",
    num_ctx: int | None = None,
) -> ServerSlots | None:
    """The request slots of a llama.cpp/Ollama server: `stated` (--parallel,
    OLLAMA_NUM_PARALLEL) when given, else the default of the release in `engine_text`
    ('Ollama 0.5.7': 4 when the model loads whole with 4 x num_ctx of KV, else 1); None for
    engines that batch every request they admit (vLLM, SGLang, TensorRT-LLM). `num_ctx`: the
    context Ollama allocates per sequence as set (num_ctx, OLLAMA_CONTEXT_LENGTH); its
    automatic choice checks the fit at that x slots (None: the release's default num_ctx)."""
    family = runtime.engine.engine
    if family not in OFFLOAD_ENGINE_NAMES:
        if stated is not None:
            raise InvalidRequestError(
                [
                    "--parallel (request slots) applies to llama.cpp and Ollama servers; "
                    f"{runtime.engine.id} runs every request its KV cache holds"
                ]
            )
        return None
    name = engine_text or family
    forced = single_slot_rule(family, runtime.model.family, engine_text)
    if forced is not None:
        setting = SETTING[family]
        asked = "" if stated is None or stated == 1 else f", not the {stated} set"
        return ServerSlots(
            1,
            f"{name} serves 1 request at a time for {runtime.model.family} models whatever "
            f"{setting} says{asked} ({forced})",
        )
    if stated is not None:
        if stated < 1:
            raise InvalidRequestError([f"--parallel must be at least 1, got {stated}"])
        return ServerSlots(stated, f"{name} serves {stated} {SLOTS_NOTE_MARK} (as set)")
    rule = default_slots(family, engine_text)
    if rule is None:
        return None
    setting = SETTING[family]
    if rule.fits_or_one and rule.slots > 1:
        allocated = _ollama_fits_whole(
            runtime, rule.slots, context_tokens, kv_cache, engine_text, num_ctx
        )
        if allocated is None:
            return ServerSlots(
                1,
                f"{name} serves 1 request at a time by default ({setting} unset: "
                f"{rule.slots} only when the model fits the GPU whole with their KV)",
            )
        return ServerSlots(
            rule.slots,
            f"{name} serves {rule.slots} {SLOTS_NOTE_MARK} by default ({setting} unset: "
            f"the model fits the GPU whole with {rule.slots} x num_ctx {allocated:,} of KV)",
        )
    requests = f"{rule.slots} {SLOTS_NOTE_MARK}" if rule.slots > 1 else "1 request at a time"
    return ServerSlots(rule.slots, f"{name} serves {requests} by default ({setting} unset)")


def _ollama_fits_whole(
    runtime: LlmRuntime,
    slots: int,
    context_tokens: int,
    kv_cache: str,
    engine_text: str | None,
    num_ctx: int | None = None,
) -> int | None:
    """The num_ctx (as set, else the release's default) when the model and KV for `slots` x
    num_ctx tokens fit the GPUs whole (Ollama's pickBestFullFitByLibrary at NumCtx =
    num_ctx x parallel), else None."""
    inputs = memory_inputs(runtime, kv_cache)
    allocated = num_ctx or default_num_ctx(inputs, context_tokens, engine_text)
    fits = max_sequences(inputs, runtime.system.gpu_count, allocated) >= slots
    return allocated if fits else None


def slots_note(concurrency: int, slots: ServerSlots) -> str:
    """Why `concurrency` requests run `slots` at a time."""
    return (
        f"{slots.note}; the other {concurrency - slots.slots} of {concurrency} concurrent "
        f"requests wait in its queue (throughput at batch {slots.slots})"
    )


__all__ = ["SETTING", "SLOTS_NOTE_MARK", "ServerSlots", "server_slots", "slots_note"]
