"""What every section builder receives: the two resolved systems and the options used."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from gpuatlas.catalog.formats import resolve_format
from gpuatlas.catalog.gpu import Gpu
from gpuatlas.catalog.gpus import memory_configuration_advice, memory_configuration_note
from gpuatlas.catalog.model_weights import is_auto
from gpuatlas.catalog.models import resolve_model
from gpuatlas.catalog.prices import all_prices, check_provider
from gpuatlas.catalog.systems import GpuSystem, resolve_system
from gpuatlas.economics.serving_candidate import mean_output_problems
from gpuatlas.errors import GpuAtlasError, InvalidRequestError
from gpuatlas.performance.engine_specs import engine_text_profile, parse_engine_spec
from gpuatlas.performance.llm.host_memory import with_host_ram
from gpuatlas.performance.platform_engines import side_engine
from gpuatlas.performance.training.memory import METHODS
from gpuatlas.report.document import Side
from gpuatlas.report.option_defaults import (
    DEFAULT_CONTEXT_TOKENS,
    DEFAULT_ELECTRICITY_USD_PER_KWH,
    DEFAULT_PUE,
    SERVING_OUTPUT_TOKENS,
)


@dataclass(frozen=True)
class ReportOptions:
    """The workload focus and cost assumptions (`gpuatlas compare` options)."""

    model: str | None = None
    weights: str | None = None  # None or 'auto': the model's native format
    context_tokens: int = DEFAULT_CONTEXT_TOKENS
    provider: str | None = None
    electricity_usd_per_kwh: float = DEFAULT_ELECTRICITY_USD_PER_KWH
    pue: float = DEFAULT_PUE
    engine: str | None = None  # LLM engine for both sides; None: each platform's usual one
    num_ctx: int | None = None  # Ollama's num_ctx / llama.cpp's -c where a side runs them
    host_ram_gb: float | None = None  # RAM of each side's machine (llama.cpp/Ollama splits)
    training_method: str | None = None  # timed on both sides; None: the most complete both fit
    # requests that stop at end-of-sequence: the output tokens each generates on average,
    # below the serving figures' output length (SERVING_OUTPUT_TOKENS); None: all of it
    mean_output_tokens: float | None = None
    # set by make_context, not a user option: 'llama.cpp' when both sides' usual engine is
    # llama.cpp and no engine is named, so the native format is the GGUF build it runs (a Mac
    # vs a Radeon was compared in bf16, which `predict` answers as Q4_K_M on either)
    pair_engine: str | None = None

    def as_dict(self) -> dict[str, str | float | int | None]:
        return {
            "model": self.model,
            "weights": self.weights,
            "context_tokens": self.context_tokens,
            "provider": self.provider,
            "electricity_usd_per_kwh": self.electricity_usd_per_kwh,
            "pue": self.pue,
            "engine": self.engine,
            "num_ctx": self.num_ctx,
            "host_ram_gb": self.host_ram_gb,
            "training_method": self.training_method,
            "mean_output_tokens": self.mean_output_tokens,
        }


@dataclass(frozen=True)
class ReportContext:
    a: GpuSystem
    b: GpuSystem
    options: ReportOptions

    @property
    def a_gpu(self) -> Gpu:
        return self.a.gpu

    @property
    def b_gpu(self) -> Gpu:
        return self.b.gpu

    @property
    def a_label(self) -> str:
        return label_of(self.a)

    @property
    def b_label(self) -> str:
        return label_of(self.b)

    def systems(self) -> tuple[tuple[str, GpuSystem], tuple[str, GpuSystem]]:
        return (self.a_label, self.a), (self.b_label, self.b)


def label_of(system: GpuSystem) -> str:
    """Names the variant: 'A100 80GB SXM4', 'RTX 4090', '4× RTX 4090'."""
    return system.label


def results_key(system: GpuSystem) -> str:
    """The system as the results store keys it ('gpu-id' or 'Nx gpu-id'): a memory configuration
    ('Mac Studio M2 Ultra 192GB' = 'apple-m2-ultra-76c 192GB') is the same chip's results."""
    return system.results_key


def side_of(system: GpuSystem, written: str = "") -> Side:
    """The side as resolved; `written`, the name as the user gave it, for the memory-size
    note of a chip sold with several sizes and named without one."""
    memory_note = memory_configuration_note(written, system.gpu) if written else ""
    return Side(
        id=system.id,
        label=label_of(system),
        gpu_id=system.gpu.id,
        gpu_name=system.gpu.name,
        gpu_count=system.gpu_count,
        name_assumption=system.name_assumption.sentence if system.name_assumption else "",
        memory_assumption=(
            f"{memory_note}: {memory_configuration_advice(written, system.gpu)}"
            if memory_note
            else ""
        ),
    )


def make_context(a: str, b: str, options: ReportOptions) -> ReportContext:
    """Resolve both sides and check the focus options (every problem reported at once)."""
    problems: list[str] = []
    systems = []
    for name in (a, b):
        try:
            systems.append(with_host_ram(resolve_system(name), options.host_ram_gb))
        except GpuAtlasError as error:
            problems.append(str(error))
    problems += option_problems(options)
    if problems:
        raise InvalidRequestError(problems)
    return ReportContext(systems[0], systems[1], with_pair_engine(options, systems))


def with_pair_engine(options: ReportOptions, systems: list[GpuSystem]) -> ReportOptions:
    """The options with `pair_engine` when no engine is named and both sides' usual engine is
    llama.cpp (Metal, ROCm, SYCL, Vulkan): the native format is then llama.cpp's GGUF build."""
    if options.engine:
        return options
    families = {engine_text_profile(side_engine(system.gpu).engine).engine for system in systems}
    return replace(options, pair_engine="llama.cpp") if families == {"llama.cpp"} else options


def option_problems(options: ReportOptions) -> list[str]:
    checks: list[Callable[[], object]] = []
    if options.model:
        checks.append(lambda: resolve_model(options.model or "", allow_hub=False))
    if options.weights and not is_auto(options.weights):
        checks.append(lambda: resolve_format(options.weights or ""))
    if options.provider:
        checks.append(lambda: check_provider(options.provider or "", all_prices()))
    if options.engine:
        checks.append(lambda: parse_engine_spec(options.engine or ""))
    problems = _training_method_problems(options.training_method)
    problems += mean_output_problems(SERVING_OUTPUT_TOKENS, options.mean_output_tokens)
    for check in checks:
        try:
            check()
        except GpuAtlasError as error:
            problems.append(str(error))
    return problems


def _training_method_problems(method: str | None) -> list[str]:
    if method is None or method in METHODS:
        return []
    return [f"training method must be one of {', '.join(METHODS)}, got {method!r}"]
