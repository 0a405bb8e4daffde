"""LLM benchmarks over HTTP (llm-serving, llm-single, vision): repeats of a load phase."""

from __future__ import annotations

import asyncio
import contextlib
import signal
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from urllib.parse import urlsplit

import numpy as np

from gpuatlas.bench.apis import API_PATHS
from gpuatlas.bench.assemble import Measured, assemble, summarize_repeats
from gpuatlas.bench.energy import PowerSampler
from gpuatlas.bench.exact_prompts import ExactPrompts, choose_counter
from gpuatlas.bench.fingerprint import collect_fingerprint
from gpuatlas.bench.http_stream import HttpConnection
from gpuatlas.bench.identity import custom_note, resolve_llm
from gpuatlas.bench.loadgen import LoadSpec, PhaseProgress, close_all, run_async, run_load
from gpuatlas.bench.metrics import (
    NS_PER_MS,
    RequestRecord,
    Slo,
    Window,
    itl_values_and_weights,
    request_metrics,
    run_level_metrics,
    steady_state_window,
)
from gpuatlas.bench.options import Reporter, RunOptions, SilentReporter
from gpuatlas.bench.prompts import image_data_url
from gpuatlas.bench.run_summaries import summarize, summarize_values
from gpuatlas.bench.runners.inprocess import parameters
from gpuatlas.bench.server_info import check_model, choose_api, engine_info
from gpuatlas.bench.server_rates import disagreement_warning, server_rates
from gpuatlas.bench.workloads import LengthSpread, load_dataset, prompt_source
from gpuatlas.errors import InvalidRequestError
from gpuatlas.records.result import (
    BenchResult,
    Fingerprint,
    MetricSummary,
    RepeatSummary,
    Sample,
    Settings,
)
from gpuatlas.records.suite import Benchmark
from gpuatlas.records.validity import OUTPUT_SHORTFALL_SHARE
from gpuatlas.statistics import Distribution

SEND_LAG_WARN_MS = 5.0
LENGTH_SHORTFALL = OUTPUT_SHORTFALL_SHARE  # records/validity.py refuses such a run too
MAX_DISTINCT_IMAGES = 512
VISION_PROMPT_TOKENS = 24
RUN_LEVEL_UNITS = {
    "output_tok_s": "tok/s",
    "output_tok_s_whole_run": "tok/s",
    "total_tok_s_whole_run": "tok/s",
    "request_s": "req/s",
    "request_s_whole_run": "req/s",
    "goodput_request_s": "req/s",
    "images_per_min": "images/min",
    "duration_s": "s",
    "steady_state_s": "s",
}
REQUEST_METRIC_UNITS = {
    "ttft_ms": "ms",
    "tpot_ms": "ms",
    "e2e_ms": "ms",
    "ttfb_ms": "ms",
    "send_lag_ms": "ms",
    "ttft_sched_ms": "ms",
    "e2e_sched_ms": "ms",
    "decode_tok_s": "tok/s",
    "output_tokens": "tokens",
    "input_tokens": "tokens",
}


def _param(options: RunOptions, benchmark: Benchmark, name: str, default: int) -> int:
    value = getattr(options, name)
    return int(value if value is not None else benchmark.params.get(name, default))


def _image_source(
    benchmark: Benchmark, options: RunOptions
) -> Callable[[int], tuple[str, ...]] | None:
    if benchmark.runner != "openai-vision":
        return None
    params, seed = parameters(benchmark, options), options.seed
    width, height = int(params.get("width", 672)), int(params.get("height", 672))
    cache: dict[int, tuple[str, ...]] = {}

    def images(index: int) -> tuple[str, ...]:
        key = index % MAX_DISTINCT_IMAGES
        if key not in cache:
            cache[key] = (image_data_url(key, width, height, seed),)
        return cache[key]

    return images


def build_load_spec(benchmark: Benchmark, options: RunOptions, api: str, model: str) -> LoadSpec:
    rate = options.rate_rps
    concurrency = options.concurrency
    if concurrency is None and rate is None:
        concurrency = int(benchmark.params.get("concurrency", 1))
    requests = options.requests
    if requests is None and options.duration_s is None:
        requests = int(benchmark.params.get("requests", 100))
    default_input = VISION_PROMPT_TOKENS if benchmark.runner == "openai-vision" else 512
    spec = LoadSpec(
        endpoint=options.endpoint or "",
        api=api,
        model=model,
        input_tokens=_param(options, benchmark, "input_tokens", default_input),
        output_tokens=_param(options, benchmark, "output_tokens", 256),
        concurrency=concurrency,
        rate_rps=rate,
        requests=requests,
        duration_s=options.duration_s,
        timeout_s=options.timeout_s,
        seed=options.seed,
        ignore_eos=options.ignore_eos,
        image_urls=_image_source(benchmark, options),
        access=options.access,
    )
    warmup = options.warmup_requests
    return replace(spec, warmup_requests=spec.target_in_flight if warmup is None else warmup)


