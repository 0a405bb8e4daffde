"""Importers: other tools' result files into gpuatlas.result/1.

Formats (field names as the tools document them):
- ``vllm``: ``vllm bench serve --save-result`` JSON (``completed``, ``duration``,
  ``output_throughput``, ``{mean,median,std,pNN}_{ttft,tpot,itl,e2el}_ms``; with
  ``--save-detailed`` also per-request ``ttfts`` (s), ``input_lens``, ``output_lens``, ``errors``)
- ``guidellm``: GuideLLM report JSON (``benchmarks[].metrics.<name>.successful`` distribution
  summaries with ``mean``, ``median``, ``count``, ``percentiles.p90/p99``; request latency in s)
- ``llama-bench``: ``llama-bench -o json`` (a list of tests with ``n_prompt``, ``n_gen``,
  ``avg_ts``, ``samples_ts``, ``model_filename``, ``gpu_info``, ``build_commit``), ``-o jsonl``
  (one test per line) or ``-o csv`` (no per-repetition samples: ``avg_ts`` kept as one value).
  Each test is a benchmark of its own (``external-llama-bench-pp512``, ``-tg128``,
  ``-pp512-tg128``, ``-d<depth>`` at a prefilled depth) and its engine setup (quantisation,
  offload, threads, batch, KV types) is part of its identity (records/identity.py)
- ``aiperf``: ``profile_export_aiperf.json`` (metrics with ``unit``, ``avg``, ``p50``, ``p90``,
  ``p99``; ``error_summary``; ``input_config``)

Summaries that the tool computed are kept as they are (their definitions differ from ours: see
the warnings each importer adds); no confidence interval is invented.
"""

from __future__ import annotations

import csv
import hashlib
import json
import re
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from gpuatlas.bench.run_summaries import summarize_values
from gpuatlas.catalog.gpus import resolve_gpu
from gpuatlas.errors import DataFileError
from gpuatlas.records.identity import MEASUREMENT_SETUP
from gpuatlas.records.result import (
    BenchResult,
    EngineInfo,
    Fingerprint,
    GpuInfo,
    Headline,
    MetricSummary,
    Sample,
    Settings,
    resolve_gpu_id,
    utc_now_iso,
)

Importer = Callable[[Any, str], list[BenchResult]]


def _wrong_field(document: Any, field: str, holds: str, what: str) -> str:
    """Why a file is not the tool's: the field it lacks, or the field of the wrong type (was
    'missing' for both), or a file that is not a JSON object at all."""
    if not isinstance(document, dict):
        kind = type(document).__name__
        return f"the file holds a JSON {kind}, not an object with field {field}: not {what}"
    if field not in document:
        return f"field {field}: missing (not {what})"
    return f"field {field}: {document[field]!r:.40} is not {holds} (as in {what})"


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _summary(
    median: Any, mean: Any, p90: Any, p99: Any, n: int, unit: str, scale: float = 1.0
) -> MetricSummary:
    def scaled(value: Any) -> float | None:
        number = _number(value)
        return None if number is None else number * scale

    return MetricSummary(
        median=scaled(median), mean=scaled(mean), p90=scaled(p90), p99=scaled(p99), n=n, unit=unit
    )


def _single(value: Any, unit: str) -> MetricSummary | None:
    number = _number(value)
    if number is None:
        return None
    return MetricSummary(median=number, mean=number, p90=None, p99=None, n=1, unit=unit)


def _headline(metric: str, unit: str, higher: bool, metrics: dict[str, MetricSummary]) -> Headline:
    summary = metrics.get(metric)
    return Headline(
        metric=metric,
        unit=unit,
        higher_is_better=higher,
        value=None if summary is None else summary.median,
    )


# --- vLLM bench serve ----------------------------------------------------------------------


def _vllm_metrics(document: dict[str, Any]) -> dict[str, MetricSummary]:
    completed = int(document.get("completed") or 0)
    metrics: dict[str, MetricSummary] = {}
    for ours, theirs in (
        ("ttft_ms", "ttft"),
        ("tpot_ms", "tpot"),
        ("itl_ms", "itl"),
        ("e2e_ms", "e2el"),
    ):
        if f"mean_{theirs}_ms" in document:
            metrics[ours] = _summary(
                document.get(f"median_{theirs}_ms"),
                document.get(f"mean_{theirs}_ms"),
                document.get(f"p90_{theirs}_ms"),
                document.get(f"p99_{theirs}_ms"),
                completed,
                "ms",
            )
    for ours, theirs, unit in (
        ("output_tok_s", "output_throughput", "tok/s"),
        ("request_s", "request_throughput", "req/s"),
        ("total_tok_s_whole_run", "total_token_throughput", "tok/s"),
        ("goodput_request_s", "request_goodput", "req/s"),
    ):
        single = _single(document.get(theirs), unit)
        if single is not None:
            metrics[ours] = single
    return metrics


