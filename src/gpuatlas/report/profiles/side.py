"""The per-system profile: everything the modelled sections read about one side — VRAM fit,
LLM speed and serving, the serving curve, media throughput, training and scaling, energy per
token, and the modelled stand-ins the measured section shows where a side has no measurement —
for one workload focus.

Each part is computed on first use and kept on the profile (`computed_once`, or a per-profile
table for the parametrised fits), so a part several sections read (the speed: LLM
inference, power, guidance) is computed once per profile; `complete()` computes every part. A
profile is built for one system and focus; the builder gets it from its `ProfileCache` (one per
report build unless the caller passes a longer-lived one), so each side's profile is computed
once per build. Everything here is a pure function of the system, the focus, the calibration in
force and the price tables; never mutate what a profile returns."""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import partial
from typing import Any

import gpuatlas.report.profiles.fit as fit_model
import gpuatlas.report.profiles.llm as llm
import gpuatlas.report.profiles.media as media
import gpuatlas.report.profiles.training as training
from gpuatlas.catalog.measurements import MeasuredRow
from gpuatlas.catalog.prices import PriceSnapshot
from gpuatlas.catalog.systems import GpuSystem
from gpuatlas.performance.llm.serving_curve import ServingCurve
from gpuatlas.performance.platform_engines import PlatformEngine, side_engine
from gpuatlas.performance.predictions import DiffusionPrediction, TrainingMemoryFit
from gpuatlas.records.suite import Benchmark
from gpuatlas.records.workload import Workload
from gpuatlas.report.document import Quantity
from gpuatlas.report.focus import Focus, missing
from gpuatlas.report.modelled_standins import stand_in
from gpuatlas.report.profiles.fit import FitKey, FitResult
from gpuatlas.report.profiles.llm import OfferCost, ServingAtTraffic, SideRun, SideSpeed
from gpuatlas.report.profiles.once import computed_once
from gpuatlas.report.profiles.training import FineTuningBudget, GradientSync, ShardedInference
from gpuatlas.report.quantities import computed, gpu_fact
from gpuatlas.report.rental_prices import reference_price
from gpuatlas.report.suite_models import SuitePrediction, predict_suite_benchmark

log = logging.getLogger(__name__)


