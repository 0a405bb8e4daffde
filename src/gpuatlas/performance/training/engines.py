"""Training frameworks as users name them ('NeMo 24.07', 'Megatron-LM', 'torchtitan',
'HF Trainer'), read from performance/data/training_engines.toml.

A framework is a calibration engine of the training kind: its rows fit its own efficiency
keys (`train|<id>|…`) on top of the keys of the framework it takes its levels from, so a
framework without rows of its own predicts at that framework's level.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources

from gpuatlas.choices import unknown_choice
from gpuatlas.errors import DataFileError

TRAINING_ENGINES_FILE = "training_engines.toml"
DEFAULT_TRAINING_ENGINE = "pytorch"
# a version written after the name: '24.07', 'v0.9.0', 'core_r0.9.0', '2.4.1+cu121'
_VERSION_WORD = re.compile(r"^(v|r|core_r)?\d[\w.+-]*$", re.IGNORECASE)


@dataclass(frozen=True)
class TrainingEngine:
    id: str
    name: str
    aliases: tuple[str, ...]
    levels_from: str
    kernels: str
    activation_split_gpus: int = 1


@cache
def training_engines() -> dict[str, TrainingEngine]:
    """Every training framework by id, in the data file's order."""
    source = resources.files("gpuatlas.performance") / "data" / TRAINING_ENGINES_FILE
    records = tomllib.loads(source.read_text(encoding="utf-8")).get("engine", [])
    engines = {
        record["id"]: TrainingEngine(
            record["id"],
            record["name"],
            tuple(record.get("aliases", ())),
            record.get("levels_from", ""),
            record.get("kernels", ""),
            int(record.get("activation_split_gpus", 1)),
        )
        for record in records
    }
    unknown = [e.levels_from for e in engines.values() if e.levels_from not in ("", *engines)]
    if unknown or DEFAULT_TRAINING_ENGINE not in engines:
        raise DataFileError(
            TRAINING_ENGINES_FILE,
            [f"levels_from names no framework: {name}" for name in unknown]
            or [f"no {DEFAULT_TRAINING_ENGINE!r} framework"],
        )
    return engines


def _key(text: str) -> str:
    return re.sub(r"[\s_]+", "-", text.strip().lower())


@cache
def _index() -> dict[str, str]:
    index: dict[str, str] = {}
    for engine in training_engines().values():
        for name in (engine.id, *engine.aliases):
            index[_key(name)] = engine.id
    return index


def training_engine(text: str) -> TrainingEngine:
    """The framework a name as written means: 'NeMo', 'nemo 24.07', 'Megatron-LM core_r0.9.0'
    and 'megatron' are one framework; an unknown name is an UnknownNameError listing the
    close matches (or every framework when nothing is close)."""
    words = text.split()
    index = _index()
    for count in range(len(words), 0, -1):
        head, rest = words[:count], words[count:]
        if all(_VERSION_WORD.match(word) for word in rest) and _key(" ".join(head)) in index:
            return training_engines()[index[_key(" ".join(head))]]
    raise unknown_choice("training framework", text, index)


def training_engine_bases() -> dict[str, str]:
    """Framework id -> the framework whose calibrated levels it refines."""
    return {e.id: e.levels_from for e in training_engines().values() if e.levels_from}


def row_framework(engine: str, version: str) -> TrainingEngine:
    """The framework of a measured training row: the one its version text names first
    ('NeMo 24.09 container (…)', 'torchtitan (FSDP2, bf16)', 'PyTorch FSDP (…)'), else the
    engine column's ('pytorch': the data set's engine names stop at the PyTorch runtime)."""
    words = version.replace("(", " ").replace("/", " ").split()
    for count in (2, 1):
        if len(words) >= count and _key(" ".join(words[:count])) in _index():
            return training_engines()[_index()[_key(" ".join(words[:count]))]]
    return training_engine(engine)