def _vllm_samples(document: dict[str, Any]) -> list[Sample]:
    ttfts = document.get("ttfts")
    if not isinstance(ttfts, list):
        return []
    inputs, outputs = document.get("input_lens") or [], document.get("output_lens") or []
    errors = document.get("errors") or []
    samples = []
    for index, ttft_s in enumerate(ttfts):
        error = errors[index] if index < len(errors) else ""
        samples.append(
            Sample(
                index=index,
                ok=not error,
                error_kind="imported_error" if error else None,
                error=str(error)[:300] if error else None,
                ttft_ms=None if error or _number(ttft_s) is None else float(ttft_s) * 1000.0,
                input_tokens=inputs[index] if index < len(inputs) else None,
                output_tokens=outputs[index] if index < len(outputs) and not error else None,
            )
        )
    return samples


def _vllm_created_at(document: dict[str, Any]) -> str:
    """vLLM writes its date as the benchmarking machine's local time ('%Y%m%d-%H%M%S', no
    zone): read as this machine's local time (see ZONELESS_TIME_NOTE)."""
    moment = _vllm_date(document)
    return _as_utc(moment) if moment else utc_now_iso()


ZONELESS_TIME_NOTE = (
    "{tool} wrote its start time without a time zone: read as this machine's local time "
    "(UTC{offset}); import on the machine that ran it, or correct created_at"
)


def _as_utc(moment: datetime) -> str:
    """A tool's time as UTC ISO; a time without a zone is the local time of the machine that
    wrote it, taken as this machine's (the usual case: import where the tool ran)."""
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _zoneless_note(tool: str, moment: datetime | None) -> list[str]:
    if moment is None or moment.tzinfo is not None:
        return []
    offset = moment.astimezone().strftime("%z")
    return [ZONELESS_TIME_NOTE.format(tool=tool, offset=f"{offset[:3]}:{offset[3:]}")]


def _vllm_date(document: dict[str, Any]) -> datetime | None:
    try:
        return datetime.strptime(str(document.get("date")), "%Y%m%d-%H%M%S")
    except ValueError:
        return None


def _fixed_length(total: Any, requests: Any) -> int | None:
    """Tokens per request when every request had the same length (the file keeps only the
    total): the total over the requests when that divides exactly, else None."""
    if not isinstance(total, int) or not isinstance(requests, int) or requests <= 0:
        return None
    return total // requests if total % requests == 0 else None


def _length_note(settings: Settings) -> list[str]:
    if settings.input_tokens is None and settings.output_tokens is None:
        return []
    return [
        "input/output tokens per request are the file's totals over its completed requests "
        "(it keeps no per-request lengths unless saved with --save-detailed)"
    ]


# vllm bench serve's counts (whole numbers, none negative) and its other numbers (none
# negative; request_rate may be Infinity, or the text "inf" as vLLM 0.32 writes it); a field
# may be null (not measured)
VLLM_COUNT_FIELDS = (
    "completed",
    "failed",
    "num_prompts",
    "total_input_tokens",
    "total_output_tokens",
    "max_concurrency",
)
VLLM_NUMBER_FIELDS = (
    "duration",
    "request_rate",
    "request_throughput",
    "output_throughput",
    "total_token_throughput",
)


def _number_text(text: str) -> float | str:
    """A number written as text ('inf', '4.0'), else the text unchanged."""
    try:
        return float(text)
    except ValueError:
        return text


def _vllm_problems(document: dict[str, Any]) -> list[str]:
    """Every field of a vllm bench serve file whose value cannot be what vLLM writes there:
    text or a negative number where it writes a number, a fraction where it writes a count."""
    problems: list[str] = []
    timings = sorted(name for name in document if name.endswith("_ms"))
    for name in (*VLLM_COUNT_FIELDS, *VLLM_NUMBER_FIELDS, *timings):
        value = document.get(name)
        if name == "request_rate" and isinstance(value, str):  # vLLM 0.32 writes "inf"
            value = _number_text(value)
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, int | float) or value != value:
            problems.append(f"field {name}: {value!r} is not a number")
        elif value < 0:
            problems.append(f"field {name}: must not be negative, got {value}")
        elif name in VLLM_COUNT_FIELDS and not float(value).is_integer():
            problems.append(f"field {name}: must be a whole number, got {value}")
    return problems


RATE_SLACK = 0.05  # vLLM writes output_throughput = total_output_tokens / duration


def _vllm_rate_problems(document: dict[str, Any]) -> list[str]:
    """A throughput its own file contradicts (output_throughput 1e9 tok/s beside 51,200 tokens
    in 40.5 s was imported and shown as 1,000,000,000 tok/s)."""
    rate, tokens, seconds = (
        _number(document.get(name))
        for name in ("output_throughput", "total_output_tokens", "duration")
    )
    if rate is None or tokens is None or not seconds or seconds <= 0:
        return []
    expected = tokens / seconds
    if abs(rate - expected) <= RATE_SLACK * max(expected, 1e-9):
        return []
    return [
        f"field output_throughput: {rate:,.6g} tok/s is not total_output_tokens ÷ duration "
        f"({tokens:,.0f} ÷ {seconds:,.6g} s = {expected:,.1f} tok/s), as vLLM writes it"
    ]