class SideProfile:
    """One side's modelled results for a focus (see the module doc)."""

    def __init__(self, system: GpuSystem, focus: Focus) -> None:
        self.system = system
        self.focus = focus
        self._fits: dict[FitKey, FitResult | None] = {}
        self._training_memory: dict[tuple[str, str], TrainingMemoryFit | None] = {}
        self._suite: dict[tuple[str, int], SuitePrediction] = {}
        self._stand_ins: dict[Workload | None, Any | None] = {}

    @property
    def label(self) -> str:
        return self.system.label

    @computed_once
    def usual_engine(self) -> PlatformEngine:
        """The user's engine (both sides), else what people run on this GPU (the VRAM-fit
        table's engine)."""
        return side_engine(self.system.gpu, self.focus.engine)

    @computed_once
    def run(self) -> SideRun:
        """What the LLM figures are for: the focus on the usual engine, or what users run
        instead when no format of that engine fits (llm.side_run)."""
        return llm.side_run(self.system, self.focus, self.usual_engine, self.fit)

    @property
    def engine(self) -> PlatformEngine:
        """The engine the LLM speed, serving and cost figures are for."""
        return self.run.engine

    @property
    def llm_focus(self) -> Focus:
        """The focus the LLM figures are for (its weights may be what the side runs instead)."""
        return self.run.focus

    @computed_once
    def reference_price(self) -> PriceSnapshot | None:
        return reference_price(self.system, self.focus.provider)

    # VRAM fit

    def fit(self, model: str, weights: str, engine: str | None) -> FitResult | None:
        """The fit of `model` in `weights` with `engine` (None: the platform's usual one)."""
        key = FitKey(model, weights, engine)
        if key not in self._fits:
            self._fits[key] = fit_model.compute_fit(self.system, key)
        return self._fits[key]

    @computed_once
    def loads_awq(self) -> bool:
        """Whether the side's engine loads AWQ (else the fit table adds GGUF rows)."""
        return fit_model.loads_awq(self.system, self.usual_engine.engine)

    @computed_once
    def usual_formats(self) -> tuple[tuple[str, str], ...]:
        return fit_model.usual_formats(self.system)

    @computed_once
    def split_engine(self) -> PlatformEngine | None:
        """The engine that splits a model between GPU and CPU here (llama.cpp, Ollama), else
        None (`llm.split_engine`)."""
        return llm.split_engine(self.usual_engine)

    @computed_once
    def two_bit_seventy_b(self) -> FitResult | None:
        """The 70B of the size ladder in llama.cpp's 2-bit IQ2_XXS on `split_engine`; None
        where no engine splits a model here."""
        if self.split_engine is None:
            return None
        return self.fit(fit_model.SEVENTY_B, fit_model.TWO_BIT_GGUF, self.split_engine.engine)

    @computed_once
    def two_bit_seventy_b_decode(self) -> Quantity | None:
        """predict llm's one-request decode rate of that 70B in IQ2_XXS where it fits the
        system's GPUs whole (`two_bit_seventy_b`); None elsewhere."""
        fit = self.two_bit_seventy_b
        if fit is None or not fit.fits or self.split_engine is None:
            return None
        return llm.two_bit_decode(
            self.system, fit_model.SEVENTY_B, self.split_engine, self.focus.prompt_tokens
        )

    # LLM speed and serving

    @computed_once
    def speed(self) -> SideSpeed:
        return llm.compute_speed(self.system, self.llm_focus, self.engine)

    @computed_once
    def serving_scenario(self) -> tuple[ServingAtTraffic, ...]:
        """The serving scenario at each traffic level (the simulation is the costly part)."""
        group = llm.replica_group(self.system, self.speed)
        return tuple(
            llm.serving_at(
                self.system, rps, self.llm_focus, self.engine.engine, group, self.reference_price
            )
            for rps in llm.TRAFFIC_LEVELS_RPS
        )

    @computed_once
    def offer_costs(self) -> tuple[OfferCost, ...]:
        return llm.offer_costs(self.system, self.speed, self.llm_focus, self.focus.provider)

    @computed_once
    def serving_curve(self) -> ServingCurve | str:
        if self.speed.offload:  # one request at a time: no throughput/interactivity trade
            return f"runs {self.focus.model} partly on the CPU, one request at a time"
        return llm.compute_curve(self.system, self.llm_focus, self.engine.engine)

    @computed_once
    def measured_serving_points(self) -> tuple[MeasuredRow, ...]:
        return llm.measured_serving_points(self.system, self.focus.model)

    @computed_once
    def tokens_per_joule(self) -> Quantity:
        """Serving output tokens per joule at TDP (an estimate: TDP is a ceiling)."""
        throughput = self.speed.serving_tok_s
        gpu = self.system.gpu
        if throughput.value is None or gpu.tdp_w is None:
            return missing("no throughput or no TDP")
        power_w = gpu.tdp_w * self.system.gpu_count
        value = computed(
            throughput.value / power_w,
            "tok/J",
            "modelled output tok/s ÷ TDP (TDP-based estimate, not measured power)",
            throughput,
            gpu_fact(gpu, power_w, "W"),
        )
        low = throughput.low / power_w if throughput.low else None
        high = throughput.high / power_w if throughput.high else None
        return Quantity(value.value, "tok/J", value.provenance, low, high)

    # Image generation, vision, OCR

    @computed_once
    def diffusion(self) -> dict[str, DiffusionPrediction | None]:
        return media.diffusion(self.system, self.focus.image_model)

    @computed_once
    def vision(self) -> Quantity:
        return media.vision_throughput(self.system)

    @computed_once
    def ocr(self) -> Quantity:
        return media.ocr_throughput(self.system)

    # Training and scaling

    def training_memory(self, model: str, method: str) -> TrainingMemoryFit | None:
        """Per-GPU training memory of `model` with `method` (None when unsupported)."""
        key = (model, method)
        if key not in self._training_memory:
            self._training_memory[key] = training.memory_fit(self.system, model, method)
        return self._training_memory[key]

    def first_fitting_method(self, model: str) -> str | None:
        return training.first_fitting_method(self.training_memory, model)

    @computed_once
    def budgets(self) -> dict[str, FineTuningBudget]:
        """Fine-tuning time and cost of the focus model for every method (the pair picks which
        to show, so a side's results do not depend on the other side)."""
        return {
            method: training.budget(
                self.system, self.focus.model, method, self.training_memory, self.reference_price
            )
            for method in training.METHODS
        }

    @computed_once
    def gradient_sync(self) -> tuple[GradientSync, ...]:
        """Gradient-sync overhead of full fine-tuning of the focus model on the system (or on
        2, 4 and 8 of its GPU)."""
        found = []
        for system in training.scaling_systems(self.system):
            memory = self.training_memory if system is self.system else _memory_of(system)
            found.append(training.gradient_sync(system, self.focus.model, memory))
        return tuple(found)

    @computed_once
    def sharded_inference(self) -> tuple[ShardedInference, ...]:
        """Sharded inference of the large model in FP16 and INT4 with the side's engine."""
        engine = self.usual_engine.engine
        return tuple(
            training.sharded_inference(self.system, weights, engine)
            for weights in ("fp16", training.int4_weights(engine, self.system))
        )

    # Stand-ins for the measured section (a side without a measurement)

    def suite_prediction(self, benchmark: Benchmark) -> SuitePrediction:
        """The estimator's value for a standard-suite benchmark, or the reason there is none."""
        key = (benchmark.id, benchmark.version)
        if key not in self._suite:
            self._suite[key] = predict_suite_benchmark(benchmark, self.system)
        return self._suite[key]

    def stand_in(self, workload: Workload | None) -> Any | None:
        """The estimator's Estimate for a public benchmark's workload, or None."""
        if workload not in self._stand_ins:
            self._stand_ins[workload] = stand_in(workload, self.system)
        return self._stand_ins[workload]

    def complete(self) -> None:
        """Compute every part the report reads (a server's warm-up). A part the estimator
        cannot compute is left for a build to compute again, and to report."""
        parts: list[Callable[[], object]] = [
            *(
                partial(self.fit, model, weights, self.focus.engine)
                for model, weights in _fit_table_keys(self.focus.model)
            ),
            *(partial(getattr, self, part) for part in _PARTS),
            *(
                partial(self.training_memory, model, method)
                for model in dict.fromkeys((self.focus.model, training.LARGE_MODEL))
                for method in training.METHODS
            ),
        ]
        for part in parts:
            try:
                part()
            except Exception:  # noqa: BLE001 - best effort; a build recomputes and reports it
                log.debug("could not compute %s for %s", part, self.label, exc_info=True)


