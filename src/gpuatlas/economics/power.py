"""Power and energy: perf per watt of the same workload, energy per unit of work, electricity.

Power comes from a result's measured draw when it carries one, else from the board's TDP — and
then it is labelled an estimate (TDP is a ceiling, not a measurement; MLPerf forbids TDP-based
perf/W claims). Facility power = IT power × PUE.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from gpuatlas.catalog.systems import GpuSystem
from gpuatlas.economics.offer_costs import HOURS_PER_YEAR

PowerBasis = Literal["tdp-estimate", "measured"]
JOULES_PER_KWH = 3.6e6


@dataclass(frozen=True)
class PowerDraw:
    """A system's power while working, and where the figure came from."""

    draw_w: float
    basis: PowerBasis
    source: str

    @property
    def label(self) -> str:
        kind = "measured" if self.basis == "measured" else "TDP, estimate"
        return f"{self.draw_w:,.0f} W ({kind}; {self.source})"


def system_power(
    system: GpuSystem,
    load_fraction: float = 1.0,
    measured_w: float | None = None,
    measured_source: str = "",
) -> PowerDraw:
    """The GPUs' draw: a measured figure when given, else TDP × GPUs × load fraction."""
    if measured_w is not None:
        return PowerDraw(measured_w, "measured", measured_source or "measured")
    if system.gpu.tdp_w is None:
        raise ValueError(f"{system.gpu.id} has no TDP in the catalog; pass a measured power")
    if not 0 < load_fraction <= 1.5:
        raise ValueError(f"load fraction must be in (0, 1.5], got {load_fraction}")
    power_w = system.gpu.tdp_w * system.gpu_count * load_fraction
    source = (
        f"{system.gpu_count} × {system.gpu.tdp_w:g} W TDP, {system.gpu.source} ({system.gpu.as_of})"
    )
    if load_fraction != 1.0:
        source += f" × load {load_fraction:g}"
    return PowerDraw(power_w, "tdp-estimate", source)


def tdp_power(system: GpuSystem) -> PowerDraw | None:
    """The TDP-based draw of `system`, or None when the catalog has no TDP for its GPU (Apple,
    some cloud-only variants): energy figures are then left out, never invented."""
    return None if system.gpu.tdp_w is None else system_power(system)


def facility_w(it_w: float, pue: float) -> float:
    """Wall power including cooling and distribution: IT power × PUE (1,800 W × 1.3 = 2,340 W)."""
    if pue < 1.0:
        raise ValueError(f"PUE must be ≥ 1.0, got {pue}")
    return it_w * pue


def energy_kwh(power_w: float, hours: float) -> float:
    return power_w * hours / 1000.0


def electricity_usd(it_w: float, hours: float, usd_per_kwh: float, pue: float = 1.0) -> float:
    """Electricity bill: IT power × PUE × hours × $/kWh (2,340 W × 8,760 h × $0.12 = $2,459.81)."""
    if usd_per_kwh < 0:
        raise ValueError(f"electricity price must be ≥ 0, got {usd_per_kwh}")
    return energy_kwh(facility_w(it_w, pue), hours) * usd_per_kwh


def yearly_electricity_usd(it_w: float, usd_per_kwh: float, pue: float = 1.0) -> float:
    return electricity_usd(it_w, HOURS_PER_YEAR, usd_per_kwh, pue)


def work_per_joule(work_per_s: float, power_w: float) -> float:
    """Tokens/J or images/J: throughput of the same workload divided by power."""
    if power_w <= 0:
        raise ValueError(f"power must be > 0, got {power_w}")
    return work_per_s / power_w


def kwh_per_million(work_per_s: float, power_w: float, pue: float = 1.0) -> float:
    """Energy for 1M units of work (tokens), at the wall when PUE > 1."""
    if work_per_s <= 0:
        raise ValueError(f"throughput must be > 0, got {work_per_s}")
    seconds = 1e6 / work_per_s
    return facility_w(power_w, pue) * seconds / JOULES_PER_KWH


def electricity_usd_per_million(
    work_per_s: float, power_w: float, usd_per_kwh: float, pue: float = 1.0
) -> float:
    return kwh_per_million(work_per_s, power_w, pue) * usd_per_kwh


def peak_gflops_per_watt(system: GpuSystem, precision: str) -> float | None:
    """Datasheet peak per TDP watt — a spec ratio, not an efficiency of any workload."""
    tflops = system.gpu.dense_tflops(precision)
    if tflops is None or not system.gpu.tdp_w:
        return None
    return tflops * 1000.0 / system.gpu.tdp_w
