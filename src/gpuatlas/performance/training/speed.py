"""Training speed: 6·N·D (8·N·D with recomputation) at a fitted MFU, plus data-parallel
gradient all-reduce over the system's links, overlapped with the backward pass."""

from __future__ import annotations

from dataclasses import dataclass, replace

from gpuatlas.catalog.gpu import Gpu
from gpuatlas.catalog.model_arch import ModelArch
from gpuatlas.catalog.systems import GpuSystem, build_system
from gpuatlas.errors import InvalidRequestError
from gpuatlas.performance.calibration_table import current_calibration
from gpuatlas.performance.collectives import allreduce_s
from gpuatlas.performance.llm.memory import gib_text, model_max_context
from gpuatlas.performance.llm.shape import forward_flops_per_token, matmul_flops_per_token
from gpuatlas.performance.model_constants import model_constant
from gpuatlas.performance.peak_rates import hardware_class, lacks_sixteen_bit_rate, peak_flops
from gpuatlas.performance.predictions import Estimate, TrainingPrediction
from gpuatlas.performance.sustained_clocks import sustained_clock_share
from gpuatlas.performance.training.engines import profile_text, training_engines
from gpuatlas.performance.training.expert_parallel import (
    all_to_all_note,
    all_to_all_s,
    moved_bytes,
)
from gpuatlas.performance.training.host import host_step_s
from gpuatlas.performance.training.memory import (
    TrainingSetup,
    trainable_params,
    training_memory_fit,
    weight_bytes,
)
from gpuatlas.performance.training.optimizer import optimizer_s_per_micro_step
from gpuatlas.performance.training.param_offload import parameter_fetch_s
from gpuatlas.performance.training.token_traffic import token_traffic_s, traffic_note

MODEL_NAME = "gpuatlas.training/1"
MFU_PRIOR = model_constant("training", "mfu_prior")
BACKWARD_OVERLAP = model_constant("training", "backward_overlap")
LAST_BUCKET_EXPOSED = model_constant("training", "last_bucket_exposed")
QLORA_DEQUANT_FACTOR = model_constant("training", "qlora_dequant_factor")
# ZeRO-3 / FSDP gather the weights in forward and backward and reduce-scatter the gradients:
# 3 x the parameter volume against data parallelism's 2 x, i.e. 1.5 x the traffic for full
# training (Rajbhandari et al., "ZeRO", arXiv:1910.02054, section 7.2.2) — a property of the
# algorithm. A ring all-gather or reduce-scatter of B bytes moves (n-1)/n·B per GPU, half of
# an all-reduce of B, so each is timed as an all-reduce of half its bytes.
SHARDED_COLLECTIVES_PER_ALLREDUCE = 0.5
SHARDED = ("zero3", "fsdp")


def flops_parts_per_token(
    model: ModelArch, setup: TrainingSetup, recompute: bool, dequantised: bool = True
) -> tuple[float, float]:
    """Training FLOPs per token as (weight matmuls, attention). The weight matmuls run forward
    (2·N), backward for the inputs' gradients (2·N) and, full fine-tuning only, for the
    weights' gradients (2·N): 6·N full, 4·N LoRA/QLoRA (the frozen base has no weight
    gradients; Hu et al. 2021, "LoRA", arXiv:2106.09685, section 4). Attention over the
    sequence has no weights: its backward is input gradients only (dQ, dK, dV: twice its
    forward) whatever the method, so a LoRA step saves a third of the matmul work, not of the
    attention. Recomputation adds `setup.recompute_share` of a forward; QLoRA dequantises the
    base on every weight matmul. Causal attention kernels skip the masked half of the scores
    (a query attends to half the sequence on average); eager attention computes every score
    and masks afterwards, the whole sequence for every query."""
    keys = setup.sequence_tokens if setup.eager_attention else setup.sequence_tokens // 2
    forward = forward_flops_per_token(model, keys)
    weights = matmul_flops_per_token(model)
    attention = forward - weights
    extra = setup.recompute_share if recompute else 0.0
    weight_passes = (3.0 if setup.method == "full" else 2.0) + extra
    dequant = QLORA_DEQUANT_FACTOR if setup.method == "qlora" and dequantised else 1.0
    return weights * weight_passes * dequant, attention * (3.0 + extra)


