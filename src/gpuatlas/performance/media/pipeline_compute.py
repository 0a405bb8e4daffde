"""How image pipelines compute and where their weights live: the tensor rate a pipeline's
math runs at, and the CPU offload its memory forces.

Precision, as the frameworks compute (PyTorch defaults):
- fp16 and bf16 pipelines run their GEMMs and convolutions with fp32 accumulation, so both
  labels reach the same tensor rate: the catalog's 16-bit dense peak (on GeForce cards the
  fp32-accumulate rate, half the fp16-accumulate figure NVIDIA also quotes).
- A 16-bit dtype the GPU has no rate for (the catalog leaves it empty: bf16 before Ampere, since
  NVIDIA's bf16 tensor cores start at compute capability 8.0; fp16 on Pascal GP102-GP107, which
  run fp16 arithmetic at 1/64 of FP32): PyTorch's half and bf16 GEMMs call cublasGemmEx with
  CUBLAS_COMPUTE_32F (aten/src/ATen/cuda/CUDABlas.cpp), so cuBLAS converts the inputs and
  multiplies in fp32 on the CUDA cores (torch.cuda.is_bf16_supported(including_emulation=True)
  is True there for this reason): the math runs at most at the FP32 rate, timed like an fp32
  pipeline's matmuls, while activations keep 2 bytes.
- fp32 pipelines: cuDNN convolutions run in TF32 by default (torch.backends.cudnn.allow_tf32 is
  True), matmuls do not (torch.backends.cuda.matmul.allow_tf32 is False unless set, e.g. by
  torch.set_float32_matmul_precision('high'), the variant `tf32`): convolutions at the TF32
  peak, linear layers and attention at the FP32 (CUDA-core) peak.
- Weight-only storage formats (fp8 checkpoints upcast by ComfyUI or diffusers, bitsandbytes
  nf4/int8, GGUF transformers) are dequantised and multiplied in 16 bits by PyTorch pipelines;
  compiled engines that quantise the math itself (TensorRT int8/fp8, MLPerf's PyTorch fp8
  submissions) run at the format's own tensor rate.
- TensorRT engines built in FP16 time every tactic and keep the fastest, FP16-accumulating GEMM
  and convolution kernels included, which on GeForce cards run at the full fp16-accumulate
  rate, twice the fp32-accumulate rate PyTorch reaches there (gpus_nvidia_geforce.toml:
  fp16_with_fp16_accumulate_dense_tflops); other GPUs quote one rate for both. The
  calibration's GeForce TensorRT FP16 rows say the same: an RTX 3090's (A1111 TensorRT
  extension) and an RTX 4090's (demo/Diffusion) SDXL were over-predicted 1.4-1.7x at the
  fp32-accumulate rate, while the INT8 rows and the RTX 6000 Ada rows of the demo/Diffusion
  source were not.

Offload: what must be resident is the largest component in turn ("model" CPU offload moves
each component onto the GPU when it runs, diffusers' enable_model_cpu_offload); when the
denoiser alone does not fit, "sequential" offload streams its weights over PCIe every step.
Each component counts its real bytes in its format. The weights stream over the card's own
PCIe link (generation x lanes: an RTX 4060 or Arc B580 has 8 lanes of PCIe 4.0, half an RTX
3060's 16; a GTX 10-series card PCIe 3.0 x16) at a fixed share of its bandwidth per direction
(`offload_bytes_s`).
"""

from __future__ import annotations

from dataclasses import dataclass

from gpuatlas.catalog.formats import WeightFormat
from gpuatlas.catalog.gpu import Gpu
from gpuatlas.catalog.model_arch import DiffusionArch
from gpuatlas.performance.model_constants import model_constant
from gpuatlas.performance.peak_rates import engine_peak_flops, lacks_sixteen_bit_rate, peak_flops
from gpuatlas.performance.sustained_clocks import sustained_clock_share

