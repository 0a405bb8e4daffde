"""Helpers shared by the performance tests."""

from __future__ import annotations

from dataclasses import replace

from gpuatlas.performance.calibration_table import Calibration, shipped_calibration
from gpuatlas.performance.engine_profiles import resolve_engine
from gpuatlas.performance.llm.step_times import LlmRuntime, build_runtime
from gpuatlas.performance.resolve import as_format, as_llm, as_system


def priors_runtime(gpu: str, engine: str) -> LlmRuntime:
    """Llama 2 7B Q4_0 under the engines.toml priors alone (no fitted groups or shares)."""
    shipped = shipped_calibration()
    calibration: Calibration = replace(
        shipped, groups={}, errors={}, covered={}, matvec_alu_shares={}
    )
    return build_runtime(
        as_system(gpu),
        as_llm("llama-2-7b"),
        as_format("q4_0"),
        resolve_engine(engine),
        2.0,
        calibration,
    )