def flops_per_token(model: ModelArch, setup: TrainingSetup, recompute: bool) -> float:
    """Training FLOPs per token: the weight matmuls' and attention's together."""
    return sum(flops_parts_per_token(model, setup, recompute))


# A hardware class whose tensor cores are programmed like another family's takes that family's
# compute prior for training. GeForce and workstation Blackwell (GB202, sm_120: RTX 5090, RTX
# PRO 6000) have no tcgen05/TMEM of datacenter Blackwell (sm_100, B200): they run the same
# warp-level MMA kernels as Ampere/Ada (FlashAttention-2, CUTLASS's SM80-style GEMMs; NVIDIA's
# answer in https://github.com/NVIDIA/cutlass/issues/2513, 2025-07-29). The calibration's
# "blackwell" prior describes B200 kernels and would put a 5090 (209.5 dense bf16 TFLOPS,
# 1,792 GB/s) below a 4090 (165.2 TFLOPS, 1,008 GB/s).
TRAINING_PRIOR_CLASS = {"blackwell/gddr": "ada/gddr"}


def precision_bucket(precision: str) -> str:
    """The calibration's precision class of a training precision: fp8 (Transformer Engine)
    and the 16-bit formats are calibrated apart."""
    return "8bit" if precision.lower().startswith(("fp8", "int8")) else "16bit"


def fitted_mfu(
    system: GpuSystem, engine: str = "pytorch", precision: str = "bf16"
) -> tuple[float, bool]:
    """The calibrated training MFU of the framework on the system's hardware class at the
    precision (and whether that framework's own level on this class was measured):
    family-neutral fitted efficiency × the family's compute prior."""
    calibration = current_calibration()
    hardware = hardware_class(system.gpu)
    bucket = precision_bucket(precision)
    params = calibration.params("train", (1.0, MFU_PRIOR, 0.0), engine, hardware, bucket)
    prior_class = TRAINING_PRIOR_CLASS.get(hardware)
    if prior_class is None:
        return params.eta_compute, params.exact
    neutral = calibration.neutral_params("train", (1.0, MFU_PRIOR, 0.0), engine, hardware, bucket)
    return min(
        1.0, neutral["eta_compute"] * calibration.family_priors(prior_class)[1]
    ), params.exact


def fitted_host_factor(
    system: GpuSystem, engine: str = "pytorch", precision: str = "bf16"
) -> float:
    """The calibrated factor on the framework's eager per-operator host time (1 unfitted)."""
    return _fitted_training_value(system, engine, precision, "train_host_factor")


def fitted_host_adam_factor(
    system: GpuSystem, engine: str = "pytorch", precision: str = "bf16"
) -> float:
    """The calibrated multiple of DeepSpeedCPUAdam's memory-bound host step (1 unfitted)."""
    return _fitted_training_value(system, engine, precision, "host_adam_factor")


def _fitted_training_value(system: GpuSystem, engine: str, precision: str, field: str) -> float:
    calibration = current_calibration()
    neutral = calibration.neutral_params(
        "train",
        (1.0, MFU_PRIOR, 0.0),
        engine,
        hardware_class(system.gpu),
        precision_bucket(precision),
    )
    return neutral[field]


def framework_notes(engine_id: str, precision: str = "bf16") -> tuple[str, ...]:
    """What the answer should say about the framework's level: measured rows of its own, or
    the level of the framework it takes it from; and an 8-bit run no 8-bit row calibrated."""
    engine = training_engines()[engine_id]
    calibration = current_calibration()
    if not engine.levels_from or calibration.is_covered("train:engine", engine.id):
        notes = [f"framework: {engine.name} ({engine.kernels})"]
    else:
        base = training_engines()[engine.levels_from]
        notes = [
            f"framework: {engine.name}; no packaged measurements of its own: predicted at the "
            f"calibrated level of {base.name}"
        ]
    profile = profile_text(engine)
    if profile:
        notes.append(f"{engine.name}: {profile}")
    eight_bit_keys = [key for key in calibration.groups if key.endswith("|8bit")]
    measured = any(key.startswith(f"train|{engine.id}|") for key in eight_bit_keys)
    if precision_bucket(precision) == "8bit" and not measured:
        notes.append(
            f"no {precision} training rows of {engine.name}: the level its 16-bit rows fit, "
            f"applied to the {precision} tensor rate, is likely optimistic (Megatron-Core's "
            "FP8 rows reach a smaller share of the FP8 rate than its BF16 rows of the BF16 rate)"
        )
    return tuple(notes)


