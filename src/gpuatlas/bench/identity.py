"""Which benchmark a run is. A suite id only when the run matches the suite's definition
(model, input and output lengths, concurrency or rate, API; for in-process benchmarks every
parameter); anything else is a custom run with an id derived from its own settings, so it is
stored and compared only with runs of the same settings.

Custom ids read ``custom-<category>.<model>.in<I>-out<O>.<load>.<api>`` for LLM benchmarks
(``<load>`` = ``c16``, ``r2.5`` or ``r2.5-c16``) and ``custom-<suite id>.<key><value>...`` for
in-process ones. The number of requests, duration, repeats and seed do not change what is
measured, only how precisely: they never make a run custom.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from gpuatlas.bench.options import RunOptions
from gpuatlas.bench.runners.inprocess import parameters
from gpuatlas.bench.workloads import load_dataset
from gpuatlas.errors import InvalidRequestError
from gpuatlas.records.identity import DEFINITION_APIS, same_model
from gpuatlas.records.suite import Benchmark

LLM_OVERRIDE_FIELDS = ("concurrency", "input_tokens", "output_tokens", "requests")
DEFAULT_INPUT_TOKENS = {"openai-vision": 24}  # the text beside the image
MAX_SLUG_CHARS = 60
_SLUG_UNSAFE = re.compile(r"[^a-z0-9._-]+")


@dataclass(frozen=True)
class LlmShape:
    """What an LLM run measures: the model and the load shape."""

    model: str
    input_tokens: int
    output_tokens: int
    concurrency: int | None
    rate_rps: float | None
    api: str | None  # None: the definition's default for the server
    other_params: tuple[tuple[str, Any], ...] = ()  # e.g. an image's width, from --param
    variation: str = ""  # "sd64-16": spread request lengths; "ds-1a2b3c4d": a dataset

    @property
    def load(self) -> str:
        if self.rate_rps is None:
            return f"c{self.concurrency}"
        rate = f"r{self.rate_rps:g}"
        return rate if self.concurrency is None else f"{rate}-c{self.concurrency}"


def model_slug(model: str) -> str:
    """A file-name-safe, bounded form of a model name (a hash keeps long names distinct)."""
    slug = _SLUG_UNSAFE.sub("-", model.strip().lower()).strip("-.") or "model"
    if len(slug) <= MAX_SLUG_CHARS:
        return slug
    digest = hashlib.sha256(model.encode()).hexdigest()[:8]
    return f"{slug[: MAX_SLUG_CHARS - 9]}-{digest}"


def fold_llm_overrides(benchmark: Benchmark, options: RunOptions) -> RunOptions:
    """``--param concurrency=2`` and friends as the options they stand for (an explicit
    option wins); a value that is not a whole number is refused."""
    changes: dict[str, Any] = {}
    problems = []
    for key in LLM_OVERRIDE_FIELDS:
        if key not in options.overrides or key not in benchmark.params:
            continue
        text = str(options.overrides[key])
        try:
            number = float(text)
        except ValueError:
            number = float("nan")
        if not number.is_integer() or number < 1:
            problems.append(f"--param {key}={text}: expected a whole number of at least 1")
            continue
        if getattr(options, key) is None:
            changes[key] = int(number)
    if problems:
        raise InvalidRequestError(problems)
    return replace(options, **changes) if changes else options


def requested_shape(benchmark: Benchmark, options: RunOptions, api: str | None) -> LlmShape:
    params = benchmark.params
    concurrency = options.concurrency
    if concurrency is None and options.rate_rps is None:
        concurrency = int(params.get("concurrency", 1))
    return LlmShape(
        model=options.model or benchmark.model or "",
        input_tokens=int(
            options.input_tokens
            or params.get("input_tokens", DEFAULT_INPUT_TOKENS.get(benchmark.runner, 512))
        ),
        output_tokens=int(options.output_tokens or params.get("output_tokens", 256)),
        concurrency=concurrency,
        rate_rps=options.rate_rps,
        api=api or options.api,
        other_params=tuple(sorted(_other_overrides(benchmark, options).items())),
        variation=_variation(options),
    )


def _variation(options: RunOptions) -> str:
    if options.dataset:
        return load_dataset(Path(options.dataset)).label
    if options.input_tokens_stddev or options.output_tokens_stddev:
        return f"sd{options.input_tokens_stddev:g}-{options.output_tokens_stddev:g}"
    return ""


def _other_overrides(benchmark: Benchmark, options: RunOptions) -> dict[str, Any]:
    """--param values of a benchmark's other parameters (an image's width...), typed."""
    merged = parameters(benchmark, options)
    return {
        key: merged[key]
        for key in options.overrides
        if key in merged and key not in LLM_OVERRIDE_FIELDS
    }


def llm_differences(benchmark: Benchmark, shape: LlmShape) -> list[str]:
    """How a run differs from the definition, one phrase per setting (empty: it matches)."""
    params = benchmark.params
    found = []
    if not same_model(shape.model, benchmark.model):
        found.append(f"model {shape.model} (suite: {benchmark.model})")
    defaults = {
        "input_tokens": DEFAULT_INPUT_TOKENS.get(benchmark.runner, 512),
        "output_tokens": 256,
    }
    for name, default in defaults.items():
        defined = params.get(name, default)
        if getattr(shape, name) != int(defined):
            found.append(f"{name.replace('_', ' ')} {getattr(shape, name)} (suite: {defined})")
    if shape.rate_rps is not None:
        found.append(
            f"arrival rate {shape.rate_rps:g} req/s "
            f"(suite: {params.get('concurrency')} concurrent streams)"
        )
    elif shape.concurrency != int(params.get("concurrency", 1)):
        found.append(f"concurrency {shape.concurrency} (suite: {params.get('concurrency', 1)})")
    found += [
        f"{key} {value} (suite: {params[key]})"
        for key, value in shape.other_params
        if params.get(key) != value
    ]
    if shape.variation.startswith("trace-"):
        found.append(
            f"arrivals and prompts from a trace ({shape.variation}; suite: "
            f"{params.get('concurrency')} concurrent streams, synthetic prompts)"
        )
    elif shape.variation.startswith("ds-"):
        found.append(f"prompts from a dataset ({shape.variation}; suite: synthetic prompts)")
    elif shape.variation:
        found.append(f"request lengths spread ({shape.variation}; suite: fixed lengths)")
    allowed = DEFINITION_APIS.get(benchmark.runner, ())
    if shape.api is not None and shape.api not in allowed:
        found.append(f"API {shape.api} (suite: {' or '.join(allowed)})")
    return found


def custom_llm_id(category: str, shape: LlmShape, default_api: str) -> str:
    api = (shape.api or default_api).removeprefix("openai-")
    others = "".join(f".{key}{value}" for key, value in shape.other_params)
    others += f".{shape.variation}" if shape.variation else ""
    return (
        f"custom-{category}.{model_slug(shape.model)}.in{shape.input_tokens}"
        f"-out{shape.output_tokens}.{shape.load}{others}.{api}"
    )


def resolve_llm(benchmark: Benchmark, options: RunOptions, api: str | None) -> Benchmark:
    """The definition itself when the run matches it, else a custom benchmark labelled with
    the run's own model and shape (``based_on`` names the definition it started from)."""
    shape = requested_shape(benchmark, options, api)
    differences = llm_differences(benchmark, shape)
    if not differences:
        return benchmark
    default_api = DEFINITION_APIS.get(benchmark.runner, ("openai-completions",))[0]
    params: dict[str, Any] = {
        **benchmark.params,
        "input_tokens": shape.input_tokens,
        "output_tokens": shape.output_tokens,
    }
    params.update(dict(shape.other_params))
    if shape.concurrency is not None:
        params["concurrency"] = shape.concurrency
    return replace(
        benchmark,
        id=custom_llm_id(benchmark.category, shape, default_api),
        version=1,
        model=shape.model,
        params=params,
        based_on=benchmark.id,
        differences=tuple(differences),
        title=f"{shape.model}, in {shape.input_tokens} / out {shape.output_tokens} tokens, "
        f"{shape.load} (custom)",
    )


