"""`predict llm --flash-attn auto|on|off` (and the web planner's field): llama.cpp's -fa
chooses its attention path (performance/llm/attention_setting.py); a library engine's
attention is fused whatever the flag, and the answer says which path it took and why."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from pydantic import ValidationError

from gpuatlas.app.predict import PredictLlmRequest, predict_llm_document
from gpuatlas.performance.llm.predict import llm_runtime

pytestmark = pytest.mark.unit

LONG_PROMPT = 16384


def _document(**given: Any) -> dict[str, Any]:
    request = PredictLlmRequest.model_validate(
        {
            "system": "rtx-4090",
            "model": "llama-3.1-8b",
            "weights": "q4_k_m",
            "engine": "llama.cpp b5000",
            "input_tokens": LONG_PROMPT,
            "output_tokens": 128,
            **given,
        }
    )
    return predict_llm_document(request)


def _prefill_s(flash: bool) -> float:
    runtime = llm_runtime("rtx-4090", "llama-3.1-8b", "q4_k_m", "llama.cpp b5000")
    return replace(runtime, flash_attention=flash).prefill_s(LONG_PROMPT)


def test_auto_keeps_the_builds_default_and_says_so() -> None:
    """llama-bench before b9437 ran -fa 0 (engines.toml): auto predicts that path."""
    document = _document()
    attention = document["attention_assumed"]
    assert attention["flash_attention"] is False
    assert attention["reason"] == "the engine's default"
    assert "--flash-attn on|off" in attention["note"]
    assert document["ttft_ms"]["value"] == pytest.approx(
        _document(flash_attention="off")["ttft_ms"]["value"]
    )


def test_on_takes_the_fused_path_and_shortens_a_long_prompt() -> None:
    """-fa 1 keeps the 16k x 16k scores on chip: the prompt's time falls by the score
    traffic the unfused path writes and reads back, and the answer says it was set."""
    off, on = _document(flash_attention="off"), _document(flash_attention="on")
    assert on["attention_assumed"] == {
        "flash_attention": True,
        "reason": "as set",
        "note": "flash attention on (as set)",
    }
    assert off["attention_assumed"]["reason"] == "as set"
    expected_ratio = _prefill_s(flash=False) / _prefill_s(flash=True)
    assert expected_ratio > 1.5
    ratio = off["ttft_ms"]["value"] / on["ttft_ms"]["value"]
    assert ratio == pytest.approx(expected_ratio, rel=0.02)


def test_a_library_engine_is_fused_whatever_the_flag() -> None:
    given = {"system": "h100-sxm", "engine": "vllm", "weights": "bf16"}
    off, auto = _document(flash_attention="off", **given), _document(**given)
    assert off["attention_assumed"]["reason"] == "vllm's own path"
    assert off["attention_assumed"]["flash_attention"] is True
    assert off["ttft_ms"]["value"] == pytest.approx(auto["ttft_ms"]["value"], rel=1e-12)


def test_an_unknown_choice_is_refused_with_the_choices() -> None:
    with pytest.raises(ValidationError, match="'auto', 'on' or 'off'"):
        PredictLlmRequest.model_validate(
            {"system": "rtx-4090", "model": "llama-3.1-8b", "flash_attention": "maybe"}
        )


def test_an_engine_without_the_flag_keeps_its_own_path() -> None:
    """MLX has no -fa: a stated choice on mlx-lm changes nothing (its unfused score traffic
    stays), and the answer says the path is the engine's own."""
    given = {"system": "apple-m2-ultra-76c", "engine": "mlx-lm", "weights": "mlx-4bit"}
    on, auto = _document(flash_attention="on", **given), _document(**given)
    assert on["attention_assumed"]["reason"] == "mlx-lm's own path"
    # MLX's profile fuses decode but sends prefill scores through memory: said, not "fused"
    assert on["attention_assumed"]["flash_attention"] is False
    assert "fused in decode, prefill scores through memory" in on["attention_assumed"]["note"]
    assert on["ttft_ms"]["value"] == pytest.approx(auto["ttft_ms"]["value"], rel=1e-12)
