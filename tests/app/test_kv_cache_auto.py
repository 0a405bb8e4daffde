"""`--kv-cache auto` is the KV precision the engine picks by default, for the engine as users
write it, version and all: TensorRT-LLM 1.x reads an FP8 checkpoint's KV quantisation (fp8),
TensorRT-LLM 0.x and vLLM keep the model's 16-bit KV. The batch path, its vectorised twin,
`fit` and `predict` resolve it alike and say which precision they used."""

from __future__ import annotations

import dataclasses

import pytest

from gpuatlas.app.fit import FitRequest, fit_document
from gpuatlas.app.predict import PredictLlmRequest, predict_llm_document
from gpuatlas.performance.cases import Case, predict_case
from gpuatlas.performance.kv_cache_choice import engine_auto_kv_cache
from gpuatlas.performance.llm.vectorised import predict_llm_many

SERVING = Case(
    "h100-sxm", 1, "llama-3.1-8b", "fp8", "TensorRT-LLM 1.0", "max", 2048, 256,
    "serving_output_tok_s",
)  # fmt: skip


@pytest.mark.parametrize(
    ("engine", "weights", "expected"),
    [
        ("TensorRT-LLM 1.0", "fp8", "fp8"),
        ("trtllm", "nvfp4", "fp8"),
        ("TensorRT-LLM 1.0", "bf16", "fp16"),
        ("TensorRT-LLM 0.6", "fp8", "fp16"),  # the 0.x generation reads no KV quantisation
        ("vLLM 0.8.5", "fp8", "fp16"),  # vLLM's kv_cache_dtype auto is the model's dtype
        ("no-such-engine 1.0", "fp8", "fp16"),  # the prediction reports the engine itself
    ],
)
def test_the_engine_text_decides_the_kv_precision(engine: str, weights: str, expected: str) -> None:
    assert engine_auto_kv_cache(engine, weights) == expected


def test_a_versioned_engine_case_predicts_with_the_engines_own_kv() -> None:
    auto = dataclasses.replace(SERVING, kv_cache="auto")
    fp8 = dataclasses.replace(SERVING, kv_cache="fp8")
    fp16 = dataclasses.replace(SERVING, kv_cache="fp16")
    assert predict_case(auto).value == predict_case(fp8).value
    assert predict_case(auto).value != predict_case(fp16).value
    vectorised = predict_llm_many([auto, fp8])
    assert vectorised[0] == pytest.approx(vectorised[1])


def test_fit_and_predict_say_the_kv_precision_auto_chose() -> None:
    common = {"system": "h100-sxm", "model": "llama-3.1-8b", "weights": "fp8"}
    common |= {"engine": "TensorRT-LLM 1.0"}
    fits = {
        kv: fit_document(FitRequest.model_validate({**common, "kv_cache": kv, "weights": ["fp8"]}))
        for kv in ("auto", "fp8")
    }
    assert fits["auto"]["kv_cache_assumed"] == "fp8"
    assert fits["auto"]["per_gpu"] == fits["fp8"]["per_gpu"]
    predicted = predict_llm_document(
        PredictLlmRequest.model_validate({**common, "kv_cache": "auto"})
    )
    assert predicted["kv_cache_assumed"] == "fp8"
    vllm = predict_llm_document(
        PredictLlmRequest.model_validate({**common, "engine": "vLLM 0.8.5", "kv_cache": "auto"})
    )
    assert vllm["kv_cache_assumed"] == "fp16"
