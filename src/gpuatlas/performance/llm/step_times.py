"""LLM step times: roofline with fitted efficiencies, fixed per-step overhead, communication.

step = max(FLOPs / (η_c·peak), bytes / (η_m·bandwidth)) + overhead + communication

`LlmRuntime` holds every constant of one (system, model, format, engine, KV precision) so the
capacity simulator can call `decode_step_s` / `prefill_s` thousands of times cheaply.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import cached_property

from gpuatlas.catalog.formats import WeightFormat
from gpuatlas.catalog.gpu import Gpu
from gpuatlas.catalog.model_arch import ModelArch
from gpuatlas.catalog.systems import GpuSystem
from gpuatlas.memo import IdentityMemo
from gpuatlas.performance.calibration_table import (
    Calibration,
    GroupParams,
    current_calibration,
    precision_keys,
)
from gpuatlas.performance.collectives import (
    layer_split_hop_s,
    one_shot_allreduce_step_s,
    tensor_parallel_step_s,
)
from gpuatlas.performance.engine_profiles import EngineProfile, engine_for_model
from gpuatlas.performance.engine_specs import (
    bf16_in_fp32_math,
    engine_compute_precision,
    profile_backend,
)
from gpuatlas.performance.integer_dot import dp4a_prompt_ops, matvec_alu_ops_with_dp4a
from gpuatlas.performance.llm.ggml_nodes import GraphPath, recurrent_state_passes
from gpuatlas.performance.llm.shape import (
    HIGH_PRECISION_BITS,
    LlmShape,
    attended_positions,
    attention_flops_layers,
    attention_flops_per_position,
    attention_layers,
    attention_read_layers,
    indexer_flops_per_position,
    kv_cache_bytes,
    kv_shards,
    llm_shape,
    selected_positions,
)
from gpuatlas.performance.llm.step_kernels import paid_kernels_per_token
from gpuatlas.performance.model_constants import model_constant
from gpuatlas.performance.peak_rates import (
    engine_peak_flops,
    hardware_class,
    has_concurrent_int32_pipe,
    memory_bandwidth_bytes_s,
    peak_flops,
    precision_class,
    single_issue_per_s,
    vector_alu_flops,
)
from gpuatlas.performance.primitives import SCALAR, Primitives, Value
from gpuatlas.performance.scheduler_defaults import server_profile
from gpuatlas.performance.sustained_clocks import sustained_clock_share

MODEL_NAME = "gpuatlas.llm-roofline/1"
# Near the ridge point a decode step's GEMMs are neither purely memory- nor compute-bound:
# time = (compute^p + memory^p)^(1/p) instead of max(compute, memory); p -> inf is the roofline.
RIDGE_SHARPNESS = model_constant("llm", "ridge_sharpness")
UNFUSED_SCORE_BYTES = model_constant("llm", "unfused_attention_score_bytes")
MATVEC_MAX_BATCH = 8  # ggml-cuda mmvq.cu MMVQ_MAX_BATCH_SIZE: larger batches go to MMQ/GEMMs
BLOCK_WEIGHTS = 32  # weights per int8 block of llama.cpp's MMQ (QK8_1; k-quant sub-blocks too)
GPTQ_FORMAT_PREFIX = "gptq"  # formats.toml ids of GPTQ checkpoints (gptq-int4)
AWQ_FORMAT_PREFIX = "awq"  # formats.toml ids of AWQ checkpoints (awq-int4)


def soft_max_s(compute_s: Value, memory_s: Value, ops: Primitives = SCALAR) -> Value:
    """Roofline time with a rounded ridge (equals the larger side far from the ridge)."""
    high = ops.maximum(compute_s, memory_s)
    positive = high > 0
    ratio = ops.minimum(compute_s, memory_s) / ops.where(positive, high, 1.0)
    rounded = high * (1.0 + ratio**RIDGE_SHARPNESS) ** (1.0 / RIDGE_SHARPNESS)
    return ops.where(positive, rounded, 0.0)


@dataclass(frozen=True)
class LlmRuntime:
    """Everything a step-time evaluation needs, precomputed.

    Each formula is written once: arguments are floats (the default `ops=SCALAR`) or numpy
    arrays of many cases (`ops=ARRAY`, what `vectorised.py` passes)."""

    system: GpuSystem
    model: ModelArch
    weight_format: WeightFormat
    engine: EngineProfile
    kv_bytes_per_element: float
    shape: LlmShape
    split: int  # how many GPUs share each step's work (tensor parallel degree, else 1)
    kv_split: int
    bandwidth_bytes_s: float  # one GPU, peak
    peak_flops: float  # one GPU, in the compute precision, at the clock its power sustains
    matrix_peak_flops: float  # one GPU, its dense matrix peak there (MFU's denominator)
    vector_flops: float  # one GPU, its non-matrix FP32 rate (FMA = 2 FLOPs)
    # one GPU, the instructions its FP32 lanes issue one per lane and clock
    # (peak_rates.single_issue_per_s, else half of `vector_flops`)
    single_issue_per_s: float
    decode: GroupParams
    prefill: GroupParams
    precision_class: str
    compute_precision: str
    dp4a_prompt: bool = False  # quantised prompt GEMMs as int8 DP4A, no fp16 copy (integer_dot)
    attention_peak_flops: float = 0.0  # one GPU, its fused attention's rate (0: peak_flops)
    # share of its ALU issue rate the engine's own quantised mat-vec reaches on this GPU's
    # backend (calibration.json matvec_alu_issue_share_by_backend); 0: no ALU term applies
    matvec_alu_issue_share: float = 0.0
    # the format's mat-vec ALU instructions per weight on that backend (formats.toml)
    matvec_alu_ops_per_weight: float = 0.0
    # share of the fitted decode memory level a one-sequence step of the engine's own mat-vec
    # kernels reaches on an HBM GPU (calibration.json hbm_single_stream_memory_share)
    hbm_single_stream_share: float = 1.0
    # time a decode step pays per MoE layer (calibration.json moe_layer_decode_us) on an engine
    # profile with engines.toml moe_layer_time; 0 elsewhere
    moe_layer_us: float = 0.0
    # time a decode step pays per MoE layer on an engine profile with engines.toml
    # fused_moe_group (calibration.json fused_moe_layer_us of its group); 0 elsewhere
    fused_moe_layer_us: float = 0.0
    # time each prompt token pays per recurrent (linear-attention) layer
    # (calibration.json recurrent_prefill_token_layer_us) on an engine profile with engines.toml
    # recurrent_prefill_time; 0 elsewhere
    recurrent_prefill_us: float = 0.0
    # host time a prefill step pays per layer on an engine profile of an engines.toml
    # eager_prefill_group (calibration.json eager_prefill_layer_us of its group); 0 elsewhere
    eager_prefill_layer_us: float = 0.0
    # share of its grouped expert-GEMM rate the engine reaches: where it upcasts this format's
    # expert weights on this GPU (calibration.json upcast_expert_gemm_share;
    # `pays_upcast_expert_gemms`), times where it runs one GEMM per touched expert
    # (calibration.json routed_expert_gemm_share_by_backend; `routed_expert_share`); 1 elsewhere
    expert_gemm_share: float = 1.0
    # flash attention as the run sets it (llama-bench / llama-server -fa 1 or 0;
    # attention_setting.stated_flash_attention); None: the engine's default for the model
    flash_attention: bool | None = None

    @cached_property
    def server(self) -> LlmRuntime:
        """This runtime as the engine's server runs it on this GPU by default
        (scheduler_defaults.toml: vLLM's per-GPU batched tokens and running requests); itself
        when the engine has no rule. Serving throughput reads it, static prefill/decode not."""
        profile = server_profile(self.engine, self.system.gpu)
        return self if profile == self.engine else replace(self, engine=profile)

    @property
    def decode_overhead_s(self) -> float:
        return (self.decode.step_overhead_ms + self.layers_overhead_ms) * 1e-3 + self.moe_layers_s

    @cached_property
    def moe_layers_s(self) -> float:
        """Fixed time of a decode step in its MoE layers (engines.toml moe_layer_time, or the
        fused_moe_group's time): the MoE layers x the fitted time per MoE layer; 0 for a dense
        model or another engine."""
        layer_us = self.fused_moe_layer_us
        if self.engine.moe_layer_time:
            layer_us += self.moe_layer_us
        return self.shape.moe_layers * layer_us * 1e-6

    def recurrent_prefill_s(self, tokens: Value, batch: Value = 1) -> Value:
        """Time a prefill of `batch` x `tokens` prompt tokens spends in its recurrent layers
        beyond their GEMMs (engines.toml recurrent_prefill_time): tokens x recurrent layers x
        the fitted time per token and layer; 0 for a model without such layers or another
        engine."""
        if not self.engine.recurrent_prefill_time:
            return 0.0
        layers = len(self.model.linear_attention_layers)
        return batch * tokens * layers * self.recurrent_prefill_us * 1e-6

    @property
    def prefill_overhead_s(self) -> float:
        """Fixed time of one prefill step: the fitted step overhead, the per-layer time of
        every step (`layers_overhead_ms`) and the eager prefill's host time
        (`eager_prefill_host_s`)."""
        step_ms = self.prefill.step_overhead_ms + self.layers_overhead_ms
        return step_ms * 1e-3 + self.eager_prefill_host_s

    @cached_property
    def eager_prefill_host_s(self) -> float:
        """Host time of one prefill step of an engine that runs its prefill forward eagerly
        while its decode steps replay CUDA graphs (engines.toml eager_prefill_group: SGLang's
        extend launches each layer's kernels from Python): the model's layers x the group's
        fitted time per layer; 0 for other engines."""
        return self.model.num_layers * self.eager_prefill_layer_us * 1e-6

    @cached_property
    def layers_overhead_ms(self) -> float:
        """Fixed time of every forward step spent per layer: the engine's launches per layer
        plus the weight format's cost per quantised linear layer (formats.toml
        linear_overhead_ms: bitsandbytes LLM.int8 decomposition, NF4 dequantisation)."""
        engine = self.engine.layer_overhead_ms * self.model.num_layers + self.kernels_ms
        return engine + self.weight_format.linear_overhead_ms * linear_layers(self.model)

    @cached_property
    def kernels_ms(self) -> float:
        """Time a forward step pays for the kernels it launches, for an engine that pays a
        time per kernel (engines.toml kernel_overhead_us): per dependent stage of kernels for
        MLX (independent kernels run concurrently between barriers, step_kernels.py), per
        graph node for ggml (llm/ggml_nodes.py), x the time fitted for this decode group (the
        engine's prior where none is); 0 otherwise."""
        if self.engine.kernel_overhead_us <= 0.0:
            return 0.0
        return self.paid_kernels * self.time_per_kernel_us * 1e-3

    @cached_property
    def paid_kernels(self) -> int:
        """Kernels (MLX: dependent stages; ggml: graph nodes) one token's step pays for, on
        the graph path this run takes (flash attention as run, the build's fused recurrence)."""
        return paid_kernels_per_token(self.model, self.engine.kernel_graph, self.graph_path)

    @property
    def graph_path(self) -> GraphPath:
        """The path a ggml graph takes for this run: flash attention where the attention runs
        fused (`attention_per_query_head` off), the fused Gated DeltaNet recurrence where the
        engine's builds have it (engines.toml fused_recurrence)."""
        return GraphPath(
            flash_attention=not self.attention_per_query_head,
            fused_recurrence=self.engine.fused_recurrence,
        )

    @cached_property
    def time_per_kernel_us(self) -> float:
        """The time per kernel fitted for this decode group, else the engine's prior (always
        the profile's for an engine whose time per kernel is not fitted)."""
        fitted = self.decode.kernel_overhead_us
        if fitted < 0.0 or not self.engine.fits_kernel_overhead:
            return self.engine.kernel_overhead_us
        return fitted

    @cached_property
    def call_wire_s(self) -> float:
        """Time one run (a generate call, not a served request) spends wiring the model's
        weights into GPU residency, for an engine that does so per call (engines.toml
        wires_weights_per_call: mlx-lm's wired_limit): the weights' GB x the time per GB fitted
        for this prefill group (the engine's prior where none is); 0 otherwise."""
        if not self.engine.wires_weights_per_call:
            return 0.0
        fitted = self.prefill.wire_ms_per_gb
        ms_per_gb = fitted if fitted >= 0.0 else self.engine.wire_ms_per_gb
        return self.shape.held_weight_bytes / 1e9 * ms_per_gb * 1e-3

    @cached_property
    def kv_bytes_per_token_layer(self) -> float:
        """KV bytes one token adds to one attending layer (all GPUs together)."""
        return self.model.kv_elements_per_token_per_layer() * self.kv_bytes_per_element

    @cached_property
    def attention_flops_per_position(self) -> float:
        """Score and value FLOPs of one new token per attended position per layer:
        2·heads·(qk_dim + v_dim) (QKᵀ and attention·V)."""
        return attention_flops_per_position(self.model)

    @cached_property
    def read_layers(self) -> tuple[float, int, int]:
        """The attending layers as a step reads the cache (`attention_read_layers`: a layer
        that attends with an earlier layer's cache reads it too)."""
        return attention_read_layers(self.model)

    def attended_positions(self, context_tokens: Value, ops: Primitives = SCALAR) -> Value:
        """Layer-positions one new token's attention reads at `context_tokens` cached tokens."""
        return attended_positions(self.read_layers, context_tokens, ops)

    def kv_cache_bytes(self, context_tokens: Value, ops: Primitives = SCALAR) -> Value:
        """KV bytes of one sequence holding `context_tokens` whole tokens (all GPUs)."""
        return kv_cache_bytes(self.model, self.kv_bytes_per_element, context_tokens, ops)

    def context_terms(self, context_tokens: Value, ops: Primitives = SCALAR) -> tuple[Value, Value]:
        """(KV bytes read per GPU, attention FLOPs) of one sequence's new token after
        `context_tokens` cached tokens (whole tokens count; none at or below 0)."""
        whole = ops.floor(context_tokens)
        selected = self.selected_positions(whole, ops)
        attended = self.attended_positions(selected, ops)
        positive = context_tokens > 0
        per_gpu = self.kv_bytes_per_token_layer * attended / self.kv_split
        if self.model.global_head_dim:  # Gemma 4: global layers cache and compute unalike
            flops_layers = attention_flops_layers(self.model)
            attended = attended_positions(flops_layers, selected, ops)
        flops = self.attention_flops_per_position * attended
        if self.model.index_topk > 0:
            indexer_bytes, indexer_flops = self.indexer_terms(whole, ops)
            per_gpu, flops = per_gpu + indexer_bytes, flops + indexer_flops
        return ops.where(positive, per_gpu, 0.0), ops.where(positive, flops, 0.0)

    def selected_positions(self, context_tokens: Value, ops: Primitives = SCALAR) -> Value:
        """Cached tokens the MLA attention of a DeepSeek Sparse Attention model reads per layer:
        the indexer's top-k where the engine gathers them, the whole context where it masks
        the rest (engines.toml sparse_attention); the whole context for every other model."""
        if self.engine.sparse_attention == "mask":
            return context_tokens
        return selected_positions(self.model, context_tokens, ops)

    def indexer_terms(self, context_tokens: Value, ops: Primitives = SCALAR) -> tuple[Value, Value]:
        """(bytes per GPU, FLOPs) of the DeepSeek Sparse Attention indexer for one new token:
        it reads every cached token's FP8 key and scale (ModelArch
        .indexer_bytes_per_token_per_layer) and scores it with each index head, in every
        attention layer, whatever the top-k it then selects."""
        indexed = self.attended_positions(context_tokens, ops)
        indexer_bytes = self.model.indexer_bytes_per_token_per_layer() * indexed / self.kv_split
        return indexer_bytes, indexer_flops_per_position(self.model) * indexed

    def kv_read_bytes(self, context_tokens: Value, ops: Primitives = SCALAR) -> Value:
        """KV bytes one sequence at `context_tokens` reads per decode step, per GPU."""
        return self.context_terms(context_tokens, ops)[0]

    def attention_flops(self, context_tokens: Value, ops: Primitives = SCALAR) -> Value:
        """Attention FLOPs of one new token over `context_tokens` cached tokens."""
        return self.context_terms(context_tokens, ops)[1]

    @cached_property
    def kv_write_bytes_per_token(self) -> float:
        """KV bytes one prefilled token writes, per GPU: what a step reads of one cached token,
        in the layers that keep a cache of their own (one that attends with an earlier layer's
        cache writes none: Gemma 4 E2B/E4B)."""
        read = float(self.kv_read_bytes(1))
        if not self.model.kv_shared_layers:
            return read
        held = attended_positions(attention_layers(self.model), 1.0)
        return read * float(held) / float(attended_positions(self.read_layers, 1.0))

    def communication_s(self, tokens: Value, ops: Primitives = SCALAR) -> Value:
        if self.system.gpu_count <= 1:
            return 0.0
        if self.engine.multi_gpu == "tensor" and self.engine.custom_allreduce_us:
            return one_shot_allreduce_step_s(
                self.system,
                self.model.num_layers,
                tokens,
                self.model.hidden_size,
                self.engine.custom_allreduce_us,
                self.engine.custom_allreduce_max_mb,
                ops,
            )
        if self.engine.multi_gpu == "tensor":
            return tensor_parallel_step_s(
                self.system, self.model.num_layers, tokens, self.model.hidden_size, ops
            )
        return layer_split_hop_s(self.system, tokens, self.model.hidden_size)

    def decode_terms(
        self, batch: Value, context_tokens: Value, ops: Primitives = SCALAR
    ) -> tuple[Value, Value]:
        """(FLOPs, bytes) per GPU of one decode step."""
        weight_bytes = self.shape.weight_read_bytes(batch, ops) / self.split
        weight_bytes = weight_bytes + self.matvec_alu_excess_bytes(batch, ops)
        weight_bytes = weight_bytes + self.reconstruct_bytes(batch, ops)
        kv_read, attention = self.context_terms(context_tokens, ops)
        kv_bytes = batch * (kv_read * self.kv_reads_from_memory(batch, context_tokens, ops))
        kv_bytes = kv_bytes + batch * self.decode_score_bytes(context_tokens, ops)
        kv_bytes = kv_bytes + batch * self.recurrent_state_step_bytes
        flops = batch * (self.matmul_work_per_token + attention) / self.split
        return flops, weight_bytes + kv_bytes

    def matvec_alu_bytes(self, batch: Value, ops: Primitives = SCALAR) -> Value:
        """The weight bytes a decode step's mat-vec would have to read to take as long as its
        unpacking ALU work, per GPU (0 beyond the mat-vec's batch): a step of `batch` <=
        MATVEC_MAX_BATCH sequences runs ggml's mat-vec kernel once per sequence (mmvq.cu
        calls vec_dot_<format>_q8_1 per column), i.e. weights x batch x the format's
        `matvec_alu_ops_per_weight` instructions (formats.toml) at one instruction per FP32
        lane and clock (`single_issue_per_s`: lanes x clock, which a datasheet rate counting
        dual-issued FP32 doubles) x `matvec_alu_issue_share` (fitted per backend).
        Expressed as bytes at the GPU's bandwidth, so that the fitted memory level applies to
        it as to the bytes: the step takes the longer of the two."""
        if self.matvec_alu_s_per_weight == 0.0:
            return 0.0
        weights = self.shape.weight_read_bytes(batch, ops) / self.shape_bytes_per_weight
        alu_s = weights * batch * self.matvec_alu_s_per_weight / self.split
        return ops.where(batch <= MATVEC_MAX_BATCH, alu_s * self.bandwidth_bytes_s, 0.0)

    def matvec_alu_excess_bytes(self, batch: Value, ops: Primitives = SCALAR) -> Value:
        """What the mat-vec's ALU work adds to a decode step's weight bytes, per GPU: the
        excess of `matvec_alu_bytes` over the weight bytes read (0 where the bytes take
        longer); part of `decode_terms`' bytes, not of the traffic MBU reports."""
        if self.matvec_alu_s_per_weight == 0.0:
            return 0.0
        weight_bytes = self.shape.weight_read_bytes(batch, ops) / self.split
        return ops.maximum(self.matvec_alu_bytes(batch, ops) - weight_bytes, 0.0)

    @cached_property
    def shape_bytes_per_weight(self) -> float:
        return self.weight_format.model_bits_per_weight / 8.0

    @cached_property
    def matvec_alu_s_per_weight(self) -> float:
        """Seconds of ALU issue one weight and sequence costs in the engine's own mat-vec
        (0 for a format without a count or an engine on vendor GEMM libraries)."""
        ops_per_weight = self.matvec_alu_ops_per_weight
        if ops_per_weight == 0.0 or self.matvec_alu_issue_share <= 0.0:
            return 0.0
        issue_per_s = self.single_issue_per_s * self.matvec_alu_issue_share
        return ops_per_weight / issue_per_s

    @cached_property
    def recurrent_state_step_bytes(self) -> float:
        """Bytes one sequence's decode step moves in its recurrent (Gated DeltaNet, Mamba-2)
        layers, per GPU, whatever the context (0 for a model without such layers): the
        fixed-size state read and written back once per token by a fused kernel, and as many
        times as a ggml graph's nodes stream it (llm/ggml_nodes.py recurrent_state_passes: 16
        on the unfused Gated DeltaNet recurrence, 4 with the fused op and its write-back)."""
        passes = 2
        if self.engine.kernel_graph == "ggml-nodes":
            passes = recurrent_state_passes(self.model, self.graph_path)
        return passes * self.model.recurrent_state_bytes() / self.kv_split

    @cached_property
    def matmul_work_per_token(self) -> float:
        """Matmul FLOPs of one token as the engine's dense GEMM rate sees them: the routed
        experts' grouped GEMMs (engines.toml moe_gemm_efficiency) reach only a share of the
        rate dense GEMMs of the same precision reach, so their FLOPs count 1/share times;
        equals `matmul_flops_per_token` for dense models and engines at share 1."""
        return self.shape.matmul_flops_per_token + self.expert_extra_flops_per_token

    @cached_property
    def expert_extra_flops_per_token(self) -> float:
        """What the routed experts' GEMMs add to a token's FLOPs at the dense GEMM rate: they
        run at the engine's grouped-GEMM share of it (engines.toml moe_gemm_efficiency), times
        the share its upcast path reaches where it upcasts the expert weights here
        (`expert_gemm_share`)."""
        extra = 1.0 / (self.engine.moe_gemm_efficiency * self.expert_gemm_share) - 1.0
        return self.shape.expert_flops_per_token * extra

    def prefill_model_flops(
        self, tokens: Value, batch: Value = 1, cached_tokens: Value = 0, ops: Primitives = SCALAR
    ) -> Value:
        """Prefill FLOPs per GPU the model performs (for MFU): `prefill_terms`' FLOPs without
        the experts' slower-GEMM equivalent and the slower attention's."""
        flops, _ = self.prefill_terms(tokens, batch, cached_tokens, ops)
        return self._model_flops_of(flops, tokens, batch, cached_tokens, ops)

    def _model_flops_of(
        self, flops: Value, tokens: Value, batch: Value, cached_tokens: Value, ops: Primitives
    ) -> Value:
        """`prefill_terms`' FLOPs less the experts' slower-GEMM equivalent and the slower
        attention's (`prefill_model_flops`, from FLOPs already computed)."""
        extra = self.expert_extra_flops_per_token + self.block_scale_flops_per_token
        attention = self.prefill_attention_flops(tokens, cached_tokens, ops)
        slower_attention = (self.attention_rate_factor - 1.0) * attention
        return flops - (batch * tokens * extra + batch * slower_attention) / self.split

    @cached_property
    def attention_rate_factor(self) -> float:
        """How much slower than the GEMMs' peak the prefill's attention runs: fused attention
        (FlashAttention, FlashInfer, TRT-LLM's context FMHA) multiplies Q·Kᵀ and P·V in 16 bits
        with FP32 accumulators, or in FP8 with an FP8 KV cache, whatever precision the weight
        GEMMs run in (W8A8 FP8, NVFP4 W4A4). Its FLOPs count at peak_flops / that rate; 1 where
        the GEMMs already run at it."""
        if self.attention_peak_flops <= 0.0 or self.attention_peak_flops >= self.peak_flops:
            return 1.0
        return self.peak_flops / self.attention_peak_flops

    @cached_property
    def block_scale_flops_per_token(self) -> float:
        """Vector-ALU work of a quantised matmul's block scales per token, as FLOPs at the
        prefill rate: llama.cpp's MMQ kernels multiply int8 blocks of 32 weights on the
        matrix units (or dp4a), then apply each block's float scales to its int32 sum on the
        FP32 ALUs (engines.toml block_scale_ops instructions per block and token). Each
        instruction is one issue slot, half an FMA's 2 FLOPs of `vector_flops`; 0 for
        16-bit weights or an engine without such kernels."""
        bits = self.weight_format.model_bits_per_weight
        if self.engine.block_scale_ops == 0.0 or bits >= HIGH_PRECISION_BITS:
            return 0.0
        if self.dequant_bytes_per_weight_byte > 0.0:  # cuBLAS on an fp16 copy: no MMQ epilogue
            return 0.0
        weights = self.shape.matmul_flops_per_token / 2.0
        vector_flops = 2.0 * weights * self.engine.block_scale_ops / BLOCK_WEIGHTS
        return vector_flops * self.peak_flops / self.vector_flops

    @cached_property
    def kv_reads_per_decode_step(self) -> float:
        """How many times a decode step reads each cached K/V element. Fused attention (flash
        attention, paged-attention kernels, MLX's fused SDPA) reads a KV head once for all the
        query heads that share it. An engine whose decode computes KQ and KQV as plain batched
        mat-vecs (engines.toml decode_attention_per_query_head: llama.cpp without flash
        attention) broadcasts each KV head over its query heads (ggml mul_mat broadcast factor
        r2 = ne12/ne02), so every query head reads its KV head's rows again: heads / KV heads
        reads under grouped-query attention, one under multi-head attention."""
        if not self.attention_per_query_head or self.model.num_kv_heads <= 0:
            return 1.0
        return max(1.0, self.model.num_attention_heads / self.model.num_kv_heads)

    def kv_reads_from_memory(
        self, batch: Value, context_tokens: Value, ops: Primitives = SCALAR
    ) -> Value:
        """How many times a decode step reads each cached K/V element from memory. Where the
        query heads that share a KV head read its rows again (`kv_reads_per_decode_step`), a
        one-sequence step runs KQ and KQV as mat-vecs whose blocks go row by row within a query
        head, then the next query head's: a re-read finds the rows in the L2 cache while the
        slab one query head streams fits there (one KV head's keys or values of one layer:
        `context_tokens` x head size x bytes per element), and the share of a larger slab
        beyond the L2 comes from memory again. A batched step (a matrix product over the
        sequences' tokens) and a GPU whose L2 size the catalog does not record read every
        time."""
        reads = self.kv_reads_per_decode_step
        l2_mb = self.system.gpu.l2_cache_mb
        if reads <= 1.0 or not l2_mb:
            return reads
        per_head_token = self.kv_bytes_per_token_layer / (2.0 * self.model.num_kv_heads)
        slab = ops.maximum(context_tokens * per_head_token, 1.0)
        missed = ops.maximum(1.0 - l2_mb * 1e6 / slab, 0.0)
        return ops.where(batch <= 1, 1.0 + (reads - 1.0) * missed, reads)

    @cached_property
    def attention_per_query_head(self) -> bool:
        """Whether this model's attention runs unfused (decode_attention_per_query_head): as
        the run sets flash attention where it does (`flash_attention`); else not for a model
        family the engine runs with flash attention although its other models run without
        (engines.toml flash_attention_families: Ollama's per-architecture default)."""
        if self.flash_attention is not None and self._sets_attention:
            return not self.flash_attention
        if self.model.family in self.engine.flash_attention_families:
            return False
        return self.engine.decode_attention_per_query_head

    @property
    def _sets_attention(self) -> bool:
        """Whether a stated flash-attention setting applies: on llama.cpp and the engines on
        its kernels, whose -fa flag chooses the path (engines.toml flash_attention_flag); a
        library engine's attention is fused either way, and MLX, MLC and ExLlama have no flag."""
        return self.engine.flash_attention_flag

    @cached_property
    def attention_score_bytes(self) -> float:
        """Bytes per attention score written and read back (engines.toml
        attention_score_bytes); 0 for a model family run with flash attention. A run that sets
        flash attention off on an engine of its own kernels pays the unfused scores
        (model_constants llm.unfused_attention_score_bytes where the profile's default is
        fused)."""
        if self.flash_attention is not None and self._sets_attention:
            unfused = self.engine.attention_score_bytes or UNFUSED_SCORE_BYTES
            return 0.0 if self.flash_attention else float(unfused)
        if self.model.family in self.engine.flash_attention_families:
            return 0.0
        return float(self.engine.attention_score_bytes)

    def decode_score_bytes(self, context_tokens: Value, ops: Primitives = SCALAR) -> Value:
        """Score traffic of one sequence's decode step when the scores go through memory
        (decode_attention_per_query_head), per GPU: the new token's score against every
        attended position, per query head and attending layer, written, soft-maxed and read
        back (attention_score_bytes each); 0 for fused attention."""
        if not self.attention_per_query_head:
            return 0.0
        attended = self.attended_positions(ops.floor(ops.maximum(context_tokens, 0.0)), ops)
        heads = self.model.num_attention_heads / self.split
        return heads * attended * self.attention_score_bytes

    @cached_property
    def single_stream_memory_share(self) -> float:
        """Share of the fitted decode memory level a one-sequence step reaches: the calibration's
        fitted `hbm_single_stream_share` for an engine's own mat-vec kernels on an HBM GPU
        (engines.toml own_matvec_kernels; `pays_single_stream_share`), else 1."""
        if not pays_single_stream_share(self.engine, self.system.gpu):
            return 1.0
        return self.hbm_single_stream_share

    def decode_memory_share(self, batch: Value, ops: Primitives = SCALAR) -> Value:
        """`single_stream_memory_share` for a step of one sequence, 1 for a batched step."""
        if self.single_stream_memory_share == 1.0:
            return 1.0
        return ops.where(batch <= 1, self.single_stream_memory_share, 1.0)

    def decode_floor_s(
        self, batch: Value, context_tokens: Value, ops: Primitives = SCALAR
    ) -> Value:
        """The shortest a decode step can physically be on this GPU: its model FLOPs at the
        GPU's dense matrix peak or its memory traffic at the full bandwidth, whichever takes
        longer (the roofline: MFU or MBU of 1). A prediction's range never reaches past it."""
        flops, charged = self.decode_terms(batch, context_tokens, ops)
        model_flops = flops - batch * self.expert_extra_flops_per_token / self.split
        traffic = charged - self.matvec_alu_excess_bytes(batch, ops)
        return ops.maximum(model_flops / self.matrix_peak_flops, traffic / self.bandwidth_bytes_s)

    def prefill_floor_s(
        self, tokens: Value, batch: Value = 1, cached_tokens: Value = 0, ops: Primitives = SCALAR
    ) -> Value:
        """The shortest a prefill can physically be: its model FLOPs at the dense matrix peak
        or its bytes at the full bandwidth, whichever takes longer (`decode_floor_s`' roofline)."""
        flops, moved = self.prefill_terms(tokens, batch, cached_tokens, ops)
        model_flops = self._model_flops_of(flops, tokens, batch, cached_tokens, ops)
        model_flops = model_flops - self.expert_pass_flops(tokens, batch, ops)  # tile padding
        return ops.maximum(model_flops / self.matrix_peak_flops, moved / self.bandwidth_bytes_s)

    def decode_step_s(self, batch: Value, context_tokens: Value, ops: Primitives = SCALAR) -> Value:
        flops, moved = self.decode_terms(batch, context_tokens, ops)
        compute_s = flops / (self.peak_flops * self.decode.eta_compute)
        eta_memory = self.decode.eta_memory * self.decode_memory_share(batch, ops)
        memory_s = moved / (self.bandwidth_bytes_s * eta_memory)
        core = soft_max_s(compute_s, memory_s, ops) * self.decode.factor
        sequences_s = batch * self.engine.sequence_overhead_us * 1e-6
        busy = core - self.host_hidden_s(core, 1, ops) + self.decode_overhead_s
        return busy + sequences_s + self.communication_s(batch, ops)

    @cached_property
    def engine_host_s(self) -> float:
        """Host time of one forward step spent issuing each layer's work (the engine's
        layer_overhead_ms x layers)."""
        return self.engine.layer_overhead_ms * self.model.num_layers * 1e-3

    def host_hidden_s(self, gpu_s: Value, steps: Value = 1, ops: Primitives = SCALAR) -> Value:
        """The part of `steps` steps' per-layer host time spent while the GPU works. An engine
        whose host runs ahead of the GPU (`host_overlaps_gpu`: eager PyTorch queues kernels
        asynchronously) waits only for the longer of the two, so min(GPU, host) of the summed
        overhead is hidden; an engine that adds them (host_overlaps_gpu false) hides none."""
        if not self.engine.host_overlaps_gpu:
            return 0.0
        return ops.minimum(gpu_s, steps * self.engine_host_s)

    def prefill_host_hidden_s(
        self, gpu_s: Value, steps: Value = 1, ops: Primitives = SCALAR
    ) -> Value:
        """The part of `steps` prefill steps' host time spent while the GPU works: an
        overlapping engine's per-layer host time (`host_hidden_s`) and the eager prefill's
        host time (`eager_prefill_host_s`; eager PyTorch queues its kernels asynchronously),
        hidden up to the GPU time."""
        host_s = self.engine_host_s if self.engine.host_overlaps_gpu else 0.0
        return ops.minimum(gpu_s, steps * (host_s + self.eager_prefill_host_s))

    def prefill_attention_flops(
        self, tokens: Value, cached_tokens: Value = 0, ops: Primitives = SCALAR
    ) -> Value:
        """Causal attention FLOPs to prefill `tokens` new tokens after `cached_tokens`:
        the new tokens attend on average to cached + tokens/2 positions."""
        middle = cached_tokens + ops.maximum(tokens // 2, 1)
        return ops.where(tokens > 0, tokens * self.attention_flops(middle, ops), 0.0)

    def prefill_terms(
        self, tokens: Value, batch: Value, cached_tokens: Value = 0, ops: Primitives = SCALAR
    ) -> tuple[Value, Value]:
        """(FLOPs, bytes) per GPU of a prefill; the FLOPs include the fixed cost of the MoE
        expert GEMMs (`expert_pass_flops`), work the GPU does that the tokens do not need."""
        head_flops = 2.0 * self.model.vocab_size * self.model.hidden_size
        body_flops = self.matmul_work_per_token - head_flops
        attention = self.prefill_attention_flops(tokens, cached_tokens, ops)
        attention = attention * self.attention_rate_factor
        flops = batch * (tokens * body_flops + head_flops + attention) / self.split
        flops = flops + self.expert_pass_flops(tokens, batch, ops)
        flops = flops + batch * tokens * self.block_scale_flops_per_token / self.split
        kv_write = batch * tokens * self.kv_write_bytes_per_token
        moved = self.shape.weight_read_bytes(batch * tokens, ops) / self.split + kv_write
        return flops, moved

    def prefill_s(
        self,
        tokens: Value,
        batch: Value = 1,
        cached_tokens: Value = 0,
        ops: Primitives = SCALAR,
    ) -> Value:
        flops, moved = self.prefill_terms(tokens, batch, cached_tokens, ops)
        compute_s = flops / (self.peak_flops * self.prefill.eta_compute)
        memory_s = moved / (self.bandwidth_bytes_s * self.prefill.eta_memory)
        steps = ops.ceil(batch * tokens / self.engine.prefill_chunk_tokens)
        share = self.pipeline_share(tokens, batch, ops)
        core = ops.maximum(compute_s, memory_s) * self.prefill.factor * share
        memory_rate = self.bandwidth_bytes_s * self.prefill.eta_memory
        streamed = self.score_bytes(tokens, batch, ops, cached_tokens)
        streamed = streamed + self.dequant_bytes(tokens, batch, ops)
        streamed = streamed + self.prefill_reconstruct_bytes(tokens, batch, ops)
        total = (
            core
            - self.prefill_host_hidden_s(core, steps, ops)
            + streamed / memory_rate * share
            + self.recurrent_prefill_s(tokens, batch) * share
            + steps * self.prefill_overhead_s
            + self.communication_s(batch * tokens, ops)
        )
        return ops.where(tokens > 0, total, 0.0)

    @cached_property
    def expert_pass_flops_each(self) -> float:
        """Fixed cost of one routed expert's GEMMs (all of its matrices, one layer) in one
        prefill step, as FLOPs at the prefill rate: 2 x expert parameters x the engine's
        expert_pass_tokens (engines.toml). 0 for a dense model or an engine without one."""
        if self.shape.moe_layers == 0 or self.engine.expert_pass_tokens == 0.0:
            return 0.0
        return 2.0 * self.model.expert_params() * self.engine.expert_pass_tokens

    def expert_pass_flops(self, tokens: Value, batch: Value, ops: Primitives = SCALAR) -> Value:
        """Extra FLOP-equivalents of a MoE prefill of `batch` x `tokens`, per GPU: each step
        (ubatch of prefill_chunk_tokens) runs one GEMM per routed expert it touches
        (E·(1 − (1 − k/E)^n) of E experts for n tokens), and each such GEMM costs
        expert_pass_tokens tokens' worth of work on top of its n·k/E routed tokens, or n tokens'
        when the step is shorter (the kernel's tile is sized against the step's n tokens)."""
        if self.expert_pass_flops_each == 0.0:
            return 0.0
        total = batch * tokens
        steps = ops.ceil(total / self.engine.prefill_chunk_tokens)
        per_step = total / ops.maximum(steps, 1.0)
        touched = self.shape.moe_layers * self.shape.distinct_experts(per_step, ops)
        tile_share = ops.minimum(per_step / self.engine.expert_pass_tokens, 1.0)
        return steps * touched * tile_share * self.expert_pass_flops_each / self.split

    @cached_property
    def dequant_bytes_per_weight_byte(self) -> float:
        """Bytes a prefill step moves per weight byte to dequantise the weights to 16 bits
        before its GEMMs (engines.toml prefill_dequantizes_weights: llama.cpp's cuBLAS path):
        the quantised byte read plus its 16-bit copy written (16 / bits bytes). 0 for 16-bit
        weights or an engine that multiplies quantised weights directly."""
        bits = self.weight_format.model_bits_per_weight
        if not self.engine.prefill_dequantizes_weights or bits >= HIGH_PRECISION_BITS:
            return 0.0
        if self.dp4a_prompt:  # MMQ on a GPU without tensor cores: no cuBLAS, no fp16 copy
            return 0.0
        return 1.0 + HIGH_PRECISION_BITS / bits

    def dequant_bytes(self, tokens: Value, batch: Value, ops: Primitives = SCALAR) -> Value:
        """Dequantisation traffic of a prefill of `batch` x `tokens`, per GPU: each step
        (ubatch of prefill_chunk_tokens) dequantises again every weight it reads."""
        if self.dequant_bytes_per_weight_byte == 0.0:
            return 0.0
        chunk = self.engine.prefill_chunk_tokens
        steps = ops.ceil(batch * tokens / chunk)
        weights = self.shape.weight_read_bytes(ops.minimum(batch * tokens, chunk), ops)
        return steps * weights * self.dequant_bytes_per_weight_byte / self.split

    @cached_property
    def reconstruct_above_tokens(self) -> int:
        """Steps over more tokens than this run the format's weights as 16-bit GEMMs on an
        fp16 copy (engines.toml gptq_reconstruct_above_tokens for GPTQ,
        awq_reconstruct_above_tokens for AWQ); 0 = never (another format or engine)."""
        format_id = self.weight_format.id
        if format_id.startswith(GPTQ_FORMAT_PREFIX):
            return self.engine.gptq_reconstruct_above_tokens
        if format_id.startswith(AWQ_FORMAT_PREFIX):
            return self.engine.awq_reconstruct_above_tokens
        return 0

    @cached_property
    def reconstruct_bytes_per_step(self) -> float:
        """Bytes per GPU a forward step moves, on top of the quantised weights it reads, when
        it runs GPTQ or AWQ weights as 16-bit GEMMs (`reconstruct_above_tokens`): vLLM on
        ROCm, where Marlin does not run, first writes an fp16 copy of each quantised matrix
        (gptq_gemm's reconstruct_exllama; AWQLinearMethod's awq_dequantize, Triton on ROCm)
        and the BLAS GEMM then reads that copy, 2 x 16 / bits bytes per quantised byte of the
        non-expert linear layers. 0 for another format or an engine that multiplies the
        quantised weights directly."""
        if self.reconstruct_above_tokens <= 0:
            return 0.0
        fp16_per_byte = HIGH_PRECISION_BITS / self.weight_format.model_bits_per_weight
        return 2.0 * fp16_per_byte * self.shape.linear_bytes / self.split

    def reconstruct_bytes(self, step_tokens: Value, ops: Primitives = SCALAR) -> Value:
        """`reconstruct_bytes_per_step` for a step over `step_tokens` tokens: steps up to
        `reconstruct_above_tokens` run the fused quantised kernel instead (no copy)."""
        if self.reconstruct_bytes_per_step == 0.0:
            return 0.0
        above = self.reconstruct_above_tokens
        return ops.where(step_tokens > above, self.reconstruct_bytes_per_step, 0.0)

    def prefill_reconstruct_bytes(
        self, tokens: Value, batch: Value, ops: Primitives = SCALAR
    ) -> Value:
        """`reconstruct_bytes` of every step (ubatch of prefill_chunk_tokens) of a prefill of
        `batch` x `tokens`, per GPU."""
        if self.reconstruct_bytes_per_step == 0.0:
            return 0.0
        chunk = self.engine.prefill_chunk_tokens
        steps = ops.ceil(batch * tokens / chunk)
        return steps * self.reconstruct_bytes(ops.minimum(batch * tokens, chunk), ops)

    def pipeline_share(self, tokens: Value, batch: Value, ops: Primitives = SCALAR) -> Value:
        """Share of the one-GPU-after-another time a layer-split prefill takes when the engine
        pipelines micro-batches through the GPUs (engines.toml pipeline_batch_tokens: llama.cpp
        splits each batch of that many tokens into ubatches of prefill_chunk_tokens): m
        ubatches through n GPUs take m + n - 1 stages of 1/n of a ubatch's time, not m whole
        ubatch times. 1 on one GPU, for tensor parallelism, or an engine that does not."""
        gpus = self.system.gpu_count
        per_batch = self.engine.pipeline_batch_tokens
        if gpus <= 1 or self.engine.multi_gpu != "layer-split" or per_batch == 0:
            return 1.0
        chunk = self.engine.prefill_chunk_tokens
        ubatches = ops.maximum(ops.ceil(ops.minimum(batch * tokens, per_batch) / chunk), 1.0)
        return (ubatches + gpus - 1) / (ubatches * gpus)

    def score_bytes(
        self, tokens: Value, batch: Value, ops: Primitives = SCALAR, cached_tokens: Value = 0
    ) -> Value:
        """Attention-score traffic of a prefill without flash attention, per GPU: heads x
        (causal) tokens²/2 scores per attending layer, plus tokens x `cached_tokens` against
        a cache filled before (llama-bench -d); a sliding layer's scores within its window."""
        if self.attention_score_bytes == 0:
            return 0.0
        model = self.model
        seen = tokens + 2 * cached_tokens  # each new token's positions, twice (causal: / 2)
        window = ops.minimum(seen, model.sliding_window) if model.sliding_window else seen
        pairs = model.full_attention_layers * tokens * seen / 2
        pairs = pairs + len(model.sliding_window_layers) * tokens * window / 2
        heads = model.num_attention_heads / self.split
        return batch * heads * pairs * self.attention_score_bytes

    def extrapolated(self, calibration: Calibration, kind: str) -> bool:
        return not (
            calibration.is_covered(f"{kind}:gpu", self.system.gpu.id)
            and calibration.is_covered(f"{kind}:engine", self.engine.id)
            and calibration.is_covered(f"{kind}:model_family", self.model.family)
            and self._precision_covered(calibration, kind)
        )

    def _precision_covered(self, calibration: Calibration, kind: str) -> bool:
        """Whether the engine was measured at this precision class for `kind` (a calibration
        written before round 35 records no classes: covered, as it was then)."""
        axis = f"{kind}:engine_precision"
        if axis not in calibration.covered:
            return True
        keys = precision_keys(self.engine.id, self.precision_class)
        return any(calibration.is_covered(axis, key) for key in keys)


def linear_layers(model: ModelArch) -> int:
    """Linear layers one token passes through, the output head excluded (quantisation
    libraries keep it in 16 bits): 4 attention projections per layer, 3 MLP projections (2
    without a gate) per dense layer, per routed expert used and per shared expert."""
    mlp = 3 if model.gated_mlp else 2
    dense_layers = model.num_layers - model.moe_layers
    experts = model.moe_layers * (model.experts_per_token + model.num_shared_experts)
    return 4 * model.num_layers + mlp * (dense_layers + experts)


def _tensor_split(system: GpuSystem, engine: EngineProfile) -> int:
    return system.gpu_count if engine.multi_gpu == "tensor" else 1


def matvec_alu_backend(engine: EngineProfile, gpu: Gpu) -> str | None:
    """The backend whose fitted mat-vec ALU share a decode step of this engine on this GPU
    pays (`LlmRuntime.matvec_alu_bytes`), or None where no ALU term applies: an engine on
    vendor GEMM libraries (not engines.toml own_matvec_kernels), or a GPU that issues its
    integer work to lanes of its own (peak_rates.has_concurrent_int32_pipe)."""
    if not engine.own_matvec_kernels or has_concurrent_int32_pipe(gpu):
        return None
    return profile_backend(engine, gpu)


def pays_single_stream_share(engine: EngineProfile, gpu: Gpu) -> bool:
    """Whether a one-sequence decode step of `engine` on `gpu` reaches only the HBM
    single-stream share of the fitted memory level: the engine's own mat-vec kernels
    (engines.toml own_matvec_kernels) on an HBM GPU."""
    return engine.own_matvec_kernels and hardware_class(gpu).endswith("/hbm")


def matvec_alu_share(engine: EngineProfile, gpu: Gpu, calibration: Calibration) -> float:
    """The runtime's `matvec_alu_issue_share`: the calibration's share for the backend and
    the engine's build era (engines.toml matvec_share_era; 0 where `matvec_alu_backend` says
    no ALU term applies)."""
    backend = matvec_alu_backend(engine, gpu)
    if backend is None:
        return 0.0
    return calibration.matvec_alu_share(backend, engine.matvec_share_era)


def matvec_alu_ops(engine: EngineProfile, gpu: Gpu, weight_format: WeightFormat) -> float:
    """The runtime's `matvec_alu_ops_per_weight`: the format's count on the backend the
    engine runs on this GPU, each dp4a at what it costs there (integer_dot: emulated on RDNA1,
    gfx900 and gfx803 under ggml-cuda's HIP build); 0 where `matvec_alu_backend` says no ALU
    term applies."""
    backend = matvec_alu_backend(engine, gpu)
    if backend is None:
        return 0.0
    ops = weight_format.matvec_alu_ops_on(backend)
    return ops if ops == 0.0 else matvec_alu_ops_with_dp4a(engine, gpu, weight_format, ops)


def build_runtime(
    system: GpuSystem,
    model: ModelArch,
    weight_format: WeightFormat,
    engine: EngineProfile,
    kv_bytes_per_element: float,
    calibration: Calibration | None = None,
) -> LlmRuntime:
    calibration = calibration or current_calibration()
    gpu = system.gpu
    precision = engine_compute_precision(engine, gpu, weight_format)
    flops, used_precision = engine_peak_flops(gpu, precision, engine.fp16_accumulate)
    if bf16_in_fp32_math(engine, gpu, weight_format.id):
        flops, used_precision = (gpu.fp32_tflops or 0.0) * 1e12, "fp32"
    matrix_flops = flops
    vector_flops = vector_alu_flops(gpu, engine.vector_alu_families)
    if vector_flops is not None:  # this build's kernels leave the matrix units idle here
        flops, used_precision = vector_flops, "fp32"
    dp4a = dp4a_prompt_ops(gpu, weight_format, engine.dp4a_families)
    if dp4a is not None:  # llama.cpp's MMQ with __dp4a on a GPU without tensor cores
        flops = matrix_flops = dp4a
        used_precision = "int8"
    attention_flops = 0.0
    if vector_flops is None and dp4a is None:
        attention_flops = attention_peak_flops(gpu, used_precision, kv_bytes_per_element)
    # a prompt's GEMMs and a batched step's are a dense load: a power-limited part holds only
    # the clock its board power sustains (sustained_clocks.py, as training and diffusion do)
    clock_share = sustained_clock_share(gpu)
    pclass = precision_class(weight_format)
    prior = (engine.eta_memory, engine.eta_compute, engine.step_overhead_ms)
    family = hardware_class(gpu)
    split = _tensor_split(system, engine)
    fp32_flops = gpu.fp32_tflops * 1e12 if gpu.fp32_tflops else flops
    return LlmRuntime(
        system=system,
        model=model,
        weight_format=weight_format,
        engine=engine,
        kv_bytes_per_element=kv_bytes_per_element,
        shape=llm_shape(model, weight_format),
        split=split,
        kv_split=kv_shards(model, split) if split > 1 else 1,
        bandwidth_bytes_s=memory_bandwidth_bytes_s(gpu),
        peak_flops=flops * clock_share,
        matrix_peak_flops=matrix_flops,
        vector_flops=fp32_flops,
        single_issue_per_s=single_issue_per_s(gpu) or fp32_flops / 2.0,
        decode=calibration.params("decode", prior, engine.id, family, pclass),
        prefill=calibration.params("prefill", prior, engine.id, family, pclass),
        precision_class=pclass,
        compute_precision=used_precision,
        dp4a_prompt=dp4a is not None,
        attention_peak_flops=attention_flops * clock_share,
        matvec_alu_issue_share=matvec_alu_share(engine, gpu, calibration),
        matvec_alu_ops_per_weight=matvec_alu_ops(engine, gpu, weight_format),
        hbm_single_stream_share=calibration.hbm_single_stream_share,
        moe_layer_us=calibration.moe_layer_us_of(engine.moe_layer_era),
        fused_moe_layer_us=calibration.fused_moe_layer_us(engine.fused_moe_group),
        recurrent_prefill_us=calibration.recurrent_prefill_us,
        eager_prefill_layer_us=calibration.eager_prefill_layer_us(engine.eager_prefill_group),
        expert_gemm_share=upcast_expert_share(engine, gpu, weight_format, calibration)
        * routed_expert_share(engine, gpu, calibration),
    )


def pays_upcast_expert_gemms(engine: EngineProfile, gpu: Gpu, weight_format: WeightFormat) -> bool:
    """Whether the engine upcasts this format's routed-expert weights inside its grouped GEMMs
    on this GPU (engines.toml upcast_expert_formats on an upcast_expert_families architecture:
    vLLM's Triton MXFP4 MoE on CDNA3 loads the 4-bit values and E8M0 scales and converts them
    to bf16 in the kernel before the bf16 matrix instructions)."""
    return (
        weight_format.id in engine.upcast_expert_formats
        and gpu.architecture_family in engine.upcast_expert_families
    )


def upcast_expert_share(
    engine: EngineProfile, gpu: Gpu, weight_format: WeightFormat, calibration: Calibration
) -> float:
    """The calibration's fitted upcast share where the engine pays it here, else 1."""
    if pays_upcast_expert_gemms(engine, gpu, weight_format):
        return calibration.upcast_expert_gemm_share
    return 1.0


def routed_expert_share(engine: EngineProfile, gpu: Gpu, calibration: Calibration) -> float:
    """The calibration's fitted share of the dense prompt-GEMM rate an engine's routed-expert
    GEMMs reach on its backend here, for an engine that runs one GEMM per expert a step touches
    over the rows routed to it (engines.toml expert_pass_tokens: ggml's mul_mat_id); else 1."""
    if engine.expert_pass_tokens <= 0.0:
        return 1.0
    return calibration.routed_expert_gemm_share(profile_backend(engine, gpu))


LOW_PRECISION_GEMMS = ("fp8", "fp4", "int8", "int4")


def attention_peak_flops(gpu: Gpu, gemm_precision: str, kv_bytes_per_element: float) -> float:
    """The rate of the fused attention kernel beside GEMMs in `gemm_precision`: the 16-bit
    tensor peak with FP32 accumulation (FlashAttention 2/3, FlashInfer and TRT-LLM's FMHA keep
    their softmax and accumulators in FP32; GeForce runs that at half its FP16-accumulate
    rate), or the FP8 peak when the KV cache is FP8 beside FP8/FP4 GEMMs (FA3's and TRT-LLM's
    FP8 attention). 0 (no separate rate) for 16-bit or wider GEMMs."""
    if gemm_precision not in LOW_PRECISION_GEMMS:
        return 0.0
    if kv_bytes_per_element <= 1.0 and gemm_precision in ("fp8", "fp4"):
        flops, _ = peak_flops(gpu, "fp8")
        return flops
    flops, _ = peak_flops(gpu, "bf16")
    return flops


def runtime_for(
    system: GpuSystem,
    model: ModelArch,
    weight_format: WeightFormat,
    engine: EngineProfile,
    kv_bytes_per_element: float,
) -> LlmRuntime:
    """The cached runtime of this configuration (keyed by ids, the calibration in force), on
    the profile that runs this model in the engine's release (`engine_for_model`)."""
    engine = engine_for_model(engine, model.family)
    network = system.network.id if system.network else ""
    calibration = current_calibration()
    key = (
        f"{system.id}|{network}|{calibration.version}",
        id(model),
        weight_format.id,
        engine.id,
        kv_bytes_per_element,
        model.id,
    )
    return _runtime_cache(
        key, calibration, system, model, weight_format, engine, kv_bytes_per_element
    )


# key -> the runtime, for the very calibration and model it was built from: two fits can share
# a version string (a cross-validation fold named after its source is fitted anew on each data
# set a process calibrates); a plan over every GPU, count and format builds ~5,400
_RUNTIMES: IdentityMemo[tuple[str, int, str, str, float, str], LlmRuntime] = IdentityMemo(16384)


def _runtime_cache(
    key: tuple[str, int, str, str, float, str],
    calibration: Calibration,
    system: GpuSystem,
    model: ModelArch,
    weight_format: WeightFormat,
    engine: EngineProfile,
    kv_bytes_per_element: float,
) -> LlmRuntime:
    return _RUNTIMES.answer(
        key,
        (calibration, model),
        lambda: build_runtime(
            system, model, weight_format, engine, kv_bytes_per_element, calibration
        ),
    )


def clear_runtime_cache() -> None:
    _RUNTIMES.clear()