PROBE_BACKOFF_S = 1.0
UNRETRIED_ERRORS = ("http_400", "http_401", "http_403", "http_404", "http_422")


async def _probe(spec: LoadSpec, retries: int = 0) -> tuple[LoadSpec, list[str]]:
    """One short request: catches a refused ignore_eos, a wrong model, a broken server. A
    failure that may pass (timeout, 5xx, a dropped connection) is retried `retries` times,
    waiting 1, 2, 4... s, before giving up."""
    probe = replace(
        spec,
        requests=1,
        duration_s=None,
        concurrency=1,
        rate_rps=None,
        warmup_requests=0,
        output_tokens=min(8, spec.output_tokens),
        seed=999_999,
        prompt_source=None,
        trace_offsets_ns=None,
    )
    record = (await run_load(probe)).records[0]
    notes: list[str] = []
    for attempt in range(retries):
        if record.ok or record.error_kind in UNRETRIED_ERRORS:
            break
        notes.append(
            f"first request failed ({record.error_kind}: {record.error}); "
            f"retry {attempt + 1} of {retries}"
        )
        await asyncio.sleep(PROBE_BACKOFF_S * 2**attempt)
        record = (await run_load(probe)).records[0]
    if record.ok:
        return spec, notes
    if spec.ignore_eos and record.error_kind in ("http_400", "http_422"):
        retry = (await run_load(replace(probe, ignore_eos=False))).records[0]
        if retry.ok:
            note = (
                "the server refused ignore_eos/min_tokens; output lengths are not forced "
                f"({record.error})"
            )
            return replace(spec, ignore_eos=False), [*notes, note]
    raise InvalidRequestError(
        [
            f"the first request to {spec.endpoint}{API_PATHS[spec.api]} "
            f"failed ({record.error_kind}): {record.error}"
            + _probe_hint(record.error_kind, retries)
        ]
    )


def _probe_hint(error_kind: str | None, retries: int) -> str:
    if error_kind == "http_404":
        return (
            ". Is the base URL right? Give the server's root or its /v1 URL "
            "(http://host:port or http://host:port/v1), and the API with --api"
        )
    if error_kind in ("http_401", "http_403"):
        return ". The server wants credentials: pass --api-key (or set OPENAI_API_KEY)"
    return f" (after {retries} retries; --retries N changes how many)" if retries else ""


class _Ticker:
    """Feeds live rates to the reporter while a phase runs."""

    def __init__(self, reporter: Reporter, progress: PhaseProgress, output_tokens: int) -> None:
        self.reporter, self.progress, self.output_tokens = reporter, progress, output_tokens

    async def run(self) -> None:
        while True:
            await asyncio.sleep(0.25)
            self.tick()

    def tick(self) -> None:
        elapsed = max(1e-9, (time.perf_counter_ns() - self.progress.started_ns) / 1e9)
        done = self.progress.finished
        rates = (
            f"{done / elapsed:.1f} req/s, ~{done * self.output_tokens / elapsed:.0f} "
            f"tok/s, {self.progress.sent - done} in flight"
        )
        self.reporter.update(done, rates)


async def _run_repeats(
    spec: LoadSpec, repeats: int, reporter: Reporter
) -> tuple[list[list[RequestRecord]], bool]:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
        loop.add_signal_handler(signal.SIGINT, stop.set)
    outcomes: list[list[RequestRecord]] = []
    pool: list[HttpConnection] = []
    try:
        for repeat in range(repeats):
            if stop.is_set():
                break
            repeat_spec = replace(
                spec,
                seed=spec.seed * 1000 + repeat,
                warmup_requests=spec.warmup_requests if repeat == 0 else 0,
            )
            reporter.start(f"repeat {repeat + 1}/{repeats}", spec.requests)
            progress = PhaseProgress()
            ticker = _Ticker(reporter, progress, spec.output_tokens)
            ticking = asyncio.create_task(ticker.run())
            outcome = await run_load(repeat_spec, stop, progress, pool)
            ticking.cancel()
            ticker.tick()
            reporter.finish()
            outcomes.append(outcome.records)
    finally:
        close_all(pool)
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
            loop.remove_signal_handler(signal.SIGINT)
    return outcomes, stop.is_set()


