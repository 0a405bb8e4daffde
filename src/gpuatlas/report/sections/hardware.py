"""Quick comparison and hardware: datasheet facts side by side, A ÷ B for every number.

Tensor throughput is always dense (never a sparse figure against a dense one)."""

from __future__ import annotations

from collections.abc import Callable

from gpuatlas.catalog.gpu import Gpu
from gpuatlas.catalog.gpu_fields import (
    GPU_FIELDS,
    GPU_USABLE_MEMORY,
    GpuField,
    declared_field,
    gpu_fields,
)
from gpuatlas.performance.engine_specs import capability_needed, engine_text_profile
from gpuatlas.report.context import ReportContext
from gpuatlas.report.document import Cell, Chart, Section, Statement, Table, Text
from gpuatlas.report.quantities import gpu_fact, gpu_text, ratio_of
from gpuatlas.report.statements import comparative_fact

COLUMNS = ("Spec (per GPU)", "A", "B", "A ÷ B")
SYSTEM_COLUMNS = ("System (all GPUs)", "A", "B", "A ÷ B")


def _yes_no(value: bool | None) -> str:
    return "unknown" if value is None else "yes" if value else "no"


def _on_chip(gpu: Gpu) -> bool:
    """A system-on-chip GPU (Mac, Strix Halo, Jetson): unified memory and no GPU-to-GPU link;
    its PCIe lanes serve peripherals, the GPU itself sits on no PCIe slot."""
    return gpu.unified_memory and gpu.link.kind == "none"


def _no_link_text(gpu: Gpu) -> str:
    if _on_chip(gpu):
        return "none (system on a chip)"
    return "none (PCIe only)"


TEXT_SPECS: tuple[tuple[str, Callable[[Gpu], str]], ...] = (
    ("Variant", lambda g: f"{g.name} ({g.form_factor})"),
    ("Architecture", lambda g: g.architecture),
    ("Memory type", lambda g: g.memory_type),
    ("Native FP8 tensor cores", lambda g: _yes_no(g.supports_fp8_natively)),
    ("ECC memory", lambda g: _yes_no(g.ecc)),
    (
        "GPU-to-GPU link",
        lambda g: g.link.description if g.link.kind != "none" else _no_link_text(g),
    ),
    ("Tensor accumulate", lambda g: g.tensor_accumulate),
    ("Release year", lambda g: str(g.release_year)),
)


def _numeric_row(spec: GpuField, a: Gpu, b: Gpu) -> tuple[Cell, ...]:
    qa, qb = gpu_fact(a, spec.read(a), spec.unit), gpu_fact(b, spec.read(b), spec.unit)
    return (Text(spec.label), qa, qb, ratio_of(qa, qb, spec.label.lower()))


def _text_row(label: str, read: Callable[[Gpu], str], a: Gpu, b: Gpu) -> tuple[Cell, ...]:
    return (Text(label), gpu_text(a, read(a)), gpu_text(b, read(b)), Text(""))


USABLE_MEMORY = GPU_USABLE_MEMORY


def _unified(context: ReportContext) -> bool:
    return context.a_gpu.unified_memory or context.b_gpu.unified_memory


GPU_CORES = declared_field("gpu_cores")


def _fields_with_data(a: Gpu, b: Gpu) -> tuple[GpuField, ...]:
    """The common fields a side has a value for (a row of '—' for both says nothing: an Apple
    GPU beside another system on a chip has no SMs, CUDA cores or PCIe), with Apple's GPU-core
    count after the SM row where a side has one."""
    fields: list[GpuField] = []
    for spec in GPU_FIELDS:
        if spec.read(a) is not None or spec.read(b) is not None:
            fields.append(spec)
        if spec.attribute == "sm_count" and (a.gpu_cores or b.gpu_cores):
            fields.append(GPU_CORES)
    return tuple(fields)


def hardware_table(context: ReportContext) -> Table:
    a, b = context.a_gpu, context.b_gpu
    rows = [_text_row(label, read, a, b) for label, read in TEXT_SPECS]
    rows += [_numeric_row(spec, a, b) for spec in _fields_with_data(a, b)]
    if _unified(context):  # right after the datasheet memory row
        first = len(TEXT_SPECS) + 1
        rows.insert(first, _numeric_row(USABLE_MEMORY, a, b))
    shares = tuple(
        f"{label}: {system.gpu.gpu_memory_share_text}"
        for label, system in context.systems()
        if system.gpu.unified_memory and system.gpu.gpu_memory_share_text
    )
    notes = (
        "Tensor throughput is dense for both GPUs (2:4 sparsity figures are 2× these and are "
        "never compared with dense ones).",
        *shares,
        f"A: {a.name} — {a.notes}",
        f"B: {b.name} — {b.notes}",
    )
    return Table("hardware", "Datasheet specifications", COLUMNS, tuple(rows), notes)