@dataclass(frozen=True)
class SyncPhases:
    """Data-parallel communication of one micro-step by the pass it overlaps: the forward's
    (ZeRO-3/FSDP's prefetched weight gathers) and the backward's (their gathers again and the
    gradient reduce-scatter, or data parallelism's gradient all-reduce)."""

    forward_s: float
    backward_s: float

    @property
    def total_s(self) -> float:
        return self.forward_s + self.backward_s


def sync_phases(system: GpuSystem, model: ModelArch, setup: TrainingSetup) -> SyncPhases:
    """One gradient all-reduce per optimizer step (bf16 gradients of the trained weights),
    in the backward; ZeRO-3/FSDP instead gather every sharded weight in the forward and again
    in the backward and reduce-scatter the gradients in the backward (1.5x the gradient
    all-reduce for full training). On a ring of n GPUs each holds 1/n of the weights and
    receives the other (n-1)/n in each gather. The gathers move the whole model, frozen base
    included: FSDP over a LoRA/QLoRA model shards and gathers the base too. Under expert
    parallelism a GPU moves its own shard of the routed experts only
    (training/expert_parallel.py)."""
    experts = setup.expert_parallel
    gradient_bytes = trainable_params(model, setup) * 2.0
    if setup.method == "full":
        gradient_bytes = moved_bytes(gradient_bytes, model, experts)
    if setup.sharding not in SHARDED:
        return SyncPhases(0.0, allreduce_s(system, gradient_bytes))
    weights = moved_bytes(weight_bytes(model, setup), model, experts)
    half = SHARDED_COLLECTIVES_PER_ALLREDUCE
    return SyncPhases(
        allreduce_s(system, weights * half),
        allreduce_s(system, (weights + gradient_bytes) * half),
    )


def gradient_sync_s(system: GpuSystem, model: ModelArch, setup: TrainingSetup) -> float:
    """Seconds of data-parallel communication per micro-step, both passes together."""
    return sync_phases(system, model, setup).total_s


# FP8 training runs the linear layers' GEMMs in FP8 and attention in BF16: Transformer
# Engine's recipes leave FP8 dot-product attention off (`fp8_dpa = False`,
# transformer_engine/common/recipe/__init__.py), and torchao's Float8 training converts the
# nn.Linear modules only (torchtitan docs/performance.md: "both BFLOAT16 Tensor Core and FP8
# Tensor Core are involved in model training").
ATTENTION_PRECISION = "bf16"
# FP8 GEMMs reach a smaller share of the FP8 peak than BF16 GEMMs of the BF16 peak: the
# maximum achievable matmul FLOPS (MAMF, best shape of a brute-force search) of an H100 SXM is
# 1402.6 of 1979 TFLOPS in float8_e4m3fn (70.9 %) against 794.5 of 989 in BF16 (80.3 %); of a
# B200 3432.5 of 4500 (76.3 %) against 1745.0 of 2250 (77.6 %) (stas00/ml-engineering,
# compute/accelerator/README.md, 'Maximum Achievable Matmul FLOPS comparison table'). The FP8
# peak a training step is costed at is scaled by that ratio; families without a measurement
# keep their datasheet ratio.
FP8_GEMM_SHARE_OF_BF16 = {"hopper": 70.9 / 80.3, "blackwell/hbm": 76.3 / 77.6}


def fp8_gemm_share(gpu: Gpu) -> float:
    """The FP8 GEMMs' achievable share of their peak relative to BF16's (1 where unmeasured)."""
    hardware = hardware_class(gpu)
    share = FP8_GEMM_SHARE_OF_BF16.get(hardware, FP8_GEMM_SHARE_OF_BF16.get(hardware.split("/")[0]))
    return 1.0 if share is None else share


