"""Sustained tensor clocks of power-limited parts.

Datasheet peaks are taken at the boost clock. A part whose board power per SM is well below
what its architecture's full-power design needs at that clock cannot hold it under a dense
GEMM load: the driver drops clock (and voltage) until the power fits. Dynamic power per SM
grows roughly with f·V² ≈ f³, so the clock a power budget sustains is

    f_sustained = f_design · (W_per_SM / W_per_SM_design)^(1/3),   capped at the boost clock

where the design point is the architecture's full-power card (its TDP, SM count and boost
clock, from the vendor's specifications), or the full-power card of the same die where a family
has two (the HBM Ampere GA100 beside GA102). A 70 W T4 (1.75 W/SM) sustains ~1.26 GHz of its
1.59 GHz boost; a 450 W RTX 4090 holds its boost. Only compute peaks are derated, not memory
bandwidth. The boost clock of a catalog GPU is read from its FP32 rate: 2 FLOPs per CUDA core
per clock.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from gpuatlas.catalog.gpu import Gpu
from gpuatlas.performance.peak_rates import hardware_class

POWER_EXPONENT = 1.0 / 3.0  # clock ∝ power^(1/3) when voltage scales with frequency


@dataclass(frozen=True)
class DesignPoint:
    """An architecture's full-power card: board power, SMs and boost clock (vendor specs)."""

    card: str
    board_power_w: float
    sm_count: int
    boost_ghz: float

    @property
    def watts_per_sm(self) -> float:
        return self.board_power_w / self.sm_count


DESIGN_POINTS: dict[str, DesignPoint] = {
    "volta": DesignPoint("Tesla V100 SXM2", 300.0, 80, 1.530),
    "turing": DesignPoint("GeForce RTX 2080 SUPER (TU104)", 250.0, 48, 1.815),
    "ampere": DesignPoint("GeForce RTX 3090 (GA102)", 350.0, 82, 1.695),
    "ada": DesignPoint("GeForce RTX 4090 (AD102)", 450.0, 128, 2.520),
    "hopper": DesignPoint("H100 SXM5", 700.0, 132, 1.980),
    "blackwell": DesignPoint("GeForce RTX 5090 (GB202)", 575.0, 170, 2.407),
    # A die of its own within a family: the HBM Ampere part (GA100) runs at a lower voltage
    # and clock than GA102, so its power-limited PCIe cards are judged against the A100 SXM4
    # (NVIDIA A100 datasheet: 400 W, 108 SMs, 1410 MHz boost = 19.5 TFLOPS FP32 / (2 x 6912
    # cores), read as the catalog reads it), not against the RTX 3090.
    "ampere/hbm": DesignPoint("A100 SXM4 (GA100)", 400.0, 108, 1.4106),
}

_DATASHEET_ONLY: list[bool] = []


@contextmanager
def datasheet_peaks() -> Iterator[None]:
    """Peaks at the boost clock, no power derate (the pure roofline baseline)."""
    _DATASHEET_ONLY.append(True)
    try:
        yield
    finally:
        _DATASHEET_ONLY.pop()


def boost_clock_ghz(gpu: Gpu) -> float | None:
    """Boost clock implied by the FP32 peak: 2 FLOPs per CUDA core per clock."""
    if not gpu.fp32_tflops or not gpu.cuda_cores:
        return None
    return gpu.fp32_tflops * 1e3 / (2.0 * gpu.cuda_cores)


@dataclass(frozen=True)
class SustainedClock:
    """What the model takes a part's clock to be under a dense load, and from what."""

    boost_ghz: float
    share: float  # of the boost clock (≤ 1)
    design: DesignPoint

    @property
    def sustained_ghz(self) -> float:
        return self.boost_ghz * self.share


def sustained_clock(gpu: Gpu) -> SustainedClock | None:
    """The part's sustained clock under a dense tensor load and the design point it is judged
    against; None where no design point applies (AMD, Apple, Intel, pre-Volta) or the catalog
    lacks the board power, SM count or FP32 rate."""
    design = DESIGN_POINTS.get(hardware_class(gpu)) or DESIGN_POINTS.get(gpu.architecture_family)
    boost = boost_clock_ghz(gpu)
    if design is None or boost is None or not gpu.tdp_w or not gpu.sm_count:
        return None
    ratio = (gpu.tdp_w / gpu.sm_count) / design.watts_per_sm
    sustained = design.boost_ghz * ratio**POWER_EXPONENT
    return SustainedClock(boost, min(1.0, sustained / boost), design)


def sustained_clock_share(gpu: Gpu) -> float:
    """Share of the boost clock the board power sustains under a dense tensor load (≤ 1)."""
    clock = None if _DATASHEET_ONLY else sustained_clock(gpu)
    return clock.share if clock else 1.0
