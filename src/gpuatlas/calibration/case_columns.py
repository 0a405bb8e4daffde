"""Batch mode over columns: a table of text cases in, value/low/high/error per row out.

The same answers as `batch.predict_fields` row by row, computed the fast way: each column's
distinct values are parsed once; rows with a field problem get the row path's message (once
per distinct row); the other rows are grouped by configuration (GPU, count, model, weights,
engine, KV precision, variant), whose names resolve once, and the LLM metrics of a group are
evaluated together over numpy arrays (`vectorised.evaluate_columns`), error messages included.
Diffusion, training, vision and OCR rows take the row path, once per distinct row.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from itertools import repeat
from operator import itemgetter
from typing import TypeVar

import numpy as np
from numpy.typing import NDArray

from gpuatlas.calibration.case_files import (
    LAYOUTS,
    OPTIONAL_COLUMNS,
    REQUIRED_COLUMNS,
    case_from_fields,
    predict_fields_flagged,
    require_case_build,
    with_name_problems,
)
from gpuatlas.calibration.case_layouts import AUTO_LAYOUT, layout_answers
from gpuatlas.catalog.model_arch import DiffusionArch, OcrArch
from gpuatlas.catalog.systems import GpuSystem
from gpuatlas.errors import GpuAtlasError
from gpuatlas.performance.calibration_table import METRIC_KINDS, current_calibration
from gpuatlas.performance.cases import METRICS, Case, case_system
from gpuatlas.performance.llm.vectorised import (
    DOES_NOT_FIT,
    NONE_FITS,
    OK,
    VECTOR_METRICS,
    LlmColumns,
    VectorisedRuntime,
    evaluate_columns,
    offloaded_rows,
    ollama_spilled_rows,
    reason_message,
    roofline_limits,
    slot_caps,
    vector_for,
)
from gpuatlas.performance.resolve import as_model

FIELDS = (*REQUIRED_COLUMNS, *OPTIONAL_COLUMNS)
NUMERIC_FIELDS = ("gpu_count", "batch", "input_tokens", "output_tokens", "steps", "depth")
Result = tuple[str, str, str, str]  # value, low, high, error
SERVING_METRIC = "serving_output_tok_s"
SERVING = METRIC_KINDS[SERVING_METRIC]
EMPTY_RESULT: Result = ("", "", "", "")
T = TypeVar("T")


@dataclass
class _Table:
    """The case fields as columns of stripped text (one sequence per field, one item per row)
    with each column's distinct texts, and the LLM fields as arrays (parsed once per distinct
    value, on first use)."""

    columns: dict[str, Sequence[str]]
    size: int
    distinct: dict[str, set[str]]
    _arrays: LlmColumns | None = None
    _vector_mask: NDArray[np.bool_] | None = None
    _auto_mask: NDArray[np.bool_] | None = None
    # each row's prediction extrapolated (True/False), None where it has no value
    extrapolated: list[bool | None] = field(default_factory=list)

    def llm_columns(self) -> LlmColumns:
        if self._arrays is None:
            self._arrays = _llm_columns(self)
        return self._arrays

    def vectorised_metric(self) -> NDArray[np.bool_]:
        """Rows the LLM arrays evaluate: a vectorised metric (serving in the best layout too:
        case_layouts.py), without a setting the row path sizes."""
        if self._vector_mask is None:
            vector = self.distinct["metric"].intersection(VECTOR_METRICS)
            mask = np.fromiter(map(vector.__contains__, self.columns["metric"]), bool, self.size)
            # as set: the row path sizes the split (num_ctx, host_ram_gb) or costs a finite
            # run's waves and requests that stop early (requests, mean_output_tokens)
            for stated in ("num_ctx", "host_ram_gb", "requests", "mean_output_tokens"):
                if any(self.distinct[stated]):
                    mask &= ~np.fromiter(map(bool, self.columns[stated]), bool, self.size)
            spread = {
                text
                for text in self.distinct["lengths"]
                if text.strip().lower() not in ("", "fixed")
            }
            if spread:  # ShareGPT replies (or a word the row path refuses)
                mask &= ~np.fromiter(
                    (text in spread for text in self.columns["lengths"]), bool, self.size
                )
            self._vector_mask = mask
        return self._vector_mask

    def best_layout(self) -> NDArray[np.bool_]:
        """Serving rows in the best layout: 'auto', or no layout stated (a user's default)."""
        if self._auto_mask is None:
            auto = {text for text in self.distinct["layout"] if text.lower() in ("", AUTO_LAYOUT)}
            serving = np.fromiter(
                (text == SERVING_METRIC for text in self.columns["metric"]), bool, self.size
            )
            layouts = np.fromiter(map(auto.__contains__, self.columns["layout"]), bool, self.size)
            self._auto_mask = serving & layouts
        return self._auto_mask

    def fields(self, row: int) -> dict[str, str]:
        return {name: column[row] for name, column in self.columns.items()}

    def row_key(self, row: int) -> tuple[str, ...]:
        return tuple(column[row] for column in self.columns.values())


def _table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> _Table:
    width = len(header)
    if set(map(len, rows)) - {width}:
        rows = [[*row[:width], *[""] * (width - len(row))] for row in rows]
    positions = {name: index for index, name in enumerate(header)}  # the last of a repeat
    wanted = [positions[name] for name in FIELDS if name in positions]
    picked = {index: list(map(itemgetter(index), rows)) for index in wanted}
    return _table_of_columns(header, [picked.get(index, []) for index in range(width)], len(rows))


def _table_of_columns(header: Sequence[str], columns: Sequence[Sequence[str]], size: int) -> _Table:
    """The case fields from columns of raw text (one per header name, `size` items each)."""
    positions = {name: index for index, name in enumerate(header)}  # the last of a repeat
    empty = [""] * size
    fields: dict[str, Sequence[str]] = {}
    distinct: dict[str, set[str]] = {}
    for name in FIELDS:
        index = positions.get(name)
        if index is None:
            fields[name], distinct[name] = empty, {""} if size else set()
            continue
        raw = columns[index]
        texts = set(raw)
        clean = _cleaner(name)
        if all(value == clean(value) for value in texts):
            fields[name], distinct[name] = raw, texts
        else:
            stripped = {value: clean(value) for value in texts}
            fields[name] = list(map(stripped.__getitem__, raw))
            distinct[name] = set(stripped.values())
    return _Table(fields, size, distinct)


def _cleaner(name: str) -> Callable[[str], str]:
    """How a field's text is read: stripped; a metric also in lower case ('DECODE_TOK_S')."""
    return _lower_stripped if name == "metric" else str.strip


def _lower_stripped(text: str) -> str:
    return text.strip().lower()


def _number_problem(name: str, text: str) -> bool:
    """Whether case_from_fields would report a problem with this numeric field's text."""
    if not text or (name == "batch" and text.lower() == "max"):
        return False
    try:
        number = float(text)
    except ValueError:
        return True
    if not number.is_integer():  # '1.5', 'inf', 'nan': not a count
        return True
    value = int(number)
    return value < 0 or (name in ("batch", "gpu_count") and value < 1)


def _problem_rows(table: _Table) -> NDArray[np.bool_]:
    """Rows that case_from_fields rejects (each column's distinct values checked once)."""
    bad = np.zeros(table.size, dtype=bool)
    checks: list[tuple[str, Callable[[str], bool]]] = [
        (name, lambda text, name=name: _number_problem(name, text))  # type: ignore[misc]
        for name in NUMERIC_FIELDS
    ]
    checks += [
        ("gpu", lambda text: not text),
        ("model", lambda text: not text),
        ("metric", lambda text: text not in METRICS),
        ("layout", lambda text: bool(text) and text.lower() not in LAYOUTS),
    ]
    for name, check in checks:
        failing = {value for value in table.distinct[name] if check(value)}
        if failing:
            column = table.columns[name]
            bad |= np.fromiter(map(failing.__contains__, column), bool, table.size)
    return bad


class _RowPath:
    """The row-by-row path for what the columns do not vectorise, once per distinct row."""

    def __init__(self, table: _Table) -> None:
        self.table = table
        self.done: dict[tuple[str, ...], tuple[Result, bool | None]] = {}

    def result(self, row: int) -> Result:
        """The row's result (its extrapolated flag noted in the table)."""
        key = self.table.row_key(row)
        found = self.done.get(key)
        if found is None:
            out, flag = predict_fields_flagged(self.table.fields(row))
            found = (out["value"], out["low"], out["high"], out["error"]), flag
            self.done[key] = found
        self.table.extrapolated[row] = found[1]
        return found[0]


def _one_line(text: str) -> str:
    return " ".join(text.split())


# a configuration's rows share one runtime: its variant too (a stated -fa chooses the
# attention path: performance/llm/attention_setting.py)
CONFIG_FIELDS = ("gpu", "gpu_count", "model", "weights", "engine", "kv_cache", "variant")


def _group_rows(table: _Table, bad: NDArray[np.bool_]) -> list[NDArray[np.intp]]:
    """The rows of each configuration without a field problem (ascending), configurations in
    the order they first appear. Each configuration field's distinct texts are numbered once
    and the numbers combined into one code per row, so the rows are grouped by sorting
    integers rather than by hashing a tuple of texts per row."""
    if not table.size:
        return []
    code, bound = np.zeros(table.size, dtype=np.int64), 1  # every code is below `bound`
    for name in CONFIG_FIELDS:
        numbers = {text: index for index, text in enumerate(table.distinct[name])}
        if bound * len(numbers) >= 2**62:  # renumber the codes densely before they overflow
            code = np.unique(code, return_inverse=True)[1].astype(np.int64).reshape(-1)
            bound = int(code.max()) + 1
        column = np.fromiter(map(numbers.__getitem__, table.columns[name]), np.int64, table.size)
        code, bound = code * len(numbers) + column, bound * len(numbers)
    order = np.argsort(code, kind="stable")  # rows ascending within each configuration
    starts = np.flatnonzero(np.r_[True, code[order][1:] != code[order][:-1]])
    groups = np.split(order, starts[1:])
    groups.sort(key=lambda rows: int(rows[0]))  # configurations in order of first appearance
    if bad.any():
        groups = [kept for rows in groups if len(kept := rows[~bad[rows]])]
    return groups


def _llm_columns(table: _Table) -> LlmColumns:
    """Every row's LLM fields as arrays (each column's distinct texts parsed once)."""

    def numbers(name: str) -> NDArray[np.float64]:
        parsed = {text: _number(text) for text in table.distinct[name]}
        return np.fromiter(map(parsed.__getitem__, table.columns[name]), float, table.size)

    metric = np.array(table.columns["metric"])
    batch_text = table.columns["batch"]
    distinct = table.distinct["batch"]
    maximal = {text for text in distinct if text.lower() == "max"}
    empty_or_max = {text for text in distinct if not text} | maximal
    empty = np.fromiter(map(empty_or_max.__contains__, batch_text), bool, table.size)
    is_max = np.fromiter(map(maximal.__contains__, batch_text), bool, table.size)
    serving = metric == "serving_output_tok_s"
    batch = np.where(is_max | (empty & serving), math.nan, np.where(empty, 1.0, numbers("batch")))
    inputs, outputs = numbers("input_tokens"), numbers("output_tokens")
    return LlmColumns(metric, batch, inputs, outputs, np.nan_to_num(numbers("depth")))


def _columns(table: _Table, index: NDArray[np.intp]) -> LlmColumns:
    return table.llm_columns().take(index)


def _number(text: str) -> float:
    """A numeric field as case_from_fields reads it (NaN when empty, 'max' or not a number:
    rows with a field problem never reach the arrays' evaluation)."""
    try:
        return math.nan if not text or text.lower() == "max" else float(int(float(text)))
    except (ValueError, OverflowError):  # 'inf' is refused with the row's other problems
        return math.nan


def _texts(values: NDArray[np.float64]) -> list[str]:
    return [format(value, ".6g") for value in values.tolist()]


def _vector_results(
    vector: VectorisedRuntime,
    index: NDArray[np.intp],
    table: _Table,
    results: list[Result],
    row_path: _RowPath,
    first: Case,
) -> None:
    """One configuration's rows through the arrays: a llama.cpp/Ollama server's request slots
    cap its serving batch (llm.server_slots), and the rows the engine runs partly on the CPU
    (refused here, or spilled at Ollama's default num_ctx) go the row path, as in
    `predict_llm_many`."""
    columns = _columns(table, index)
    found = evaluate_columns(vector, columns, slot_caps(vector, first, columns))
    spilled = ollama_spilled_rows(vector, found.reason, found.batch, columns, first.engine_as_run)
    for row in index[spilled].tolist():
        results[row] = row_path.result(row)
    ok = (found.reason == OK) & ~spilled
    lows, highs = _bands(vector, columns.metric[ok], found.values[ok])
    limits = roofline_limits(vector, columns.take(np.flatnonzero(ok)), found.batch[ok])
    lows, highs = roofline_capped(columns.metric[ok], found.values[ok], lows, highs, limits)

    answered = zip(_texts(found.values[ok]), _texts(lows), _texts(highs), repeat(""))
    _put(results, index[ok].tolist(), answered)
    _put(table.extrapolated, index[ok].tolist(), _flags(vector, columns.metric[ok]))
    failed = ~ok & ~spilled
    offloaded = failed & offloaded_rows(vector, found.reason, found.batch, columns.metric)
    for row in index[offloaded].tolist():
        results[row] = row_path.result(row)
    failed &= ~offloaded
    if not failed.any():
        return
    messages: dict[tuple[int, str, float, float, float], Result] = {}
    reason = found.reason[failed]
    # the brief memory refusals name neither the metric nor, when none fits, batch and fitting
    memory, none_fits = (reason == DOES_NOT_FIT) | (reason == NONE_FITS), reason == NONE_FITS
    keys = zip(
        reason.tolist(),
        np.where(memory, "", columns.metric[failed]).tolist(),
        np.where(none_fits, 1.0, found.batch[failed]).tolist(),
        found.context[failed].tolist(),
        np.where(none_fits, 0.0, found.fitting[failed]).tolist(),
        strict=True,
    )
    keyed = list(keys)
    for key in dict.fromkeys(keyed):  # each distinct message composed once
        message = _one_line(reason_message(vector.runtime, *key, brief=True))
        messages[key] = ("", "", "", message)
    _put(results, index[failed].tolist(), map(messages.__getitem__, keyed))


def _put(results: list[T], rows: list[int], answers: Iterable[T]) -> None:
    """results[row] = answer for each pair, without a Python-level loop per row."""
    deque(map(results.__setitem__, rows, answers), maxlen=0)


def _extrapolated(vector: VectorisedRuntime, kind: str) -> bool:
    """Whether the configuration's predictions of this kind are extrapolated (the group
    runtimes of a layout share its GPU, engine, model and precision: the same answer)."""
    return vector.runtime.extrapolated(current_calibration(), kind)


def _flags(vector: VectorisedRuntime, metric: NDArray[np.str_]) -> list[bool]:
    """Each row's extrapolated flag, by its metric's kind."""
    flags = {name: _extrapolated(vector, METRIC_KINDS[name]) for name in np.unique(metric).tolist()}
    return list(map(flags.__getitem__, metric.tolist()))


def _bands(
    vector: VectorisedRuntime, metric: NDArray[np.str_], values: NDArray[np.float64]
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Each metric's calibrated band (the kind's width, widened when extrapolated)."""
    calibration = current_calibration()
    widths = np.zeros(len(values))
    for name in np.unique(metric).tolist():
        kind = METRIC_KINDS[name]
        low, _ = calibration.band(1.0, kind, vector.runtime.extrapolated(calibration, kind))
        widths[metric == name] = -math.log(low)
    return values * np.exp(-widths), values * np.exp(widths)


TIME_METRICS = ("tpot_ms", "ttft_ms")  # a time's range stops at its floor, a rate's at its ceiling


def roofline_capped(
    metric: NDArray[np.str_],
    values: NDArray[np.float64],
    lows: NDArray[np.float64],
    highs: NDArray[np.float64],
    limits: NDArray[np.float64],
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """The bands stopped at the roofline as the row path stops them (predict.rate_at_most,
    time_at_least): a rate's high end at its ceiling, a time's low end at its floor, never
    past the value itself; NaN limits leave the band as it is."""
    times = np.zeros(len(metric), bool)
    for name in TIME_METRICS:
        times |= metric == name
    known = ~np.isnan(limits)
    capped_high = np.where(limits < highs, np.maximum(values, limits), highs)
    raised_low = np.where(limits > lows, np.minimum(values, limits), lows)
    highs = np.where(known & ~times, capped_high, highs)
    lows = np.where(known & times, raised_low, lows)
    return lows, highs


def _predict_group(
    table: _Table, index: NDArray[np.intp], row_path: _RowPath, results: list[Result]
) -> None:
    """One configuration's rows: a name that does not resolve fails every row alike (the row
    path resolves the system and the model before anything else)."""
    fields = table.fields(int(index[0]))
    try:
        first = case_from_fields(fields)
    except GpuAtlasError:  # a problem of the row kind's own (a training row's variant words)
        for row in index.tolist():
            results[row] = row_path.result(row)
        return
    try:
        case_system(first)
        model = as_model(first.model)
        require_case_build(first, fields)
    except GpuAtlasError as error:
        _fail(index.tolist(), with_name_problems(error, fields), results)
        return
    vector_index = index[:0]
    if not isinstance(model, DiffusionArch | OcrArch):
        vector_index = index[table.vectorised_metric()[index]]
    if len(vector_index) < len(index):
        others = index if not len(vector_index) else index[~table.vectorised_metric()[index]]
        for row in others.tolist():
            results[row] = row_path.result(row)
    if not len(vector_index):
        return
    try:
        vector = vector_for(first)
    except GpuAtlasError as error:
        _fail(vector_index.tolist(), with_name_problems(error, fields), results)
        return
    except (ValueError, ArithmeticError) as error:
        _fail(vector_index.tolist(), str(error), results)
        return
    whole = vector.runtime.system
    if whole.gpu_count > 1:
        auto = table.best_layout()[vector_index]
        if auto.any():
            vector_index = _best_layout_results(
                (vector, first, whole), vector_index, auto, table, row_path, results
            )
    _vector_results(vector, vector_index, table, results, row_path, first)


def _best_layout_results(
    configuration: tuple[VectorisedRuntime, Case, GpuSystem],
    index: NDArray[np.intp],
    auto: NDArray[np.bool_],
    table: _Table,
    row_path: _RowPath,
    results: list[Result],
) -> NDArray[np.intp]:
    """The serving rows in the best layout (`auto` of `index`) that a layout serves, or the
    row path where it must answer them; the rows left to `_vector_results` (the others, and
    those no layout serves: the row path reports the whole system's error, the tensor
    layout's)."""
    first_vector, first, whole = configuration
    rows = index[auto]
    found = layout_answers(first, whole, _columns(table, rows), _bands)
    for row in rows[found.row_path].tolist():
        results[row] = row_path.result(row)
    served = found.served
    answered = zip(
        _texts(found.values[served]),
        _texts(found.lows[served]),
        _texts(found.highs[served]),
        repeat(""),
    )
    _put(results, rows[served].tolist(), answered)
    _put(table.extrapolated, rows[served].tolist(), repeat(_extrapolated(first_vector, SERVING)))
    left = np.ones(len(index), bool)
    left[np.flatnonzero(auto)[served | found.row_path]] = False
    return index[left]


def _fail(rows: list[int], message: str, results: list[Result]) -> None:
    failed: Result = ("", "", "", _one_line(message))
    for row in rows:
        results[row] = failed


def predict_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[Result]:
    """(value, low, high, error) for every row, in order: the row path's answers."""
    return _predict(_table([name.strip() for name in header], rows))


def predict_columns(
    header: Sequence[str], columns: Sequence[Sequence[str]], size: int
) -> list[Result]:
    """`predict_table` for the same cases given as columns: one sequence of `size` texts per
    header name (a CSV read column by column, without a list per row)."""
    if len(columns) != len(header) or any(len(column) != size for column in columns):
        raise ValueError("one column of `size` texts per header name")
    return _predict(_table_of_columns([name.strip() for name in header], columns, size))


def predict_table_flagged(
    header: Sequence[str], rows: Sequence[Sequence[str]]
) -> tuple[list[Result], list[bool | None]]:
    """`predict_table` and each row's extrapolated flag (None where it has no value)."""
    table = _table([name.strip() for name in header], rows)
    return _predict(table), table.extrapolated


def _predict(table: _Table) -> list[Result]:
    results: list[Result] = [EMPTY_RESULT] * table.size
    table.extrapolated = [None] * table.size
    row_path = _RowPath(table)
    bad = _problem_rows(table)
    for row in np.flatnonzero(bad).tolist():
        results[row] = row_path.result(row)
    for rows_of_group in _group_rows(table, bad):
        _predict_group(table, rows_of_group, row_path, results)
    return results