def bf16_in_fp32_math(gpu: Gpu, precision: str) -> bool:
    """bf16 training on an NVIDIA GPU without bf16 tensor cores (before Ampere: the catalog
    leaves bf16 empty): PyTorch keeps bf16 (autocast, bf16 weights) and its bf16 GEMMs call
    cublasGemmEx with CUBLAS_COMPUTE_32F, fp32 math on the CUDA cores."""
    return precision == "bf16" and lacks_sixteen_bit_rate(gpu, "bf16")


def training_matmul_peak(gpu: Gpu, precision: str) -> float:
    """The datasheet rate a training step's GEMMs run at in this precision (FLOP/s): the
    FP32 rate for bf16 without bf16 tensor cores, else the precision's peak (fallbacks)."""
    if bf16_in_fp32_math(gpu, precision):
        return (gpu.fp32_tflops or 0.0) * 1e12
    return peak_flops(gpu, precision)[0]


def bf16_note(gpu: Gpu, precision: str) -> tuple[str, ...]:
    """Why a bf16 run on a GPU before Ampere is costed at the FP32 rate."""
    if not bf16_in_fp32_math(gpu, precision):
        return ()
    return (
        f"bf16 on {gpu.name}: no bf16 tensor cores (NVIDIA's start with Ampere, compute "
        f"capability 8.0); PyTorch's bf16 GEMMs compute in fp32 on the CUDA cores, at most "
        f"{gpu.fp32_tflops:g} TFLOPS: train in fp16 (mixed precision with loss scaling) for "
        "the tensor cores",
    )


def compute_step_s(
    system: GpuSystem,
    model: ModelArch,
    setup: TrainingSetup,
    recompute: bool,
    mfu: float,
    dequantised: bool = True,
) -> float:
    """The GEMM and attention time of one micro-step at the fitted `mfu` (`dequantised`
    False: without QLoRA's dequantisation, the model's own FLOPs only)."""
    matmul_flops, attention_flops = flops_parts_per_token(model, setup, recompute, dequantised)
    # dense GEMMs hold only the clock the board power sustains (sustained_clocks.py, as the
    # diffusion model costs them): a 300 W RTX 6000 Ada 0.85 of its datasheet peak, a 450 W
    # RTX 4090 or a 700 W H100 SXM all of it; the answer's MFU stays against the datasheet
    clock_share = sustained_clock_share(system.gpu)
    matmul_peak = training_matmul_peak(system.gpu, setup.precision) * clock_share
    attention_peak = matmul_peak
    if precision_bucket(setup.precision) == "8bit":
        attention_peak = peak_flops(system.gpu, ATTENTION_PRECISION)[0] * clock_share
        matmul_peak *= fp8_gemm_share(system.gpu)
    tokens = setup.sequence_tokens * setup.micro_batch
    return tokens * (matmul_flops / matmul_peak + attention_flops / attention_peak) / mfu


# shardings whose gradient synchronisation runs once per optimizer step, not per micro-step
ONCE_PER_OPTIMIZER_STEP = ("none", "zero1")


def _phase_exposed_s(sync_s: float, compute_s: float, overlap: float) -> float:
    """What of one pass's communication its compute does not hide (at least the last bucket)."""
    return max(LAST_BUCKET_EXPOSED * sync_s, sync_s - overlap * compute_s)


