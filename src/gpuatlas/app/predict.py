"""`predict llm`: latency, throughput and utilisation of one batch of LLM requests."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from gpuatlas.app.documents import versioned
from gpuatlas.app.requests import SystemModelRequest, model_reference

SCHEMA_ANSWER = "predict-llm"


class PredictLlmRequest(SystemModelRequest):
    """One batch on one system (the defaults of `gpuatlas predict llm` and /plan/predict)."""

    weights: str = Field("auto", min_length=1, max_length=40,
                         description="Weight format; auto: the checkpoint's own.")
    engine: str = Field("auto", min_length=1, max_length=40,
                        description="Inference engine; auto: Ollama for Ollama tags, llama.cpp "
                                    "for GGUF, else vLLM.")
    batch: int = Field(1, ge=1, le=4096, description="Concurrent sequences.")
    input_tokens: int = Field(512, ge=1, le=1_000_000, description="Prompt tokens.")
    output_tokens: int = Field(256, ge=1, le=1_000_000, description="Generated tokens.")
    kv_cache: str = Field("fp16", min_length=1, max_length=20,
                          description="KV-cache precision (fp16, fp8).")


def predict_llm_document(request: PredictLlmRequest, *,
                         local_files: bool = False) -> dict[str, Any]:
    """``gpuatlas.predict-llm/1``: the request, the weights assumed and every predicted number
    as {value, low, high, unit, model, calibration_version, extrapolated, notes}."""
    from gpuatlas.catalog.model_weights import choose_weights
    from gpuatlas.performance import api
    from gpuatlas.performance.platform_engines import auto_engine

    reference = model_reference(request.model, local_files)
    choice = choose_weights(request.weights, reference)
    prediction = api.predict_llm(
        request.system, reference.model, choice.format_id,
        auto_engine(request.engine, choice.engine, request.system),
        batch=request.batch, input_tokens=request.input_tokens,
        output_tokens=request.output_tokens, kv_cache=request.kv_cache)
    assumed = {"format": choice.format_id, "label": choice.label, "reason": choice.reason}
    return versioned(SCHEMA_ANSWER, {"request": request.model_dump(),
                                     "weights_assumed": assumed, **prediction.to_json()})
