"""The performance models' numeric constants that are not physical definitions, read from
data files where each one carries its meaning and where it comes from.

A constants file is TOML: one table per model area, one sub-table per constant with ``value``
(a number or a list of numbers), ``unit`` ("" for a ratio), ``meaning`` and ``source`` (the
publication, the count or fit that produced it, or "set by hand" with the commit that set it
when nothing stands behind it — so an unsourced number is visible as such). Physical
definitions (bytes per parameter, 2 FLOPs per multiply-add) stay in code with a comment.

``performance/data/model_constants.toml`` is part of the calibration version
(calibration/validation.py ``model_code_digest``): changing a constant changes the version.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

from gpuatlas.errors import DataFileError

REQUIRED_KEYS = ("value", "unit", "meaning", "source")
MODEL_CONSTANTS_FILE = "model_constants.toml"


@dataclass(frozen=True)
class Constant:
    value: float | tuple[float, ...]
    unit: str
    meaning: str
    source: str


def read_constants(path: Path) -> dict[str, dict[str, Constant]]:
    """Every constant of a file, by area and name; every problem reported at once."""
    try:
        document = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as error:
        raise DataFileError(str(path), [f"not valid TOML: {error}"]) from None
    problems: list[str] = []
    found: dict[str, dict[str, Constant]] = {}
    for area, entries in document.items():
        for name, entry in entries.items():
            constant = _constant(entry, f"[{area}.{name}]", problems)
            if constant is not None:
                found.setdefault(area, {})[name] = constant
    if problems:
        raise DataFileError(str(path), problems)
    return found


def _constant(entry: object, where: str, problems: list[str]) -> Constant | None:
    if not isinstance(entry, dict):
        problems.append(f"{where}: a table with {', '.join(REQUIRED_KEYS)}")
        return None
    missing = [key for key in REQUIRED_KEYS if key not in entry]
    if missing:
        problems.append(f"{where}: missing {', '.join(missing)}")
        return None
    value = entry["value"]
    numbers = value if isinstance(value, list) else [value]
    if not numbers or not all(
        isinstance(v, int | float) and not isinstance(v, bool) for v in numbers
    ):
        problems.append(f"{where}: value must be a number or a list of numbers")
        return None
    if not str(entry["source"]).strip() or not str(entry["meaning"]).strip():
        problems.append(f"{where}: meaning and source must say something")
        return None
    number = tuple(float(v) for v in numbers) if isinstance(value, list) else float(value)
    return Constant(number, str(entry["unit"]), str(entry["meaning"]), str(entry["source"]))


def packaged_constants_path() -> Path:
    return Path(str(resources.files("gpuatlas.performance") / "data" / MODEL_CONSTANTS_FILE))


@cache
def model_constants() -> dict[str, dict[str, Constant]]:
    return read_constants(packaged_constants_path())


def model_constant(area: str, name: str) -> float:
    """One scalar constant of the performance models (KeyError names what exists)."""
    value = _entry(model_constants(), area, name).value
    if isinstance(value, tuple):
        raise TypeError(f"[{area}.{name}] is a list; use model_constant_list")
    return value


def model_constant_list(area: str, name: str) -> tuple[float, ...]:
    value = _entry(model_constants(), area, name).value
    return value if isinstance(value, tuple) else (value,)


def _entry(constants: dict[str, dict[str, Constant]], area: str, name: str) -> Constant:
    try:
        return constants[area][name]
    except KeyError:
        known = ", ".join(f"{a}.{n}" for a, entries in constants.items() for n in entries)
        raise KeyError(f"no model constant {area}.{name}; known: {known}") from None