def exposed_sync_s(
    system: GpuSystem, setup: TrainingSetup, phases: SyncPhases, compute_s: float
) -> float:
    """The communication one micro-step waits for: what each pass does not hide. The backward
    hides the gradient reduction (bucketed, on a second stream) and ZeRO-3/FSDP's backward
    gathers; the forward hides ZeRO-3/FSDP's forward gathers, prefetched a layer ahead
    (FSDP issues the next layer's all-gather while the current layer computes, its
    `backward_prefetch` BACKWARD_PRE by default; DeepSpeed's stage3_prefetch_bucket_size
    fetches parameters ahead of use). A framework that reduces the gradients after the backward
    under this sharding (its profile's `reduce_after_backward`: DeepSpeed's ZeRO 0-2 without
    overlap_comm) hides nothing. DDP all-reduces once per optimizer step (`no_sync` on the
    accumulating micro-steps), and ZeRO-1 reduces at the accumulation boundary, so their wait
    is spread over the accumulation cycle; ZeRO-2 reduces its gradient partitions on every
    micro-step and ZeRO-3/FSDP also gather the weights on every one, so theirs is not."""
    if system.gpu_count <= 1:
        return 0.0
    after_backward = setup.sharding in training_engines()[setup.engine].reduce_after_backward
    overlap = 0.0 if after_backward else BACKWARD_OVERLAP
    exposed = _phase_exposed_s(phases.forward_s, compute_s / 3.0, overlap) + _phase_exposed_s(
        phases.backward_s, compute_s * (2.0 / 3.0), overlap
    )
    if setup.sharding in ONCE_PER_OPTIMIZER_STEP:
        return exposed / setup.gradient_accumulation
    return exposed


def micro_step_s(gpu_s: float, host_s: float, host_syncs: bool) -> float:
    """One micro-step's time from its GPU time and the host's time to dispatch it. The host
    queues kernels ahead of the GPU, so where nothing makes it wait the two overlap and the
    longer one sets the pace. A framework that reads a value back from the GPU every
    micro-step (its profile's `host_sync_per_micro_step`: the Hugging Face Trainer's nan/inf
    loss check) empties the GPU's queue there: the next micro-step's first kernels wait for the
    host's dispatch, and the host runs ahead only within a step. The two are then taken to add,
    the bound a sync per step allows; what a layer's large matmuls still hide of the host's
    launches is left to the framework's fitted host factor (calibration/training_host.py),
    fitted with this in force."""
    return gpu_s + host_s if host_syncs else max(gpu_s, host_s)


def predict_training_run(
    system: GpuSystem, model: ModelArch, setup: TrainingSetup, *, tokens: float, recompute: bool
) -> TrainingPrediction:
    if tokens <= 0:
        raise InvalidRequestError([f"tokens (the training budget) must be positive, got {tokens}"])
    mfu, exact = fitted_mfu(system, setup.engine, setup.precision)
    compute_s = compute_step_s(system, model, setup, recompute, mfu)
    # the CPU dispatches the step while the GPU runs it (host.py)
    host_s = host_step_s(
        model, setup, recompute, fitted_host_factor(system, setup.engine, setup.precision)
    )
    phases = sync_phases(system, model, setup)
    sync_s = phases.total_s
    exposed = exposed_sync_s(system, setup, phases, compute_s)
    # the optimizer step (training/optimizer.py) runs on the GPU after the backward pass
    # and the element-wise, loss and adapter traffic the FLOP count leaves out (token_traffic.py)
    traffic_s = token_traffic_s(system, model, setup, recompute)
    adam_factor = fitted_host_adam_factor(system, setup.engine, setup.precision)
    # parameter partitions offloaded to the host cross PCIe at every gather (param_offload.py)
    fetch_s = parameter_fetch_s(system, model, setup, recompute)
    memory_s = optimizer_s_per_micro_step(system, model, setup, adam_factor) + traffic_s + fetch_s
    syncs = training_engines()[setup.engine].host_sync_per_micro_step
    # an expert-parallel MoE's tokens travel to their experts and back in every layer
    exchange_s = all_to_all_s(
        system,
        model,
        setup.expert_parallel,
        setup.sequence_tokens * setup.micro_batch,
        setup.recompute_share if recompute else 0.0,
    )
    step_s = micro_step_s(compute_s + memory_s + exchange_s, host_s, syncs) + exposed
    tokens_per_step = setup.sequence_tokens * setup.micro_batch * system.gpu_count
    single = build_system(system.gpu, 1)
    # scaling efficiency is what communication costs: one GPU doing this GPU's share of the work
    single_gpu_s = compute_step_s(single, model, setup, recompute, mfu) + memory_s
    single_s = micro_step_s(single_gpu_s, host_s, syncs)
    calibration = current_calibration()
    extrapolated = not (exact and calibration.is_covered("train:gpu", system.gpu.id))

    def estimate(value: float, unit: str) -> Estimate:
        low, high = calibration.band(value, "train", extrapolated)
        return Estimate(value, low, high, unit, MODEL_NAME, calibration.version, extrapolated)

    rate = tokens_per_step / step_s
    model_s = compute_step_s(system, model, setup, False, mfu, dequantised=False)
    return TrainingPrediction(
        system_id=system.id,
        model_id=model.id,
        method=setup.method,
        precision=setup.precision,
        recompute=recompute,
        tokens_per_step=tokens_per_step,
        step_s=estimate(step_s, "s"),
        tok_s=estimate(rate, "tok/s"),
        time_for_budget_h=estimate(tokens / rate / 3600.0, "h"),
        allreduce_s=sync_s,
        exposed_allreduce_s=exposed,
        overlap_fraction=(1.0 - exposed / sync_s) if sync_s > 0 else 1.0,
        scaling_efficiency=single_s / step_s,
        # model FLOPs utilisation (PaLM's MFU): the model's FLOPs only, so a recomputed
        # forward or QLoRA's dequantisation lengthens the step without counting as work
        mfu=mfu * sustained_clock_share(system.gpu) * model_s / step_s,
        memory=training_memory_fit(system, model, setup),
        notes=(
            *framework_notes(setup.engine, setup.precision),
            *bf16_note(system.gpu, setup.precision),
            traffic_note(model, setup, traffic_s, step_s),
            *_expert_notes(model, setup, (exchange_s, exposed), step_s),
        ),
    )