def system_table(context: ReportContext) -> Table | None:
    if context.a.gpu_count == 1 and context.b.gpu_count == 1:
        return None
    rows: list[tuple[Cell, ...]] = []
    for label, unit, read in (
        ("GPUs", "", lambda s: float(s.gpu_count)),
        ("Total memory", "GB", lambda s: s.total_memory_gb),
        ("Total TDP", "W", lambda s: s.total_tdp_w),
        (
            "Total FP16 dense",
            "TFLOPS",
            lambda s: (s.gpu.fp16_dense_tflops or 0) * s.gpu_count or None,
        ),
        (
            "Link between GPUs, per direction",
            "GB/s",
            lambda s: s.link.per_direction_gb_s if s.link else None,
        ),
    ):
        qa = gpu_fact(context.a_gpu, read(context.a), unit)
        qb = gpu_fact(context.b_gpu, read(context.b), unit)
        rows.append((Text(label), qa, qb, ratio_of(qa, qb, label.lower())))
    rows.append(
        (Text("Link kind"), Text(_link_name(context.a)), Text(_link_name(context.b)), Text(""))
    )
    return Table("system", "Systems", SYSTEM_COLUMNS, tuple(rows))


def _link_name(system: object) -> str:
    link = getattr(system, "link", None)
    return "single GPU" if link is None else str(link.name)


def key_statements(context: ReportContext) -> list[Statement]:
    """Per-GPU datasheet comparisons (named by GPU, 'per GPU' when a side is a system), then
    system totals when a side has several GPUs."""
    a, b = context.a_gpu, context.b_gpu
    systems = context.a.gpu_count > 1 or context.b.gpu_count > 1
    la, lb = (a.short_name, b.short_name) if systems else (context.a_label, context.b_label)
    suffix = " per GPU" if systems else ""
    memory = USABLE_MEMORY.read if _unified(context) else (lambda g: g.memory_gb)
    facts = (
        ("GPU-usable memory" if _unified(context) else "memory", "GB", memory),
        ("memory bandwidth", "GB/s", lambda g: g.memory_bandwidth_gb_s),
        ("dense FP16 tensor throughput", "TFLOPS", lambda g: g.fp16_dense_tflops),
        ("dense TF32 tensor throughput", "TFLOPS", lambda g: g.tf32_dense_tflops),
        ("L2 cache", "MB", lambda g: g.l2_cache_mb),
    )
    candidates = [
        comparative_fact(
            what + suffix, la, lb, gpu_fact(a, read(a), unit), gpu_fact(b, read(b), unit)
        )
        for what, unit, read in facts
    ]
    if systems:
        candidates += system_statements(context)
    statements = [s for s in candidates if s is not None]
    statements.append(fp8_statement(context))
    statements.append(link_statement(context))
    return statements


def system_statements(context: ReportContext) -> list[Statement | None]:
    a, b = context.a, context.b
    usable = _unified(context)
    return [
        comparative_fact(
            "total GPU-usable memory" if usable else "total memory",
            context.a_label,
            context.b_label,
            gpu_fact(
                a.gpu, (a.total_gpu_usable_memory_gb if usable else a.total_memory_gb) or None, "GB"
            ),
            gpu_fact(
                b.gpu, (b.total_gpu_usable_memory_gb if usable else b.total_memory_gb) or None, "GB"
            ),
        ),
        comparative_fact(
            "total dense FP16 throughput",
            context.a_label,
            context.b_label,
            gpu_fact(a.gpu, (a.gpu.fp16_dense_tflops or 0) * a.gpu_count or None, "TFLOPS"),
            gpu_fact(b.gpu, (b.gpu.fp16_dense_tflops or 0) * b.gpu_count or None, "TFLOPS"),
        ),
    ]