def _sample(record: RequestRecord, repeat: int, origin_ns: int, window: Window | None) -> Sample:
    metrics = request_metrics(record)
    values = {"ttft_sched_ms": metrics.ttft_sched_ms, "e2e_sched_ms": metrics.e2e_sched_ms}
    if record.first_answer_ns is not None:
        values["ttfot_ms"] = (record.first_answer_ns - record.send_ns) / NS_PER_MS
    values.update({f"server_{k}": v for k, v in record.server_timings.items()})
    return Sample(
        repeat=repeat,
        index=record.index,
        ok=record.ok,
        error_kind=record.error_kind,
        error=record.error,
        warmup=record.warmup,
        in_steady_state=None
        if window is None or record.warmup
        else window.start_ns <= record.send_ns <= window.end_ns,
        scheduled_ms=(record.scheduled_ns - origin_ns) / NS_PER_MS,
        send_lag_ms=metrics.send_lag_ms,
        ttfb_ms=metrics.ttfb_ms,
        ttft_ms=metrics.ttft_ms,
        tpot_ms=metrics.tpot_ms,
        e2e_ms=metrics.e2e_ms,
        end_ms=(record.end_ns - origin_ns) / NS_PER_MS,
        input_tokens=record.prompt_tokens,
        output_tokens=record.tokens if record.ok else None,
        token_events=len(record.token_times_ns),
        finish_reason=record.finish_reason,
        values={k: v for k, v in values.items() if v is not None},
    )


def _request_summaries(records: list[RequestRecord], seed: int) -> dict[str, MetricSummary]:
    measured = [r for r in records if r.ok and not r.warmup]
    per_request = [request_metrics(r) for r in measured]
    columns: dict[str, list[float]] = {name: [] for name in REQUEST_METRIC_UNITS}
    for record, metrics in zip(measured, per_request, strict=True):
        for name in (
            "ttft_ms",
            "tpot_ms",
            "e2e_ms",
            "ttfb_ms",
            "send_lag_ms",
            "ttft_sched_ms",
            "e2e_sched_ms",
        ):
            value = getattr(metrics, name)
            if value is not None:
                columns[name].append(value)
        if metrics.tpot_ms:
            columns["decode_tok_s"].append(1000.0 / metrics.tpot_ms)
        columns["output_tokens"].append(float(record.tokens))
        if record.prompt_tokens is not None:
            columns["input_tokens"].append(float(record.prompt_tokens))
    summaries = {
        name: summarize_values(values, REQUEST_METRIC_UNITS[name], seed)
        for name, values in columns.items()
    }
    summaries.update(
        {
            name: summarize_values(values, "tok/s", seed)
            for name, values in server_rates(measured).items()
        }
    )
    itl_values, itl_weights = itl_values_and_weights(measured)
    summaries["itl_ms"] = summarize(Distribution(itl_values, itl_weights), "ms", seed)
    return summaries


def _repeat_summary(
    records: list[RequestRecord], repeat: int, spec: LoadSpec, slo: Slo, vision: bool
) -> tuple[RepeatSummary, list[str]]:
    target = spec.steady_target
    values, warnings = run_level_metrics(records, target, slo)
    if vision and "request_s" in values:
        values["images_per_min"] = values["request_s"] * 60.0
    measured = [r for r in records if not r.warmup]
    failed = sum(1 for r in measured if not r.ok)
    summary = RepeatSummary(
        index=repeat,
        duration_s=values.get("duration_s", 0.0),
        completed=len(measured) - failed,
        failed=failed,
        values={k: float(v) for k, v in values.items()},
    )
    return summary, [f"repeat {repeat + 1}: {w}" for w in warnings]


def _length_warnings(records: list[RequestRecord], spec: LoadSpec) -> list[str]:
    counts = [r.tokens for r in records if r.ok and not r.warmup]
    if not counts:
        return []
    mean = float(np.mean(counts))
    if mean >= LENGTH_SHORTFALL * spec.output_tokens:
        return []
    cause = "ignore_eos not honoured?" if spec.ignore_eos else "ignore_eos not requested"
    return [
        f"outputs shorter than requested: mean {mean:.1f} of {spec.output_tokens} tokens "
        f"({cause}); throughput is not comparable with runs of full-length outputs"
    ]


