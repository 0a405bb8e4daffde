"""What each request asks for, beyond one fixed length: request-length distributions and
prompt datasets.

- Length distributions: ``--input-tokens-stddev`` / ``--output-tokens-stddev`` draw each
  request's lengths from a normal distribution around ``--input-tokens`` / ``--output-tokens``
  (seeded per request, clipped to at least 1 token; AIPerf's ``--isl-stddev`` convention).
- Datasets (``--dataset FILE``): a JSONL file of prompts, one JSON object a line with
  ``prompt`` (or ``text``) and optionally ``output_tokens`` (or ``max_tokens``) and a
  timestamp (``timestamp_s``, or ``timestamp``/``timestamp_ms`` in ms as Mooncake traces
  write it): when every row has one, the file is a trace and requests are sent at those
  times (relative to the first; at most ``--concurrency`` in flight); or a
  ShareGPT-style JSON list of ``{"conversations": [{"from": "human", "value": ...},
  {"from": "gpt", "value": ...}]}`` (the first human turn is the prompt, the reply's length in
  words its output length). Requests take the rows in order, cycling; a request-unique tag is
  put in front of each prompt so no two requests share a cached prefix.

Either one makes the run a custom benchmark (its id names the spread or the dataset's digest).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from gpuatlas.bench.exact_prompts import ExactPrompts
from gpuatlas.bench.prompts import synthetic_prompt
from gpuatlas.errors import DataFileError

PromptSource = Callable[[int, int], tuple[str, int | None]]


@dataclass(frozen=True)
class DatasetRow:
    prompt: str
    output_tokens: int | None = None
    timestamp_s: float | None = None  # a trace: when the request arrived


@dataclass(frozen=True)
class Dataset:
    name: str
    digest: str  # sha256 prefix of the file: the run identity names it
    rows: tuple[DatasetRow, ...]

    @property
    def is_trace(self) -> bool:
        return all(row.timestamp_s is not None for row in self.rows)

    @property
    def label(self) -> str:
        return f"{'trace' if self.is_trace else 'ds'}-{self.digest}"

    def arrival_offsets_ns(self, first_index: int, count: int) -> np.ndarray:
        """Send times of requests first_index.. (rows in order, cycling: each cycle starts
        one trace span plus the mean gap after the previous), from the first one."""
        stamps = np.asarray([row.timestamp_s or 0.0 for row in self.rows], dtype=float)
        stamps -= stamps.min()
        gaps = np.diff(np.sort(stamps))
        span = float(stamps.max() + (gaps.mean() if gaps.size else 1.0))
        indices = np.arange(first_index, first_index + count)
        times = stamps[indices % len(stamps)] + span * (indices // len(stamps))
        return ((times - times.min()) * 1e9).astype(np.int64)


def load_dataset(path: Path) -> Dataset:
    """A JSONL prompt file or a ShareGPT-style JSON list (DataFileError names bad lines)."""
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise DataFileError(str(path), [f"cannot read file: {error.strerror}"]) from None
    text = raw.decode("utf-8", errors="replace")
    rows = (
        _sharegpt_rows(text, str(path))
        if text.lstrip().startswith("[")
        else _jsonl_rows(text, str(path))
    )
    if not rows:
        raise DataFileError(str(path), ["no prompts in the file"])
    return Dataset(path.name, hashlib.sha256(raw).hexdigest()[:8], tuple(rows))


def _jsonl_rows(text: str, origin: str) -> list[DatasetRow]:
    rows, problems = [], []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except json.JSONDecodeError as error:
            problems.append(f"line {number}: not JSON ({error.msg})")
            continue
        prompt = item.get("prompt", item.get("text")) if isinstance(item, dict) else None
        if not isinstance(prompt, str) or not prompt:
            problems.append(f"line {number}: no 'prompt' (or 'text') string")
            continue
        output = item.get("output_tokens", item.get("max_tokens"))
        rows.append(
            DatasetRow(prompt, int(output) if isinstance(output, int) else None, _timestamp_s(item))
        )
    if problems:
        raise DataFileError(origin, problems[:20])
    return rows


def _timestamp_s(item: dict[str, object]) -> float | None:
    """``timestamp_s`` (seconds), or ``timestamp`` / ``timestamp_ms`` in milliseconds (the
    Mooncake trace convention)."""
    for key, scale in (("timestamp_s", 1.0), ("timestamp_ms", 1e-3), ("timestamp", 1e-3)):
        value = item.get(key)
        if isinstance(value, int | float) and not isinstance(value, bool):
            return float(value) * scale
    return None


def _sharegpt_rows(text: str, origin: str) -> list[DatasetRow]:
    try:
        items = json.loads(text)
    except json.JSONDecodeError as error:
        raise DataFileError(
            origin, [f"line {error.lineno}: not valid JSON ({error.msg})"]
        ) from None
    rows = []
    for item in items if isinstance(items, list) else []:
        turns = item.get("conversations") if isinstance(item, dict) else None
        if not isinstance(turns, list):
            continue
        human = next(
            (
                t.get("value")
                for t in turns
                if isinstance(t, dict) and t.get("from") in ("human", "user")
            ),
            None,
        )
        reply = next(
            (
                t.get("value")
                for t in turns
                if isinstance(t, dict) and t.get("from") in ("gpt", "assistant")
            ),
            None,
        )
        if isinstance(human, str) and human:
            words = len(reply.split()) if isinstance(reply, str) else 0
            rows.append(DatasetRow(human, words or None))
    return rows


@dataclass(frozen=True)
class LengthSpread:
    """Per-request lengths around a mean (stddev 0: every request the mean)."""

    mean: int
    stddev: float = 0.0

    def draw(self, seed: int, index: int, stream: int) -> int:
        if not self.stddev:
            return self.mean
        rng = np.random.default_rng([seed, index, stream])
        return max(1, round(float(rng.normal(self.mean, self.stddev))))


def prompt_source(
    inputs: LengthSpread, outputs: LengthSpread, exact: ExactPrompts | None, dataset: Dataset | None
) -> PromptSource:
    """(seed, index) -> (prompt, output tokens) for the load generator."""

    def make(seed: int, index: int) -> tuple[str, int | None]:
        if dataset is not None:
            row = dataset.rows[index % len(dataset.rows)]
            tag = f"Request {index} tag {seed:x}-{index:x}. "
            return tag + row.prompt, row.output_tokens or outputs.draw(seed, index, 1)
        length = inputs.draw(seed, index, 0)
        prompt = (
            exact(seed, index, length)
            if exact is not None
            else synthetic_prompt(index, length, seed)
        )
        return prompt, outputs.draw(seed, index, 1)

    return make
