"""Ecosystem facts: architecture, compute capability, precisions and engines."""

from __future__ import annotations

from gpuatlas.catalog.gpu import PRECISIONS, Gpu
from gpuatlas.report.context import ReportContext
from gpuatlas.report.document import Cell, Section, Table, Text
from gpuatlas.report.quantities import gpu_text

NVIDIA_ENGINES = "vLLM, SGLang, TensorRT-LLM, TGI, llama.cpp, Ollama, transformers"
AMD_ENGINES = "vLLM (ROCm), SGLang (ROCm), TGI (ROCm), llama.cpp (HIP), Ollama (ROCm), transformers"
GAUDI_ENGINES = "vLLM (Gaudi fork), TGI (Gaudi), transformers (optimum-habana)"


APPLE_ENGINES = "llama.cpp (Metal), MLX / mlx-lm, Ollama (Metal), transformers (PyTorch MPS)"
INTEL_GPU_ENGINES = "llama.cpp (SYCL, Vulkan), vLLM (XPU), transformers (PyTorch XPU)"


def _is_gaudi(gpu: Gpu) -> bool:
    return gpu.architecture_family.startswith("gaudi")


def engines_for(gpu: Gpu) -> str:
    """Engines with an official backend for the vendor (from the engines' own docs)."""
    if gpu.vendor == "AMD":
        return AMD_ENGINES
    if gpu.vendor == "Intel":
        return GAUDI_ENGINES if _is_gaudi(gpu) else INTEL_GPU_ENGINES
    if gpu.vendor == "Apple":
        return APPLE_ENGINES
    return NVIDIA_ENGINES


def software_stack(gpu: Gpu) -> str:
    if gpu.vendor == "AMD":
        return "ROCm / HIP"
    if gpu.vendor == "Intel":
        return "Intel Gaudi software (SynapseAI)" if _is_gaudi(gpu) else "oneAPI / SYCL"
    if gpu.vendor == "Apple":
        return "Metal (no CUDA)"
    return "CUDA"


def precisions(gpu: Gpu) -> str:
    listed = [p.upper() for p in PRECISIONS if gpu.dense_tflops(p) is not None]
    return ", ".join(listed) or "not listed"


ROWS = (
    ("Vendor", lambda g: g.vendor),
    ("Architecture", lambda g: g.architecture),
    ("Compute capability / ISA", lambda g: g.compute_capability or "not published"),
    ("Software stack", software_stack),
    ("Dense tensor precisions in the catalog", precisions),
    ("Native FP8", lambda g: "yes" if g.supports_fp8_natively else "no"),
    ("Segment", lambda g: g.segment),
    ("Inference engines with a backend", engines_for),
)


def build_ecosystem(context: ReportContext) -> Section:
    rows: list[tuple[Cell, ...]] = [
        (
            Text(label),
            gpu_text(context.a_gpu, read(context.a_gpu)),
            gpu_text(context.b_gpu, read(context.b_gpu)),
        )
        for label, read in ROWS
    ]
    table = Table("ecosystem", "Software ecosystem", ("Fact", "A", "B"), tuple(rows))
    return Section(id="ecosystem", title="Ecosystem", tables=(table,), notes=consumer_note(context))


def consumer_note(context: ReportContext) -> tuple[str, ...]:
    """The consumer-card caveat of each vendor, only for the sides that are consumer cards (never
    in, say, H100 vs MI300X; the GeForce wording only for GeForce cards)."""
    notes: dict[str, list[str]] = {}
    for label, system in context.systems():
        caveat = consumer_caveat(system.gpu)
        if caveat:
            notes.setdefault(caveat, []).append(label)
    return tuple(f"{' and '.join(labels)}: {caveat}" for caveat, labels in notes.items())


CONSUMER_CAVEATS = {
    "NVIDIA": "consumer GeForce cards have no ECC and no datacenter driver features (MIG; "
    "peer-to-peer over PCIe is disabled); datacenter parts do.",
    "AMD": "consumer Radeon cards have no ECC and no datacenter features (no GPU partitioning; "
    "peer-to-peer over PCIe needs large BAR and platform support, ROCm issue #2253); Instinct "
    "parts have them.",
    "Intel": "consumer Arc cards have no ECC and no datacenter features; Data Center GPU Max "
    "and Gaudi parts have them.",
}


def consumer_caveat(gpu: Gpu) -> str:
    """The vendor's consumer-card caveat for a consumer card without ECC, else ''."""
    if gpu.segment != "consumer" or gpu.ecc or gpu.unified_memory:
        return ""
    return CONSUMER_CAVEATS.get(gpu.vendor, "")