def _client_warnings(records: list[RequestRecord], endpoint: str) -> list[str]:
    found = []
    lags = [request_metrics(r).send_lag_ms for r in records if not r.warmup]
    if lags and float(np.quantile(lags, 0.99)) > SEND_LAG_WARN_MS:
        found.append(
            f"client send lag p99 {float(np.quantile(lags, 0.99)):.1f} ms > "
            f"{SEND_LAG_WARN_MS} ms: the client did not keep the schedule"
        )
    sources = {r.token_count_source for r in records if r.ok}
    if len(sources) > 1:
        found.append(f"token counts come from several sources: {sorted(sources)}")
    host = urlsplit(endpoint if "://" in endpoint else f"http://{endpoint}").hostname or ""
    if host not in ("127.0.0.1", "localhost", "::1"):
        found.append(
            "the endpoint is not on this machine: the GPU fingerprint describes the "
            "client, not the server"
        )
    return found


def _vision_param(benchmark: Benchmark, options: RunOptions, name: str) -> int | None:
    if benchmark.runner != "openai-vision":
        return None
    return int(parameters(benchmark, options)[name])


def _settings(benchmark: Benchmark, spec: LoadSpec, options: RunOptions) -> Settings:
    arrival = (
        "trace"
        if spec.trace_offsets_ns is not None
        else "poisson"
        if spec.rate_rps
        else "concurrency"
    )
    return Settings(
        endpoint=spec.endpoint,
        api=spec.api,
        model=spec.model,
        concurrency=spec.concurrency,
        rate_rps=spec.rate_rps,
        arrival=arrival,
        seed=spec.seed,
        input_tokens=spec.input_tokens,
        output_tokens=spec.output_tokens,
        requests=spec.requests,
        duration_s=spec.duration_s,
        warmup_requests=spec.warmup_requests,
        repeats=options.repeats,
        timeout_s=spec.timeout_s,
        ignore_eos=spec.ignore_eos,
        width=_vision_param(benchmark, options, "width"),
        height=_vision_param(benchmark, options, "height"),
        slo_ttft_ms=options.slo_ttft_ms,
        slo_tpot_ms=options.slo_tpot_ms,
        slo_e2e_ms=options.slo_e2e_ms,
        extra=_identity_extra(benchmark, options),
    )


def _identity_extra(benchmark: Benchmark, options: RunOptions) -> dict[str, object]:
    extra: dict[str, object] = {"reference_model": benchmark.model} if benchmark.model else {}
    if options.weights:
        extra["weights"] = options.weights
    if options.input_tokens_stddev or options.output_tokens_stddev:
        extra.update(
            input_tokens_stddev=options.input_tokens_stddev,
            output_tokens_stddev=options.output_tokens_stddev,
        )
    if options.dataset:
        extra["dataset"] = Path(options.dataset).name
    if benchmark.based_on is not None:
        extra.update(based_on=benchmark.based_on, differences=list(benchmark.differences))
    return extra


def run_llm_benchmark(
    benchmark: Benchmark, options: RunOptions, reporter: Reporter | None = None
) -> BenchResult:
    if not options.endpoint:
        raise InvalidRequestError([f"{benchmark.id} talks to a server: give --endpoint URL"])
    access = options.access
    api = choose_api(options.endpoint, benchmark.runner, options.api, access)
    if benchmark.based_on is None:
        benchmark = resolve_llm(benchmark, options, api)
    model = options.model or benchmark.model or ""
    check_model(options.endpoint, api, model, access)
    engine = engine_info(options.endpoint, access)
    spec = build_load_spec(benchmark, options, api, model)
    spec, length_method, prompts = _exact_lengths(spec, benchmark, options)
    spec, warnings = run_async(_probe(spec, options.first_request_retries))
    note = custom_note(benchmark)
    warnings = ([note] if note else []) + warnings
    slo = Slo(options.slo_ttft_ms, options.slo_tpot_ms, options.slo_e2e_ms)
    with PowerSampler() as sampler:
        outcomes, interrupted = run_async(
            _run_repeats(spec, options.repeats, reporter or SilentReporter())
        )
    if prompts is not None and prompts.misses:
        warnings.append(
            f"{prompts.misses} prompts could not be brought to exactly {spec.input_tokens} tokens"
        )
    spec = replace(spec, prompt_source=None)
    exact = prompts is not None and not prompts.misses and not options.input_tokens_stddev
    if exact and not options.dataset:
        outcomes = with_known_prompt_lengths(outcomes, spec.input_tokens)
    result = _assemble_llm(
        benchmark,
        options,
        spec,
        slo,
        outcomes,
        interrupted,
        warnings,
        collect_fingerprint(engine),
        sampler,
    )
    result.settings.extra["input_length_method"] = length_method
    return result


