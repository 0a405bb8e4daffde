"""Report tests run against a fresh default database (seeded with the public data set) in a
temporary data directory, as on a fresh machine."""

from __future__ import annotations

from collections.abc import Iterator
from functools import cache
from pathlib import Path

import pytest

from gpuatlas.report import Comparison, build_comparison


@pytest.fixture(scope="session", autouse=True)
def fresh_data_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    folder = tmp_path_factory.mktemp("gpuatlas-data")
    patcher = pytest.MonkeyPatch()
    patcher.setenv("GPUATLAS_DATA_DIR", str(folder))
    patcher.delenv("GPUATLAS_DATABASE_URL", raising=False)
    yield folder
    patcher.undo()


@cache
def comparison_of(a: str, b: str) -> Comparison:
    """Built once per pair for the whole session (building runs every estimator)."""
    return build_comparison(a, b)


@pytest.fixture(scope="session")
def a100_vs_4090(fresh_data_dir: Path) -> Comparison:
    return comparison_of("a100-80gb-sxm", "rtx-4090")
