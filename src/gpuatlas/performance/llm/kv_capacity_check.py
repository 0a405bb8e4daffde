"""The memory model's start-up KV pool for a reported engine start-up (catalog/kv_capacity.py):
the same configuration (GPU, tensor-parallel size, weights, KV precision, memory share and the
profile run's batched tokens) run through `memory.kv_pool_gb` / `kv_pool_tokens`."""

from __future__ import annotations

from dataclasses import dataclass, replace

from gpuatlas.catalog.kv_capacity import KvCapacityRow
from gpuatlas.catalog.model_names import resolve_model
from gpuatlas.catalog.model_weights import llm_of
from gpuatlas.errors import GpuAtlasError, InvalidRequestError
from gpuatlas.performance.engine_profiles import EngineProfile
from gpuatlas.performance.engine_specs import engine_profile
from gpuatlas.performance.llm.memory import (
    GB,
    GIB,
    MemoryInputs,
    gpu_weight_bytes,
    kv_pool_gb,
    kv_pool_tokens,
)
from gpuatlas.performance.resolve import as_format, as_system


@dataclass(frozen=True)
class KvCapacityPrediction:
    """One reported start-up and what the memory model gives for it."""

    row: KvCapacityRow
    kv_tokens: int
    kv_gib: float
    weights_gib: float

    @property
    def token_error(self) -> float:
        """Signed relative error of the KV tokens (+0.10: the model says 10 % more)."""
        return self.kv_tokens / self.row.reported_kv_tokens - 1.0

    @property
    def weights_error(self) -> float | None:
        reported = self.row.reported_weights_gib
        return None if reported is None else self.weights_gib / reported - 1.0

    @property
    def pool_error(self) -> float | None:
        reported = self.row.reported_kv_gib
        return None if reported is None else self.kv_gib / reported - 1.0


def _engine(row: KvCapacityRow) -> EngineProfile:
    """The engine's profile for the row's version (or its source's month), with the row's
    memory share and, where stated, the profile run's batched tokens."""
    try:
        profile = engine_profile(row.engine, version=row.engine_version, date=row.source_date)
    except GpuAtlasError:
        profile = engine_profile(row.engine, date=row.source_date)
    chunk = row.max_num_batched_tokens or row.max_model_len or profile.prefill_chunk_tokens
    return replace(profile, memory_fraction=row.gpu_memory_utilization, prefill_chunk_tokens=chunk)


def kv_bytes_of(row: KvCapacityRow) -> float:
    """Bytes per cached element: fp8 when asked; 'auto' stores the activations' dtype, fp32
    for fp32 weights and 16-bit otherwise (fp8/int8/int4 checkpoints compute in bf16/fp16)."""
    if row.kv_cache == "fp8":
        return 1.0
    return 4.0 if row.weights == "fp32" else 2.0


def kv_capacity_inputs(row: KvCapacityRow) -> MemoryInputs:
    """The memory model's inputs for the row's configuration."""
    model = llm_of(resolve_model(row.model, allow_hub=False))
    if model is None:
        raise InvalidRequestError([f"{row.row_id}: {row.model} is not an LLM"])
    return MemoryInputs(
        system=as_system(row.gpu, row.gpu_count),
        model=model,
        weight_format=as_format(row.weights),
        engine=_engine(row),
        kv_bytes_per_element=kv_bytes_of(row),
        kv_cache_id=row.kv_cache,
    )


def predict_kv_capacity(row: KvCapacityRow) -> KvCapacityPrediction:
    inputs = kv_capacity_inputs(row)
    count = row.gpu_count
    weights_gb = gpu_weight_bytes(inputs) / count / GB
    return KvCapacityPrediction(
        row=row,
        kv_tokens=kv_pool_tokens(inputs, count),
        kv_gib=kv_pool_gb(inputs, count) * GB / GIB,
        weights_gib=weights_gb * GB / GIB,
    )