def import_vllm(document: Any, origin: str) -> list[BenchResult]:
    if not isinstance(document, dict) or "completed" not in document:
        raise DataFileError(
            origin, [_wrong_field(document, "completed", "a number", "a vllm bench serve file")]
        )
    problems = _vllm_problems(document)
    problems += [] if problems else _vllm_rate_problems(document)
    if problems:
        raise DataFileError(origin, problems)
    concurrency = document.get("max_concurrency")
    single_user = concurrency == 1
    metrics = _vllm_metrics(document)
    samples = _vllm_samples(document)
    failed = int(document.get("failed") or 0) or sum(1 for s in samples if not s.ok)
    rate = _number(document.get("request_rate"))
    settings = Settings(
        model=document.get("model_id"),
        api=document.get("endpoint_type") or document.get("backend"),
        concurrency=concurrency,
        rate_rps=rate if rate is not None and rate != float("inf") else None,
        requests=document.get("num_prompts"),
        extra={"burstiness": document.get("burstiness")},
        input_tokens=_fixed_length(document.get("total_input_tokens"), document.get("completed")),
        output_tokens=_fixed_length(document.get("total_output_tokens"), document.get("completed")),
    )
    return [
        BenchResult(
            benchmark="external-vllm-bench-serve",
            benchmark_version=1,
            category="llm-single" if single_user else "llm-serving",
            created_at=_vllm_created_at(document),
            settings=settings,
            metrics=metrics,
            samples=samples,
            headline=_headline("output_tok_s", "tok/s", True, metrics),
            failures={"imported_error": failed} if failed else {},
            fingerprint=Fingerprint(tools={"vllm": str(document.get("vllm_version", "unknown"))}),
            token_count_source="vllm-bench-serve",
            warnings=[
                "imported from vllm bench serve: percentiles as vLLM computed them; its ITL "
                "is per SSE chunk, not token-weighted"
            ]
            + _length_note(settings)
            + _zoneless_note("vllm bench serve", _vllm_date(document)),
            source="imported:vllm-bench-serve",
        )
    ]


# --- GuideLLM ------------------------------------------------------------------------------

GUIDELLM_METRICS = (
    ("ttft_ms", "time_to_first_token_ms", "ms", 1.0),
    ("tpot_ms", "inter_token_latency_ms", "ms", 1.0),  # GuideLLM "ITL" = our TPOT
    ("e2e_ms", "request_latency", "ms", 1000.0),  # GuideLLM stores seconds
    ("output_tokens", "output_token_count", "tokens", 1.0),
    ("input_tokens", "prompt_token_count", "tokens", 1.0),
)
# Run-level rates: GuideLLM reports (console, "output_tokens/s") the MEAN of its rate
# distribution, which is the run's rate; the distribution's median is not (it can be -24 %
# to +24 % off). The mean is kept as the one value.
GUIDELLM_RATES = (
    ("output_tok_s", "output_tokens_per_second", "tok/s"),
    ("request_s", "requests_per_second", "req/s"),
    ("total_tok_s_whole_run", "tokens_per_second", "tok/s"),
)


def _guidellm_summary(block: Any, unit: str, scale: float) -> MetricSummary | None:
    if not isinstance(block, dict) or not isinstance(block.get("successful"), dict):
        return None
    successful = block["successful"]
    percentiles = successful.get("percentiles") or {}
    return _summary(
        successful.get("median"),
        successful.get("mean"),
        percentiles.get("p90"),
        percentiles.get("p99"),
        int(successful.get("count") or 0),
        unit,
        scale,
    )


def _guidellm_api(request_format: Any) -> str | None:
    return {"/v1/completions": "openai-completions", "/v1/chat/completions": "openai-chat"}.get(
        str(request_format)
    )


def _guidellm_settings(benchmark: dict[str, Any], report: dict[str, Any]) -> Settings:
    config = benchmark.get("config") or {}
    strategy = config.get("strategy") or {}
    args = report.get("args") or config.get("args") or {}
    spec = (report.get("config") or {}).get("spec") or {}
    backend = config.get("backend") or spec.get("backend") or {}
    data = (spec.get("data") or [{}])[0]
    kind = strategy.get("type_")
    streams = {"concurrent": strategy.get("streams"), "synchronous": 1}.get(str(kind))
    totals = (benchmark.get("metrics") or {}).get("request_totals") or {}
    return Settings(
        model=args.get("model") or config.get("model") or backend.get("model"),
        api=_guidellm_api(backend.get("request_format")),
        input_tokens=data.get("prompt_tokens"),
        output_tokens=data.get("output_tokens"),
        requests=totals.get("total"),
        concurrency=streams,
        rate_rps=_number(strategy.get("rate")),
        arrival={"concurrent": "concurrency", "synchronous": "concurrency"}.get(str(kind), kind),
        extra={"guidellm_strategy": strategy},
    )


