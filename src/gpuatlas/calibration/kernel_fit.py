"""Fit of the time per kernel of engines that pay one per kernel a step launches (pure).

A decode step of mlx-lm or llama.cpp takes bytes / (η_m x bandwidth) + kernels x the time per
kernel + the step overhead (engines.toml kernel_overhead_us, llm/step_kernels.py,
llm/ggml_nodes.py). A decode group of such an engine is fitted over a grid of the time per
kernel: for each candidate the group's (η_m, overhead) are the usual relative least squares with
the kernels' time added to each row's fixed time (the closed form of
fitting.fit_linear_group, evaluated here for every candidate at once over numpy arrays), and the
candidate with the least penalised loss wins. The loss is fit_linear_group's objective plus a
prior penalty on the time per kernel (the parent group's value, allowed ±100 % of itself or
±1 µs, like the step overhead's prior).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

import numpy as np

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


def fit_kernel_overhead_group(
    terms: Sequence[KernelTerms],
    priors: tuple[float, float, float],
    prior_rows: float,
    overhead_scale_ms: float,
    max_eta: float,
    unit_scale: float = KERNEL_US_SCALE,
) -> tuple[float, float, float]:
    """(η, overhead_ms, µs per unit) of a group; `priors` = the parent group's (η,
    overhead_ms, µs per unit); the prior on the time per unit allows ±max(its value,
    `unit_scale`); η is at most `max_eta` (fitting.MAX_NEUTRAL_ETA). Units: decode kernels
    (MLX stages, ggml nodes), or MB of weights wired per call (µs per MB = ms per GB).
    For each candidate on KERNEL_US_GRID the relative least squares of fit_linear_group (its
    priors: ±100 % on 1/η, ±max(overhead, `overhead_scale_ms`) on the overhead, each weighted
    as `prior_rows` rows; the overhead not below 0), then the penalised loss; the first
    candidate with the least loss wins."""
    prior_eta, prior_overhead_ms, prior_us = priors
    columns = np.array(
        [[t.x_s, t.overheads, t.fixed_s, t.measured_s, t.weight, t.kernels] for t in terms],
        dtype=float,
    ).reshape(-1, 6)
    x, o, fixed, measured, weight, kernels = columns.T
    grid_us = np.array(KERNEL_US_GRID)
    shifted = fixed[None, :] + grid_us[:, None] * 1e-6 * kernels[None, :]  # (candidates, rows)
    slope0, overhead0 = 1.0 / prior_eta, prior_overhead_ms * 1e-3
    scale_o = max(overhead0, overhead_scale_ms * 1e-3)
    relative = weight / measured**2
    a11 = prior_rows / slope0**2 + float(np.sum(relative * x * x))
    a12 = float(np.sum(relative * x * o))
    a22 = prior_rows / scale_o**2 + float(np.sum(relative * o * o))
    target = measured[None, :] - shifted
    b1 = prior_rows / slope0 + (target * (relative * x)[None, :]).sum(axis=1)
    b2 = prior_rows * overhead0 / scale_o**2 + (target * (relative * o)[None, :]).sum(axis=1)
    det = a11 * a22 - a12 * a12
    slope = (b1 * a22 - a12 * b2) / det
    overhead = (a11 * b2 - a12 * b1) / det
    clamped = overhead < 0
    slope = np.where(clamped, b1 / a11, slope)
    overhead = np.where(clamped, 0.0, overhead)
    slope = np.maximum(slope, 1.0 / max_eta)
    predicted = slope[:, None] * x[None, :] + overhead[:, None] * o[None, :] + shifted
    loss = prior_rows * ((slope - slope0) / slope0) ** 2
    loss += prior_rows * ((overhead - overhead0) / scale_o) ** 2
    loss += (weight[None, :] * ((predicted - measured[None, :]) / measured[None, :]) ** 2).sum(1)
    loss += prior_rows * ((grid_us - prior_us) / max(prior_us, unit_scale)) ** 2
    best = int(np.argmin(loss))
    return 1.0 / float(slope[best]), float(overhead[best]) * 1e3, float(grid_us[best])
