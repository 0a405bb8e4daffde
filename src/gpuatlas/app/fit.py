"""`fit`: does a model fit a GPU or system, in which formats, with how much context."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

from pydantic import BeforeValidator, Field

from gpuatlas.app.documents import versioned
from gpuatlas.app.requests import SystemModelRequest, model_reference, split_list
from gpuatlas.performance import api
from gpuatlas.performance.llm.fit_answer import OffloadRequest, answer_fit
from gpuatlas.performance.llm.offload import DEFAULT_HOST_BANDWIDTH_GB_S

if TYPE_CHECKING:
    from gpuatlas.performance.llm.fit_answer import FitAnswer

SCHEMA_ANSWER = "fit"


class FitRequest(SystemModelRequest):
    """Inference memory of a model on a system (the defaults of `gpuatlas fit` and /plan/fit)."""

    weights: Annotated[list[str], BeforeValidator(split_list)] = Field(
        default_factory=list,
        max_length=20,
        description="Formats (auto, fp16, Q4_K_M, AWQ…); none: the native format in detail "
        "and every format the engine loads.",
    )
    engine: str = Field(
        "auto",
        min_length=1,
        max_length=40,
        description="Inference engine; auto: Ollama for Ollama tags, llama.cpp "
        "for GGUF, else vLLM.",
    )
    context_tokens: int = Field(4096, ge=1, le=2_000_000, description="Tokens per sequence.")
    concurrency: int = Field(1, ge=1, le=100_000, description="Concurrent sequences.")
    kv_cache: str = Field(
        "fp16", min_length=1, max_length=20, description="KV-cache precision (fp16, fp8)."
    )
    gpu_layers: int | None = Field(
        None, ge=0, le=10_000, description="llama.cpp/Ollama: layers on the GPU."
    )
    cpu_moe: bool = Field(False, description="llama.cpp/Ollama: MoE experts in host memory.")
    host_bandwidth_gbs: float = Field(
        DEFAULT_HOST_BANDWIDTH_GB_S,
        gt=0,
        le=100_000,
        description="Host memory bandwidth for offloaded weights.",
    )


def fit_answer(request: FitRequest, *, local_files: bool = False) -> FitAnswer:
    """The answer itself (the CLI renders it as tables; fit_document is its JSON)."""
    return answer_fit(
        request.system,
        model_reference(request.model, local_files),
        request.weights,
        engine=request.engine,
        context_tokens=request.context_tokens,
        concurrency=request.concurrency,
        kv_cache=request.kv_cache,
        offload=OffloadRequest(request.gpu_layers, request.cpu_moe, request.host_bandwidth_gbs),
    )


def fit_document(request: FitRequest, *, local_files: bool = False) -> dict[str, Any]:
    """``gpuatlas.fit/1``: the request, the first format's memory per GPU (GB as exact
    {value, low, high} ranges), a row per format and what the answer assumed."""
    answer = fit_answer(request, local_files=local_files)
    return versioned(
        SCHEMA_ANSWER,
        {"request": request.model_dump(), **answer.detail.to_ranged_json(), **answer.to_json()},
    )


class FitTrainingRequest(SystemModelRequest):
    """Training memory of a model on a system (the defaults of `gpuatlas fit --training`)."""

    training: str = Field(
        min_length=1,
        max_length=20,
        examples=["lora"],
        description="Training method: full, lora or qlora.",
    )
    sequence_tokens: int = Field(2048, ge=1, le=2_000_000, description="Training sequence length.")
    micro_batch: int = Field(1, ge=1, le=4096, description="Training micro-batch per GPU.")
    checkpointing: bool = Field(False, description="Activation checkpointing.")
    sharding: str = Field(
        "none", min_length=1, max_length=20, description="none, zero1, zero2, zero3, fsdp."
    )


def fit_training_document(
    request: FitTrainingRequest, *, local_files: bool = False
) -> dict[str, Any]:
    """``gpuatlas.fit-training/1``: the request and memory per GPU for training (weights,
    gradients, optimizer, activations, overhead as GB ranges), whether it fits and why."""
    result = api.training_memory(
        request.system,
        model_reference(request.model, local_files).model,
        request.training,
        sequence_tokens=request.sequence_tokens,
        micro_batch=request.micro_batch,
        checkpointing=request.checkpointing,
        sharding=request.sharding,
    )
    return versioned("fit-training", {"request": request.model_dump(), **result.to_ranged_json()})