def _guidellm_created_at(benchmark: dict[str, Any]) -> str:
    """When GuideLLM ran the benchmark (its scheduler's start, epoch seconds), as UTC ISO; the
    import time only where the file has none (it was always the import time)."""
    state = benchmark.get("scheduler_state") or benchmark.get("scheduler_metrics") or {}
    started = state.get("start_time") if isinstance(state, dict) else None
    if isinstance(started, int | float) and not isinstance(started, bool) and started > 0:
        return datetime.fromtimestamp(started, UTC).isoformat().replace("+00:00", "Z")
    return utc_now_iso()


def _guidellm_result(benchmark: dict[str, Any], report: dict[str, Any]) -> BenchResult:
    raw = benchmark.get("metrics") or {}
    metrics = {}
    for ours, theirs, unit, scale in GUIDELLM_METRICS:
        summary = _guidellm_summary(raw.get(theirs), unit, scale)
        if summary is not None:
            metrics[ours] = summary
    for ours, theirs, unit in GUIDELLM_RATES:
        block = raw.get(theirs)
        successful = block.get("successful") if isinstance(block, dict) else None
        single = _single((successful or {}).get("mean"), unit)
        if single is not None:
            metrics[ours] = single
    totals = raw.get("request_totals") or {}
    failures = {
        kind: int(totals[kind]) for kind in ("errored", "incomplete") if int(totals.get(kind) or 0)
    }
    settings = _guidellm_settings(benchmark, report)
    return BenchResult(
        benchmark="external-guidellm",
        benchmark_version=1,
        category="llm-single" if settings.concurrency == 1 else "llm-serving",
        created_at=_guidellm_created_at(benchmark),
        settings=settings,
        metrics=metrics,
        failures=failures,
        headline=_headline("output_tok_s", "tok/s", True, metrics),
        fingerprint=Fingerprint(
            tools={
                "guidellm": str((report.get("metadata") or {}).get("guidellm_version", "unknown"))
            }
        ),
        warnings=[
            "imported from GuideLLM: its inter_token_latency is our tpot_ms; "
            "output_tok_s and request_s are the means it reports (its run rates)"
        ],
        source="imported:guidellm",
    )


def import_guidellm(document: Any, origin: str) -> list[BenchResult]:
    if not isinstance(document, dict) or not isinstance(document.get("benchmarks"), list):
        raise DataFileError(
            origin, [_wrong_field(document, "benchmarks", "a list", "a GuideLLM report")]
        )
    return [_guidellm_result(b, document) for b in document["benchmarks"]]


# --- llama-bench ---------------------------------------------------------------------------


LLAMA_BENCH_SETUP_FIELDS = (
    "model_type",
    "n_gpu_layers",
    "n_threads",
    "n_batch",
    "n_ubatch",
    "type_k",
    "type_v",
    "flash_attn",
    "split_mode",
    "n_cpu_moe",
    "no_kv_offload",
    "devices",
    "tensor_split",
)


def llama_bench_test_name(test: dict[str, Any]) -> str:
    """The test as llama-bench names it: ``pp512``, ``tg128``, ``pp512+tg128``, with
    ``@d4096`` when it ran at a prefilled context depth."""
    prompt, generated = int(test.get("n_prompt") or 0), int(test.get("n_gen") or 0)
    shape = "+".join(
        part
        for part in (f"pp{prompt}" if prompt else "", f"tg{generated}" if generated else "")
        if part
    )
    depth = int(test.get("n_depth") or 0)
    return f"{shape}@d{depth}" if depth else shape


def _llama_bench_metric(test: dict[str, Any]) -> str:
    """llama-bench's t/s is (n_prompt + n_gen) tokens over each repetition's time: prefill
    speed for a pp test, decode speed for a tg test, both phases together for pp+tg."""
    prompt, generated = int(test.get("n_prompt") or 0), int(test.get("n_gen") or 0)
    if prompt and generated:
        return "prefill_decode_tok_s"
    return "decode_tok_s" if generated else "prefill_tok_s"


def _llama_bench_setup(test: dict[str, Any]) -> str:
    """The engine settings a test ran with beyond its lengths (quantisation, offloaded
    layers, threads, batch sizes, KV cache types, flash attention...): part of its identity,
    so tests that differ in them are never pooled."""
    return ";".join(f"{name}={test[name]}" for name in LLAMA_BENCH_SETUP_FIELDS if name in test)