_PARTS = (
    "run",
    "loads_awq",
    "usual_formats",
    "two_bit_seventy_b",
    "two_bit_seventy_b_decode",
    "speed",
    "serving_scenario",
    "offer_costs",
    "serving_curve",
    "measured_serving_points",
    "tokens_per_joule",
    "diffusion",
    "vision",
    "ocr",
    "budgets",
    "gradient_sync",
    "sharded_inference",
)


def weights_words(a: SideProfile, b: SideProfile) -> str:
    """The format of the sides' LLM figures: 'bf16', or 'q4_k_m vs bf16' when a side runs
    another (llm.side_run)."""
    a_weights, b_weights = a.llm_focus.weights, b.llm_focus.weights
    return a_weights if a_weights == b_weights else f"{a_weights} vs {b_weights}"


def _fit_table_keys(focus_model: str) -> list[tuple[str, str]]:
    models = [model for _, model in fit_model.SIZE_MODELS] + list(fit_model.POPULAR_MODELS)
    if focus_model not in models:
        models.append(focus_model)
    formats = (*fit_model.FORMATS, *fit_model.GGUF_ROWS)
    return [(model, weights) for model in models for _, weights in formats]


def _memory_of(system: GpuSystem) -> training.MemoryOf:
    """Training memory of a scaling system (2, 4, 8 of the side's GPU), computed once each."""
    found: dict[tuple[str, str], TrainingMemoryFit | None] = {}

    def memory(model: str, method: str) -> TrainingMemoryFit | None:
        if (model, method) not in found:
            found[(model, method)] = training.memory_fit(system, model, method)
        return found[(model, method)]

    return memory
