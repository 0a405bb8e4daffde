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

from gpuatlas.errors import GpuAtlasError, InvalidRequestError
from gpuatlas.performance.engine_releases import version_point
from gpuatlas.performance.engine_specs import parse_engine_spec
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


# how users name llama.cpp's server program (its '-fa auto' default differs from llama-bench's):
# 'llama-server', 'llama_server', 'llama.cpp server', 'llama.cpp-server', 'llama-cpp-server',
# not inside another word ('ollama-server' is not it); SERVER_VARIANT is the word a written row's
# variant keeps for it
SERVER_VARIANT = "llama-server"
_SERVER_NAME = re.compile(r"(?<![a-z0-9])llama(?:[-_ .:]?cpp)?[-_ .:]server\b")


def names_a_server(engine_text: str | None) -> bool:
    """Whether an engine as written names llama.cpp's server program ('llama-server b8123',
    'llama.cpp (llama-server)', 'llama.cpp server'): its measurements take the server's
    defaults."""
    return _SERVER_NAME.search((engine_text or "").lower()) is not None


def with_setting(runtime: LlmRuntime, setting: bool | None) -> LlmRuntime:
    """The runtime with flash attention on or off as set; None keeps its default."""
    return runtime if setting is None else replace(runtime, flash_attention=setting)


def attention_as_run(
    runtime: LlmRuntime, setting: bool | None, engine_text: str | None, *, serving: bool
) -> LlmRuntime:
    """The runtime with a run's flash-attention setting (None: the default), and for a
    server (`serving`) its own default where that differs (`with_server_attention`). The one
    place cases, requests and the serving layout set the attention path."""
    runtime = with_setting(runtime, setting)
    return with_server_attention(runtime, engine_text) if serving else runtime


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
    return with_setting(runtime, flash_attention_choice(choice))


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
    if runtime.flash_attention is not None:  # a server's own default (with_server_attention)
        since = runtime.engine.server_flash_attention_from
        note = (
            f"flash attention {state} (llama-server's default from {since}, '-fa auto'; "
            "--flash-attn on|off sets it)"
        )
        return AttentionPath(flash, "the server's default", note)
    default = f"flash attention {state} (the default of {engine}; --flash-attn on|off sets it)"
    return AttentionPath(flash, "the engine's default", default)


def server_flash_attention(runtime: LlmRuntime, engine_text: str | None) -> bool | None:
    """True where a server of this build runs flash attention by default although the
    profile keeps llama-bench's `-fa 0` (engines.toml server_flash_attention_from: llama-server
    '-fa auto' since b6327): the build written in `engine_text` is that one or later, or
    every build of the profile is. None where the run states the flag (the runtime carries
    it), the build is earlier or unknown, or the engine has no such default."""
    start = _build_number(runtime.engine.server_flash_attention_from)
    if start is None or runtime.flash_attention is not None:
        return None
    written = _build_number(_written_version(engine_text))
    first = _build_number(runtime.engine.from_version)
    if written is not None:
        return True if written >= start else None
    return True if first is not None and first >= start else None


def with_server_attention(runtime: LlmRuntime, engine_text: str | None) -> LlmRuntime:
    """The runtime a server of `engine_text` runs: with its flash-attention default where it
    differs from the profile's (`server_flash_attention`)."""
    return with_setting(runtime, server_flash_attention(runtime, engine_text))


def _build_number(version: str | None) -> int | None:
    """4426 for the llama.cpp build 'b4426'; None for a commit, a release or nothing."""
    point = version_point(version) if version else None
    return point[1][0] if point is not None and point[0] == "build" else None


def _written_version(engine_text: str | None) -> str | None:
    """The version an engine text names ('llama.cpp build: 2f68ce7cf (6918)' -> 'b6918')."""
    if not engine_text:
        return None
    try:
        return parse_engine_spec(engine_text).version
    except GpuAtlasError:
        return None