def _llama_bench_result(test: dict[str, Any]) -> BenchResult:
    metric = _llama_bench_metric(test)
    rates = [float(v) for v in test.get("samples_ts") or [] if _number(v) is not None]
    if rates:
        summary = summarize_values(rates, "tok/s")
    else:
        summary = _single(test.get("avg_ts"), "tok/s") or MetricSummary(
            median=None, mean=None, p90=None, p99=None, n=0
        )
    engine = EngineInfo(
        name="llama.cpp",
        version=str(test.get("build_number") or "") or None,
        reported_by="llama-bench",
        details={k: test[k] for k in ("build_commit", "backends") if k in test},
    )
    gpus = [g.strip() for g in str(test.get("gpu_info") or "").split(",") if g.strip()]
    test_name = llama_bench_test_name(test)
    return BenchResult(
        benchmark=f"external-llama-bench-{re.sub(r'[^a-z0-9]+', '-', test_name)}",
        benchmark_version=1,
        category="llm-single",
        created_at=str(test.get("test_time") or utc_now_iso()),
        gpu_id=resolve_gpu_id(gpus[0]) if gpus else None,
        gpu_count=len(gpus),
        fingerprint=Fingerprint(
            gpus=[GpuInfo(index=i, name=n) for i, n in enumerate(gpus)],
            cpu_model=test.get("cpu_info"),
            engine=engine,
        ),
        settings=Settings(
            model=test.get("model_filename"),
            input_tokens=test.get("n_prompt"),
            output_tokens=test.get("n_gen"),
            batch_size=test.get("n_batch"),
            repeats=len(rates) or None,
            api="in-process",
            extra={
                "llama_bench_test": test_name,
                "n_depth": test.get("n_depth") or 0,
                MEASUREMENT_SETUP: _llama_bench_setup(test),
            }
            | {
                k: test[k]
                for k in (
                    "model_type",
                    "n_gpu_layers",
                    "n_cpu_moe",
                    "tensor_buft_overrides",
                    "n_threads",
                    "n_ubatch",
                    "type_k",
                    "type_v",
                    "flash_attn",
                )
                if k in test
            }
            | _llama_bench_model_facts(test),
        ),
        metrics={metric: summary},
        samples=[Sample(index=i, values={metric: r}) for i, r in enumerate(rates)],
        headline=Headline(
            metric=metric,
            unit="tok/s",
            higher_is_better=True,
            value=summary.median,
            ci_low=summary.ci_low,
            ci_high=summary.ci_high,
        ),
        token_count_source="llama-bench",
        warnings=[] if rates else ["llama-bench file without samples_ts: avg_ts kept as one value"],
        source="imported:llama-bench",
    )


# llama-bench's model facts, kept in settings.extra under names with their units: the store's
# plausibility rules bound a decode rate by tok/s x bytes of weights and the GPUs' memory by
# the weights (store/plausibility.py, weight_read_problems and weight_fit_problems).
LLAMA_BENCH_MODEL_FACTS = (("model_size", "model_size_bytes"), ("model_n_params", "model_params"))


def _llama_bench_model_facts(test: dict[str, Any]) -> dict[str, Any]:
    return {
        name: test[column]
        for column, name in LLAMA_BENCH_MODEL_FACTS
        if isinstance(test.get(column), int | float) and not isinstance(test.get(column), bool)
    }


def import_llama_bench(document: Any, origin: str) -> list[BenchResult]:
    if isinstance(document, dict):
        document = [document]
    if not isinstance(document, list) or not all(
        isinstance(t, dict) and "avg_ts" in t for t in document
    ):
        raise DataFileError(origin, ["expected a list of llama-bench tests with avg_ts"])
    problems = [
        problem for index, test in enumerate(document) for problem in _test_problems(index, test)
    ]
    if problems:
        raise DataFileError(origin, problems)
    return [_llama_bench_result(test) for test in document]


# The counts of a llama-bench test: whole numbers, none negative
LLAMA_BENCH_COUNT_COLUMNS = ("n_prompt", "n_gen", "n_depth", "n_batch", "n_ubatch")
# What every test must state: its prompt and generated tokens (they say whether it is a pp or
# a tg test) and its speed; a file without n_gen imported tg16 as a prefill benchmark
LLAMA_BENCH_REQUIRED_COLUMNS = ("n_prompt", "n_gen", "avg_ts")


def _test_problems(index: int, test: dict[str, Any]) -> list[str]:
    """Every problem of one llama-bench test, each naming where it is (a CSV row's line, else
    the test's place in the file) and the field: a CSV row with more or fewer fields than the
    header, a number column holding text or nothing, a negative or fractional count, a speed
    that is not above zero (flash_attn is 'True'/'False' in some releases' CSV: not checked)."""
    where = f"line {test[CSV_LINE]}" if CSV_LINE in test else f"test {index + 1}"
    if CSV_ROW_PROBLEMS in test:  # a short or long row: its fields are not where the header says
        return [f"{where}: {text}" for text in test[CSV_ROW_PROBLEMS]]
    problems = [  # without them the test's kind (pp or tg) and its lengths are unknown
        f"{where}, field {column}: missing (llama-bench writes it in every test)"
        for column in LLAMA_BENCH_REQUIRED_COLUMNS
        if column not in test
    ]
    for column in sorted((LLAMA_BENCH_NUMBER_COLUMNS - {"flash_attn"}) & test.keys()):
        value = test[column]
        if value is None:
            problems.append(f"{where}, field {column}: missing (null)")
        elif isinstance(value, bool | str):
            problems.append(f"{where}, field {column}: {value!r} is not a number")
    for column in LLAMA_BENCH_COUNT_COLUMNS:
        value = test.get(column)
        number = isinstance(value, int | float) and not isinstance(value, bool)
        if number and (value < 0 or not float(value).is_integer()):  # type: ignore[operator, arg-type]
            problems.append(f"{where}, field {column}: must be a whole number >= 0, got {value}")
    speed = test.get("avg_ts")
    if isinstance(speed, int | float) and not isinstance(speed, bool) and not speed > 0:
        problems.append(f"{where}, field avg_ts: must be above 0 tokens/s, got {speed}")
    return problems


