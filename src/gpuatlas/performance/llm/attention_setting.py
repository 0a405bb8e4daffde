"""Flash attention as a run sets it.

llama.cpp's programs take `-fa 0|1|auto` (`--flash-attn`), and their defaults moved by
program and build (engines.toml decode_attention_per_query_head: llama-bench kept `-fa 0` until
b9437, llama-server turned `auto` on in 2025-08). The profiles model each generation's default;
a run that states the flag (`fa 1`, `-fa 0`, `flash_attn=on`, or `flash-attention` / `fa-0`
in a measured row's `variant`, whose words have no spaces) is predicted with that path instead
(`LlmRuntime.flash_attention`)."""

from __future__ import annotations

import re
from dataclasses import replace

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
