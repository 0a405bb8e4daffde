"""A runtime built under one calibration is never served under another that shares its
version string (cross-validation folds are named after the source they leave out, and a
process that calibrates two data sets fits a fold of that name twice)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from gpuatlas.performance.calibration_table import current_calibration, using_calibration
from gpuatlas.performance.engine_profiles import resolve_engine
from gpuatlas.performance.llm.step_times import runtime_for
from gpuatlas.performance.resolve import as_format, as_llm, as_system

pytestmark = pytest.mark.unit


def test_a_refit_under_the_same_version_gets_its_own_runtime() -> None:
    shipped = current_calibration()
    first = replace(shipped, version="cv-without-some-source")
    second = replace(shipped, version="cv-without-some-source")
    args = (as_system("rtx-4090"), as_llm("llama-2-7b"), as_format("q4_0"))
    engine = resolve_engine("llama.cpp")
    with using_calibration(first):
        one = runtime_for(*args, engine, 2.0)
        assert runtime_for(*args, engine, 2.0) is one  # cached under the same fit
    with using_calibration(second):
        other = runtime_for(*args, engine, 2.0)
    assert other is not one