# --- AIPerf --------------------------------------------------------------------------------

AIPERF_METRICS = (
    ("ttft_ms", "time_to_first_token"),
    ("tpot_ms", "inter_token_latency"),  # AIPerf ITL = (E2E - TTFT) / (OSL - 1): our TPOT
    ("e2e_ms", "request_latency"),
    ("output_tokens", "output_sequence_length"),
    ("input_tokens", "input_sequence_length"),
)


def _aiperf_summary(block: Any, n: int) -> MetricSummary | None:
    if not isinstance(block, dict):
        return None
    return _summary(
        block.get("p50"),
        block.get("avg"),
        block.get("p90"),
        block.get("p99"),
        n,
        str(block.get("unit") or ""),
    )


def _aiperf_metrics(document: dict[str, Any]) -> dict[str, MetricSummary]:
    count = int(_number((document.get("request_count") or {}).get("avg")) or 0)
    metrics = {}
    for ours, theirs in AIPERF_METRICS:
        summary = _aiperf_summary(document.get(theirs), count)
        if summary is not None:
            metrics[ours] = summary
    for ours, theirs, unit in (
        ("output_tok_s", "output_token_throughput", "tok/s"),
        ("request_s", "request_throughput", "req/s"),
    ):
        single = _single((document.get(theirs) or {}).get("avg"), unit)
        if single is not None:
            metrics[ours] = single
    return metrics


def import_aiperf(document: Any, origin: str) -> list[BenchResult]:
    if not isinstance(document, dict) or not isinstance(document.get("time_to_first_token"), dict):
        raise DataFileError(
            origin,
            [
                _wrong_field(
                    document,
                    "time_to_first_token",
                    "an object (unit, avg, p50, ...)",
                    "an AIPerf profile_export_aiperf.json",
                )
            ],
        )
    config = document.get("input_config") or {}
    failures: dict[str, int] = {}
    for entry in document.get("error_summary") or []:
        kind = str((entry.get("error_details") or {}).get("type") or "error")
        failures[kind] = failures.get(kind, 0) + int(entry.get("count") or 0)
    metrics = _aiperf_metrics(document)
    settings = _aiperf_settings(config, document)
    started = _iso_time(document.get("start_time"))
    return [
        BenchResult(
            benchmark="external-aiperf",
            benchmark_version=1,
            category="llm-single" if settings.concurrency == 1 else "llm-serving",
            created_at=_as_utc(started) if started else utc_now_iso(),
            settings=settings,
            metrics=metrics,
            failures=failures,
            interrupted=bool(document.get("was_cancelled")),
            headline=_headline("output_tok_s", "tok/s", True, metrics),
            fingerprint=Fingerprint(
                tools={"aiperf": str(document.get("aiperf_version") or "unknown")}
            ),
            warnings=["imported from AIPerf: its inter_token_latency is our tpot_ms"]
            + _zoneless_note("AIPerf", started),
            source="imported:aiperf",
        )
    ]


def _iso_time(value: Any) -> datetime | None:
    try:
        return datetime.fromisoformat(str(value).replace("Z", "+00:00")) if value else None
    except ValueError:
        return None


def _aiperf_settings(config: dict[str, Any], document: dict[str, Any]) -> Settings:
    """Settings from 0.13's input_config (models.items, phases, datasets), or from the older
    layout (endpoint.model_names, loadgen)."""
    endpoint, loadgen = config.get("endpoint") or {}, config.get("loadgen") or {}
    phases = [p for p in config.get("phases") or [] if isinstance(p, dict)]
    phase = next((p for p in phases if p.get("kind") == "profiling"), phases[0] if phases else {})
    models = (
        [
            item.get("name")
            for item in (config.get("models") or {}).get("items") or []
            if isinstance(item, dict)
        ]
        or endpoint.get("model_names")
        or [None]
    )
    prompts = ((config.get("datasets") or [{}])[0] or {}).get("prompts") or {}
    count = _number((document.get("request_count") or {}).get("avg"))
    rate = _number(phase.get("rate") or phase.get("request_rate") or loadgen.get("request_rate"))
    return Settings(
        model=models[0],
        api=endpoint.get("type"),
        concurrency=phase.get("concurrency") or loadgen.get("concurrency"),
        rate_rps=rate,
        arrival="poisson" if rate else "concurrency",
        requests=phase.get("requests")
        or loadgen.get("request_count")
        or (int(count) if count else None),
        input_tokens=_whole((prompts.get("isl") or {}).get("mean")),
        output_tokens=_whole((prompts.get("osl") or {}).get("mean")),
    )


