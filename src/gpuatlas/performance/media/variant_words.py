"""The words a text-to-image run's variant may say, and the problems of a requested one: light
(no model code), so the answer layer's request types check a --variant without loading the
diffusion model."""

from __future__ import annotations

import difflib
import re

# Every variant word the image model reads (diffusion.py and image_parallel.py: torch.compile,
# CUDA_GRAPHS, NO_CFG, PARTIAL_LOAD, SEQUENTIAL_OFFLOAD, OFFLOAD_STREAM, CFG_PARALLEL,
# VANILLA_ATTENTION, tf32, fp8-matmul, weight-only, denoise-loop), besides ulysses-N and ring-N:
# what a user's --variant may say. A run's measured row may say more (it is read, not checked).
DIFFUSION_VARIANT_WORDS = frozenset(
    {
        "torch.compile",
        "cuda-graphs",
        "tf32",
        "fp8-matmul",
        "weight-only",
        "denoise-loop",
        "no-cfg",
        "partial-load",
        "sequential-offload",
        "offload-stream",
        "cfg-parallel",
        "vanilla-attention",
        "no-sdpa",
        "default-attention",
    }
)
_DEGREE_WORD = re.compile(r"^(ulysses|ring)-(\d+)$")


def variant_words(variant: str | None) -> set[str]:
    """'denoise-loop+torch.compile' -> {'denoise-loop', 'torch.compile'}."""
    return {part.strip().lower() for part in (variant or "").split("+") if part.strip()}


def variant_problems(variant: str | None) -> list[str]:
    """A problem for each word of a requested variant the image model does not read, with the
    close matches (a word it ignores would leave the answer unchanged without a word)."""
    problems = []
    for word in sorted(variant_words(variant)):
        if word in DIFFUSION_VARIANT_WORDS or _DEGREE_WORD.match(word):
            continue
        close = difflib.get_close_matches(word, sorted(DIFFUSION_VARIANT_WORDS), n=3)
        hint = f"; close matches: {', '.join(close)}" if close else ""
        problems.append(
            f"unknown variant word {word!r}{hint} (known: "
            f"{', '.join(sorted(DIFFUSION_VARIANT_WORDS))}, ulysses-N, ring-N)"
        )
    return problems