# Engines whose kernels compute in a quantised format's own precision (int8/fp8 math).
QUANTISED_MATH_ENGINES = ("tensorrt", "trt", "pytorch")
# Engines whose FP16 kernels accumulate in fp16 (TensorRT; the module docstring says why).
FP16_ACCUMULATE_ENGINES = ("tensorrt", "trt")
PCIE_OFFLOAD_SHARE = model_constant("diffusion_pipeline", "pcie_offload_share")
# The link a GPU without a PCIe figure in the catalog is taken to stream over: PCIe 4.0 x16.
REFERENCE_PCIE_GB_S = 31.5
# Offloaded weights stream at this rate over the reference link (20 GB/s).
PCIE_OFFLOAD_BYTES_S = REFERENCE_PCIE_GB_S * 1e9 * PCIE_OFFLOAD_SHARE
ACTIVATION_OVERHEAD_GB = model_constant("diffusion_pipeline", "activation_overhead_gb")
FITS_SHARE = model_constant("diffusion_pipeline", "fits_share")  # weights + activations
FP32_CUDA_CORE_EFFICIENCY = model_constant("diffusion_pipeline", "fp32_cuda_core_efficiency")
# Convolutions (cuDNN implicit-GEMM kernels over NCHW feature maps) may reach another share of
# the tensor rate than the same pipeline's matmuls: their FLOPs are timed at a ratio of the peak
# that gpuatlas calibrate fits (diffusion.pipeline_constants); this is the prior of that fit.
CONVOLUTION_EFFICIENCY_RATIO_PRIOR = model_constant(
    "diffusion_pipeline", "convolution_efficiency_ratio"
)
OffloadKind = str  # "none", "model", "partial" or "sequential"
# ComfyUI (and SwarmUI, which runs it) computes in fp32 on NVIDIA Pascal and on the GTX 16-series
# (Turing without tensor cores: TU116/TU117): comfy/model_management.py should_use_fp16 returns
# False for GTX 10-series, Quadro P, Tesla P40 and P100 names outside Windows ('weird linux
# behavior where fp32 is faster') and for 1660/1650/1630/T500-T1200 names ('FP16 is just broken
# on these cards'); should_use_bf16 needs compute capability 8.0; so unet_manual_cast casts every
# weight to fp32 for the math.
FP32_ON_PASCAL_ENGINES = ("comfyui", "swarmui", "stableswarmui")
COMFYUI_FP32_REASONS = {
    "pascal": "GTX 10-series, Quadro P, Tesla P40/P100 on Linux: 'fp32 is faster'; on Windows "
    "it picks fp16",
    "turing": "GTX 16-series and T500-T1200: 'FP16 is just broken on these cards'",
}


@dataclass(frozen=True)
class PipelinePrecision:
    """The precision a pipeline's math runs in: 'fp32', 'tf32' (fp32 with TF32 matmuls),
    '16bit', or a quantised compute precision ('int8', 'fp8')."""

    name: str
    # the 16-bit dtype ('fp16', 'bf16') of a 'fp32-math' pipeline
    dtype: str = ""
    # why the engine chose this precision over the weights' own (said in the answer)
    engine_choice: str = ""
    # 16-bit math that accumulates in fp16 (TensorRT FP16 engines): GeForce's full fp16 rate
    fp16_accumulate: bool = False

    @property
    def value_bytes(self) -> float:
        """Bytes of one activation value."""
        return 4.0 if self.name in ("fp32", "tf32") else 2.0


# A 16-bit pipeline whose GEMMs the GPU can only run in fp32 arithmetic (module docstring).
SIXTEEN_BIT_IN_FP32_MATH = "16bit-fp32-math"
# Precisions whose matmuls run on the CUDA cores (timed at the FP32 share, not the tensor fit).
CUDA_CORE_PRECISIONS = ("fp32", SIXTEEN_BIT_IN_FP32_MATH)


def sixteen_bit_dtype(weight_format: WeightFormat) -> str:
    """The 16-bit type a pipeline computes in: bf16 for bf16 weights, else fp16 (fp16 weights,
    and quantised weights dequantised to 16 bits)."""
    return "bf16" if weight_format.id == "bf16" else "fp16"