def _whole(value: Any) -> int | None:
    number = _number(value)
    return int(number) if number is not None and number.is_integer() else None


IMPORTERS: dict[str, Importer] = {
    "vllm": import_vllm,
    "guidellm": import_guidellm,
    "llama-bench": import_llama_bench,
    "aiperf": import_aiperf,
}


def detect_tool(document: Any) -> str | None:
    if isinstance(document, list) and document and isinstance(document[0], dict):
        return "llama-bench" if "avg_ts" in document[0] else None
    if not isinstance(document, dict):
        return None
    if isinstance(document.get("benchmarks"), list):
        return "guidellm"
    if isinstance(document.get("time_to_first_token"), dict):
        return "aiperf"
    if "completed" in document and ("output_throughput" in document or "mean_ttft_ms" in document):
        return "vllm"
    return "llama-bench" if "avg_ts" in document else None


def with_gpu(results: list[BenchResult], gpu: str, count: int = 1) -> list[BenchResult]:
    """The results as measured on `count` of the catalog GPU `gpu` (an id or a name as people
    write it; UnknownNameError lists candidates). A file that names its GPU (llama-bench's
    gpu_info) keeps its own names in the fingerprint; one whose GPU is another catalog GPU is
    refused (DataFileError naming both): --gpu labels, it never relabels. Files that name no
    GPU get the catalog's name, marked as given at import."""
    if count < 1:
        raise DataFileError("--gpu-count", [f"must be at least 1, got {count}"])
    found = resolve_gpu(gpu)
    problems = sorted(
        {problem for result in results for problem in _gpu_contradictions(result, gpu, found.id)}
    )
    if problems:
        raise DataFileError("--gpu", problems)
    return [_labelled(result, found.id, found.name, count) for result in results]


def _gpu_contradictions(result: BenchResult, asked: str, gpu_id: str) -> list[str]:
    return [
        f"--gpu {asked} ({gpu_id}) contradicts the file's own GPU {item.name!r} ({named}); "
        f"leave --gpu out to keep the file's GPU, or import the file measured on {gpu_id}"
        for item in result.fingerprint.gpus
        if (named := resolve_gpu_id(item.name)) is not None and named != gpu_id
    ]


def _labelled(result: BenchResult, gpu_id: str, name: str, count: int) -> BenchResult:
    own = result.fingerprint.gpus
    if own and all(resolve_gpu_id(item.name) == gpu_id for item in own):
        fingerprint = result.fingerprint  # the file's own strings stay
    else:
        said = ", ".join(repr(item.name) for item in own)
        note = (
            f"GPU given with --gpu at import (the file's own {said} is no catalog GPU name)"
            if said
            else "GPU given with --gpu at import (not in the tool's file)"
        )
        fingerprint = result.fingerprint.model_copy(
            update={
                "gpus": [GpuInfo(index=index, name=name) for index in range(count)],
                "gpu_note": note,
            }
        )
    return result.model_copy(
        update={"gpu_id": gpu_id, "gpu_count": count, "fingerprint": fingerprint}
    )


# llama-bench ``-o csv`` quotes every value; these columns are numbers in its JSON output.
LLAMA_BENCH_NUMBER_COLUMNS = frozenset(
    {
        "build_number",
        "model_size",
        "model_n_params",
        "n_batch",
        "n_ubatch",
        "n_threads",
        "n_gpu_layers",
        "n_cpu_moe",
        "main_gpu",
        "flash_attn",
        "n_prompt",
        "n_gen",
        "n_depth",
        "avg_ns",
        "stddev_ns",
        "avg_ts",
        "stddev_ts",
    }
)


def _csv_value(column: str, text: str) -> Any:
    if column not in LLAMA_BENCH_NUMBER_COLUMNS:
        return text
    try:
        return int(text)
    except ValueError:
        try:
            return float(text)
        except ValueError:
            return text


# keys a CSV row's dict carries beside its columns: its line in the file, and what is wrong
# with its shape (fewer or more fields than the header); import_llama_bench reports them
CSV_LINE = "__line__"
CSV_ROW_PROBLEMS = "__row_problems__"


def _csv_rows(text: str) -> list[dict[str, Any]] | None:
    """llama-bench ``-o csv`` rows (a header naming avg_ts, then one row per test), else None."""
    lines = text.lstrip("\ufeff").splitlines()
    header = next(csv.reader(lines[:1]), []) if lines else []
    if "avg_ts" not in header:
        return None
    rows: list[dict[str, Any]] = []
    reader = csv.DictReader(lines)
    for row in reader:
        record: dict[str, Any] = {
            column: None if value is None else _csv_value(column, value)
            for column, value in row.items()
            if column
        }
        record[CSV_LINE] = reader.line_num
        extra, given = row.get(None), sum(1 for value in row.values() if value is not None)
        if extra or given < len(header):
            count = len(header) + len(extra) if extra else given
            record[CSV_ROW_PROBLEMS] = [f"{count} fields, the header has {len(header)}"]
        rows.append(record)
    return rows


