"""Many LLM cases at once: the same formulas as `llm_speed`/`memory`, over numpy arrays.

Cases that share a configuration (GPU, count, model, weights, engine, KV precision) share one
`LlmRuntime`; batch sizes and lengths vary as arrays. `predict_llm_many` returns the point
values of the LLM metrics (NaN where a case cannot be predicted) and is what the capacity
planner and the 100,000-case speed benchmark use. Tests check it against the scalar path.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from gpuatlas.errors import GpuAtlasError
from gpuatlas.performance.cases import Case, case_system
from gpuatlas.performance.collectives import layer_split_hop_s, tensor_parallel_step_s
from gpuatlas.performance.engine_profiles import auto_kv_cache
from gpuatlas.performance.llm.memory import DRIVER_RESERVE_GB, GB, LOGIT_BYTES
from gpuatlas.performance.llm.predict import (
    does_not_fit_message,
    llm_runtime,
    no_sequence_fits_message,
    serving_params,
)
from gpuatlas.performance.llm.step_times import RIDGE_SHARPNESS, LlmRuntime
from gpuatlas.performance.peak_rates import memory_capacity_gb

Array = NDArray[np.float64]
VECTOR_METRICS = ("decode_tok_s", "tpot_ms", "prefill_tok_s", "ttft_ms", "serving_output_tok_s")


@dataclass(frozen=True)
class _Affine:
    """t(tokens) = fixed + per_token·tokens for tokens > 0, else 0."""

    fixed_s: float
    per_token_s: float

    def __call__(self, tokens: Array) -> Array:
        return np.where(tokens > 0, self.fixed_s + self.per_token_s * tokens, 0.0)


def _communication(runtime: LlmRuntime) -> _Affine:
    system, model = runtime.system, runtime.model
    if system.gpu_count <= 1:
        return _Affine(0.0, 0.0)
    if runtime.engine.multi_gpu == "tensor":
        one = tensor_parallel_step_s(system, model.num_layers, 1, model.hidden_size)
        two = tensor_parallel_step_s(system, model.num_layers, 2, model.hidden_size)
        return _Affine(one - (two - one), two - one)
    one, two = layer_split_hop_s(system, 1, model.hidden_size), layer_split_hop_s(
        system, 2, model.hidden_size)
    return _Affine(one - (two - one), two - one)


class VectorisedRuntime:
    """One runtime's formulas over arrays."""

    def __init__(self, runtime: LlmRuntime) -> None:
        self.runtime = runtime
        model = runtime.model
        self.kv_layer_bytes = model.kv_elements_per_token_per_layer() * runtime.kv_bytes_per_element
        self.full_layers = model.full_attention_layers
        self.sliding_layers = len(model.sliding_window_layers)
        self.window = float(model.sliding_window or 0)
        if model.kv_lora_rank > 0:
            qk, v = model.qk_nope_head_dim + model.qk_rope_head_dim, model.v_head_dim
        else:
            qk = v = model.head_dim
        self.attention_per_position = 2.0 * model.num_attention_heads * (qk + v)
        self.head_flops = 2.0 * model.vocab_size * model.hidden_size
        self.comm = _communication(runtime)

    def _attended(self, context: Array) -> Array:
        window = np.minimum(context, self.window) if self.window else context
        return self.full_layers * context + self.sliding_layers * window

    def kv_bytes(self, context: Array) -> Array:
        """model.kv_cache_bytes over an array of whole-token contexts."""
        return self.kv_layer_bytes * self._attended(context)

    def attention_flops(self, context: Array) -> Array:
        return np.where(context > 0, self.attention_per_position * self._attended(context), 0.0)

    def weight_bytes(self, tokens: Array) -> Array:
        shape = self.runtime.shape
        if shape.num_experts == 0:
            return np.full_like(tokens, shape.step_read_bytes)
        share = shape.experts_per_token / shape.num_experts
        touched = shape.num_experts * (1.0 - (1.0 - share) ** np.maximum(tokens, 1.0))
        return shape.step_read_bytes + shape.moe_layers * touched * shape.expert_bytes

    def decode_step_s(self, batch: Array, context: Array) -> Array:
        r = self.runtime
        whole = np.floor(context)
        moved = self.weight_bytes(batch) / r.split + batch * self.kv_bytes(whole) / r.kv_split
        flops = batch * (r.shape.matmul_flops_per_token + self.attention_flops(whole)) / r.split
        compute_s = flops / (r.peak_flops * r.decode.eta_compute)
        memory_s = moved / (r.bandwidth_bytes_s * r.decode.eta_memory)
        high = np.maximum(compute_s, memory_s)
        low = np.minimum(compute_s, memory_s) / np.where(high > 0, high, 1.0)
        sharp = RIDGE_SHARPNESS
        core = high * (1.0 + low**sharp) ** (1.0 / sharp) * r.decode.factor
        sequences_s = batch * r.engine.sequence_overhead_us * 1e-6
        return core + r.decode_overhead_s + sequences_s + self.comm(batch)

    def prefill_s(self, tokens: Array, batch: Array) -> Array:
        r = self.runtime
        body = r.shape.matmul_flops_per_token - self.head_flops
        attention = tokens * self.attention_flops(np.maximum(tokens // 2, 1))
        flops = batch * (tokens * body + self.head_flops + attention) / r.split
        kv_write = batch * tokens * self.kv_bytes(np.ones_like(tokens)) / r.kv_split
        moved = self.weight_bytes(batch * tokens) / r.split + kv_write
        compute_s = flops / (r.peak_flops * r.prefill.eta_compute)
        memory_s = moved / (r.bandwidth_bytes_s * r.prefill.eta_memory)
        steps = np.ceil(batch * tokens / r.engine.prefill_chunk_tokens)
        core = np.maximum(compute_s, memory_s) * r.prefill.factor
        scores_s = self.score_bytes(tokens, batch) / (r.bandwidth_bytes_s * r.prefill.eta_memory)
        total = core + scores_s + steps * r.prefill_overhead_s + self.comm(batch * tokens)
        return np.where(tokens > 0, total, 0.0)

    def score_bytes(self, tokens: Array, batch: Array) -> Array:
        """LlmRuntime.score_bytes over arrays."""
        r, model = self.runtime, self.runtime.model
        if r.engine.attention_score_bytes == 0:
            return np.zeros_like(tokens)
        window = np.minimum(tokens, model.sliding_window) if model.sliding_window else tokens
        pairs = model.full_attention_layers * tokens * tokens / 2
        pairs = pairs + len(model.sliding_window_layers) * tokens * window / 2
        heads = model.num_attention_heads / r.split
        return batch * heads * pairs * r.engine.attention_score_bytes

    def max_sequences(self, context: Array) -> Array:
        """memory.max_sequences over an array of contexts."""
        r, engine, model = self.runtime, self.runtime.engine, self.runtime.model
        count = r.system.gpu_count
        block = engine.kv_block_tokens
        padded = np.ceil(context / block) * block
        shards = r.kv_split if engine.multi_gpu == "tensor" else count
        per_sequence = self.kv_bytes(padded) / shards / GB
        step_tokens = np.minimum(engine.prefill_chunk_tokens, context)
        shard = count if engine.multi_gpu == "tensor" else 1
        per_token = model.hidden_size * 2.0 * 8 + model.intermediate_size * 2.0 * 3 / shard
        logits = model.vocab_size * LOGIT_BYTES / GB
        activations = (step_tokens * per_token) / GB + logits
        activations += engine.activation_gb_per_1k_batch_tokens * step_tokens / 1000
        capacity = memory_capacity_gb(r.system.gpu)
        usable = capacity - DRIVER_RESERVE_GB if engine.memory_fraction >= 1.0 else (
            capacity * engine.memory_fraction)
        weights = r.shape.total_weight_bytes / count / GB
        free = usable - (weights + activations + engine.cuda_context_gb)
        fitting = np.floor((free + logits) / (per_sequence + logits))
        return np.where(free < per_sequence, 0.0, np.maximum(fitting, 0.0))

    def serving_rate(
        self, batch: Array, inputs: Array, outputs: Array, ttft_s: Array, tpot_s: Array
    ) -> Array:
        """llm.serving_output_tok_s over arrays."""
        engine_sequence_s = batch * self.runtime.engine.sequence_overhead_us * 1e-6
        cycle_s = ttft_s + outputs * (tpot_s - engine_sequence_s)
        params = serving_params(self.runtime)
        sequence_s = outputs * batch * params.sequence_overhead_us * 1e-6
        return batch * outputs / (cycle_s / params.factor + sequence_s)


# Why a case cannot be predicted, in the order the scalar path checks (codes of
# LlmEvaluation.reason; OK = predicted).
OK, NO_LENGTHS, SERVING_NO_OUTPUT, PREFILL_NO_INPUT, MAX_NOT_SERVING, NONE_FITS, \
    BATCH_BELOW_ONE, DOES_NOT_FIT = range(8)
PREFILL_METRICS = ("prefill_tok_s", "ttft_ms")


@dataclass(frozen=True)
class LlmColumns:
    """The per-case fields of LLM cases that share one configuration, as arrays: `batch` NaN
    means 'max' (the largest batch that fits), lengths NaN mean an empty field."""

    metric: NDArray[np.str_]
    batch: Array
    input_tokens: Array
    output_tokens: Array

    @staticmethod
    def of(cases: Sequence[Case]) -> LlmColumns:
        def number(value: int | None) -> float:
            return math.nan if value is None else float(value)

        return LlmColumns(
            metric=np.array([c.metric for c in cases]),
            batch=np.array([_batch_value(c.batch, c.metric) for c in cases], dtype=float),
            input_tokens=np.array([number(c.input_tokens) for c in cases], dtype=float),
            output_tokens=np.array([number(c.output_tokens) for c in cases], dtype=float),
        )


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


def evaluate_columns(vector: VectorisedRuntime, columns: LlmColumns) -> LlmEvaluation:
    """Every metric of VECTOR_METRICS over one configuration's cases (scalar semantics)."""
    metric = columns.metric
    no_lengths = np.isnan(columns.input_tokens) & np.isnan(columns.output_tokens)
    inputs = np.nan_to_num(columns.input_tokens)
    outputs = np.nan_to_num(columns.output_tokens)
    serving = metric == "serving_output_tok_s"
    wants_max = np.isnan(columns.batch)
    decode_outputs = np.where(serving, outputs, np.maximum(outputs, 1.0))
    fit_context = inputs + decode_outputs
    fitting = vector.max_sequences(fit_context)
    limit = np.minimum(fitting, vector.runtime.engine.max_batch)
    batch = np.where(wants_max, np.where(serving, limit, 1.0), columns.batch)
    context = inputs + decode_outputs / 2
    tpot_s = vector.decode_step_s(batch, context)
    ttft_s = vector.prefill_s(inputs, batch)
    with np.errstate(divide="ignore", invalid="ignore"):
        values = np.select(
            [metric == "decode_tok_s", metric == "tpot_ms", metric == "prefill_tok_s",
             metric == "ttft_ms", serving],
            [batch / tpot_s, tpot_s * 1e3, batch * inputs / ttft_s, ttft_s * 1e3,
             vector.serving_rate(batch, inputs, outputs, ttft_s, tpot_s)],
            default=np.nan,
        )
    reason = np.select(
        [no_lengths, serving & (outputs < 1),
         ~serving & np.isin(metric, PREFILL_METRICS) & (inputs < 1), ~serving & wants_max,
         wants_max & (batch < 1), batch < 1, batch > fitting],
        [NO_LENGTHS, SERVING_NO_OUTPUT, PREFILL_NO_INPUT, MAX_NOT_SERVING, NONE_FITS,
         BATCH_BELOW_ONE, DOES_NOT_FIT],
        default=OK,
    )
    values = np.where(reason == OK, values, np.nan)
    return LlmEvaluation(values, reason, batch, fit_context, fitting)


def reason_message(
    runtime: LlmRuntime, code: int, metric: str, batch: float, context: float, fitting: float
) -> str:
    """The scalar path's error message for a case the evaluation marked with `code`."""
    messages = {
        NO_LENGTHS: f"{metric} needs input_tokens and/or output_tokens",
        SERVING_NO_OUTPUT: "output_tokens must be at least 1 for serving throughput",
        PREFILL_NO_INPUT: f"{metric} needs input_tokens >= 1",
        MAX_NOT_SERVING: f"batch 'max' is only for serving_output_tok_s ({metric})",
        BATCH_BELOW_ONE: f"batch must be at least 1, got {int(batch)}",
    }
    if code == DOES_NOT_FIT:
        return does_not_fit_message(runtime, int(batch), int(context), int(fitting))
    if code == NONE_FITS:
        return no_sequence_fits_message(runtime, int(context))
    return messages[code]


def vector_for(case: Case) -> VectorisedRuntime:
    """The vectorised formulas of a case's configuration, resolved in the scalar path's order
    (system, KV precision, runtime) so that an error is the scalar path's error."""
    system = case_system(case)
    kv_cache = case.kv_cache
    if kv_cache.lower() == "auto":  # the engine's choice for this checkpoint
        kv_cache = auto_kv_cache(case.engine, case.weights)
    return VectorisedRuntime(llm_runtime(system, case.model, case.weights, case.engine, kv_cache))


def _group_key(case: Case) -> tuple[str, int, str, str, str, str]:
    return (case.gpu, case.gpu_count, case.model, case.weights, case.engine, case.kv_cache)


def predict_llm_many(cases: Sequence[Case]) -> Array:
    """Point values for LLM cases (metrics in VECTOR_METRICS); NaN where not predictable."""
    groups: dict[tuple[str, int, str, str, str, str], list[int]] = {}
    for position, case in enumerate(cases):
        groups.setdefault(_group_key(case), []).append(position)
    values = np.full(len(cases), np.nan)
    for positions in groups.values():
        try:
            vector = vector_for(cases[positions[0]])
        except GpuAtlasError:
            continue
        index = np.array(positions)
        columns = LlmColumns.of([cases[i] for i in positions])
        values[index] = evaluate_columns(vector, columns).values
    return values
