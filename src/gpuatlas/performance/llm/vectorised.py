"""Many LLM cases at once: the scalar path's own formulas evaluated over numpy arrays.

Cases that share a configuration (GPU, count, model, weights, engine, KV precision) share one
`LlmRuntime`; batch sizes and lengths vary as arrays. The step times (`LlmRuntime`), memory fit
(`memory.fitting_sequences`) and serving rate (`predict.serving_rate`) are written once over
`primitives.Primitives` and called here with `ARRAY`; this module only groups cases, picks the
metric and the reason a case cannot be predicted. `predict_llm_many` returns the point values
(NaN where a case cannot be predicted) and is what the capacity planner and the 100,000-case
speed benchmark use.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass
from operator import attrgetter
from typing import Any, TypeVar

import numpy as np
from numpy.typing import NDArray

from gpuatlas.errors import GpuAtlasError
from gpuatlas.performance.cases import (
    DEPTH_NOT_SERVING,
    Case,
    case_llm_runtime,
    case_system,
    predict_case,
)
from gpuatlas.performance.kv_cache_choice import resolved_kv_cache
from gpuatlas.performance.llm.memory import MemoryInputs, fitting_sequences, max_sequences
from gpuatlas.performance.llm.offload_speed import (
    OFFLOAD_ENGINE_NAMES,
    automatic_offload,
    offloads,
    ollama_default_context,
    splits_by_itself,
)
from gpuatlas.performance.llm.predict import cycle_from_step_times, serving_rate
from gpuatlas.performance.llm.refusal import (
    brief_does_not_fit_message,
    does_not_fit_message,
    memory_inputs,
    no_sequence_fits_message,
)
from gpuatlas.performance.llm.server_slots import server_slots
from gpuatlas.performance.llm.step_times import LlmRuntime
from gpuatlas.performance.primitives import ARRAY

Array = NDArray[np.float64]
K = TypeVar("K", bound=Hashable)
VECTOR_METRICS = ("decode_tok_s", "tpot_ms", "prefill_tok_s", "ttft_ms", "serving_output_tok_s")


class VectorisedRuntime:
    """One runtime's formulas over arrays: the step times are `LlmRuntime`'s own formulas
    evaluated with numpy primitives (`ARRAY`)."""

    def __init__(self, runtime: LlmRuntime) -> None:
        self.runtime = runtime

    def kv_bytes(self, context: Array) -> Array:
        """KV bytes of one sequence over an array of whole-token contexts (all GPUs)."""
        return np.asarray(self.runtime.kv_cache_bytes(context, ARRAY), dtype=float)

    def decode_step_s(self, batch: Array, context: Array) -> Array:
        return np.asarray(self.runtime.decode_step_s(batch, context, ARRAY), dtype=float)

    def prefill_s(self, tokens: Array, batch: Array, cached: Array | float = 0.0) -> Array:
        return np.asarray(self.runtime.prefill_s(tokens, batch, cached, ARRAY), dtype=float)

    def decode_floor_s(self, batch: Array, context: Array) -> Array:
        return np.asarray(self.runtime.decode_floor_s(batch, context, ARRAY), dtype=float)

    def prefill_floor_s(self, tokens: Array, batch: Array, cached: Array | float = 0.0) -> Array:
        return np.asarray(self.runtime.prefill_floor_s(tokens, batch, cached, ARRAY), dtype=float)

    def score_bytes(self, tokens: Array, batch: Array) -> Array:
        """LlmRuntime.score_bytes over arrays."""
        return np.zeros_like(tokens, dtype=float) + self.runtime.score_bytes(tokens, batch, ARRAY)

    def max_sequences(self, context: Array) -> Array:
        """memory.max_sequences over an array of contexts (the same formula)."""
        r = self.runtime
        inputs = MemoryInputs(
            system=r.system,
            model=r.model,
            weight_format=r.weight_format,
            engine=r.engine,
            kv_bytes_per_element=r.kv_bytes_per_element,
            kv_cache_id="",  # not read here
        )
        fitting = fitting_sequences(inputs, r.system.gpu_count, context, None, ARRAY)
        return np.asarray(fitting, dtype=float)

    def serving_rate(
        self, batch: Array, inputs: Array, outputs: Array, ttft_s: Array, tpot_s: Array
    ) -> Array:
        """llm.serving_output_tok_s over arrays (the same formula)."""
        cycle_s = cycle_from_step_times(self.runtime, batch, outputs, ttft_s, tpot_s)
        return np.asarray(serving_rate(self.runtime, batch, outputs, cycle_s), dtype=float)


# Why a case cannot be predicted, in the order the scalar path checks (codes of
# LlmEvaluation.reason; OK = predicted).
(
    OK,
    NO_LENGTHS,
    SERVING_NO_OUTPUT,
    PREFILL_NO_INPUT,
    MAX_NOT_SERVING,
    NONE_FITS,
    BATCH_BELOW_ONE,
    DOES_NOT_FIT,
    DEPTH_IN_SERVING,
) = range(9)
PREFILL_METRICS = ("prefill_tok_s", "ttft_ms")


@dataclass(frozen=True)
class LlmColumns:
    """The per-case fields of LLM cases that share one configuration, as arrays: `batch` NaN
    means 'max' (the largest batch that fits), lengths NaN mean an empty field."""

    metric: NDArray[np.str_]
    batch: Array
    input_tokens: Array
    output_tokens: Array
    depth: Array  # tokens already in the KV cache (llama-bench -d); 0 where empty

    @staticmethod
    def of(cases: Sequence[Case]) -> LlmColumns:
        metrics = [c.metric for c in cases]
        batches = list(zip([c.batch for c in cases], metrics, strict=True))
        return LlmColumns(
            metric=np.array(metrics, dtype=str),
            batch=_converted(batches, lambda pair: _batch_value(*pair)),
            input_tokens=_converted([c.input_tokens for c in cases], _number),
            output_tokens=_converted([c.output_tokens for c in cases], _number),
            depth=_converted([c.depth or 0 for c in cases], float),
        )

    def take(self, index: NDArray[np.intp]) -> LlmColumns:
        """The cases at these positions."""
        return LlmColumns(
            self.metric[index],
            self.batch[index],
            self.input_tokens[index],
            self.output_tokens[index],
            self.depth[index],
        )


def _number(value: int | None) -> float:
    return math.nan if value is None else float(value)


def _converted(values: Sequence[K], convert: Callable[[K], float]) -> Array:
    """`convert` over `values` as an array, called once per distinct value (a batch repeats
    few batch sizes and lengths)."""
    table = {value: convert(value) for value in set(values)}
    return np.fromiter(map(table.__getitem__, values), float, len(values))


def group_positions(keys: Iterable[Hashable]) -> list[NDArray[np.intp]]:
    """The positions of each distinct key (ascending), groups in the order keys first appear
    (one hash per key: faster than codes and a sort on 100,000 freshly read rows)."""
    groups: dict[Hashable, list[int]] = {}
    for position, key in enumerate(keys):
        groups.setdefault(key, []).append(position)
    return [np.array(rows, dtype=np.intp) for rows in groups.values()]


def _batch_value(batch: int | str | None, metric: str) -> float:
    """A case's batch as a number: NaN for 'max' (and for an empty serving batch, which
    means max), 1 for an empty batch of the other metrics."""
    if batch == "max" or (batch is None and metric == "serving_output_tok_s"):
        return math.nan
    return 1.0 if batch is None else float(batch)


@dataclass(frozen=True)
class LlmEvaluation:
    """Point values (NaN where not predictable), the reason code of each case, and the batch,
    context and fitting sequences the memory check used (for the error messages)."""

    values: Array
    reason: NDArray[np.int64]
    batch: Array
    context: Array
    fitting: Array


def evaluate_columns(
    vector: VectorisedRuntime, columns: LlmColumns, slot_caps: Array | None = None
) -> LlmEvaluation:
    """Every metric of VECTOR_METRICS over one configuration's cases (scalar semantics);
    `slot_caps`: the request slots of a llama.cpp/Ollama server per case (None: no slots)."""
    metric = columns.metric
    no_lengths = np.isnan(columns.input_tokens) & np.isnan(columns.output_tokens)
    inputs = np.nan_to_num(columns.input_tokens)
    outputs = np.nan_to_num(columns.output_tokens)
    serving = metric == "serving_output_tok_s"
    wants_max = np.isnan(columns.batch)
    decode_outputs = np.where(serving, outputs, np.maximum(outputs, 1.0))
    depth = columns.depth
    fit_context = depth + inputs + decode_outputs
    fitting = vector.max_sequences(fit_context)
    limit = np.minimum(fitting, vector.runtime.engine.max_batch)
    requested = np.where(wants_max, np.where(serving, limit, 1.0), columns.batch)
    # a server runs what its running cap (the per-GPU budget of LlmRuntime.server) and KV pool
    # allow and queues the other requests (predict.running_batch)
    server = vector.runtime.server
    running = (
        requested if server is vector.runtime else np.minimum(requested, server.engine.max_batch)
    )
    if slot_caps is not None:  # a llama.cpp/Ollama server runs its slots (llm.server_slots)
        requested = np.where(wants_max & serving, np.minimum(requested, slot_caps), requested)
        running = np.minimum(running, slot_caps)
    batch = np.where(serving, np.minimum(running, fitting), requested)
    context = depth + inputs + decode_outputs / 2
    tpot_s = vector.decode_step_s(batch, context)
    ttft_s = vector.prefill_s(inputs, batch, depth)
    ttft_s = ttft_s + np.where(serving | (inputs <= 0), 0.0, vector.runtime.call_wire_s)
    if server is not vector.runtime and serving.any():  # prompts in the server's chunks
        ttft_s = np.where(serving, VectorisedRuntime(server).prefill_s(inputs, batch), ttft_s)
    with np.errstate(divide="ignore", invalid="ignore"):
        values = _first_match(
            [
                metric == "decode_tok_s",
                metric == "tpot_ms",
                metric == "prefill_tok_s",
                metric == "ttft_ms",
                serving,
            ],
            [
                batch / tpot_s,
                tpot_s * 1e3,
                batch * inputs / ttft_s,
                ttft_s * 1e3,
                vector.serving_rate(batch, inputs, outputs, ttft_s, tpot_s),
            ],
            default=np.nan,
        )
    reason = _first_match(
        [
            no_lengths,
            serving & (depth > 0),
            serving & (outputs < 1),
            ~serving & _prefill_metric(metric) & (inputs < 1),
            ~serving & wants_max,
            wants_max & (batch < 1),
            requested < 1,
            serving & (fitting < 1),
            batch > fitting,
        ],
        [
            NO_LENGTHS,
            DEPTH_IN_SERVING,
            SERVING_NO_OUTPUT,
            PREFILL_NO_INPUT,
            MAX_NOT_SERVING,
            NONE_FITS,
            BATCH_BELOW_ONE,
            NONE_FITS,
            DOES_NOT_FIT,
        ],
        default=OK,
    )
    values = np.where(reason == OK, values, np.nan)
    return LlmEvaluation(values, reason, requested, fit_context, fitting)


def roofline_limits(vector: VectorisedRuntime, columns: LlmColumns, batch: Array) -> Array:
    """Each predicted case's roofline limit in its metric's unit (`batch`: the batch it was
    evaluated at, LlmEvaluation.batch): the decode or prefill step at its FLOPs at peak or its
    bytes at full bandwidth (`LlmRuntime.decode_floor_s`), as a rate's ceiling or a time's
    floor, where its range stops (predict.rate_at_most / time_at_least on the row path); NaN
    for serving, whose range is not capped. Only `predict --cases` prints ranges, so only it
    asks."""
    metric = columns.metric
    inputs = np.nan_to_num(columns.input_tokens)
    outputs = np.maximum(np.nan_to_num(columns.output_tokens), 1.0)
    context = columns.depth + inputs + outputs / 2
    batch = np.maximum(batch, 1.0)
    decode_floor = vector.decode_floor_s(batch, context)
    prefill_floor = vector.prefill_floor_s(inputs, batch, columns.depth)
    with np.errstate(divide="ignore", invalid="ignore"):
        return _first_match(
            [
                metric == "decode_tok_s",
                metric == "tpot_ms",
                metric == "prefill_tok_s",
                metric == "ttft_ms",
            ],
            [
                batch / decode_floor,
                decode_floor * 1e3,
                np.where(prefill_floor > 0, batch * inputs / prefill_floor, np.inf),
                prefill_floor * 1e3,
            ],
            default=np.nan,
        )


def _first_match(
    conditions: Sequence[NDArray[np.bool_]],
    choices: Sequence[Array | int],
    default: float,
) -> NDArray[Any]:
    """np.select's answer (each case takes the choice of its first true condition, else
    `default`), by np.where from the last condition back: the same array in less than half
    of np.select's time on one configuration's few hundred cases."""
    found: NDArray[Any] = np.full(len(conditions[0]), default)
    for condition, choice in zip(reversed(conditions), reversed(choices), strict=True):
        found = np.where(condition, choice, found)
    return found


def _prefill_metric(metric: NDArray[np.str_]) -> NDArray[np.bool_]:
    """Whether each metric is one of PREFILL_METRICS (np.isin's sort costs more on few rows)."""
    found = np.zeros(len(metric), bool)
    for name in PREFILL_METRICS:
        found |= metric == name
    return found


def reason_message(
    runtime: LlmRuntime,
    code: int,
    metric: str,
    batch: float,
    context: float,
    fitting: float,
    *,
    brief: bool = False,
) -> str:
    """The scalar path's error message for a case the evaluation marked with `code`; `brief`:
    a memory refusal without the search for what would fit (many-case batches)."""
    messages = {
        NO_LENGTHS: f"{metric} needs input_tokens and/or output_tokens",
        SERVING_NO_OUTPUT: "output_tokens must be at least 1 for serving throughput",
        PREFILL_NO_INPUT: f"{metric} needs input_tokens >= 1",
        MAX_NOT_SERVING: f"batch 'max' is only for serving_output_tok_s ({metric})",
        BATCH_BELOW_ONE: f"batch must be at least 1, got {int(batch)}",
        DEPTH_IN_SERVING: DEPTH_NOT_SERVING,
    }
    if brief and code in (DOES_NOT_FIT, NONE_FITS):
        fits = int(fitting) if code == DOES_NOT_FIT else 0
        requested = int(batch) if code == DOES_NOT_FIT else 1
        return brief_does_not_fit_message(runtime, requested, int(context), fits)
    if code == DOES_NOT_FIT:
        return does_not_fit_message(runtime, int(batch), int(context), int(fitting))
    if code == NONE_FITS:
        return no_sequence_fits_message(runtime, int(context))
    return messages[code]


def vector_for(case: Case) -> VectorisedRuntime:
    """The vectorised formulas of a case's configuration, resolved in the scalar path's order
    (system, KV precision, runtime) so that an error is the scalar path's error."""
    system = case_system(case)
    kv_cache = resolved_kv_cache(case.kv_cache, case.engine, case.weights, system.gpu)
    return VectorisedRuntime(case_llm_runtime(case, system, case.model, kv_cache))


_CONFIGURATION = attrgetter(
    "gpu",
    "gpu_count",
    "model",
    "weights",
    "engine",
    "kv_cache",
    "engine_text",
    "server_slots",
    "variant",
    "serves",  # a server's own attention default (cases.case_llm_runtime)
)


def predict_llm_many(cases: Sequence[Case]) -> Array:
    """Point values for LLM cases (metrics in VECTOR_METRICS); NaN where not predictable."""
    values = np.full(len(cases), np.nan)
    if not cases:
        return values
    whole = LlmColumns.of(cases)
    for index in group_positions(map(_CONFIGURATION, cases)):
        columns = whole.take(index)
        try:
            vector = vector_for(cases[int(index[0])])
            caps = slot_caps(vector, cases[int(index[0])], columns)
        except GpuAtlasError:
            continue
        found = evaluate_columns(vector, columns, caps)
        values[index] = found.values
        offloaded = offloaded_rows(vector, found.reason, found.batch, columns.metric)
        offloaded |= ollama_spilled_rows(
            vector, found.reason, found.batch, columns, cases[int(index[0])].engine_as_run
        )
        for position in index[offloaded].tolist():
            values[position] = _row_path_value(cases[position])
    for position, case in enumerate(cases):  # the row path: finite serving runs (waves), and a
        # context as set (num_ctx, -c), which sizes the slots and the GPU/CPU split
        finite = case.requests is not None or case.mean_output_tokens is not None
        waves = finite and case.metric == "serving_output_tok_s"
        if waves or case.num_ctx is not None:
            values[position] = _row_path_value(case)
    return values


def slot_caps(vector: VectorisedRuntime, case: Case, columns: LlmColumns) -> Array | None:
    """The request slots of a llama.cpp/Ollama server for each case of one configuration
    (llm.server_slots, once per distinct context: Ollama's automatic choice depends on
    num_ctx); None for engines without slots."""
    runtime = vector.runtime
    serving = columns.metric == "serving_output_tok_s"
    if runtime.engine.engine not in OFFLOAD_ENGINE_NAMES or not serving.any():
        return None
    kv_cache = resolved_kv_cache(case.kv_cache, case.engine, case.weights, runtime.system.gpu)
    contexts = np.nan_to_num(columns.input_tokens) + np.nan_to_num(columns.output_tokens)

    def slots_at(context: float) -> float:
        found = server_slots(runtime, case.engine_text, case.server_slots, int(context), kv_cache)
        return math.inf if found is None else float(found.slots)

    return _converted(contexts.tolist(), slots_at)


def offloaded_rows(
    vector: VectorisedRuntime,
    reason: NDArray[np.int_],
    batch: NDArray[np.float64],
    metric: NDArray[np.str_],
) -> NDArray[np.bool_]:
    """Refused rows that llama.cpp/Ollama run with some layers on the CPU (one sequence that
    does not fit the GPU; serving rows at any concurrency, llm.serving_offload): the row path
    predicts them (performance/llm/offload_speed.py)."""
    serving = metric == "serving_output_tok_s"  # any concurrency: the server's slots run it
    candidates = ((reason == DOES_NOT_FIT) | (reason == NONE_FITS)) & ((batch == 1) | serving)
    if not candidates.any():  # most groups: nothing refused, no engine to look at
        return candidates
    inputs = memory_inputs(vector.runtime, "fp16")
    if not offloads(inputs) or not splits_by_itself(inputs):  # older llama.cpp builds refuse
        return np.zeros(len(reason), bool)
    if automatic_offload(inputs, 1, num_ctx=1) is None:  # not one layer fits even at 1 token
        return np.zeros(len(reason), bool)
    return candidates


def ollama_spilled_rows(
    vector: VectorisedRuntime,
    reason: NDArray[np.int_],
    batch: NDArray[np.float64],
    columns: LlmColumns,
    engine_text: str,
) -> NDArray[np.bool_]:
    """Rows that fit the GPU at their own context but that Ollama runs partly on the CPU: it
    holds KV for its default num_ctx whatever the prompt (32,768 tokens on a 24 GiB card from
    0.15.5), and the model does not fit whole at that (offload_speed.allocated_context); the
    row path predicts them. Longer contexts are the refused rows of `offloaded_rows`."""
    none = np.zeros(len(reason), bool)
    runtime = vector.runtime
    if runtime.engine.engine != "ollama":
        return none
    rows = (reason == OK) & ((batch == 1) | (columns.metric == "serving_output_tok_s"))
    if not rows.any():
        return none
    inputs = memory_inputs(runtime, "fp16")
    if not offloads(inputs):
        return none
    default = ollama_default_context(inputs, engine_text).tokens
    if max_sequences(inputs, runtime.system.gpu_count, default) >= 1:
        return none
    inputs_tokens = np.nan_to_num(columns.input_tokens)
    context = inputs_tokens + np.maximum(np.nan_to_num(columns.output_tokens), 1.0)
    return rows & (context <= default)


def _row_path_value(case: Case) -> float:
    try:
        return predict_case(case).value
    except GpuAtlasError:
        return math.nan
