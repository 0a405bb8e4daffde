"""The estimator's prediction of a standard-suite benchmark on a system (issue 12, item 4).

Each suite benchmark (``records/data/suite_v1.toml``) names a model and a workload; where the
estimator covers it, the prediction with its calibrated band stands in for a side that has no
measurement — always labelled as modelled. Host benchmarks (CPU, disk) and GPU
micro-benchmarks have no model: the reason says so."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from gpuatlas.catalog.systems import GpuSystem
from gpuatlas.errors import GpuAtlasError
from gpuatlas.performance.api import (
    predict_diffusion,
    predict_llm,
    predict_ocr,
    predict_vision,
    serving_throughput,
)
from gpuatlas.records.suite import Benchmark

NOT_MODELLED = {
    "system": "host CPU/disk benchmark: not a GPU property, not modelled",
    "gpu-micro": "GPU micro-benchmark: no calibrated model",
}


@dataclass(frozen=True)
class SuitePrediction:
    estimate: Any | None  # estimate.Estimate in the benchmark's unit, or None
    reason: str | None  # why there is no prediction


def _weights(model: str) -> str:
    lowered = model.lower()
    if "awq" in lowered:
        return "awq-int4"
    if "gpt-oss" in lowered:
        return "mxfp4"
    return "bf16"


def _llm_serving(benchmark: Benchmark, system: GpuSystem) -> Any:
    p = benchmark.params
    return serving_throughput(
        system,
        benchmark.model or "",
        _weights(benchmark.model or ""),
        "vllm",
        concurrency=int(p["concurrency"]),
        input_tokens=int(p["input_tokens"]),
        output_tokens=int(p["output_tokens"]),
    )


def _llm_single(benchmark: Benchmark, system: GpuSystem) -> Any:
    model = benchmark.model or ""
    weights = "mxfp4" if "gpt-oss" in model else "q4_k_m"
    p = benchmark.params
    return predict_llm(
        system,
        model,
        weights,
        "ollama",
        batch=1,
        input_tokens=int(p["input_tokens"]),
        output_tokens=int(p["output_tokens"]),
    ).decode_tok_s


def _image(benchmark: Benchmark, system: GpuSystem) -> Any:
    p = benchmark.params
    return predict_diffusion(
        system, benchmark.model or "", resolution=int(p["width"]), steps=int(p["steps"])
    ).s_per_image


def _vision(benchmark: Benchmark, system: GpuSystem) -> Any:
    p = benchmark.params
    return predict_vision(
        system,
        benchmark.model or "",
        batch=int(p["concurrency"]),
        output_tokens=int(p["output_tokens"]),
    )


def _ocr(benchmark: Benchmark, system: GpuSystem) -> Any:
    return predict_ocr(system, benchmark.model or "", batch=int(benchmark.params["batch_size"]))


PREDICTORS = {
    "llm-serving": _llm_serving,
    "llm-single": _llm_single,
    "image": _image,
    "vision": _vision,
    "ocr": _ocr,
}


REASON_CHARACTERS = 160  # a reason beside a ratio is read at a glance; the full one is predict's


def within(text: str, limit: int) -> str:
    """`text` if it fits in `limit` characters, else cut after its last whole word that fits
    (before a list separator where there is one) and marked with '…' — never mid-word
    ('engines modelled there: llama.cpp, mlc-llm, ollama, t')."""
    if len(text) <= limit:
        return text
    head = text[: limit - 1]
    for separator in ("; ", ", ", " "):
        cut = head.rfind(separator)
        if cut > limit // 2:
            return head[:cut].rstrip(",;: ") + " …"
    return head.rstrip() + "…"


def predict_suite_benchmark(benchmark: Benchmark, system: GpuSystem) -> SuitePrediction:
    """The prediction, or the reason there is none (never an exception)."""
    predictor = PREDICTORS.get(benchmark.category)
    if predictor is None:
        return SuitePrediction(None, NOT_MODELLED.get(benchmark.category, "not modelled"))
    try:
        estimate = predictor(benchmark, system)
    except (GpuAtlasError, ValueError, KeyError) as error:
        return SuitePrediction(None, within(f"not predictable: {error}", REASON_CHARACTERS))
    except Exception as error:  # noqa: BLE001 - a model failure must not take the report down
        return SuitePrediction(None, f"model failed ({type(error).__name__})")
    if estimate is None or not float(estimate.value) > 0:
        return SuitePrediction(None, "does not run on this system (no prediction)")
    return SuitePrediction(estimate, None)
