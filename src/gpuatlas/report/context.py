"""What every section builder receives: the two resolved systems and the options used."""

from __future__ import annotations

from dataclasses import dataclass

from gpuatlas.catalog.gpu import Gpu
from gpuatlas.catalog.systems import GpuSystem, resolve_system
from gpuatlas.report.document import Side

DEFAULT_CONTEXT_TOKENS = 4096
DEFAULT_ELECTRICITY_USD_PER_KWH = 0.15
DEFAULT_PUE = 1.3


@dataclass(frozen=True)
class ReportOptions:
    """The workload focus and cost assumptions (`gpuatlas compare` options)."""

    model: str | None = None
    weights: str | None = None
    context_tokens: int = DEFAULT_CONTEXT_TOKENS
    provider: str | None = None
    electricity_usd_per_kwh: float = DEFAULT_ELECTRICITY_USD_PER_KWH
    pue: float = DEFAULT_PUE

    def as_dict(self) -> dict[str, str | float | int | None]:
        return {
            "model": self.model,
            "weights": self.weights,
            "context_tokens": self.context_tokens,
            "provider": self.provider,
            "electricity_usd_per_kwh": self.electricity_usd_per_kwh,
            "pue": self.pue,
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


def side_of(system: GpuSystem) -> Side:
    return Side(
        id=system.id,
        label=label_of(system),
        gpu_id=system.gpu.id,
        gpu_name=system.gpu.name,
        gpu_count=system.gpu_count,
    )


def make_context(a: str, b: str, options: ReportOptions) -> ReportContext:
    return ReportContext(resolve_system(a), resolve_system(b), options)
