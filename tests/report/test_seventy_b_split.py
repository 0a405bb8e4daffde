"""The compare FAQ 'Can the X run a 70B model?' names how the side's engine spreads the model:
tensor parallel for vLLM (a power of two dividing the 64 heads), whole layers per GPU for
llama.cpp (any count), so a count like 20 is not called tensor parallel."""

from __future__ import annotations

from gpuatlas.catalog.systems import resolve_system
from gpuatlas.performance.llm.memory import MAX_GPUS_SEARCHED
from gpuatlas.report.focus import Focus
from gpuatlas.report.profiles import SideProfile
from gpuatlas.report.profiles.fit import FitKey, compute_fit
from gpuatlas.report.sections.guidance import SEVENTY_B, _gpu_count_words, seventy_b_answer

LLAMA_3_70B_HEADS = 64


def _side(gpu: str) -> SideProfile:
    focus = Focus(
        model="llama-3.1-8b", weights="fp16", prompt_tokens=512, provider=None, engine=None
    )
    return SideProfile(resolve_system(gpu), focus)


def test_radeon_side_splits_layers_and_says_so() -> None:
    fit = compute_fit(resolve_system("rx-7600"), FitKey(SEVENTY_B, "fp16", None))
    assert fit is not None and fit.multi_gpu == "layer-split"
    answer = seventy_b_answer("Radeon RX 7600", _side("rx-7600"))
    text = answer.template.format(**answer.words)
    assert "whole layers per GPU" in text
    assert "tensor parallel" not in text


def test_geforce_side_runs_tensor_parallel_over_a_head_divisor() -> None:
    fit = compute_fit(resolve_system("rtx-5060"), FitKey(SEVENTY_B, "fp16", None))
    assert fit is not None and fit.multi_gpu == "tensor"
    assert fit.gpus_needed is not None and LLAMA_3_70B_HEADS % fit.gpus_needed == 0
    answer = seventy_b_answer("RTX 5060", _side("rtx-5060"))
    assert "tensor parallel" in answer.template.format(**answer.words)


def test_no_count_found_names_the_search_limit() -> None:
    assert _gpu_count_words(None) == f"more than {MAX_GPUS_SEARCHED}×"
    assert _gpu_count_words(4) == "4×"
