"""Fit of the time per kernel of engines that pay one per kernel a step launches (pure).

A decode step of mlx-lm takes bytes / (η_m x bandwidth) + kernels x the time per kernel + the
step overhead (engines.toml kernel_overhead_us, llm/step_kernels.py). A decode group of such an
engine is fitted over a grid of the time per kernel: for each candidate the group's (η_m,
overhead) are the usual relative least squares with the kernels' time added to each row's fixed
time (fitting.fit_linear_group), and the candidate with the least penalised loss wins. The loss
is fit_linear_group's objective plus a prior penalty on the time per kernel (the parent group's
value, allowed ±100 % of itself or ±1 µs, like the step overhead's prior).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Protocol, TypeVar

# Candidate times per kernel, microseconds: 0 to 30 in steps of 0.25.
KERNEL_US_GRID = tuple(0.25 * step for step in range(121))
KERNEL_US_SCALE = 1.0  # the prior allows ±max(prior, 1 µs)
# Weights wired per call (prefill groups of engines.toml wires_weights_per_call; the same grid,
# 0-30, read as ms per GB): no published figure bounds the rate, so the prior is uninformative
# over the grid (±100 ms per GB) and the rows decide.
WIRE_MS_PER_GB_SCALE = 100.0


class KernelTerms(Protocol):
    """What the fit reads of fitting.LinearTerms (a frozen dataclass)."""

    @property
    def x_s(self) -> float: ...
    @property
    def overheads(self) -> float: ...
    @property
    def fixed_s(self) -> float: ...
    @property
    def measured_s(self) -> float: ...
    @property
    def weight(self) -> float: ...
    @property
    def kernels(self) -> float: ...


T = TypeVar("T", bound=KernelTerms)


def with_kernel_time(term: T, kernel_us: float) -> T:
    """The row's terms with its kernels' time (kernels x `kernel_us`) in its fixed time."""
    return replace(term, fixed_s=term.fixed_s + term.kernels * kernel_us * 1e-6)  # type: ignore[type-var]


def linear_loss(
    terms: Sequence[KernelTerms],
    eta: float,
    overhead_ms: float,
    priors: tuple[float, float],
    prior_rows: float,
    overhead_scale_ms: float,
) -> float:
    """fitting.fit_linear_group's objective at (eta, overhead_ms), `priors` = its (η,
    overhead_ms) prior: the rows' weighted relative squared errors plus the prior penalties
    on 1/η and on the overhead."""
    slope, overhead = 1.0 / eta, overhead_ms * 1e-3
    slope0, overhead0 = 1.0 / priors[0], priors[1] * 1e-3
    scale = max(overhead0, overhead_scale_ms * 1e-3)
    loss = prior_rows * ((slope - slope0) / slope0) ** 2
    loss += prior_rows * ((overhead - overhead0) / scale) ** 2
    for term in terms:
        predicted = slope * term.x_s + overhead * term.overheads + term.fixed_s
        loss += term.weight * ((predicted - term.measured_s) / term.measured_s) ** 2
    return loss


def fit_kernel_overhead_group(
    terms: Sequence[T],
    fit_group: Callable[[Sequence[T], float, float], tuple[float, float]],
    priors: tuple[float, float, float],
    prior_rows: float,
    overhead_scale_ms: float,
    unit_scale: float = KERNEL_US_SCALE,
) -> tuple[float, float, float]:
    """(η, overhead_ms, µs per unit) of a group; `priors` = the parent group's (η,
    overhead_ms, µs per unit), `fit_group` = fitting.fit_linear_group; the prior on the time
    per unit allows ±max(its value, `unit_scale`). Units: decode kernel stages, or MB of
    weights wired per call (µs per MB = ms per GB)."""
    prior_eta, prior_overhead_ms, prior_us = priors
    us_scale = max(prior_us, unit_scale)
    best: tuple[float, float, float, float] | None = None
    for kernel_us in KERNEL_US_GRID:
        shifted = [with_kernel_time(term, kernel_us) for term in terms]
        eta, overhead_ms = fit_group(shifted, prior_eta, prior_overhead_ms)
        loss = linear_loss(
            shifted, eta, overhead_ms, (prior_eta, prior_overhead_ms), prior_rows, overhead_scale_ms
        )
        loss += prior_rows * ((kernel_us - prior_us) / us_scale) ** 2
        if best is None or loss < best[0]:
            best = (loss, eta, overhead_ms, kernel_us)
    assert best is not None
    return best[1], best[2], best[3]