def _json_lines(text: str) -> list[Any] | None:
    """``-o jsonl`` (one JSON object per line), else None."""
    try:
        documents = [json.loads(line) for line in text.splitlines() if line.strip()]
    except json.JSONDecodeError:
        return None
    return documents if len(documents) > 1 and all(isinstance(d, dict) for d in documents) else None


def read_document(source: Path) -> Any:
    """A tool's output file: JSON, JSON Lines, or llama-bench's CSV."""
    try:
        text = source.read_text(encoding="utf-8")
    except OSError as error:
        raise DataFileError(str(source), [f"cannot read file: {error.strerror}"]) from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        document = _json_lines(text) or _csv_rows(text)
        if document is None:
            raise DataFileError(
                str(source),
                [
                    f"line {error.lineno}: not valid JSON ({error.msg}), nor JSON Lines, "
                    "nor a llama-bench CSV (a header row naming avg_ts)"
                ],
            ) from None
        return document


def import_file(path: str | Path, tool: str = "auto") -> list[BenchResult]:
    source = Path(path)
    document = read_document(source)
    chosen = detect_tool(document) if tool == "auto" else tool
    if chosen not in IMPORTERS:
        known = ", ".join(IMPORTERS)
        problem = (
            f"unknown tool {tool!r} (known: {known})"
            if tool != "auto"
            else f"cannot tell which tool wrote this file; pass --from ({known})"
        )
        raise DataFileError(str(source), [problem])
    results = IMPORTERS[chosen](document, str(source))
    problems = [text for index, r in enumerate(results) for text in _timing_problems(index, r)]
    if problems:
        raise DataFileError(str(source), problems)
    return with_content_ids(results, chosen, source.read_bytes())


MAX_IMPORTED_MS = 86_400_000.0  # a day: no request of a benchmark run takes longer
PERCENTILE_ORDER = (("median", "p90"), ("p90", "p99"), ("median", "p99"))
PERCENTILE_SLACK = 0.99  # rounding in the tool's own output: 1 % below still reads as equal


def _below(high: float | None, low: float | None) -> bool:
    return high is not None and low is not None and high < low * PERCENTILE_SLACK


SUMMARY_STATISTICS = ("median", "mean", "p90", "p99")


def _timing_problems(index: int, result: BenchResult) -> list[str]:
    """Times no run can have measured (an imported TTFT of 1e12 ms was stored and compared):
    a negative time or one over a day, and a mean time to first token above the mean whole
    request (the first token is part of the request). Each names the run and the statistic."""
    where = f"run {index + 1} ({result.benchmark})"
    problems = []
    for name, summary in result.metrics.items():
        if summary.unit != "ms":
            continue
        for statistic in SUMMARY_STATISTICS:
            value = getattr(summary, statistic)
            if value is not None and not 0 <= value <= MAX_IMPORTED_MS:
                problems.append(
                    f"{where}, {name} {statistic}: {value:g} ms is not a time a request takes "
                    f"(0 to {MAX_IMPORTED_MS:,.0f} ms, a day)"
                )
    problems += [
        f"{where}, {name}: {high} {getattr(summary, high):g} ms is below the {low} "
        f"{getattr(summary, low):g} ms (a percentile cannot be below a lower one)"
        for name, summary in result.metrics.items()
        if summary.unit == "ms"
        for low, high in PERCENTILE_ORDER
        if _below(getattr(summary, high), getattr(summary, low))
    ]
    ttft, e2e = result.metrics.get("ttft_ms"), result.metrics.get("e2e_ms")
    if ttft and e2e and ttft.mean is not None and e2e.mean is not None and ttft.mean > e2e.mean:
        problems.append(
            f"{where}: mean time to first token {ttft.mean:g} ms is above the mean whole "
            f"request {e2e.mean:g} ms (the first token is part of the request)"
        )
    return problems


IMPORT_ID_NAMESPACE = uuid.UUID("6f1d3b9e-4c1a-5e7b-9a2d-0c8e5f4b7a31")  # GPU Atlas imports


def with_content_ids(results: list[BenchResult], tool: str, content: bytes) -> list[BenchResult]:
    """Each imported result with an id made from the tool, the file's bytes and its place in
    the file, so importing one file twice stores it once ('already stored'): a random id
    stored every import again and counted one run as n = 2, 3, ..."""
    digest = hashlib.sha256(content).hexdigest()
    return [
        result.model_copy(
            update={"result_id": str(uuid.uuid5(IMPORT_ID_NAMESPACE, f"{tool}:{digest}:{index}"))}
        )
        for index, result in enumerate(results)
    ]
