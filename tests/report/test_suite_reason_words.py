"""A reason beside a missing ratio is cut to a glance's length at a whole word or clause, never
mid-word: the compare page printed 'engines modelled there: llama.cpp, mlc-llm, mlx-lm,
ollama, t' for vLLM serving on an M4 Max."""

from __future__ import annotations

import pytest

from gpuatlas.catalog.gpus import resolve_gpu
from gpuatlas.errors import GpuAtlasError
from gpuatlas.performance.engine_specs import engine_profile
from gpuatlas.report.suite_models import REASON_CHARACTERS, within

pytestmark = pytest.mark.unit


def _vllm_on_m4_max() -> str:
    with pytest.raises(GpuAtlasError) as raised:
        engine_profile("vllm", resolve_gpu("apple-m4-max-40c"))
    return f"not predictable: {raised.value}"


def test_the_vllm_on_a_mac_reason_ends_at_a_whole_clause() -> None:
    reason = _vllm_on_m4_max()
    assert len(reason) > REASON_CHARACTERS  # the case that was cut mid-word
    short = within(reason, REASON_CHARACTERS)
    assert len(short) <= REASON_CHARACTERS
    assert short.endswith(" …")
    assert reason.startswith(short.removesuffix(" …"))
    assert short.removesuffix(" …").endswith("(its backends: cuda, rocm)")


def test_short_texts_are_kept_and_unbroken_text_is_cut_with_an_ellipsis() -> None:
    assert within("fits", 10) == "fits"
    assert within("x" * 20, 10) == "x" * 9 + "…"
    assert within("alpha beta gamma delta", 15) == "alpha beta …"
