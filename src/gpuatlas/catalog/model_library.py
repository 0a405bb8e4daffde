"""The packaged model library (data/models/*.json): loading, lookup by id, and the name index.

`load_model_config(path)` reads any config.json (or a library file); the library is every file
under data/models/, loaded once. The name index maps every name a model is known by (id, Hub
id, its repo part, aliases, Ollama tags) to the model, for exact lookups and close matches.
"""

from __future__ import annotations

import bisect
import math
import os
import re
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Literal

from gpuatlas.catalog.formats import formats_file_path
from gpuatlas.catalog.model_arch import AnyModelArch, ModelArch
from gpuatlas.catalog.model_config import (
    JsonObject,
    arch_from_config,
    model_slug,
    read_config_json,
)
from gpuatlas.catalog.model_library_file import arch_from_library_document
from gpuatlas.catalog.parsed_cache import cached_parse
from gpuatlas.catalog.spelling import SpellingIndex
from gpuatlas.errors import UnknownNameError

MatchKind = Literal[
    "id", "hub_id", "alias", "ollama_tag", "derived_checkpoint", "hub_fetch", "file"
]

# ----- reading one file -----------------------------------------------------------------------


def _id_for_plain_config(document: JsonObject, path: Path) -> tuple[str, str]:
    """(id, hub_id) for a config.json without a gpuatlas block."""
    name_or_path = str(document.get("_name_or_path") or "")
    if "/" in name_or_path and not name_or_path.startswith(("/", ".")):
        return model_slug(name_or_path.split("/")[-1]), name_or_path
    stem = path.parent.name if path.name == "config.json" else path.stem
    return model_slug(stem or "custom-model"), ""


def load_model_config(path: str | os.PathLike[str]) -> AnyModelArch:
    """Read a config.json (or a directory holding one, or a library file) into an architecture.

    Raises DataFileError listing every missing or malformed field.
    """
    file_path = Path(path)
    if file_path.is_dir():
        file_path = file_path / "config.json"
    document = read_config_json(file_path)
    if "gpuatlas" in document:
        return arch_from_library_document(document, str(file_path))
    model_id, hub_id = _id_for_plain_config(document, file_path)
    return arch_from_config(document, model_id=model_id, hub_id=hub_id, origin=str(file_path))


# ----- the library ----------------------------------------------------------------------------


def _library_files() -> list[Path]:
    folder = resources.files("gpuatlas.catalog").joinpath("data", "models")
    return sorted(Path(str(folder)).glob("*.json"))


@lru_cache(maxsize=1)
def library_models() -> tuple[AnyModelArch, ...]:
    """Every library model, loaded once, ordered by kind then id (from the parsed-data cache
    when the files are unchanged: reading and validating every file is a start-up cost of
    every command that names a model). A block's weight formats are checked against
    formats.toml, so that file is part of the cache key."""
    paths = _library_files()
    return cached_parse("models", [*paths, formats_file_path()], lambda: _load_library(paths))


def _load_library(paths: list[Path]) -> tuple[AnyModelArch, ...]:
    models = [load_model_config(path) for path in paths]
    return tuple(sorted(models, key=lambda model: (model.kind, model.id)))


@lru_cache(maxsize=1)
def library_model_types() -> dict[str, str]:
    """Library id -> the config's model_type (its text model's for a multimodal config): the
    architecture name engines key on (llama.cpp's converter maps it to a GGUF architecture)."""
    found: dict[str, str] = {}
    for path in _library_files():
        document = read_config_json(path)
        block = document.get("gpuatlas")
        text = document.get("text_config")
        section = text if isinstance(text, dict) and text.get("model_type") else document
        if isinstance(block, dict):
            found[str(block.get("id"))] = str(section.get("model_type") or "")
    return found


def all_models(kind: str | None = None) -> list[AnyModelArch]:
    """Every model in the library, optionally only one kind (llm, diffusion, vlm, ocr)."""
    return [model for model in library_models() if kind is None or model.kind == kind]


