"""Training frameworks as users name them ('NeMo 24.07', 'Megatron-LM', 'torchtitan',
'HF Trainer'), read from performance/data/training_engines.toml.

A framework is a calibration engine of the training kind: its rows fit its own efficiency
keys (`train|<id>|…`) on top of the keys of the framework it takes its levels from, so a
framework without rows of its own predicts at that framework's level.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Collection
from dataclasses import dataclass
from functools import cache
from importlib import resources

from gpuatlas.choices import unknown_choice
from gpuatlas.errors import DataFileError
from gpuatlas.performance.unmodelled_engines import with_unmodelled_reason

TRAINING_ENGINES_FILE = "training_engines.toml"
DEFAULT_TRAINING_ENGINE = "pytorch"
SHARDINGS = ("none", "zero1", "zero2", "zero3", "fsdp")
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
    # what the framework's own kernels fuse of the per-token memory traffic whatever the run's
    # variant says (training/token_traffic.py): "elementwise" and/or "loss"
    fused: frozenset[str] = frozenset()
    # the framework replays each decoder layer's forward and backward as captured CUDA graphs:
    # the host launches graphs, not operators (training/host.py)
    cuda_graphs: bool = False
    # the framework's loop reads a value of every micro-step back from the GPU (the Hugging Face
    # Trainer's nan/inf loss filter): the host waits for the GPU at the end of each micro-step
    # and cannot queue the next one meanwhile (training/speed.py: micro_step_s)
    host_sync_per_micro_step: bool = False
    # the shardings under which the framework reduces the gradients after the backward pass
    # instead of overlapping the reduction with it (training/speed.py: exposed_sync_s)
    reduce_after_backward: frozenset[str] = frozenset()
    # the sharding a multi-GPU run of this framework uses when it states none
    default_sharding: str = "fsdp"
    # False when the framework updates the 16-bit weights in place (no fp32 master copy; its
    # AdamW moments stay fp32): training/memory.py, training/optimizer.py
    master_weights: bool = True


FUSABLE_PARTS = frozenset({"elementwise", "loss"})


def _words(record: dict[str, object], key: str) -> tuple[str, ...]:
    value = record.get(key, ())
    return tuple(str(word) for word in value) if isinstance(value, list | tuple) else ()


def _engine(record: dict[str, object]) -> TrainingEngine:
    return TrainingEngine(
        str(record["id"]),
        str(record["name"]),
        _words(record, "aliases"),
        str(record.get("levels_from", "")),
        str(record.get("kernels", "")),
        int(str(record.get("activation_split_gpus", 1))),
        frozenset(_words(record, "fused")),
        bool(record.get("cuda_graphs", False)),
        bool(record.get("host_sync_per_micro_step", False)),
        frozenset(_words(record, "reduce_after_backward")),
        str(record.get("default_sharding", "fsdp")),
        bool(record.get("master_weights", True)),
    )


def _unknown_words(
    engine_id: str, field: str, words: frozenset[str], known: Collection[str]
) -> list[str]:
    extra = sorted(words - set(known))
    return [f"{engine_id}: {field} names {extra}; known: {sorted(known)}"] if extra else []


def engine_profile_problems(engines: dict[str, TrainingEngine]) -> list[str]:
    """What is wrong with the frameworks' profiles as read (empty when nothing is)."""
    problems = [
        f"levels_from names no framework: {e.levels_from}"
        for e in engines.values()
        if e.levels_from not in ("", *engines)
    ]
    for engine in engines.values():
        problems += _unknown_words(engine.id, "fused", engine.fused, FUSABLE_PARTS)
        problems += _unknown_words(
            engine.id, "reduce_after_backward", engine.reduce_after_backward, SHARDINGS
        )
        problems += _unknown_words(
            engine.id, "default_sharding", frozenset({engine.default_sharding}), SHARDINGS
        )
    if DEFAULT_TRAINING_ENGINE not in engines:
        problems.append(f"no {DEFAULT_TRAINING_ENGINE!r} framework")
    return problems


@cache
def training_engines() -> dict[str, TrainingEngine]:
    """Every training framework by id, in the data file's order."""
    source = resources.files("gpuatlas.performance") / "data" / TRAINING_ENGINES_FILE
    records = tomllib.loads(source.read_text(encoding="utf-8")).get("engine", [])
    engines = {engine.id: engine for engine in map(_engine, records)}
    problems = engine_profile_problems(engines)
    if problems:
        raise DataFileError(TRAINING_ENGINES_FILE, problems)
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
    raise with_unmodelled_reason(unknown_choice("training framework", text, index))


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


def profile_text(engine: TrainingEngine) -> str:
    """What the framework's profile sets apart from eager PyTorch with mixed precision, in
    words ('' when nothing): what it fuses, CUDA graphs, no master copy, its default
    sharding, gradient reduction after the backward."""
    said = []
    if engine.fused:
        said.append(
            "its own kernels fuse " + " and ".join(_FUSED_WORDS[p] for p in sorted(engine.fused))
        )
    if engine.cuda_graphs:
        said.append("each layer runs as CUDA graphs (no per-operator host time)")
    if engine.host_sync_per_micro_step:
        said.append("the host waits for the GPU every micro-step (its dispatch time adds)")
    if not engine.master_weights:
        said.append("no fp32 master copy of the weights (fp32 AdamW moments)")
    if engine.default_sharding != "fsdp":
        sharding = _SHARDING_WORDS[engine.default_sharding]
        said.append(f"{sharding} on several GPUs unless a sharding is stated")
    if engine.reduce_after_backward:
        shardings = ", ".join(
            _SHARDING_WORDS[s] for s in SHARDINGS if s in engine.reduce_after_backward
        )
        said.append(f"gradients reduced after the backward pass under {shardings}")
    return "; ".join(said)


_SHARDING_WORDS = {
    "none": "replicas (DDP)",
    "zero1": "ZeRO-1",
    "zero2": "ZeRO-2",
    "zero3": "ZeRO-3",
    "fsdp": "FSDP",
}
_FUSED_WORDS = {
    "elementwise": "the layers' norms, rotary and SwiGLU",
    "loss": "the cross-entropy",
}
