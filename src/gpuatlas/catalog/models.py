"""The model library: published config.json files under data/models/, typed and named.

Each library file is the model's Hugging Face `config.json` plus a `gpuatlas` block (id,
aliases, Ollama tags, published parameter count with its source, kind, and for non-LLMs the
component sizes). `load_model_config(path)` reads any config.json a user has; `resolve_model`
turns the names people write (Hub ids, short names, Ollama tags, quantised or fine-tuned
checkpoints of a known model) into an architecture.

This module is the public entry point; the work is done in:

- `model_config`       config.json -> ModelArch (validation, MoE/MLA/sliding-window fields)
- `model_library_file` the `gpuatlas` block of library files -> Diffusion/VLM/OCR architectures
- `model_library`      loading the packaged library, lookup by id, the name index
- `model_names`        resolving the names people write (ModelReference, format hints)
- `hub`                fetching unknown Hub ids' config.json (optional huggingface_hub)
"""

from __future__ import annotations

from gpuatlas.catalog.hub import HubConfigUnavailableError, fetch_hub_model
from gpuatlas.catalog.model_arch import (
    AnyModelArch,
    ComponentParams,
    DiffusionArch,
    ImageTokenRule,
    ModelArch,
    OcrArch,
    PublishedCount,
    VisionLanguageArch,
)
from gpuatlas.catalog.model_config import JsonObject, arch_from_config, validate_llm_config
from gpuatlas.catalog.model_library import (
    MatchKind,
    all_llms,
    all_models,
    get_model,
    load_model_config,
)
from gpuatlas.catalog.model_library_file import ComponentBlock, ImageTokensBlock, LibraryBlock
from gpuatlas.catalog.model_names import (
    ModelReference,
    resolve_llm,
    resolve_model,
    resolve_model_argument,
    resolve_model_reference,
)
from gpuatlas.errors import DataFileError, UnknownNameError

__all__ = [
    "AnyModelArch",
    "ComponentBlock",
    "ComponentParams",
    "DataFileError",
    "DiffusionArch",
    "HubConfigUnavailableError",
    "ImageTokenRule",
    "ImageTokensBlock",
    "JsonObject",
    "LibraryBlock",
    "MatchKind",
    "ModelArch",
    "ModelReference",
    "OcrArch",
    "PublishedCount",
    "UnknownNameError",
    "VisionLanguageArch",
    "all_llms",
    "all_models",
    "arch_from_config",
    "fetch_hub_model",
    "get_model",
    "load_model_config",
    "resolve_llm",
    "resolve_model",
    "resolve_model_argument",
    "resolve_model_reference",
    "validate_llm_config",
]