def all_llms() -> list[ModelArch]:
    return [model for model in library_models() if isinstance(model, ModelArch)]


def get_model(model_id: str) -> AnyModelArch:
    """The library model with exactly this id (raises UnknownNameError)."""
    for model in library_models():
        if model.id == model_id:
            return model
    raise UnknownNameError("model", model_id, close_model_matches(model_id))


# ----- the name index -------------------------------------------------------------------------


def normalize_model_name(name: str) -> str:
    """Lower case, with spaces and underscores as hyphens (the index's key form)."""
    return re.sub(r"[\s_]+", "-", name.strip().lower())


def _keys_for(model: AnyModelArch) -> list[tuple[str, MatchKind]]:
    keys: list[tuple[str, MatchKind]] = [(model.id, "id")]
    if model.hub_id:
        keys.append((normalize_model_name(model.hub_id), "hub_id"))
        keys.append((normalize_model_name(model.hub_id.split("/")[-1]), "hub_id"))
    keys.extend((normalize_model_name(alias), "alias") for alias in model.aliases)
    keys.extend((normalize_model_name(alias.split("/")[-1]), "alias") for alias in model.aliases)
    keys.extend((tag.lower(), "ollama_tag") for tag in model.ollama_tags)
    return keys


@lru_cache(maxsize=1)
def model_name_index() -> dict[str, tuple[str, MatchKind]]:
    """Normalised name -> (library id, how that name matches); the first model to claim wins."""
    index: dict[str, tuple[str, MatchKind]] = {}
    for model in library_models():
        for key, kind in _keys_for(model):
            index.setdefault(key, (model.id, kind))
    return index


@lru_cache(maxsize=1)
def model_spellings() -> SpellingIndex:
    """The model name index's names as a spelling index (difflib's near spellings, fast)."""
    return SpellingIndex(list(model_name_index()))


def close_model_matches(name: str) -> list[str]:
    """Up to 8 library ids whose names look like `name` (for UnknownNameError): a family named
    without a size ('qwen3.5') lists its sizes first, smallest first, then the nearest spellings."""
    index = model_name_index()
    wanted = normalize_model_name(name).split("/")[-1]
    family = sorted(_keys_starting(f"{wanted}-") + _keys_starting(f"{wanted}:"), key=_size_in_name)
    keys = family + model_spellings().close_matches(wanted, n=12, cutoff=0.6)  # sizes first
    stem = re.split(r"[-:]", wanted)[0]
    keys += [key for key in index if stem and len(stem) >= 3 and key.startswith(stem)]
    ids: list[str] = []
    for key in keys:
        model_id = index[key][0]
        if model_id not in ids:
            ids.append(model_id)
    return ids[:8]


@lru_cache(maxsize=1)
def _sorted_name_keys() -> tuple[str, ...]:
    return tuple(sorted(model_name_index()))


def _keys_starting(prefix: str) -> list[str]:
    """The library's name keys that start with `prefix` (a bisection: unknown names in a
    100,000-row case file each look their family up)."""
    keys = _sorted_name_keys()
    start = bisect.bisect_left(keys, prefix)
    end = bisect.bisect_left(keys, prefix + "\U0010ffff")
    return list(keys[start:end]) if len(prefix) > 1 else []


def _size_in_name(key: str) -> float:
    """The parameter count a model name states ('qwen3.5-0.8b' 0.8e9, 'gemma-3-270m' 2.7e8;
    inf when none), to list a family's sizes from the smallest."""
    found = re.search(r"[-:](\d+(?:\.\d+)?)([bm])(?![a-z])", key)
    if found is None:
        return math.inf
    return float(found.group(1)) * (1e9 if found.group(2) == "b" else 1e6)


__all__ = [
    "MatchKind",
    "all_llms",
    "all_models",
    "close_model_matches",
    "get_model",
    "library_models",
    "load_model_config",
    "model_name_index",
    "normalize_model_name",
]
