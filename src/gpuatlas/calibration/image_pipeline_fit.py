"""The image pipeline's constants fitted on the image rows (pure: rows in, constants out).

Three constants of the diffusion model are not per group but shared by every image case
(diffusion.PipelineConstants): the host time of one batch outside the denoising loop beyond
the text encoders' and the VAE's FLOP time, the share of the tensor rate convolutions
reach relative to matmuls, and the share of a card's PCIe link offloaded weights stream at.
`gpuatlas calibrate` fits them on its own image rows (the streaming share on the rows that
offload), so every cross-validation fold refits them on its training rows only;
model_constants.toml holds the priors they are shrunk toward.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

from gpuatlas.performance.media.diffusion import DiffusionWork, PipelineConstants

# Candidate host times per batch (ms) and convolution ratios: the grid of the fit.
PIPELINE_HOST_GRID_MS = np.linspace(0.0, 150.0, 31)
CONVOLUTION_RATIO_GRID = tuple(round(0.4 + 0.1 * step, 1) for step in range(10))  # 0.4-1.3
# Candidate shares of the PCIe link offloaded weights stream at: 0.1 to 1.0 (a transfer
# never beats its link).
OFFLOAD_SHARE_GRID = tuple(round(0.1 + 0.05 * step, 2) for step in range(19))


@dataclass(frozen=True)
class PipelineRow:
    """An image row at its group's fitted values: the family-neutral efficiency with the
    family prior in (capped at 1), the host time per forward on its platform, the GPU-side
    floor of a replayed forward, its work and measured batch seconds."""

    eta_compute: float
    overhead_ms: float
    replay_floor_ms: float
    work: DiffusionWork
    measured_s: float
    gpu: str


def _batch_s_grid(row: PipelineRow) -> np.ndarray:
    """The row's batch time at every (convolution ratio, host time) of the grid: the host
    time per batch adds to a run with a pipeline outside the loop."""
    found = np.empty((len(CONVOLUTION_RATIO_GRID), len(PIPELINE_HOST_GRID_MS)))
    outside_loop = PIPELINE_HOST_GRID_MS * 1e-3 if row.work.other_flops > 0 else 0.0
    for index, ratio in enumerate(CONVOLUTION_RATIO_GRID):
        found[index] = _batch_s(row, PipelineConstants(0.0, ratio)) + outside_loop
    return found


def _batch_s(row: PipelineRow, constants: PipelineConstants) -> float:
    work = row.work.at_constants(constants)
    return float(work.unscaled_batch_s(row.eta_compute, row.overhead_ms, row.replay_floor_ms))


def fit_pipeline_constants(
    rows: Sequence[PipelineRow], prior: PipelineConstants, prior_rows: float
) -> PipelineConstants:
    """The (host time, convolution ratio) of the grid minimising the squared log error of
    these rows' batch times at their groups' values (each GPU counting once), shrunk toward
    `prior` by `prior_rows` pseudo-GPUs that measured the prior's times (as the host-ratio
    fits shrink theirs: the prior costs what the constants change the rows' times, in the
    data's own units). The two are fitted together: the VAE decoder is convolutions, so a
    lower ratio also lengthens the time outside the loop. No rows: the prior."""
    if not rows:
        return prior
    counts: dict[str, int] = {}
    for row in rows:
        counts[row.gpu] = counts.get(row.gpu, 0) + 1
    shape = (len(CONVOLUTION_RATIO_GRID), len(PIPELINE_HOST_GRID_MS))
    data, shrink = np.zeros(shape), np.zeros(shape)
    for row in rows:
        predicted = _batch_s_grid(row)
        data += np.log(predicted / row.measured_s) ** 2 / counts[row.gpu]
        shrink += np.log(predicted / _batch_s(row, prior)) ** 2 / counts[row.gpu]
    loss = data + prior_rows * shrink / len(counts)
    ratio_index, host_index = np.unravel_index(int(np.argmin(loss)), shape)
    return PipelineConstants(
        float(PIPELINE_HOST_GRID_MS[host_index]), float(CONVOLUTION_RATIO_GRID[ratio_index])
    )


def offloading(rows: Sequence[PipelineRow]) -> list[PipelineRow]:
    """The rows whose batch time includes streaming offloaded weights."""
    return [row for row in rows if row.work.offload_s > 0 or row.work.step_stream_s > 0]


def fit_offload_share(
    rows: Sequence[PipelineRow], constants: PipelineConstants, prior_rows: float
) -> PipelineConstants:
    """`constants` with the offload share of OFFLOAD_SHARE_GRID minimising the squared log
    error of the offloading rows' batch times (each GPU counting once), shrunk toward
    `constants.offload_share` (the prior) by `prior_rows` pseudo-GPUs that measured the
    prior's times. No offloading rows: `constants` unchanged."""
    paying = offloading(rows)
    if not paying:
        return constants
    counts: dict[str, int] = {}
    for row in paying:
        counts[row.gpu] = counts.get(row.gpu, 0) + 1
    data = np.zeros(len(OFFLOAD_SHARE_GRID))
    shrink = np.zeros(len(OFFLOAD_SHARE_GRID))
    for row in paying:
        at_prior = _batch_s(row, constants)
        for index, share in enumerate(OFFLOAD_SHARE_GRID):
            predicted = _batch_s(row, replace(constants, offload_share=share))
            data[index] += np.log(predicted / row.measured_s) ** 2 / counts[row.gpu]
            shrink[index] += np.log(predicted / at_prior) ** 2 / counts[row.gpu]
    loss = data + prior_rows * shrink / len(counts)
    return replace(constants, offload_share=float(OFFLOAD_SHARE_GRID[int(np.argmin(loss))]))