def resolve_inprocess(
    benchmark: Benchmark, options: RunOptions, params: dict[str, Any]
) -> Benchmark:
    """In-process benchmarks: any parameter or model other than the definition's is custom."""
    changed = {key: value for key, value in params.items() if benchmark.params.get(key) != value}
    differences = [
        f"{key} {value} (suite: {benchmark.params.get(key)})"
        for key, value in sorted(changed.items())
    ]
    parts = [f"{key}{value}" for key, value in sorted(changed.items())]
    if options.model and not same_model(options.model, benchmark.model):
        differences.append(f"model {options.model} (suite: {benchmark.model})")
        parts.append(model_slug(options.model))
    if not differences:
        return benchmark
    suffix = model_slug(".".join(str(part) for part in parts))
    return replace(
        benchmark,
        id=f"custom-{benchmark.id}.{suffix}",
        version=1,
        model=options.model or benchmark.model,
        params=params,
        based_on=benchmark.id,
        differences=tuple(differences),
        title=f"{benchmark.title} (custom)",
    )


def custom_note(benchmark: Benchmark) -> str | None:
    """The line shown on screen and stored in the result's warnings for a custom run."""
    if benchmark.based_on is None:
        return None
    return (
        f"custom run {benchmark.id}: differs from suite benchmark {benchmark.based_on} in "
        f"{'; '.join(benchmark.differences)}. Comparable only with runs of the same "
        "settings, never with the suite benchmark"
    )