def _expert_notes(
    model: ModelArch, setup: TrainingSetup, waits_s: tuple[float, float], step_s: float
) -> tuple[str, ...]:
    """The all-to-all time of an expert-parallel run (`waits_s`: its exchanges, the exposed
    data-parallel sync); for a MoE whose every GPU gathers every expert (FSDP/ZeRO-3 without
    expert parallelism), what that gather moves, where waiting for it is a real share of the
    step (GATHER_NOTE_SHARE)."""
    exchange_s, exposed_s = waits_s
    if setup.expert_parallel > 1:
        return (all_to_all_note(setup.expert_parallel, exchange_s, step_s),)
    if not model.is_moe or setup.sharding not in SHARDED or exposed_s < GATHER_NOTE_SHARE * step_s:
        return ()
    return (
        f"{model.id} is a mixture of experts: without expert parallelism each GPU gathers every "
        f"expert of every layer ({weight_bytes(model, setup) / 1e9:,.0f} GB of weights per "
        f"forward and again per backward), and {exposed_s:.2f} s of the {step_s:.2f} s "
        "micro-step waits for it; training frameworks split the experts over GPUs instead "
        "(--expert-parallel N)",
    )


# the share of a micro-step spent waiting for a MoE's gathered experts from which the answer
# says so (and suggests expert parallelism)
GATHER_NOTE_SHARE = 0.2


# ----- what would fit instead -----------------------------------------------------------------

LIGHTER_METHODS = {"full": ("lora", "qlora"), "lora": ("qlora",), "qlora": ()}
MORE_GPU_COUNTS = (2, 4, 8, 16, 32, 64)


def fitting_alternatives(
    system: GpuSystem, model: ModelArch, setup: TrainingSetup, limit: int = 3
) -> list[str]:
    """Setups close to `setup` that fit, nearest first: activation checkpointing, micro-batch 1,
    FSDP sharding over the system's GPUs, a lighter method (LoRA, QLoRA), or more GPUs."""
    return [
        f"{label} ({gib_text(total_gb)} per GPU)"
        for label, total_gb in fitting_setups(system, model, setup, limit)
    ]


def fitting_setups(
    system: GpuSystem, model: ModelArch, setup: TrainingSetup, limit: int = 3
) -> list[tuple[str, float]]:
    """`fitting_alternatives` as data: each setup's label and its memory per GPU in GB."""
    found: list[tuple[str, float]] = []
    for label, candidate, candidate_system in _nearby_setups(system, setup):
        fit = training_memory_fit(candidate_system, model, candidate)
        if fit.fits:
            found.append((label, fit.total_gb))
        if len(found) >= limit:
            break
    return found


