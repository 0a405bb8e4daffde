"""Fit each training framework's factor on the eager per-operator host time (training/host.py).

A framework's factor is the one that minimises its rows' squared log errors plus a prior
penalty of `PRIOR_ROWS` pseudo-rows at factor 1, each GPU counting once (the ratio fits'
convention, fitting.py). Only rows whose prediction moves with the factor inform it: a
GPU-bound step (thousands of tokens) predicts the same at any factor in range, so the fit is
decided by the launch-bound small steps alone. The factor stays within `FACTOR_RANGE`, the
documented 5-25 µs of CPU work per eager operator around host.py's 10 µs, widened by a factor
of two.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Generic, TypeVar

from gpuatlas.performance.calibration_table import Calibration, using_calibration

FACTOR_RANGE = (0.25, 5.0)
GRID_POINTS = 41
FIELD = "train_host_factor"
# DeepSpeedCPUAdam's host step (training/optimizer.py host_optimizer_step_s) as a multiple of its
# memory-bound time: never below it (1), and up to the cost of one core per rank doing the
# whole shard's AVX arithmetic instead of the node's memory streaming it. Fitted as the
# framework factor is, on the rows it moves (those that state `offload-optimizer-cpu`).
ADAM_FIELD = "host_adam_factor"
ADAM_FACTOR_RANGE = (1.0, 100.0)
# No pseudo-rows pull it toward 1: the memory-bound time is a floor, not an expected value.
ADAM_PRIOR_ROWS = 0.0
T = TypeVar("T")


def factor_grid(factor_range: tuple[float, float] = FACTOR_RANGE) -> list[float]:
    """Factors tried, evenly spaced in log between the range's ends (1 included)."""
    low, high = (math.log(end) for end in factor_range)
    step = (high - low) / (GRID_POINTS - 1)
    return sorted({round(math.exp(low + i * step), 6) for i in range(GRID_POINTS)} | {1.0})


def penalised_loss(
    errors_by_gpu: dict[str, list[float]], factor: float, prior_rows: float
) -> float:
    """Mean squared log error per GPU (each GPU counts once) summed over GPUs, plus the prior's
    pseudo-rows, each off by log(factor): for a log-linear response this shrinks the data's
    factor by n / (n + prior_rows) in log, as the ratio fits shrink theirs."""
    data = sum(sum(e * e for e in errors) / len(errors) for errors in errors_by_gpu.values())
    return data + prior_rows * math.log(factor) ** 2


def fit_host_factors(
    calibration: Calibration,
    items: Sequence[T],
    framework_of: Callable[[T], str],
    gpu_of: Callable[[T], str],
    error_of: Callable[[T], float | None],
    prior_rows: float,
    field: str = FIELD,
    factor_range: tuple[float, float] = FACTOR_RANGE,
) -> dict[str, float]:
    """framework -> fitted factor on `field`, for frameworks with at least one row the factor
    moves. `error_of` is the row's log error under the calibration in force."""
    fitted: dict[str, float] = {}
    frameworks = sorted({framework_of(item) for item in items})
    grid = factor_grid(factor_range)
    fit = _FactorFit(calibration, field, gpu_of, error_of)
    for framework in frameworks:
        rows = [item for item in items if framework_of(item) == framework]
        errors = {factor: fit.errors(framework, factor, rows) for factor in (grid[0], grid[-1])}
        moving = [i for i, _ in enumerate(rows) if _moves(errors, i)]
        if not moving:
            continue
        informative = [rows[i] for i in moving]
        losses = {
            factor: penalised_loss(fit.by_gpu(framework, factor, informative), factor, prior_rows)
            for factor in grid
        }
        fitted[framework] = min(losses, key=lambda factor: (losses[factor], abs(factor - 1.0)))
    return fitted


class _FactorFit(Generic[T]):
    """The rows' log errors with one framework's `field` set to a trial factor."""

    def __init__(
        self,
        calibration: Calibration,
        field: str,
        gpu_of: Callable[[T], str],
        error_of: Callable[[T], float | None],
    ) -> None:
        self.calibration = calibration
        self.field = field
        self.gpu_of = gpu_of
        self.error_of = error_of

    def errors(self, framework: str, factor: float, rows: Sequence[T]) -> list[float | None]:
        trial = _with_factor(self.calibration, framework, factor, self.field)
        with using_calibration(trial):
            return [self.error_of(row) for row in rows]

    def by_gpu(self, framework: str, factor: float, rows: Sequence[T]) -> dict[str, list[float]]:
        found: dict[str, list[float]] = {}
        for row, error in zip(rows, self.errors(framework, factor, rows), strict=True):
            if error is not None:
                found.setdefault(self.gpu_of(row), []).append(error)
        return found


def _with_factor(
    calibration: Calibration, framework: str, factor: float, field: str
) -> Calibration:
    key = f"train|{framework}|*|*"
    groups = dict(calibration.groups)
    groups[key] = {**groups.get(key, {}), field: factor}
    return replace(calibration, groups=groups, version=f"{calibration.version}/{field}/{factor}")


def _moves(errors: dict[float, list[float | None]], index: int) -> bool:
    low, high = (errors[factor][index] for factor in sorted(errors))
    return low is not None and high is not None and abs(high - low) > 1e-9
