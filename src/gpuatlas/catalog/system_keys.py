"""How a system is named where results are kept and compared: ``"rtx-4090"`` for one GPU,
``"4x rtx-4090"`` for four. The results store, its summaries, the comparison seeds and the
report all key systems this way; this module owns the form (and imports nothing heavy, so the
store and start-up paths can use it freely)."""

from __future__ import annotations

import re

SYSTEM_KEY_PATTERN = re.compile(r"^\s*(?:(\d+)\s*[x×]\s*)?([A-Za-z0-9][\w.\-]*)\s*$")


def system_key(gpu_id: str, gpu_count: int) -> str:
    """``("rtx-4090", 1)`` -> ``"rtx-4090"``; ``("rtx-4090", 4)`` -> ``"4x rtx-4090"``."""
    return gpu_id if gpu_count == 1 else f"{gpu_count}x {gpu_id}"


def parse_system_key(key: str) -> tuple[str, int]:
    """``"rtx-4090"`` -> (rtx-4090, 1); ``"4x rtx-4090"`` -> (rtx-4090, 4)."""
    match = SYSTEM_KEY_PATTERN.match(key)
    if not match:
        raise ValueError(f"not a system key: {key!r} (expected 'gpu-id' or 'Nx gpu-id')")
    count, gpu_id = match.groups()
    return gpu_id, int(count) if count else 1
