"""What a stored result's measurement depends on beyond its benchmark id and version: the
store's grouping key (``identity_key``). Results are pooled only with results of the same key.

A suite id names its settings only when the run matched the suite's definition; how a run
that does not match gets a ``custom-...`` id of its own is the harness's business
(``gpuatlas.bench.identity``).
"""

from __future__ import annotations

import hashlib
import re

from gpuatlas.records.result import BenchResult, Settings
from gpuatlas.records.suite import suite

# The APIs a definition allows (llm-single: Ollama's own API on Ollama, else the OpenAI one).
DEFINITION_APIS = {
    "openai-serving": ("openai-completions",),
    "ollama-single": ("ollama-generate", "openai-completions"),
    "openai-vision": ("openai-chat",),
}
_SLUG_UNSAFE = re.compile(r"[^a-z0-9._-]+")
MAX_IDENTITY_CHARS = 64
EXTERNAL_PREFIX = "external-"
MAX_PART_CHARS = 24
# Settings.extra key: an imported tool's engine settings beyond the Settings fields (as one
# text), digested with them so runs that differ in them are never pooled.
MEASUREMENT_SETUP = "measurement_setup"


def benchmark_key(benchmark: str, version: int) -> str:
    """A benchmark's id in comparisons: its name, with ``@vN`` when the version is above 1."""
    return benchmark if version == 1 else f"{benchmark}@v{version}"


def same_model(asked: str, defined: str | None) -> bool:
    """Names of one model: equal ignoring case, or the same repository name
    ("Qwen/Qwen3-4B" and "qwen3-4b")."""
    if defined is None:
        return False
    first, second = asked.strip().lower(), defined.strip().lower()
    return first == second or first.rsplit("/", 1)[-1] == second.rsplit("/", 1)[-1]


def _bounded(text: str) -> str:
    slug = _SLUG_UNSAFE.sub("-", text.strip().lower()).strip("-.")
    if len(slug) <= MAX_PART_CHARS:
        return slug
    return f"{slug[: MAX_PART_CHARS - 7]}-{hashlib.sha256(text.encode()).hexdigest()[:6]}"


def _settings_contradict_definition(benchmark_id: str, settings: Settings) -> bool:
    """A result that carries a suite id for settings other than the suite's (files written
    before custom ids existed, or edited by hand)."""
    definition = next((b for b in suite() if b.id == benchmark_id), None)
    if definition is None or not definition.needs_endpoint:
        return False
    params = definition.params
    if settings.model is not None and not same_model(settings.model, definition.model):
        return True
    if settings.rate_rps is not None:
        return True
    for name in ("input_tokens", "output_tokens", "concurrency"):
        value = getattr(settings, name)
        if value is not None and name in params and value != params[name]:
            return True
    allowed = DEFINITION_APIS.get(definition.runner, ())
    return settings.api is not None and settings.api not in allowed


def _settings_digest(settings: Settings) -> str:
    shape = "|".join(
        str(getattr(settings, name))
        for name in (
            "model",
            "api",
            "input_tokens",
            "output_tokens",
            "concurrency",
            "rate_rps",
            "arrival",
        )
    )
    setup = settings.extra.get(MEASUREMENT_SETUP)
    if setup:  # absent for results written before it existed: their digests stay the same
        shape += f"|{setup}"
    return hashlib.sha256(shape.encode()).hexdigest()[:8]


def identity_key(result: BenchResult) -> str:
    """What, beyond its benchmark id and version, a result's measurement depends on: the
    engine, the weights, and (for a suite id carrying other settings) a digest of those
    settings. Empty when nothing is known beyond the id. Results are pooled only with
    results of the same key."""
    engine = result.fingerprint.engine
    return identity_key_of(result.benchmark, engine.name if engine else None, result.settings)


def identity_key_of(benchmark_id: str, engine_name: str | None, settings: Settings) -> str:
    """``identity_key`` from its parts."""
    parts = []
    if engine_name:
        parts.append(f"engine:{_bounded(engine_name)}")
    weights = settings.extra.get("weights")
    if weights:
        parts.append(f"weights:{_bounded(str(weights))}")
    method = str(settings.extra.get("input_length_method") or "words")
    if not method.startswith("words"):  # exact token counts: another workload than words
        parts.append("lengths:exact")
    if benchmark_id.startswith(EXTERNAL_PREFIX) or _settings_contradict_definition(
        benchmark_id, settings
    ):  # an imported run's id does not name its settings
        parts.append(f"settings:{_settings_digest(settings)}")
    return " ".join(parts)[:MAX_IDENTITY_CHARS]
