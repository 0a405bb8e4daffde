"""LLM step times: roofline with fitted efficiencies, fixed per-step overhead, communication.

step = max(FLOPs / (η_c·peak), bytes / (η_m·bandwidth)) + overhead + communication

`LlmRuntime` holds every constant of one (system, model, format, engine, KV precision) so the
capacity simulator can call `decode_step_s` / `prefill_s` thousands of times cheaply.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from gpuatlas.catalog.formats import WeightFormat
from gpuatlas.catalog.model_arch import ModelArch
from gpuatlas.catalog.systems import GpuSystem
from gpuatlas.performance.calibration_table import Calibration, GroupParams, current_calibration
from gpuatlas.performance.collectives import layer_split_hop_s, tensor_parallel_step_s
from gpuatlas.performance.engine_profiles import EngineProfile
from gpuatlas.performance.llm.shape import (
    LlmShape,
    kv_shards,
    llm_shape,
    prefill_attention_flops,
)
from gpuatlas.performance.model_constants import model_constant
from gpuatlas.performance.peak_rates import (
    compute_precision,
    engine_peak_flops,
    hardware_class,
    memory_bandwidth_bytes_s,
    precision_class,
)

MODEL_NAME = "gpuatlas.llm-roofline/1"
# Near the ridge point a decode step's GEMMs are neither purely memory- nor compute-bound:
# time = (compute^p + memory^p)^(1/p) instead of max(compute, memory); p -> inf is the roofline.
RIDGE_SHARPNESS = model_constant("llm", "ridge_sharpness")


def soft_max_s(compute_s: float, memory_s: float) -> float:
    """Roofline time with a rounded ridge (equals the larger side far from the ridge)."""
    high = max(compute_s, memory_s)
    if high <= 0:
        return 0.0
    low = min(compute_s, memory_s)
    return high * (1.0 + (low / high) ** RIDGE_SHARPNESS) ** (1.0 / RIDGE_SHARPNESS)


@dataclass(frozen=True)
class LlmRuntime:
    """Everything a step-time evaluation needs, precomputed."""

    system: GpuSystem
    model: ModelArch
    weight_format: WeightFormat
    engine: EngineProfile
    kv_bytes_per_element: float
    shape: LlmShape
    split: int  # how many GPUs share each step's work (tensor parallel degree, else 1)
    kv_split: int
    bandwidth_bytes_s: float  # one GPU, peak
    peak_flops: float  # one GPU, peak, in the compute precision
    decode: GroupParams
    prefill: GroupParams
    precision_class: str
    compute_precision: str

    @property
    def decode_overhead_s(self) -> float:
        layers = self.engine.layer_overhead_ms * self.model.num_layers
        return (self.decode.step_overhead_ms + layers) * 1e-3

    @property
    def prefill_overhead_s(self) -> float:
        layers = self.engine.layer_overhead_ms * self.model.num_layers
        return (self.prefill.step_overhead_ms + layers) * 1e-3

    def kv_read_bytes(self, context_tokens: float) -> float:
        """KV bytes one sequence at `context_tokens` reads per decode step, per GPU."""
        if context_tokens <= 0:
            return 0.0
        total = self.model.kv_cache_bytes(self.kv_bytes_per_element, int(context_tokens))
        return total / self.kv_split

    def communication_s(self, tokens: float) -> float:
        if self.system.gpu_count <= 1:
            return 0.0
        if self.engine.multi_gpu == "tensor":
            return tensor_parallel_step_s(
                self.system, self.model.num_layers, tokens, self.model.hidden_size
            )
        return layer_split_hop_s(self.system, tokens, self.model.hidden_size)

    def decode_terms(self, batch: int, context_tokens: float) -> tuple[float, float]:
        """(FLOPs, bytes) per GPU of one decode step."""
        weight_bytes = self.shape.weight_read_bytes(batch) / self.split
        kv_bytes = batch * self.kv_read_bytes(context_tokens)
        attention = self.model.attention_flops_per_token(int(context_tokens))
        flops = batch * (self.shape.matmul_flops_per_token + attention) / self.split
        return flops, weight_bytes + kv_bytes

    def decode_step_s(self, batch: int, context_tokens: float) -> float:
        flops, moved = self.decode_terms(batch, context_tokens)
        compute_s = flops / (self.peak_flops * self.decode.eta_compute)
        memory_s = moved / (self.bandwidth_bytes_s * self.decode.eta_memory)
        core = soft_max_s(compute_s, memory_s) * self.decode.factor
        sequences_s = batch * self.engine.sequence_overhead_us * 1e-6
        return core + self.decode_overhead_s + sequences_s + self.communication_s(batch)

    def prefill_terms(self, tokens: int, batch: int, cached_tokens: int = 0) -> tuple[float, float]:
        head_flops = 2.0 * self.model.vocab_size * self.model.hidden_size
        body_flops = self.shape.matmul_flops_per_token - head_flops
        attention = prefill_attention_flops(self.model, tokens, cached_tokens)
        flops = batch * (tokens * body_flops + head_flops + attention) / self.split
        kv_write = batch * tokens * self.kv_read_bytes(1)
        moved = self.shape.weight_read_bytes(batch * tokens) / self.split + kv_write
        return flops, moved

    def prefill_s(self, tokens: int, batch: int = 1, cached_tokens: int = 0) -> float:
        if tokens <= 0:
            return 0.0
        flops, moved = self.prefill_terms(tokens, batch, cached_tokens)
        compute_s = flops / (self.peak_flops * self.prefill.eta_compute)
        memory_s = moved / (self.bandwidth_bytes_s * self.prefill.eta_memory)
        steps = math.ceil(batch * tokens / self.engine.prefill_chunk_tokens)
        core = max(compute_s, memory_s) * self.prefill.factor
        memory_rate = self.bandwidth_bytes_s * self.prefill.eta_memory
        scores_s = self.score_bytes(tokens, batch) / memory_rate
        return (core + scores_s + steps * self.prefill_overhead_s
                + self.communication_s(batch * tokens))

    def score_bytes(self, tokens: float, batch: float) -> float:
        """Attention-score traffic of a prefill without flash attention, per GPU: heads x
        (causal) tokens²/2 scores per attending layer."""
        if self.engine.attention_score_bytes == 0:
            return 0.0
        model = self.model
        window = model.sliding_window or tokens
        pairs = model.full_attention_layers * tokens * tokens / 2
        pairs += len(model.sliding_window_layers) * tokens * min(tokens, window) / 2
        heads = model.num_attention_heads / self.split
        return batch * heads * pairs * self.engine.attention_score_bytes

    def extrapolated(self, calibration: Calibration, kind: str) -> bool:
        return not (
            calibration.is_covered(f"{kind}:gpu", self.system.gpu.id)
            and calibration.is_covered(f"{kind}:engine", self.engine.id)
            and calibration.is_covered(f"{kind}:model_family", self.model.family)
        )


def _tensor_split(system: GpuSystem, engine: EngineProfile) -> int:
    return system.gpu_count if engine.multi_gpu == "tensor" else 1


def build_runtime(
    system: GpuSystem, model: ModelArch, weight_format: WeightFormat, engine: EngineProfile,
    kv_bytes_per_element: float, calibration: Calibration | None = None,
) -> LlmRuntime:
    calibration = calibration or current_calibration()
    gpu = system.gpu
    precision = compute_precision(gpu, weight_format)
    flops, used_precision = engine_peak_flops(gpu, precision, engine.fp16_accumulate)
    pclass = precision_class(weight_format)
    prior = (engine.eta_memory, engine.eta_compute, engine.step_overhead_ms)
    family = hardware_class(gpu)
    split = _tensor_split(system, engine)
    return LlmRuntime(
        system=system, model=model, weight_format=weight_format, engine=engine,
        kv_bytes_per_element=kv_bytes_per_element, shape=llm_shape(model, weight_format),
        split=split,
        kv_split=kv_shards(model, split) if split > 1 else 1,
        bandwidth_bytes_s=memory_bandwidth_bytes_s(gpu), peak_flops=flops,
        decode=calibration.params("decode", prior, engine.id, family, pclass),
        prefill=calibration.params("prefill", prior, engine.id, family, pclass),
        precision_class=pclass, compute_precision=used_precision,
    )


def runtime_for(
    system: GpuSystem, model: ModelArch, weight_format: WeightFormat, engine: EngineProfile,
    kv_bytes_per_element: float,
) -> LlmRuntime:
    """The cached runtime of this configuration (keyed by ids, the shipped calibration)."""
    network = system.network.id if system.network else ""
    key = (
        f"{system.id}|{network}|{current_calibration().version}", id(model), weight_format.id,
        engine.id, kv_bytes_per_element, model.id,
    )
    return _runtime_cache(key, system, model, weight_format, engine, kv_bytes_per_element)


_RUNTIMES: dict[tuple[str, int, str, str, float, str], LlmRuntime] = {}


def _runtime_cache(
    key: tuple[str, int, str, str, float, str], system: GpuSystem, model: ModelArch,
    weight_format: WeightFormat, engine: EngineProfile, kv_bytes_per_element: float,
) -> LlmRuntime:
    runtime = _RUNTIMES.get(key)
    if runtime is None or runtime.model is not model:
        runtime = build_runtime(system, model, weight_format, engine, kv_bytes_per_element)
        if len(_RUNTIMES) > 4096:
            _RUNTIMES.clear()
        _RUNTIMES[key] = runtime
    return runtime


def clear_runtime_cache() -> None:
    _RUNTIMES.clear()
