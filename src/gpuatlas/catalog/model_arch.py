"""Typed architecture descriptions of the models the estimators reason about.

`ModelArch` describes a decoder-only LLM the way its Hugging Face `config.json` does, with the
variants that change memory and compute: grouped-query attention (GQA/MQA), mixture of experts
(MoE, with shared experts and leading dense layers), multi-head latent attention (MLA,
DeepSeek-V2/V3) and sliding-window layers. Parameter counts are computed from the shapes; the
published count travels alongside with its source so tests can check one against the other.

Non-LLM models are described by their components: `DiffusionArch` (denoiser + text encoders +
VAE), `VisionLanguageArch` (vision encoder + an LLM backbone), `OcrArch` (image encoder + text
decoder). Every class is a frozen dataclass; reading config.json files into them lives in
`model_config` and `model_library_file`, the library and name resolution in `models`.

The classes live in `model_arch_llm` (ModelArch) and `model_arch_media` (the others); this
module is where callers import them from.
"""

from __future__ import annotations

from gpuatlas.catalog.model_arch_llm import AttentionType, ModelArch, ModelKind, PublishedCount
from gpuatlas.catalog.model_arch_media import (
    ComponentParams,
    DenoiserType,
    DiffusionArch,
    ImageTokenRule,
    OcrArch,
    VisionLanguageArch,
)

AnyModelArch = ModelArch | DiffusionArch | VisionLanguageArch | OcrArch

_ALL_KINDS: tuple[str, ...] = ("llm", "diffusion", "vlm", "ocr")


def model_kinds() -> tuple[str, ...]:
    return _ALL_KINDS


__all__ = [
    "AnyModelArch",
    "AttentionType",
    "ComponentParams",
    "DenoiserType",
    "DiffusionArch",
    "ImageTokenRule",
    "ModelArch",
    "ModelKind",
    "OcrArch",
    "PublishedCount",
    "VisionLanguageArch",
    "model_kinds",
]