def with_known_prompt_lengths(
    outcomes: list[list[RequestRecord]], input_tokens: int
) -> list[list[RequestRecord]]:
    """Each request's prompt tokens where the server's answer did not say them (llama.cpp's
    server streams no usage) but the harness measured every prompt to exactly `input_tokens`
    on the server's own tokenizer: the input tokens and total throughput counted none of them
    (total_tok_s_whole_run equal to the output rate)."""
    return [
        [
            record
            if record.prompt_tokens is not None
            else replace(record, prompt_tokens=input_tokens)
            for record in records
        ]
        for records in outcomes
    ]


def _exact_lengths(
    spec: LoadSpec, benchmark: Benchmark, options: RunOptions
) -> tuple[LoadSpec, str, ExactPrompts | None]:
    """Prompts of exactly the asked length when a tokenizer is at hand (the method is
    recorded in settings.extra.input_length_method), spread lengths, or a dataset."""
    if benchmark.runner == "openai-vision":
        return spec, "words (approximate)", None
    dataset = load_dataset(Path(options.dataset)) if options.dataset else None
    counter = (
        None
        if dataset
        else choose_counter(options.tokenizer, spec.endpoint, spec.model, options.access)
    )
    prompts = ExactPrompts(counter, spec.input_tokens) if counter else None
    method = (
        f"dataset {dataset.name}"
        if dataset
        else counter.method
        if counter
        else "words (approximate)"
    )
    spread = options.input_tokens_stddev or options.output_tokens_stddev
    if prompts is None and dataset is None and not spread:
        return spec, method, None
    source = prompt_source(
        LengthSpread(spec.input_tokens, options.input_tokens_stddev),
        LengthSpread(spec.output_tokens, options.output_tokens_stddev),
        prompts,
        dataset,
    )
    spec = replace(spec, prompt_source=source)
    if dataset is not None and dataset.is_trace:
        spec = replace(spec, trace_offsets_ns=dataset.arrival_offsets_ns)
    return spec, method, prompts


def _assemble_llm(
    benchmark: Benchmark,
    options: RunOptions,
    spec: LoadSpec,
    slo: Slo,
    outcomes: list[list[RequestRecord]],
    interrupted: bool,
    warnings: list[str],
    fingerprint: Fingerprint,
    sampler: PowerSampler,
) -> BenchResult:
    samples: list[Sample] = []
    repeats: list[RepeatSummary] = []
    for index, records in enumerate(outcomes):
        origin = min((r.scheduled_ns for r in records), default=0)
        window = steady_state_window([r for r in records if r.ok], spec.steady_target)
        samples += [_sample(r, index, origin, window) for r in records]
        summary, repeat_warnings = _repeat_summary(
            records, index, spec, slo, benchmark.runner == "openai-vision"
        )
        repeats.append(summary)
        warnings += repeat_warnings
    every = [r for records in outcomes for r in records]
    metrics = _request_summaries(every, options.seed)
    metrics.update(summarize_repeats(repeats, RUN_LEVEL_UNITS, options.seed))
    warnings += _length_warnings(every, spec) + _client_warnings(every, spec.endpoint)
    disagreement = disagreement_warning(
        getattr(metrics.get("server_decode_tok_s"), "median", None),
        getattr(metrics.get("decode_tok_s"), "median", None),
    )
    warnings += [disagreement] if disagreement else []
    if interrupted:
        warnings.append(
            f"interrupted by the user after {len(outcomes)} repeat(s); "
            "requests in flight at that moment were abandoned, not counted"
        )
    tokens = sum(r.tokens for r in every if r.ok and not r.warmup)
    sources = sorted({r.token_count_source for r in every if r.ok})
    measured = Measured(
        settings=_settings(benchmark, spec, options),
        fingerprint=fingerprint,
        metrics=metrics,
        samples=samples,
        repeats=repeats,
        warnings=warnings,
        energy=sampler.energy(tokens=tokens),
        token_count_source=",".join(sources) or None,
        interrupted=interrupted,
    )
    return assemble(benchmark, measured)