def _nearby_setups(
    system: GpuSystem, setup: TrainingSetup
) -> list[tuple[str, TrainingSetup, GpuSystem]]:
    lean = replace(setup, checkpointing=True, micro_batch=1)
    # FSDP over the GPUs the run already has: the base weights of LoRA and QLoRA shard too
    # (`--sharding fsdp` fits a 70B LoRA on 8 H100s that plain data parallel does not)
    sharded = "fsdp" if system.gpu_count > 1 else setup.sharding
    candidates = [
        ("activation checkpointing", replace(setup, checkpointing=True), system),
        ("micro-batch 1 with checkpointing", lean, system),
    ]
    if sharded != setup.sharding:
        candidates.append(
            (
                "FSDP sharding, micro-batch 1 with checkpointing",
                replace(lean, sharding=sharded),
                system,
            )
        )
    candidates += [
        (
            f"{method} (micro-batch 1, checkpointing)",
            replace(lean, method=method, sharding="none" if method != "full" else sharded),
            system,
        )
        for method in LIGHTER_METHODS.get(setup.method, ())
    ]
    candidates += [
        (
            f"{count}x {system.gpu.id} with FSDP (micro-batch 1, checkpointing)",
            replace(lean, sharding="fsdp"),
            build_system(system.gpu, count),
        )
        for count in MORE_GPU_COUNTS
        if count > system.gpu_count and count % setup.expert_parallel == 0
    ]
    return candidates


def require_training_precision(gpu: Gpu, precision: str) -> None:
    """FP8 training (Transformer Engine, torchao float8) runs its GEMMs on FP8 tensor cores: a
    GPU whose datasheet has no FP8 rate (an A100, a V100, an MI250) is refused (it was priced
    faster than bf16 on an A100, from a fallback peak)."""
    if precision.startswith("fp8") and not gpu.dense_tflops("fp8"):
        other = "fp16" if lacks_sixteen_bit_rate(gpu, "bf16") else "bf16"
        raise InvalidRequestError(
            [
                f"fp8 training needs FP8 tensor cores (NVIDIA Ada and Hopper on, compute "
                f"capability 8.9; AMD MI300 on): {gpu.name} has no FP8 rate in its datasheet; "
                f"train in {other} (--precision {other})"
            ]
        )


def auto_training_precision(gpu: Gpu) -> str:
    """The precision a run that names none trains in: bf16 where the GPU has bf16 tensor
    cores, else fp16 (a T4 or V100: bf16 runs its GEMMs in fp32 there; Hugging Face Trainer's
    and Unsloth's `is_bfloat16_supported()` pick fp16)."""
    return "fp16" if lacks_sixteen_bit_rate(gpu, "bf16") else "bf16"


def training_sequence_problem(
    model: ModelArch, sequence_tokens: int, named: str = "--sequence"
) -> str | None:
    """A training sequence past the model's maximum context (max_position_embeddings), as
    `fit` refuses such a context, `named` as the request writes it; None when within it."""
    maximum = model_max_context(model)
    if maximum and sequence_tokens > maximum:
        return (
            f"{named} {sequence_tokens:,} exceeds {model.id}'s maximum context of "
            f"{maximum:,} tokens (max_position_embeddings)"
        )
    return None


def require_training_fits(system: GpuSystem, model: ModelArch, setup: TrainingSetup) -> None:
    """Raise a clear error, naming what would fit, for a setup whose memory does not fit."""
    fit = training_memory_fit(system, model, setup)
    if fit.fits:
        return
    what = (
        f"{setup.method} training of {model.id} on {system.id} (micro-batch "
        f"{setup.micro_batch}, {setup.sequence_tokens}-token sequences, checkpointing "
        f"{'on' if setup.checkpointing else 'off'}, sharding {setup.sharding}) does not fit: "
        f"{fit.reasons[0]}"  # the usable memory and the share kept free, as `fit` says it
    )
    alternatives = fitting_alternatives(system, model, setup)
    hint = (
        ("; would fit: " + "; ".join(alternatives)) if alternatives else ("; nothing nearby fits")
    )
    raise InvalidRequestError([what + hint])
