"""Field ranges every stored result must respect: a result that breaks one is refused (the
ingest API answers 422 naming the result and field), never stored.

These are rules of form (an id the pages can address, a timestamp, counts and times that can
exist); rules of physics and of a benchmark's definition quarantine instead (plausibility.py).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

from pydantic import ValidationError

from gpuatlas.records.result import BenchResult
from gpuatlas.records.suite import suite

# Result ids travel in URL paths (/results/<id>) and spool file names: letters, digits and
# ". _ : -", starting with a letter or digit, at most 128 characters.
RESULT_ID_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:\-]{0,127}")
RESULT_ID_RULE = (
    "1-128 letters, digits, '.', '_', ':' or '-', starting with a letter or "
    "digit (no '/', spaces or control characters)"
)
MAX_GPUS_PER_RESULT = 256  # one system: 8-GPU servers, NVL72 racks; clusters are not a result
CLOCK_SKEW_ALLOWANCE = timedelta(days=1)
EARLIEST_CREATED_AT = datetime(2000, 1, 1, tzinfo=UTC)
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_SAMPLE_TIMES = ("scheduled_ms", "ttfb_ms", "ttft_ms", "tpot_ms", "e2e_ms", "end_ms")
_SAMPLE_COUNTS = ("input_tokens", "output_tokens", "token_events")
_SETTINGS_AT_LEAST_ONE = (
    "concurrency",
    "requests",
    "repeats",
    "batch_size",
    "width",
    "height",
    "steps",
)
_SETTINGS_NON_NEGATIVE = (
    "input_tokens",
    "output_tokens",
    "warmup_requests",
    "duration_s",
    "timeout_s",
    "slo_ttft_ms",
    "slo_tpot_ms",
    "slo_e2e_ms",
)
_METRIC_FIELDS = ("median", "mean", "p90", "p99", "ci_low", "ci_high")


# /results/<id>.json is the JSON of result <id>: an id ending in .json would be read as another
DOCUMENT_SUFFIX = ".json"


def result_id_problem(result_id: Any) -> str | None:
    if not isinstance(result_id, str) or not RESULT_ID_PATTERN.fullmatch(result_id):
        return f"field result_id: {result_id!r} is not a valid id (use {RESULT_ID_RULE})"
    if result_id.lower().endswith(DOCUMENT_SUFFIX):
        return (
            f"field result_id: {result_id!r} ends in {DOCUMENT_SUFFIX!r}, which its page "
            f"address reads as the JSON of {result_id[: -len(DOCUMENT_SUFFIX)]!r} "
            "(drop or change the suffix)"
        )
    return None


def benchmark_problems(result: BenchResult) -> list[str]:
    """A suite benchmark whose category contradicts the suite's, and an id one edit away from
    a suite id (a misspelt suite id escapes every check of the suite's definition)."""
    definitions = {benchmark.id: benchmark for benchmark in suite()}
    definition = definitions.get(result.benchmark)
    if definition is not None:
        if result.category == definition.category:
            return []
        return [
            f"field category: {result.category!r} contradicts {result.benchmark}, a "
            f"{definition.category!r} benchmark of the suite (send category "
            f"{definition.category!r}, or a custom-... id for another measurement)"
        ]
    near = [name for name in definitions if one_edit_apart(result.benchmark, name)]
    if not near:
        return []
    return [
        f"field benchmark: {result.benchmark!r} is not a suite benchmark; did you mean "
        f"{' or '.join(sorted(near))}? (a custom-... id names a run of other settings)"
    ]


def one_edit_apart(first: str, second: str) -> bool:
    """Whether one insertion, deletion, substitution or swap of neighbours turns one text
    into the other (they differ)."""
    if first == second or abs(len(first) - len(second)) > 1:
        return False
    start = next(
        (i for i, (a, b) in enumerate(zip(first, second, strict=False)) if a != b),
        min(len(first), len(second)),
    )
    head_a, head_b = first[start:], second[start:]
    if len(first) == len(second):
        swapped = len(head_a) >= 2 and head_a[:2] == head_b[1::-1]
        return head_a[1:] == head_b[1:] or (swapped and head_a[2:] == head_b[2:])
    return head_a[1:] == head_b if len(first) > len(second) else head_a == head_b[1:]


def validity_problems(result: BenchResult, now: datetime | None = None) -> list[str]:
    """Every broken field range of a parsed result, each naming its field."""
    problems = [problem for problem in (result_id_problem(result.result_id),) if problem]
    problems += _text_problems(result)
    problems += benchmark_problems(result)
    problems += _headline_problems(result)
    problems += _gpu_count_problems(result)
    problems += _created_at_problems(result.created_at, now or datetime.now(UTC))
    problems += _settings_problems(result)
    problems += _metric_problems(result)
    problems += _sample_problems(result)
    return problems


def _text_problems(result: BenchResult) -> list[str]:
    fields = {
        "benchmark": result.benchmark,
        "headline.metric": result.headline.metric,
        "headline.unit": result.headline.unit,
    }
    problems = []
    for name, text in fields.items():
        if not text.strip():
            problems.append(f"field {name}: must not be empty")
        elif text != text.strip() or _CONTROL.search(text):
            problems.append(f"field {name}: no leading/trailing spaces or control characters")
    return problems


def _headline_problems(result: BenchResult) -> list[str]:
    headline = result.headline
    problems = []
    for name in ("value", "ci_low", "ci_high"):
        number = getattr(headline, name)
        if number is not None and not math.isfinite(number):
            problems.append(f"field headline.{name}: must be a finite number")
    low, high = headline.ci_low, headline.ci_high
    if low is not None and high is not None and low > high:
        problems.append(f"field headline: ci_low {low} is above ci_high {high}")
    if headline.value is not None and headline.metric not in result.metrics:
        problems.append(
            f"field headline.metric: {headline.metric!r} is not one of metrics "
            f"({', '.join(sorted(result.metrics)) or 'none'})"
        )
    return problems


def _gpu_count_problems(result: BenchResult) -> list[str]:
    lowest = 1 if result.gpu_id is not None else 0
    if lowest <= result.gpu_count <= MAX_GPUS_PER_RESULT:
        return []
    return [
        f"field gpu_count: must be between {lowest} and {MAX_GPUS_PER_RESULT}"
        + (" when gpu_id is set" if lowest else "")
    ]


def parse_timestamp(text: str) -> datetime | None:
    """An ISO 8601 date or timestamp (``Z`` allowed; no zone means UTC), else None."""
    try:
        parsed = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _created_at_problems(created_at: str, now: datetime) -> list[str]:
    when = parse_timestamp(created_at)
    if when is None:
        return [
            f"field created_at: {created_at!r} is not an ISO 8601 timestamp "
            "(e.g. 2026-11-20T10:00:00Z)"
        ]
    if when > now + CLOCK_SKEW_ALLOWANCE:
        return [f"field created_at: {created_at} is in the future (check the agent's clock)"]
    if when < EARLIEST_CREATED_AT:
        return [f"field created_at: {created_at} is before 2000"]
    return []


def _settings_problems(result: BenchResult) -> list[str]:
    settings = result.settings
    problems = [
        f"field settings.{name}: must be at least 1"
        for name in _SETTINGS_AT_LEAST_ONE
        if (value := getattr(settings, name)) is not None and value < 1
    ]
    problems += _negative(
        "settings", ((name, getattr(settings, name)) for name in _SETTINGS_NON_NEGATIVE)
    )
    if settings.rate_rps is not None and not settings.rate_rps > 0:
        problems.append("field settings.rate_rps: must be above 0")
    return problems


def _negative(prefix: str, named: Iterable[tuple[str, float | int | None]]) -> list[str]:
    return [
        f"field {prefix}.{name}: must not be negative"
        for name, value in named
        if value is not None and value < 0
    ]


def _metric_problems(result: BenchResult) -> list[str]:
    problems = []
    for metric, summary in result.metrics.items():
        named = [(f"{metric}.{name}", getattr(summary, name)) for name in _METRIC_FIELDS]
        problems += _negative("metrics", [*named, (f"{metric}.n", summary.n)])
    for repeat in result.repeats:
        problems += _negative(
            f"repeats[{repeat.index}]",
            [
                ("duration_s", repeat.duration_s),
                ("completed", repeat.completed),
                ("failed", repeat.failed),
                *repeat.values.items(),
            ],
        )
    if result.energy is not None:
        problems += _negative(
            "energy",
            [("joules", result.energy.joules), ("mean_power_w", result.energy.mean_power_w)],
        )
    return problems


def _sample_problems(result: BenchResult) -> list[str]:
    """Negative times or token counts in samples (reported once per field, with a count)."""
    counts: dict[str, int] = {}
    for sample in result.samples:
        named = [(name, getattr(sample, name)) for name in _SAMPLE_TIMES + _SAMPLE_COUNTS]
        for name, value in [*named, *sample.values.items()]:
            if value is not None and value < 0:
                counts[name] = counts.get(name, 0) + 1
    return [
        f"field samples[].{name}: negative in {count} sample(s)"
        for name, count in sorted(counts.items())
    ]


MAX_PRUNING_ROUNDS = 5


def problems_beyond_schema(raw: Any) -> list[str]:
    """The field-range problems of a document the schema refused (an unknown field, a wrong
    type), found on a copy without the refused fields: every problem of a result at once, not
    the schema's first and the ranges after a fix-and-retry. Problems of the left-out fields
    themselves are not repeated; a required field that is refused leaves nothing to check."""
    document, pruned = raw, set()
    for _ in range(MAX_PRUNING_ROUNDS):
        if not isinstance(document, dict):
            return []
        try:
            result = BenchResult.model_validate(document)
        except ValidationError as error:
            locations = [tuple(item["loc"]) for item in error.errors()]
            if any(item["type"] == "missing" for item in error.errors()) or not locations:
                return []
            pruned |= {".".join(str(part) for part in loc) for loc in locations}
            document = _without(document, locations)
            continue
        return [
            problem
            for problem in validity_problems(result)
            if not any(problem.startswith(f"field {name}") for name in pruned)
        ]
    return []


def _without(document: dict[str, Any], locations: list[tuple[Any, ...]]) -> dict[str, Any]:
    """A deep copy of a JSON document without the values at these locations."""
    copied: dict[str, Any] = _copied(document)
    for location in locations:
        parent: Any = copied
        for part in location[:-1]:
            parent = parent[part] if isinstance(parent, dict | list) else None
            if parent is None:
                break
        if isinstance(parent, dict):
            parent.pop(location[-1], None)
    return copied


def _copied(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _copied(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_copied(item) for item in value]
    return value
