"""The economics models' numeric constants, from data/economics_constants.toml (each with its
meaning and source; format: gpuatlas/performance/model_constants.py)."""

from __future__ import annotations

from functools import cache
from importlib import resources
from pathlib import Path

from gpuatlas.performance.model_constants import Constant, read_constants


@cache
def economics_constants() -> dict[str, dict[str, Constant]]:
    folder = resources.files("gpuatlas.economics") / "data"
    return read_constants(Path(str(folder / "economics_constants.toml")))


def economics_constant(area: str, name: str) -> float:
    value = economics_constants()[area][name].value
    if isinstance(value, tuple):
        raise TypeError(f"[{area}.{name}] is a list, not one number")
    return value


DEFAULT_USD_PER_KWH = economics_constant("on_prem", "usd_per_kwh")
DEFAULT_PUE = economics_constant("on_prem", "pue")
DEFAULT_YEARS = economics_constant("on_prem", "years")