def pipeline_precision(
    weight_format: WeightFormat,
    gpu: Gpu,
    engine: str,
    tf32_matmul: bool,
    fp8_matmul: bool = False,
    weight_only: bool = False,
) -> PipelinePrecision:
    """The precision of the math; `fp8_matmul` (the variant 'fp8-matmul': flux-fp8-api's
    torch._scaled_mm, ComfyUI's fp8_e4m3fn_fast) runs fp8 weights' matmuls in fp8;
    `weight_only` (the variant 'weight-only') keeps 16-bit math whatever the engine."""
    if weight_format.id == "fp32":
        return PipelinePrecision("tf32" if tf32_matmul else "fp32")
    if computes_in_fp32_on(engine, gpu) and not fp8_matmul:
        reason = COMFYUI_FP32_REASONS[gpu.architecture_family]
        return PipelinePrecision(
            "fp32",
            engine_choice=f"ComfyUI computes in fp32 on {gpu.name} (comfy/model_management.py "
            f"should_use_fp16 is False for {reason}): weights cast to fp32 for each layer's math",
        )
    if weight_only and not lacks_sixteen_bit_rate(gpu, sixteen_bit_dtype(weight_format)):
        return PipelinePrecision("16bit")
    if engine in QUANTISED_MATH_ENGINES or (fp8_matmul and weight_format.id == "fp8"):
        compute = weight_format.compute_precision_on(gpu.architecture_family)
        if compute not in ("fp16", "bf16"):
            return PipelinePrecision(compute)
    dtype = sixteen_bit_dtype(weight_format)
    if lacks_sixteen_bit_rate(gpu, dtype):
        return PipelinePrecision(SIXTEEN_BIT_IN_FP32_MATH, dtype=dtype)
    fp16_accumulate = engine in FP16_ACCUMULATE_ENGINES and weight_format.id == "fp16"
    return PipelinePrecision("16bit", fp16_accumulate=fp16_accumulate)


def computes_in_fp32_on(engine: str, gpu: Gpu) -> bool:
    """Whether this UI picks fp32 math on this GPU whatever the weights (ComfyUI on Pascal and
    on Turing without tensor cores, the GTX 16-series)."""
    if engine not in FP32_ON_PASCAL_ENGINES or gpu.vendor != "NVIDIA":
        return False
    family = gpu.architecture_family
    return family == "pascal" or (family == "turing" and gpu.tensor_cores == 0)


def _sustained_peak(gpu: Gpu, precision: str) -> float:
    return peak_flops(gpu, precision)[0] * sustained_clock_share(gpu)


def convolution_and_matmul_peaks(gpu: Gpu, precision: PipelinePrecision) -> tuple[float, float]:
    """(convolution peak, matmul peak) in FLOP/s at the clock the board power sustains
    (clocks.py: denoising keeps the tensor cores busy for seconds on end)."""
    if precision.name == "16bit":
        flops = engine_peak_flops(gpu, "fp16", precision.fp16_accumulate)[0]
        peak = flops * sustained_clock_share(gpu)
        return peak, peak
    if precision.name == SIXTEEN_BIT_IN_FP32_MATH:
        fp32 = (gpu.fp32_tflops or 0.0) * 1e12 * sustained_clock_share(gpu)
        return fp32, fp32
    if precision.name in ("fp32", "tf32"):
        convolution = _sustained_peak(gpu, "tf32")
        fp32 = (gpu.fp32_tflops or 0.0) * 1e12 * sustained_clock_share(gpu)
        matmul = convolution if precision.name == "tf32" else (fp32 or convolution)
        return convolution, matmul
    peak = _sustained_peak(gpu, precision.name)
    return peak, peak


def convolution_and_matmul_rates(
    peaks: tuple[float, float], convolution_ratio: float
) -> tuple[float, float]:
    """The rates the fitted efficiency applies to: convolutions at `convolution_ratio` of
    their peak, matmuls at theirs."""
    return peaks[0] * convolution_ratio, peaks[1]