def _fp8_fallback_words(context: ReportContext) -> str:
    """How FP8 weights run on two GPUs without FP8 tensor cores: weight-only (vLLM's Marlin
    path from Ampere), or not at all where vLLM needs a higher compute capability (T4, V100:
    engines.toml format_min_compute_capability)."""
    vllm = engine_text_profile("vllm")
    sides = ((context.a_label, context.a_gpu), (context.b_label, context.b_gpu))
    refused = [label for label, gpu in sides if capability_needed(vllm, gpu, "fp8")]
    if not refused:
        return "FP8 weights run through a fallback (weight-only dequantisation)."
    if len(refused) == len(sides):
        return "vLLM does not run FP8 weights on either (it needs compute capability 8.0)."
    other = next(label for label, _ in sides if label not in refused)
    return (
        f"FP8 weights run weight-only on {other}; vLLM does not run them on {refused[0]} (it "
        "needs compute capability 8.0)."
    )


def fp8_statement(context: ReportContext) -> Statement:
    a, b = context.a_gpu, context.b_gpu
    words = {
        "a": context.a_label,
        "b": context.b_label,
        "a_arch": a.architecture,
        "b_arch": b.architecture,
    }
    a_fp8, b_fp8 = a.supports_fp8_natively, b.supports_fp8_natively
    if a_fp8 == b_fp8:
        template = (
            "Both {a} ({a_arch}) and {b} ({b_arch}) have native FP8 tensor cores."
            if a_fp8
            else "Neither {a} ({a_arch}) nor {b} ({b_arch}) has native FP8 tensor cores; "
            + _fp8_fallback_words(context)
        )
    else:
        template = (
            "{a} ({a_arch}) has native FP8 tensor cores; {b} ({b_arch}) does not."
            if a_fp8
            else "{b} ({b_arch}) has native FP8 tensor cores; {a} ({a_arch}) does not."
        )
    return Statement(kind="fact", template=template, words=words)


def link_statement(context: ReportContext) -> Statement:
    numbers = {}
    words = {}
    parts = []
    for side, label, gpu in (
        ("a", context.a_label, context.a_gpu),
        ("b", context.b_label, context.b_gpu),
    ):
        words[side] = label
        if _on_chip(gpu):
            parts.append(
                f"{{{side}}}: one system-on-chip with unified memory, no GPU-to-GPU link or "
                "PCIe slot (several machines talk over a network)."
            )
            continue
        numbers[f"{side}_pcie"] = gpu_fact(gpu, gpu.pcie_per_direction_gb_s, "GB/s")
        if gpu.link.kind == "none" or gpu.link.per_direction_gb_s is None:
            template = "{S}: no GPU-to-GPU link, PCIe only ({S_pcie:num} GB/s per direction)."
            parts.append(template.replace("S", side))
            continue
        numbers[f"{side}_link"] = gpu_fact(gpu, gpu.link.per_direction_gb_s, "GB/s")
        words[f"{side}_link_name"] = gpu.link.description.split(",")[0]
        template = (
            "{S}: {S_link_name}, {S_link:num} GB/s per direction; "
            "PCIe {S_pcie:num} GB/s per direction."
        )
        parts.append(template.replace("S", side))
    return Statement(kind="fact", template=" ".join(parts), numbers=numbers, words=words)


CHART_SPECS = gpu_fields(
    "memory_gb",
    "memory_bandwidth_gb_s",
    "fp16_dense_tflops",
    "tf32_dense_tflops",
    "fp32_tflops",
    "l2_cache_mb",
    "tdp_w",
)


def ratio_chart(context: ReportContext) -> Chart:
    """A ÷ B for the headline specs (log scale, > 1 means A has more)."""
    labels, ratios = [], []
    for spec in CHART_SPECS:
        a, b = spec.read(context.a_gpu), spec.read(context.b_gpu)
        labels.append(spec.label)
        ratios.append(a / b if a and b else None)
    return Chart(
        "hardware-ratios",
        "Datasheet A ÷ B (log scale; > 1 means A has more)",
        "×",
        tuple(labels),
        tuple(ratios),
        tuple(1.0 for _ in labels),
        ratio_meaning="has more",
    )


def build_hardware(context: ReportContext) -> Section:
    tables = [hardware_table(context)]
    system = system_table(context)
    if system is not None:
        tables.insert(0, system)
    return Section(
        id="hardware",
        title="Hardware",
        tables=tuple(tables),
        statements=tuple(key_statements(context)),
        charts=(ratio_chart(context),),
    )
