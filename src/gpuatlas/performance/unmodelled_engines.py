"""Engines and training frameworks users name that no profile models (data/
unmodelled_engines.toml): their names stay unknown, and the refusal says why."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources

from gpuatlas.errors import UnknownNameError

UNMODELLED_ENGINES_FILE = "unmodelled_engines.toml"


@dataclass(frozen=True)
class UnmodelledEngine:
    """One unmodelled engine: its names, and why no profile models it (with the source read)."""

    names: tuple[str, ...]  # the id first
    name: str
    reason: str


def _key(text: str) -> str:
    return "-".join(text.strip().lower().replace("_", " ").split())


@cache
def unmodelled_engines() -> tuple[UnmodelledEngine, ...]:
    source = resources.files("gpuatlas.performance") / "data" / UNMODELLED_ENGINES_FILE
    records = tomllib.loads(source.read_text(encoding="utf-8")).get("engine", [])
    return tuple(
        UnmodelledEngine((record["id"], *record.get("names", ())), record["name"], record["reason"])
        for record in records
    )


def unmodelled_engine(text: str) -> UnmodelledEngine | None:
    """The unmodelled engine a name as written starts with ('QServe 0.2' is QServe)."""
    key = _key(text)
    for engine in unmodelled_engines():
        for name in sorted({_key(n) for n in engine.names}, key=len, reverse=True):
            if key == name or key.startswith(f"{name}-"):
                return engine
    return None


def with_unmodelled_reason(error: UnknownNameError) -> UnknownNameError:
    """The unknown-name error, saying why when the name is an engine no profile models."""
    engine = unmodelled_engine(error.name)
    if engine is None:
        return error
    hint = f"{engine.name} is not modelled: {engine.reason}"
    return UnknownNameError(error.kind, error.name, error.candidates, hint=hint)