def cuda_core_matmul_peak(gpu: Gpu, precision: PipelinePrecision) -> float:
    """FLOP/s of an fp32 pipeline's matmuls and attention on an NVIDIA GPU's CUDA cores (TF32
    matmuls off, PyTorch's default), timed at a fixed share of the FP32 peak rather than the
    fitted tensor-core efficiency (model_constants.toml says why); 0 when they run on the
    tensor cores (a 'tf32' or 16-bit pipeline) or the GPU has no FP32 figure."""
    if precision.name not in CUDA_CORE_PRECISIONS or gpu.vendor != "NVIDIA" or not gpu.fp32_tflops:
        return 0.0
    return gpu.fp32_tflops * 1e12 * sustained_clock_share(gpu) * FP32_CUDA_CORE_EFFICIENCY


def dequantised_per_matmul(weight_format: WeightFormat, precision: PipelinePrecision) -> bool:
    """Weights a separate kernel dequantises to 16 bits before every matmul of a 16-bit
    pipeline: bitsandbytes nf4 (dequantize_4bit, then the bf16 GEMM) and GGUF transformers in
    diffusers/ComfyUI. fp8 weight-only casts are fused (torchao) and not counted."""
    return precision.name in ("16bit", SIXTEEN_BIT_IN_FP32_MATH) and (
        weight_format.id == "nf4" or weight_format.family == "gguf"
    )


def dequantisation_bytes(
    weight_format: WeightFormat, precision: PipelinePrecision, params: float
) -> float:
    """Bytes one forward's dequantisation moves: each weight read in its format and written
    as a 16-bit copy (the GEMM's read of that copy is the GEMM's own traffic)."""
    if not dequantised_per_matmul(weight_format, precision):
        return 0.0
    return params * (weight_format.bytes_per_weight + 2.0)


def precision_notes(
    weight_format: WeightFormat, precision: PipelinePrecision, on_cuda_cores: bool, gpu: Gpu
) -> tuple[str, ...]:
    """What the prediction assumed about the math's precision, in the user's words."""
    if precision.name == SIXTEEN_BIT_IN_FP32_MATH:
        return (fp32_math_note(gpu, precision.dtype),)
    choice = (precision.engine_choice,) if precision.engine_choice else ()
    return choice + _math_notes(weight_format, precision, on_cuda_cores)


def _math_notes(
    weight_format: WeightFormat, precision: PipelinePrecision, on_cuda_cores: bool
) -> tuple[str, ...]:
    if precision.name == "fp32":
        matmuls = (
            "matmuls and attention in FP32 on the CUDA cores"
            if on_cuda_cores
            else "matmuls and attention in FP32"
        )
        return (
            f"fp32 as PyTorch defaults: convolutions in TF32 (cudnn.allow_tf32), {matmuls}"
            " (cuda.matmul.allow_tf32 off); variant 'tf32' (set_float32_matmul_precision"
            "('high')) runs them in TF32 too",
        )
    if precision.name == "tf32":
        return (
            "fp32 with TF32 matmuls (variant 'tf32'): convolutions, matmuls and attention "
            "at the TF32 tensor rate",
        )
    if dequantised_per_matmul(weight_format, precision):
        return (
            f"{weight_format.id} weights are dequantised to 16 bits before every matmul: "
            f"16-bit compute plus a pass that reads {weight_format.bits_per_weight:.3g} and "
            "writes 16 bits per weight each forward",
        )
    if precision.fp16_accumulate:
        return (
            "TensorRT FP16 engine: GEMMs and convolutions accumulate in fp16, at the GPU's "
            "fp16-accumulate tensor rate (on GeForce cards twice the fp32-accumulate rate "
            "PyTorch reaches)",
        )
    return ()


