"""Result types of the estimation engine: every predicted number is an `Estimate` (a range)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True)
class Estimate:
    """A predicted number with its band, the model that produced it and its calibration."""

    value: float
    low: float
    high: float
    unit: str
    model: str
    calibration_version: str
    extrapolated: bool = False
    notes: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            "value": self.value,
            "low": self.low,
            "high": self.high,
            "unit": self.unit,
            "model": self.model,
            "calibration_version": self.calibration_version,
            "extrapolated": self.extrapolated,
            "notes": list(self.notes),
        }

    def scaled(self, factor: float, unit: str | None = None) -> Estimate:
        """The same estimate multiplied by a positive factor (e.g. per second -> per minute)."""
        return Estimate(
            value=self.value * factor,
            low=self.low * factor,
            high=self.high * factor,
            unit=unit or self.unit,
            model=self.model,
            calibration_version=self.calibration_version,
            extrapolated=self.extrapolated,
            notes=self.notes,
        )

    def inverted(self, numerator: float, unit: str) -> Estimate:
        """numerator / this (e.g. s/image -> images/s); the band flips."""
        return Estimate(
            value=numerator / self.value,
            low=numerator / self.high,
            high=numerator / self.low,
            unit=unit,
            model=self.model,
            calibration_version=self.calibration_version,
            extrapolated=self.extrapolated,
            notes=self.notes,
        )


@dataclass(frozen=True)
class MemoryBreakdown:
    """Per-GPU memory in GB (1e9 bytes)."""

    weights_gb: float
    kv_cache_gb: float
    activations_gb: float
    overhead_gb: float

    @property
    def total_gb(self) -> float:
        return self.weights_gb + self.kv_cache_gb + self.activations_gb + self.overhead_gb


@dataclass(frozen=True)
class MemoryFit:
    """Whether an inference configuration fits, per GPU, with the numbers behind the verdict.

    `usable_gb` is what the engine may use per GPU (memory x its memory fraction);
    `verdict` is "fits", "fits-on-more-gpus" or "does-not-fit"; `reasons` are sentence pieces
    as data (the renderer words them).
    """

    system_id: str
    model_id: str
    weights: str
    engine: str
    gpu_count: int
    context_tokens: int
    concurrency: int
    per_gpu: MemoryBreakdown
    usable_gb: float
    gpu_memory_gb: float
    fits: bool
    max_concurrent_sequences: int
    min_gpus_needed: int | None
    kv_cache_bytes_per_token_per_gpu: float
    verdict: str
    reasons: tuple[str, ...] = ()
    model: str = "gpuatlas.memory/1"

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["per_gpu"]["total_gb"] = self.per_gpu.total_gb
        data["reasons"] = list(self.reasons)
        return data

    def to_ranged_json(self) -> dict[str, Any]:
        """`to_json` with every predicted GB as an exact {value, low, high} range (the CLI's
        --json schema; gpu_memory_gb, a catalog fact, stays a number)."""
        data = self.to_json()
        data["per_gpu"] = _gb_fields_json(data["per_gpu"], self.model)
        data["usable_gb"] = exact_json(self.usable_gb, "GB", self.model)
        return data


@dataclass(frozen=True)
class TrainingMemoryFit:
    """Per-GPU training memory in GB by component, and whether it fits."""

    system_id: str
    model_id: str
    method: str
    sharding: str
    weights_gb: float
    gradients_gb: float
    optimizer_gb: float
    activations_gb: float
    overhead_gb: float
    gpu_memory_gb: float
    fits: bool
    trainable_params: float
    reasons: tuple[str, ...] = ()
    model: str = "gpuatlas.training-memory/1"

    @property
    def total_gb(self) -> float:
        parts = (self.weights_gb, self.gradients_gb, self.optimizer_gb, self.activations_gb)
        return sum(parts) + self.overhead_gb

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["total_gb"] = self.total_gb
        data["reasons"] = list(self.reasons)
        return data

    def to_ranged_json(self) -> dict[str, Any]:
        """`to_json` with every predicted GB as an exact {value, low, high} range."""
        ranged = _gb_fields_json(self.to_json(), self.model)
        ranged["gpu_memory_gb"] = self.gpu_memory_gb  # a catalog fact, not a prediction
        return ranged


EXACT_NOTE = "computed from the configuration (no fitted efficiency): exact, low = high = value"


def exact_json(value: float, unit: str, model: str) -> dict[str, Any]:
    """A computed (not fitted) number in the {value, low, high} shape: low = high = value."""
    return Estimate(value, value, value, unit, model, "", False, (EXACT_NOTE,)).to_json()


def _gb_fields_json(data: dict[str, Any], model: str) -> dict[str, Any]:
    """Every *_gb number of a memory document as an exact range (GB, 1e9 bytes)."""
    return {
        key: (
            exact_json(float(value), "GB", model)
            if key.endswith("_gb") and isinstance(value, (int, float))
            else value
        )
        for key, value in data.items()
    }


def banded_like(
    value: float,
    reference: Estimate,
    unit: str,
    inverse: bool = False,
    cap: float | None = None,
    note: str = "",
) -> Estimate:
    """`value` with the relative band of `reference` (inverted for quantities ∝ 1/reference,
    such as MFU or scaling efficiency against step time), optionally capped."""
    if reference.value <= 0:
        return Estimate(
            value,
            value,
            value,
            unit,
            reference.model,
            reference.calibration_version,
            reference.extrapolated,
            (note,),
        )
    low_ratio, high_ratio = reference.low / reference.value, reference.high / reference.value
    if inverse:
        low_ratio, high_ratio = 1.0 / high_ratio, 1.0 / low_ratio
    low, high = value * low_ratio, value * high_ratio
    if cap is not None:
        value, low, high = min(value, cap), min(low, cap), min(high, cap)
    notes = (note,) if note else ()
    return Estimate(
        value,
        low,
        high,
        unit,
        reference.model,
        reference.calibration_version,
        reference.extrapolated,
        notes,
    )


def _estimates_json(values: dict[str, Any]) -> dict[str, Any]:
    return {k: (v.to_json() if isinstance(v, Estimate) else v) for k, v in values.items()}


@dataclass(frozen=True)
class LlmPrediction:
    """LLM speed at one configuration: latency, throughput and hardware utilisation."""

    system_id: str
    model_id: str
    weights: str
    engine: str
    batch: int
    input_tokens: int
    output_tokens: int
    ttft_ms: Estimate
    tpot_ms: Estimate
    prefill_tok_s: Estimate
    decode_tok_s: Estimate
    per_sequence_tok_s: Estimate
    mbu: Estimate  # decode: bytes moved per second / peak bandwidth
    mfu: Estimate  # prefill: FLOPs per second / peak FLOP/s
    # decode's limit: "compute", "memory" (weight and KV bytes), "mat-vec ALU" (the engine's
    # own mat-vec unpacking outlasts the bytes) or "host memory" (weights read from the CPU)
    bound: str
    notes: tuple[str, ...] = field(default=())

    def to_json(self) -> dict[str, Any]:
        return _estimates_json({k: getattr(self, k) for k in self.__dataclass_fields__})


@dataclass(frozen=True)
class DiffusionPrediction:
    """Image generation: time per image, images per minute, memory and offload need."""

    system_id: str
    model_id: str
    resolution_px: int
    steps: int
    batch: int
    cfg: bool
    s_per_image: Estimate
    images_per_min: Estimate
    memory_gb: float
    needs_cpu_offload: bool
    notes: tuple[str, ...] = ()
    offload: str = "none"  # "none", "model" (components in turn), "partial" or "sequential"
    weights: str = "bf16"  # the denoiser's weight format

    def to_json(self) -> dict[str, Any]:
        data = _estimates_json({k: getattr(self, k) for k in self.__dataclass_fields__})
        data["memory_gb"] = exact_json(self.memory_gb, "GB", self.s_per_image.model)
        return data


@dataclass(frozen=True)
class TrainingPrediction:
    """Training speed for a token budget on a system (data parallel across its GPUs)."""

    system_id: str
    model_id: str
    method: str
    precision: str
    recompute: bool
    tokens_per_step: int
    step_s: Estimate
    tok_s: Estimate
    time_for_budget_h: Estimate
    allreduce_s: float
    exposed_allreduce_s: float
    overlap_fraction: float
    scaling_efficiency: float
    mfu: float
    memory: TrainingMemoryFit
    notes: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        """Every predicted number as {value, low, high}: times, rates and the budget from the
        calibration's training band; all-reduce times with the step time's relative band (the
        link model has no separate measured error); MFU and scaling efficiency ∝ 1/step time,
        so with the step band inverted and capped at 1; overlap fraction and memory GB are
        computed without fitted terms: exact (low = high = value)."""
        data = _estimates_json({k: getattr(self, k) for k in self.__dataclass_fields__})
        step = self.step_s
        data["allreduce_s"] = banded_like(self.allreduce_s, step, "s").to_json()
        data["exposed_allreduce_s"] = banded_like(self.exposed_allreduce_s, step, "s").to_json()
        data["scaling_efficiency"] = banded_like(
            self.scaling_efficiency, step, "fraction", inverse=True, cap=1.0
        ).to_json()
        data["mfu"] = banded_like(self.mfu, step, "fraction", inverse=True, cap=1.0).to_json()
        data["overlap_fraction"] = exact_json(self.overlap_fraction, "fraction", step.model)
        data["memory"] = self.memory.to_ranged_json()
        return data
