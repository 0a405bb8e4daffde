"""Flash attention as a run sets it.

llama.cpp's programs take `-fa 0|1|auto` (`--flash-attn`), and their defaults moved by
program and build (engines.toml decode_attention_per_query_head: llama-bench kept `-fa 0` until
b9437, llama-server turned `auto` on in 2025-08). The profiles model each generation's default;
a run that states the flag (`fa 1`, `-fa 0`, `flash_attn=on`, or `flash-attention` / `fa-0`
in a measured row's `variant`, whose words have no spaces) is predicted with that path instead
(`LlmRuntime.flash_attention`)."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from gpuatlas.errors import InvalidRequestError
from gpuatlas.performance.llm.step_times import LlmRuntime

_FLAG = re.compile(
    r"^-{0,2}(fa|flash[-_ ]?attn|flash[-_ ]?attention)"
    r"(?:\s*[=\s-]\s*(?P<value>[01]|on|off|true|false|yes|no|enabled|disabled|auto))?$"
)
_ON = frozenset({"1", "on", "true", "yes", "enabled"})
_OFF = frozenset({"0", "off", "false", "no", "disabled"})


def stated_flash_attention(variant: str | None) -> bool | None:
    """True or False where the variant sets flash attention on or off ('fa 1', '-fa 0',
    'flash_attn=on', 'flash attention'; parts joined by '+', ',' or ';'); None where it says
    nothing or 'auto' (the engine's default)."""
    for part in re.split(r"[+,;]", variant or ""):
        match = _FLAG.match(part.strip().lower())
        if match is None:
            continue
        value = match.group("value")
        if value is None or value in _ON:
            return True
        return False if value in _OFF else None
    return None


def with_stated_attention(runtime: LlmRuntime, variant: str | None) -> LlmRuntime:
    """The runtime with the flash-attention setting its run states, if any."""
    stated = stated_flash_attention(variant)
    return runtime if stated is None else replace(runtime, flash_attention=stated)


FLASH_ATTENTION_CHOICES = ("auto", "on", "off")


def flash_attention_choice(choice: str) -> bool | None:
    """A request's `--flash-attn auto|on|off` as the runtime takes it (None: the engine's
    default). Any other value is an error naming the choices."""
    value = choice.strip().lower()
    if value not in FLASH_ATTENTION_CHOICES:
        raise InvalidRequestError(
            [f"flash attention '{choice}': expected one of {', '.join(FLASH_ATTENTION_CHOICES)}"]
        )
    return None if value == "auto" else value == "on"


def with_flash_attention(runtime: LlmRuntime, choice: str) -> LlmRuntime:
    """The runtime with a request's flash-attention choice (`auto` keeps the engine's)."""
    setting = flash_attention_choice(choice)
    return runtime if setting is None else replace(runtime, flash_attention=setting)


@dataclass(frozen=True)
class AttentionPath:
    """Which attention path a prediction took, and why (for the answer)."""

    flash_attention: bool  # fused in decode and prefill: scores stay on chip
    reason: str  # "as set", "the engine's default", "<engine>'s own path"
    note: str

    def to_json(self) -> dict[str, object]:
        return {"flash_attention": self.flash_attention, "reason": self.reason, "note": self.note}


def _own_path(decode_fused: bool, prefill_fused: bool) -> str:
    """An engine's own attention path as the model costs it, in words."""
    if decode_fused and prefill_fused:
        return "fused"
    if decode_fused:
        return "fused in decode, prefill scores through memory"
    return "unfused" if not prefill_fused else "prefill fused, decode per query head"


def attention_path(runtime: LlmRuntime, choice: str = "auto") -> AttentionPath:
    """The attention path of `runtime` (already carrying the choice) as the answer states it:
    llama.cpp and the engines on its kernels run the path their -fa flag or their build's
    default chooses; a library engine's attention is fused whatever the flag."""
    engine = runtime.engine.id
    if not runtime.engine.flash_attention_flag:
        decode_fused = not runtime.attention_per_query_head
        prefill_fused = runtime.attention_score_bytes == 0.0
        stated = flash_attention_choice(choice) is not None
        flag = "; --flash-attn applies to llama.cpp and Ollama only" if stated else ""
        note = f"attention: {_own_path(decode_fused, prefill_fused)} ({engine}'s own kernels{flag})"
        return AttentionPath(decode_fused and prefill_fused, f"{engine}'s own path", note)
    flash = not runtime.attention_per_query_head
    state = "on" if flash else "off"
    if flash_attention_choice(choice) is not None and runtime.flash_attention is not None:
        cost = "" if flash else ": scores written and read back, each query head reads its KV"
        return AttentionPath(flash, "as set", f"flash attention {state} (as set{cost})")
    default = f"flash attention {state} (the default of {engine}; --flash-attn on|off sets it)"
    return AttentionPath(flash, "the engine's default", default)