def fp32_math_note(gpu: Gpu, dtype: str) -> str:
    """Why a 16-bit pipeline was computed in fp32 arithmetic on this GPU, and what to do."""
    fp32 = f"{gpu.fp32_tflops:g} TFLOPS FP32"
    if dtype == "bf16":
        other = gpu.dense_tflops("fp16")
        advice = (
            f"; fp16 (torch_dtype=torch.float16) runs on its fp16 rate ({other:g} TFLOPS)"
            if other
            else ""
        )
        return (
            f"computed in fp32 arithmetic: {gpu.name} has no bf16 tensor cores (NVIDIA's start "
            f"with Ampere, compute capability 8.0), so PyTorch's bf16 matmuls run through "
            f"cuBLAS's fp32 path on the CUDA cores, at most {fp32}{advice}"
        )
    why = (
        "Pascal GP102-GP107 run fp16 math at 1/64 of FP32"
        if gpu.architecture_family == "pascal"
        else "no tensor cores"
    )
    return (
        f"computed in fp32 arithmetic: {gpu.name} has no fp16 tensor rate ({why}); PyTorch's "
        f"fp16 matmuls compute in fp32 in cuBLAS (CUBLAS_COMPUTE_32F) on the CUDA cores, at "
        f"most {fp32}"
    )


def combined_peak(
    convolution_flops: float, matmul_flops: float, peaks: tuple[float, float]
) -> float:
    """The one rate at which convolution + matmul FLOPs take as long as each at its own
    peak (a FLOP-weighted harmonic mean)."""
    total = convolution_flops + matmul_flops
    if total <= 0:
        return peaks[1]
    return total / (convolution_flops / peaks[0] + matmul_flops / peaks[1])


@dataclass(frozen=True)
class Offload:
    """The CPU offload a pipeline needs on a GPU and its time per batch."""

    kind: OffloadKind
    seconds: float  # the transfers the GPU waits for, per batch
    why: str = ""  # the sizes that force it: '23.8 GB denoiser > 21.1 GB of room …'
    # per denoising step, the streaming that runs on a side stream beside the forward
    # (variant 'offload-stream'): it overlaps the forward instead of adding to it
    step_stream_s: float = 0.0
    chosen: bool = False  # offloaded because the run chose to, not because the card is short

    @property
    def needed(self) -> bool:
        """Whether the card's memory forces this offload (a chosen one it does not)."""
        return self.kind != "none" and not self.chosen

    @property
    def note(self) -> tuple[str, ...]:
        if self.kind == "none":
            return ()
        why = f" ({self.why})" if self.why else ""
        if self.kind == "model":
            return (
                "model CPU offload, diffusers' enable_model_cpu_offload: each component moves "
                "onto the GPU when it runs" + why,
            )
        if self.kind == "partial":
            return (
                "partial load (ComfyUI/Forge lowvram): as much of the denoiser as fits beside the "
                "working memory stays on the GPU; the rest streams over PCIe every step" + why,
            )
        overlap = (
            ", on a side stream that overlaps the forward (group offloading with use_stream)"
            if self.step_stream_s > 0
            else ""
        )
        return (
            "sequential CPU offload, diffusers' enable_sequential_cpu_offload: the denoiser's "
            "weights stream over PCIe every step" + overlap + why,
        )


@dataclass(frozen=True)
class ComponentBytes:
    """Weight bytes of each part of a pipeline in its format."""

    denoiser: float
    text_encoders: float
    vae: float

    @property
    def total(self) -> float:
        return self.denoiser + self.text_encoders + self.vae


LARGE_TEXT_ENCODER_PARAMS = 1e9  # T5-XXL class encoders (4.7B) ship in the checkpoint's format


