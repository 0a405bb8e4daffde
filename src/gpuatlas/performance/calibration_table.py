"""Calibrated efficiencies and error bands (data/calibration.json), looked up with fallbacks.

Efficiencies in groups are family-neutral: the architecture family's prior multiplies them.
Parameters are keyed "<kind>|<engine>|<hardware>|<precision class>" where hardware is "*", a
memory class ("hbm", "gddr") or "<architecture family>/<memory class>". A lookup applies every
key that exists from the most general to the most specific, over the engine profile's prior
scaled by the architecture family's prior. Bands are multiplicative: value·exp(±log_band), the
observed error of that kind of case, widened when the case is extrapolated.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from gpuatlas.errors import DataFileError
from gpuatlas.performance.engine_profiles import all_engines
from gpuatlas.performance.model_constants import model_constant
from gpuatlas.performance.training.engines import training_engine_bases

CALIBRATION_FILE = "calibration.json"
EXTRAPOLATION_WIDENING = model_constant("calibration_bands", "extrapolation_widening")
MATVEC_ALU_SHARE_PRIOR = model_constant("llm", "matvec_alu_issue_share_prior")
HBM_SINGLE_STREAM_SHARE_PRIOR = model_constant("llm", "hbm_single_stream_memory_share")
MOE_LAYER_US_PRIOR = model_constant("llm", "moe_layer_us_prior")
RECURRENT_PREFILL_US_PRIOR = model_constant("llm", "recurrent_prefill_us_prior")
EAGER_PREFILL_LAYER_US_PRIOR = model_constant("llm", "eager_prefill_layer_us_prior")
UPCAST_EXPERT_SHARE_PRIOR = model_constant("llm", "upcast_expert_gemm_share_prior")
ROUTED_EXPERT_SHARE_PRIOR = model_constant("llm", "routed_expert_gemm_share_prior")
ALL_BACKENDS = "*"  # the matvec ALU share pooled over every backend (a backend's fallback)
DEFAULT_LOG_BAND = model_constant("calibration_bands", "default_log_band")

# Metric -> kind of case (one error band per kind).
METRIC_KINDS: dict[str, str] = {
    "decode_tok_s": "decode",
    "tpot_ms": "decode",
    "prefill_tok_s": "prefill",
    "ttft_ms": "prefill",
    "serving_output_tok_s": "serving",
    "image_s": "image",
    "images_per_min": "image",
    "train_tok_s": "train",
}


class _GroupRecord(BaseModel):
    model_config = ConfigDict(extra="forbid")
    eta_memory: float | None = Field(default=None, gt=0, le=1.5)
    eta_compute: float | None = Field(default=None, gt=0, le=1.5)
    step_overhead_ms: float | None = Field(default=None, ge=0)
    factor: float | None = Field(default=None, gt=0)
    sequence_overhead_us: float | None = Field(default=None, ge=0)
    # a refining training framework's efficiency relative to the level in force before its key
    eta_compute_ratio: float | None = Field(default=None, gt=0)
    host_ratio: float | None = Field(default=None, gt=0)  # image host time of a platform
    kernel_overhead_us: float | None = Field(default=None, ge=0)  # decode: time per kernel
    wire_ms_per_gb: float | None = Field(default=None, ge=0)  # prefill: weights wired per call
    # a training framework's factor on the eager per-operator host time (training/host.py)
    train_host_factor: float | None = Field(default=None, gt=0)
    # DeepSpeedCPUAdam's host step as a multiple of its memory-bound time (training/optimizer.py)
    host_adam_factor: float | None = Field(default=None, gt=0)
    # the image pipeline's fitted host time per batch and convolution share (media/diffusion.py
    # PIPELINE_KEY, calibration/image_pipeline_fit.py)
    pipeline_host_ms: float | None = Field(default=None, ge=0)
    convolution_ratio: float | None = Field(default=None, gt=0)
    # the share of a card's PCIe link offloaded image weights stream at, and the number of
    # offloading rows it was fitted on (calibration/image_pipeline_fit.py fit_offload_share)
    offload_share: float | None = Field(default=None, gt=0, le=1)
    offload_n: float | None = Field(default=None, ge=0)
    n: int = Field(default=0, ge=0)


class _ErrorRecord(BaseModel):
    model_config = ConfigDict(extra="forbid")
    n: int = Field(ge=0)
    median_ape: float | None = None
    p90_ape: float | None = None
    log_band: float = Field(gt=0)


class _ShareRecord(BaseModel):
    model_config = ConfigDict(extra="forbid")
    share: float = Field(gt=0)
    n: int = Field(default=0, ge=0)


class _TimeRecord(BaseModel):
    model_config = ConfigDict(extra="forbid")
    us: float = Field(ge=0)
    n: int = Field(default=0, ge=0)


class _CalibrationFile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    version: str
    model: str
    fitted_from: str = ""
    eta_memory_prior_by_family: dict[str, float]
    eta_compute_prior_by_family: dict[str, float]
    groups: dict[str, _GroupRecord] = {}
    errors: dict[str, _ErrorRecord] = {}
    covered: dict[str, list[str]] = {}
    matvec_alu_issue_share_by_backend: dict[str, _ShareRecord] = {}
    hbm_single_stream_memory_share: _ShareRecord | None = None
    moe_layer_decode_us: _TimeRecord | None = None
    moe_layer_decode_us_by_era: dict[str, _TimeRecord] = {}
    fused_moe_layer_us: dict[str, _TimeRecord] = {}
    eager_prefill_layer_us: dict[str, _TimeRecord] = {}
    recurrent_prefill_token_layer_us: _TimeRecord | None = None
    upcast_expert_gemm_share: _ShareRecord | None = None
    routed_expert_gemm_share_by_backend: dict[str, _ShareRecord] = {}


BASE_IMAGE_ENGINE = "diffusers"
# Engines calibrated as refinements of another engine's keys: compiled image pipelines of eager
# diffusers, older llama.cpp generations of current llama.cpp. A case of such an engine uses
# the base engine's levels where its own are unmeasured.
BASE_ENGINES: dict[str, str] = {
    "diffusers-compiled": BASE_IMAGE_ENGINE,
    "tensorrt": BASE_IMAGE_ENGINE,
    "stable-fast": BASE_IMAGE_ENGINE,
    "coreml": BASE_IMAGE_ENGINE,
    "diffusers-vanilla-attention": BASE_IMAGE_ENGINE,
    "sd-webui": BASE_IMAGE_ENGINE,
    "llama.cpp-2023": "llama.cpp",
    "llama.cpp-2024": "llama.cpp-2023",  # engines.toml: its kernels and launches are 2023's
}


def engine_precision(engine: str, precision_class: str) -> str:
    """The coverage key of an engine's precision class (`Calibration.covered`'s
    `<kind>:engine_precision` axis)."""
    return f"{engine}|{precision_class}"


def level_engine(engine: str) -> str:
    """The engine whose fitted levels a profile's cases use: itself, or the profile it shares
    its levels with (engines.toml shares_levels: ollama-2026 runs at ollama's levels)."""
    sharers = _level_sharers()
    while engine in sharers:
        engine = sharers[engine]
    return engine


def precision_keys(engine: str, precision_class: str) -> frozenset[str]:
    """The coverage keys that measure this profile at this precision class: its own and those
    of the profile whose levels it shares."""
    return frozenset(
        engine_precision(name, precision_class) for name in (engine, level_engine(engine))
    )


def base_engine(engine: str) -> str | None:
    """The engine whose calibrated levels a case of `engine` refines: compiled image engines
    refine diffusers; engine profiles name theirs in engines.toml (`calibrate_from`: older
    llama.cpp generations, backend profiles such as vllm-rocm or llama.cpp-metal)."""
    found = BASE_ENGINES.get(engine) or training_engine_bases().get(engine)
    return found if found is not None else _profile_bases().get(engine)


@cache
def _profile_bases() -> dict[str, str]:
    return {p.id: p.calibrate_from for p in all_engines() if p.calibrate_from}


@cache
def _level_sharers() -> dict[str, str]:
    """Profiles whose rows calibrate, and whose cases use, their parent's levels (engines.toml
    shares_levels): their keys are the parent's, with the parent's own base."""
    return {p.id: p.calibrate_from for p in all_engines() if p.shares_levels and p.calibrate_from}


def group_keys(kind: str, engine: str, hardware: str, precision_class: str) -> list[str]:
    """Calibration keys from the most general to the most specific. Engines with a base
    engine (torch.compile and TensorRT image pipelines, older llama.cpp generations) refine
    the base engine's keys with their own."""
    return list(_group_keys(kind, engine, hardware, precision_class))


@cache
def _group_keys(kind: str, engine: str, hardware: str, precision_class: str) -> tuple[str, ...]:
    """`group_keys`, cached (the engine tables it reads are fixed for the process)."""
    parent = _level_sharers().get(engine)
    if parent is not None:  # vllm-eager is vllm; vllm-rocm-pre-hybrid-kv is vllm-rocm (on vllm)
        return _group_keys(kind, parent, hardware, precision_class)
    own = _engine_keys(kind, engine, hardware, precision_class)
    base = base_engine(engine)
    if base is not None:
        return tuple(_engine_keys(kind, base, hardware, precision_class) + own)
    return tuple(own)


def _engine_keys(kind: str, engine: str, hardware: str, precision_class: str) -> list[str]:
    memory_class = hardware.split("/")[-1]
    keys = []
    for hardware_key in ("*", memory_class, hardware):
        for precision_key in ("*", precision_class):
            keys.append(f"{kind}|{engine}|{hardware_key}|{precision_key}")
    return keys


def _group_us(fitted: dict[str, dict[str, float]], group: str, prior_us: float) -> float:
    """A per-group fitted time ({group: {"us": …}}), the prior for a group the fit did not
    reach, 0 for no group."""
    if not group:
        return 0.0
    return fitted.get(group, {}).get("us", prior_us)


@dataclass(frozen=True)
class GroupParams:
    """Efficiencies for one case; `exact` when fitted on this engine x family x precision."""

    eta_memory: float
    eta_compute: float
    step_overhead_ms: float
    factor: float
    exact: bool
    sequence_overhead_us: float = -1.0  # negative: the engine profile's value
    kernel_overhead_us: float = -1.0  # negative: the engine profile's (llm/step_kernels.py)
    wire_ms_per_gb: float = -1.0  # negative: the engine profile's (engines.toml)
    train_host_factor: float = 1.0  # training frameworks' factor on host time (training/host.py)
    host_adam_factor: float = 1.0  # CPU-Adam's host step over its memory-bound time (optimizer.py)


def share_key(backend: str, era: str) -> str:
    """The key of a mat-vec ALU share: the backend, or '<backend>/<era>' for the builds of an
    engines.toml matvec_share_era."""
    return f"{backend}/{era}" if era else backend


# `Calibration.params`'s arguments: (kind, engine prior, engine, hardware class, precision class)
ParamsKey = tuple[str, tuple[float, float, float], str, str, str]


# The terms a fit sets from rows beyond the groups (shares of a rate, times per layer), each
# empty when it falls back to its hand-set prior
FITTED_TERM_FIELDS: tuple[str, ...] = (
    "matvec_alu_shares",
    "hbm_single_stream",
    "moe_layer",
    "moe_layer_eras",
    "fused_moe",
    "eager_prefill",
    "recurrent_prefill",
    "upcast_expert",
    "routed_expert_shares",
)


@dataclass(frozen=True)
class Calibration:
    version: str
    model: str
    eta_memory_prior_by_family: dict[str, float]
    eta_compute_prior_by_family: dict[str, float]
    groups: dict[str, dict[str, float]] = field(default_factory=dict)
    errors: dict[str, dict[str, float]] = field(default_factory=dict)
    covered: dict[str, frozenset[str]] = field(default_factory=dict)
    # backend ('metal', 'vulkan', ..., ALL_BACKENDS) or a backend's builds of an era
    # (`share_key`: 'metal/2026') -> {"share": fitted share, "n": GPUs}
    matvec_alu_shares: dict[str, dict[str, float]] = field(default_factory=dict)
    # {"share": fitted share, "n": GPUs} (fitting.fit_hbm_single_stream_share); empty: the prior
    hbm_single_stream: dict[str, float] = field(default_factory=dict)
    # {"us": fitted time per MoE layer, "n": GPUs} (fitting.fit_moe_layer_time); empty: the prior
    moe_layer: dict[str, float] = field(default_factory=dict)
    # engines.toml moe_layer_era (other than '') -> {"us": fitted time per MoE layer, "n": GPUs}
    # (fitting.fit_moe_layer_time); an era without an entry: the prior
    moe_layer_eras: dict[str, dict[str, float]] = field(default_factory=dict)
    # engines.toml fused_moe_group -> {"us": fitted time per MoE layer and decode step, "n":
    # GPUs} (fitting.fit_fused_moe_times); a group without an entry: the prior
    fused_moe: dict[str, dict[str, float]] = field(default_factory=dict)

    def fused_moe_layer_us(self, group: str) -> float:
        """The time a decode step pays per MoE layer on the engine profiles of a
        fused_moe_group (fitting.fit_fused_moe_times), else model_constants
        llm.moe_layer_us_prior (the prior of that fit); 0 for no group."""
        return _group_us(self.fused_moe, group, MOE_LAYER_US_PRIOR)

    # engines.toml eager_prefill_group -> {"us": fitted host time per layer of a prefill step,
    # "n": GPUs} (fitting.fit_eager_prefill_times); a group without an entry: the prior
    eager_prefill: dict[str, dict[str, float]] = field(default_factory=dict)

    def eager_prefill_layer_us(self, group: str) -> float:
        """The host time a prefill step pays per layer on the engine profiles of an
        eager_prefill_group (fitting.fit_eager_prefill_times), else model_constants
        llm.eager_prefill_layer_us_prior (the prior of that fit); 0 for no group."""
        return _group_us(self.eager_prefill, group, EAGER_PREFILL_LAYER_US_PRIOR)

    # {"us": fitted time per prompt token and recurrent layer, "n": GPUs}
    # (fitting.fit_recurrent_prefill_time); empty: the prior
    recurrent_prefill: dict[str, float] = field(default_factory=dict)
    # {"share": fitted share, "n": GPUs} (fitting.fit_upcast_expert_share); empty: the prior
    upcast_expert: dict[str, float] = field(default_factory=dict)
    # backend ('cuda', 'rocm', ..., ALL_BACKENDS) -> {"share": fitted share, "n": GPUs}
    # (fitting.fit_routed_expert_shares); a backend without an entry: the pooled one, else the
    # prior
    routed_expert_shares: dict[str, dict[str, float]] = field(default_factory=dict)
    # params() answers by their arguments: a planner asks the same few tens of thousands of
    # times. Not a field of the fit: `replace` starts a new calibration with an empty memo.
    _params_memo: dict[ParamsKey, GroupParams] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    @property
    def upcast_expert_gemm_share(self) -> float:
        """The share of its grouped expert-GEMM rate an engine reaches where it upcasts the
        expert weights inside the GEMM (engines.toml upcast_expert_formats/_families;
        fitting.fit_upcast_expert_share), else model_constants
        llm.upcast_expert_gemm_share_prior (the prior of that fit)."""
        return self.upcast_expert.get("share", UPCAST_EXPERT_SHARE_PRIOR)

    def routed_expert_gemm_share(self, backend: str) -> float:
        """The share of the dense prompt-GEMM rate ggml's routed-expert GEMMs reach on
        `backend` (`LlmRuntime.expert_gemm_share`; fitting.fit_routed_expert_shares): the
        backend's fitted share, else the one pooled over every backend, else model_constants
        llm.routed_expert_gemm_share_prior."""
        shares = self.routed_expert_shares
        record = next((shares[key] for key in (backend, ALL_BACKENDS) if key in shares), None)
        return record["share"] if record else ROUTED_EXPERT_SHARE_PRIOR

    @property
    def moe_layer_us(self) -> float:
        """The time a decode step pays per MoE layer on an engine profile with engines.toml
        moe_layer_time (fitting.fit_moe_layer_time), else model_constants
        llm.moe_layer_us_prior (the prior of that fit)."""
        return self.moe_layer.get("us", MOE_LAYER_US_PRIOR)

    def moe_layer_us_of(self, era: str) -> float:
        """The time per MoE layer of the builds of an engines.toml moe_layer_era ('' = the
        builds before llama.cpp's fused MoE decode chain: `moe_layer_us`)."""
        if not era:
            return self.moe_layer_us
        return self.moe_layer_eras.get(era, {}).get("us", MOE_LAYER_US_PRIOR)

    @property
    def recurrent_prefill_us(self) -> float:
        """The time each prompt token pays per recurrent (linear-attention) layer on an engine
        profile with engines.toml recurrent_prefill_time (fitting.fit_recurrent_prefill_time),
        else model_constants llm.recurrent_prefill_us_prior (the prior of that fit)."""
        return self.recurrent_prefill.get("us", RECURRENT_PREFILL_US_PRIOR)

    @property
    def hbm_single_stream_share(self) -> float:
        """The share of the fitted decode memory level a one-sequence step of an engine's own
        mat-vec kernels reaches on an HBM GPU (fitting.fit_hbm_single_stream_share), else
        model_constants llm.hbm_single_stream_memory_share (the prior of that fit)."""
        return self.hbm_single_stream.get("share", HBM_SINGLE_STREAM_SHARE_PRIOR)

    def matvec_alu_share(self, backend: str, era: str = "") -> float:
        """The share of its ALU issue rate llama.cpp's quantised mat-vec reaches on `backend`
        in the builds of `era` (engines.toml matvec_share_era; fitting.fit_matvec_alu_shares):
        the era's fitted value, else the backend's, else the one pooled over every backend,
        else model_constants llm.matvec_alu_issue_share_prior."""
        shares = self.matvec_alu_shares
        keys = (share_key(backend, era), backend, ALL_BACKENDS)
        record = next((shares[key] for key in keys if key in shares), None)
        return record["share"] if record else MATVEC_ALU_SHARE_PRIOR

    def family_priors(self, hardware: str) -> tuple[float, float]:
        """(memory, compute) efficiency multipliers of a hardware class ('ampere/hbm'): the
        class's own entry where the priors list one ('blackwell/gddr'), else its family's."""
        family = hardware.split("/")[0]
        memory = self.eta_memory_prior_by_family.get(
            hardware,
            self.eta_memory_prior_by_family.get(
                family, model_constant("calibration_fallback", "eta_memory_prior")
            ),
        )
        compute = self.eta_compute_prior_by_family.get(
            hardware,
            self.eta_compute_prior_by_family.get(
                family, model_constant("calibration_fallback", "eta_compute_prior")
            ),
        )
        return memory, compute

    def params(
        self,
        kind: str,
        engine_prior: tuple[float, float, float],
        engine: str,
        hardware: str,
        precision_class: str,
    ) -> GroupParams:
        """Efficiencies for a case; engine_prior = (eta_memory, eta_compute, overhead_ms),
        hardware = '<architecture family>/<memory class>' (see hardware.hardware_class)."""
        key = (kind, engine_prior, engine, hardware, precision_class)
        if (known := self._params_memo.get(key)) is not None:
            return known
        found = self._fitted_params(key)
        self._params_memo[key] = found
        return found

    def _fitted_params(self, key: ParamsKey) -> GroupParams:
        """`params`, computed (`key`: its arguments)."""
        kind, engine_prior, engine, hardware, precision_class = key
        values = self.neutral_params(kind, engine_prior, engine, hardware, precision_class)
        memory_prior, compute_prior = self.family_priors(hardware)
        values["eta_memory"] = min(1.0, values["eta_memory"] * memory_prior)
        values["eta_compute"] = min(1.0, values["eta_compute"] * compute_prior)
        exact = group_keys(kind, engine, hardware, precision_class)[-1] in self.groups
        return GroupParams(exact=exact, **values)

    def neutral_params(
        self,
        kind: str,
        engine_prior: tuple[float, float, float],
        engine: str,
        hardware: str,
        precision_class: str,
    ) -> dict[str, float]:
        """Group values before the architecture family's prior multiplies the efficiencies:
        fitted efficiencies are stored family-neutral, so a family without measurements
        still gets its own hardware prior on top of what other families taught."""
        values = {
            "eta_memory": engine_prior[0],
            "eta_compute": engine_prior[1],
            "step_overhead_ms": engine_prior[2],
            "factor": 1.0,
            "sequence_overhead_us": -1.0,
            "kernel_overhead_us": -1.0,
            "wire_ms_per_gb": -1.0,
            "train_host_factor": 1.0,
            "host_adam_factor": 1.0,
        }
        for key in group_keys(kind, engine, hardware, precision_class):
            group = self.groups.get(key, {})
            values.update({k: v for k, v in group.items() if k in values})
            if "eta_compute_ratio" in group:  # a refinement: relative to the level in force
                values["eta_compute"] = values["eta_compute"] * group["eta_compute_ratio"]
        return values

    def log_band(self, kind: str) -> float:
        record = self.errors.get(kind)
        return float(record["log_band"]) if record else DEFAULT_LOG_BAND

    def is_covered(self, axis: str, name: str) -> bool:
        return name in self.covered.get(axis, frozenset())

    def band(self, value: float, kind: str, extrapolated: bool) -> tuple[float, float]:
        width = self.log_band(kind) * (EXTRAPOLATION_WIDENING if extrapolated else 1.0)
        return value * math.exp(-width), value * math.exp(width)


def parse_calibration(text: str, origin: str = CALIBRATION_FILE) -> Calibration:
    try:
        record = _CalibrationFile.model_validate(json.loads(text))
    except json.JSONDecodeError as error:
        raise DataFileError(origin, [f"not valid JSON: {error}"]) from None
    except ValidationError as error:
        problems = [f"field {'.'.join(map(str, e['loc']))}: {e['msg']}" for e in error.errors()]
        raise DataFileError(origin, problems) from None
    return Calibration(
        version=record.version,
        model=record.model,
        eta_memory_prior_by_family=record.eta_memory_prior_by_family,
        eta_compute_prior_by_family=record.eta_compute_prior_by_family,
        groups={k: _numbers(v.model_dump(exclude_none=True)) for k, v in record.groups.items()},
        errors={k: _numbers(v.model_dump(exclude_none=True)) for k, v in record.errors.items()},
        covered={k: frozenset(v) for k, v in record.covered.items()},
        matvec_alu_shares={
            k: _numbers(v.model_dump()) for k, v in record.matvec_alu_issue_share_by_backend.items()
        },
        hbm_single_stream=(
            _numbers(record.hbm_single_stream_memory_share.model_dump())
            if record.hbm_single_stream_memory_share
            else {}
        ),
        moe_layer=(
            _numbers(record.moe_layer_decode_us.model_dump()) if record.moe_layer_decode_us else {}
        ),
        moe_layer_eras={
            k: _numbers(v.model_dump()) for k, v in record.moe_layer_decode_us_by_era.items()
        },
        fused_moe={k: _numbers(v.model_dump()) for k, v in record.fused_moe_layer_us.items()},
        eager_prefill={
            k: _numbers(v.model_dump()) for k, v in record.eager_prefill_layer_us.items()
        },
        recurrent_prefill=(
            _numbers(record.recurrent_prefill_token_layer_us.model_dump())
            if record.recurrent_prefill_token_layer_us
            else {}
        ),
        upcast_expert=(
            _numbers(record.upcast_expert_gemm_share.model_dump())
            if record.upcast_expert_gemm_share
            else {}
        ),
        routed_expert_shares={
            k: _numbers(v.model_dump())
            for k, v in record.routed_expert_gemm_share_by_backend.items()
        },
    )


def _numbers(values: dict[str, Any]) -> dict[str, float]:
    return {k: float(v) for k, v in values.items()}


def calibration_text() -> str:
    path = resources.files("gpuatlas.performance") / "data" / CALIBRATION_FILE
    return path.read_text(encoding="utf-8")


@cache
def shipped_calibration() -> Calibration:
    """The calibration shipped with the package (cached)."""
    return parse_calibration(calibration_text(), CALIBRATION_FILE)


_OVERRIDES: list[Calibration] = []


def current_calibration() -> Calibration:
    """The calibration in force: an override set by `using_calibration`, else the shipped one."""
    return _OVERRIDES[-1] if _OVERRIDES else shipped_calibration()


@contextmanager
def using_calibration(calibration: Calibration) -> Iterator[None]:
    """Evaluate with another calibration (fitting, cross-validation); give it its own version."""
    _OVERRIDES.append(calibration)
    try:
        yield
    finally:
        _OVERRIDES.pop()


def calibration_document(calibration: Calibration, fitted_from: str) -> dict[str, Any]:
    """The JSON document of a calibration (what `gpuatlas calibrate` writes)."""
    return {
        "version": calibration.version,
        "model": calibration.model,
        "fitted_from": fitted_from,
        "eta_memory_prior_by_family": calibration.eta_memory_prior_by_family,
        "eta_compute_prior_by_family": calibration.eta_compute_prior_by_family,
        "groups": {
            key: {k: (int(v) if k == "n" else round(v, 5)) for k, v in values.items()}
            for key, values in sorted(calibration.groups.items())
        },
        "errors": {
            kind: {k: (int(v) if k == "n" else round(v, 4)) for k, v in values.items()}
            for kind, values in sorted(calibration.errors.items())
        },
        "covered": {key: sorted(values) for key, values in sorted(calibration.covered.items())},
        "matvec_alu_issue_share_by_backend": {
            backend: {"share": round(values["share"], 5), "n": int(values["n"])}
            for backend, values in sorted(calibration.matvec_alu_shares.items())
        },
        **_single_stream_document(calibration.hbm_single_stream),
        **_time_document("moe_layer_decode_us", calibration.moe_layer),
        **_times_by_key_document("moe_layer_decode_us_by_era", calibration.moe_layer_eras),
        **_times_by_key_document("fused_moe_layer_us", calibration.fused_moe),
        **_times_by_key_document("eager_prefill_layer_us", calibration.eager_prefill),
        **_time_document("recurrent_prefill_token_layer_us", calibration.recurrent_prefill),
        **_share_document("upcast_expert_gemm_share", calibration.upcast_expert),
        **_shares_by_backend_document(
            "routed_expert_gemm_share_by_backend", calibration.routed_expert_shares
        ),
    }


def _shares_by_backend_document(name: str, records: dict[str, dict[str, float]]) -> dict[str, Any]:
    """Fitted shares by backend (none when unfitted)."""
    if not records:
        return {}
    shares = {
        key: {"share": round(values["share"], 5), "n": int(values["n"])}
        for key, values in sorted(records.items())
    }
    return {name: shares}


def _times_by_key_document(name: str, records: dict[str, dict[str, float]]) -> dict[str, Any]:
    """Fitted times per layer by key (fused-MoE group, MoE-layer era, eager-prefill group; none
    when unfitted)."""
    if not records:
        return {}
    times = {
        key: {"us": round(values["us"], 3), "n": int(values["n"])}
        for key, values in sorted(records.items())
    }
    return {name: times}


def _time_document(name: str, record: dict[str, float]) -> dict[str, Any]:
    """A fitted time's entry of the JSON document (the time per MoE layer of a decode step, per
    prompt token and recurrent layer of a prefill): none when unfitted."""
    if not record:
        return {}
    return {name: {"us": round(record["us"], 3), "n": int(record["n"])}}


def _single_stream_document(record: dict[str, float]) -> dict[str, Any]:
    """The fitted HBM single-stream share's entry of the JSON document (none when unfitted)."""
    return _share_document("hbm_single_stream_memory_share", record)


def _share_document(name: str, record: dict[str, float]) -> dict[str, Any]:
    """A fitted share's entry of the JSON document (none when unfitted)."""
    if not record:
        return {}
    return {name: {"share": round(record["share"], 5), "n": int(record["n"])}}