def component_bytes(
    model: DiffusionArch, weight_format: WeightFormat, precision: PipelinePrecision
) -> ComponentBytes:
    """The denoiser in the weight format, and so is a large T5-class text encoder when the
    format is quantised (fp8/nf4/GGUF checkpoints such as ComfyUI's all-in-one FLUX fp8 ship
    T5-XXL in it); CLIP encoders and the VAE stay in the pipeline's dtype (16-bit, or 32-bit
    for an fp32 pipeline)."""
    others = precision.value_bytes
    quantised = weight_format.bytes_per_weight < 2.0
    encoders = sum(
        encoder.params
        * (
            weight_format.bytes_per_weight
            if quantised and encoder.params >= LARGE_TEXT_ENCODER_PARAMS
            else others
        )
        for encoder in model.text_encoders
    )
    return ComponentBytes(
        denoiser=model.denoiser_params * weight_format.bytes_per_weight,
        text_encoders=encoders,
        vae=model.vae_params * others,
    )


def offload_bytes_s(gpu: Gpu, share: float = PCIE_OFFLOAD_SHARE) -> float:
    """Bytes/s offloaded weights stream to this GPU at: a share (`share`; the calibration's
    fitted one, PCIE_OFFLOAD_SHARE its prior) of its PCIe link's bandwidth per direction, the
    PCIe 4.0 x16 reference where the catalog gives none."""
    link_gb_s = gpu.pcie_per_direction_gb_s or REFERENCE_PCIE_GB_S
    return link_gb_s * 1e9 * share


def offload_for(
    parts: ComponentBytes,
    working_gb: float,
    capacity_gb: float,
    steps: int,
    partial_load: bool = False,
    stream_bytes_s: float = PCIE_OFFLOAD_BYTES_S,
    *,
    forced: bool = False,
    side_stream: bool = False,
    other_parts: bool = True,
) -> Offload:
    """None when everything fits at once; model offload when the largest component fits;
    else the denoiser streams every step: all of it (diffusers' sequential offload) or, for a
    UI that loads models partially (`partial_load`), only what does not fit beside the working
    memory. A run that offloads by choice (`forced`: the variant 'sequential-offload',
    diffusers' enable_sequential_cpu_offload or leaf-level group offloading on a card that
    holds the model) streams the whole denoiser every step too; `side_stream` (the variant
    'offload-stream') overlaps that streaming with the forwards; `other_parts` False (a
    denoise-loop timing) moves no text encoder or VAE."""
    room_gb = capacity_gb * FITS_SHARE - working_gb
    link = f"; weights stream at {stream_bytes_s / 1e9:.1f} GB/s over PCIe"
    others_s = (parts.text_encoders + parts.vae) / stream_bytes_s if other_parts else 0.0
    if forced:
        why = f"offloaded as the run chose (variant 'sequential-offload'){link}"
        return _streamed(
            parts.denoiser / stream_bytes_s, steps, others_s, why, side_stream, chosen=True
        )
    if parts.total / 1e9 <= room_gb:
        return Offload("none", 0.0)
    room = (
        f"{max(room_gb, 0.0):.1f} GB of room: {FITS_SHARE:.0%} of {capacity_gb:.1f} GB less "
        f"{working_gb:.1f} GB of working memory"
    )
    largest = max(parts.denoiser, parts.text_encoders, parts.vae)
    if largest / 1e9 <= room_gb:
        why = f"all weights {parts.total / 1e9:.1f} GB > {room}; the largest part fits{link}"
        return Offload("model", parts.total / stream_bytes_s, why)
    why = f"the denoiser alone, {parts.denoiser / 1e9:.1f} GB, > {room}{link}"
    if partial_load:
        streamed_bytes = parts.denoiser - max(room_gb, 0.0) * 1e9
        return Offload("partial", steps * streamed_bytes / stream_bytes_s + others_s, why)
    return _streamed(parts.denoiser / stream_bytes_s, steps, others_s, why, side_stream)


def _streamed(
    step_s: float, steps: int, others_s: float, why: str, side_stream: bool, chosen: bool = False
) -> Offload:
    """Sequential offload: the denoiser's weights stream every step, the GPU waiting for them,
    or beside the forward on a side stream."""
    if side_stream:
        return Offload("sequential", others_s, why, step_stream_s=step_s, chosen=chosen)
    return Offload("sequential", steps * step_s + others_s, why, chosen=chosen)
