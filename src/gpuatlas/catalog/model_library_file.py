"""Library files: a published config.json plus a `gpuatlas` block, read into an architecture.

The block (validated with pydantic: it is a file boundary) carries what config.json does not:
the library id, aliases and Ollama tags, the published parameter count with its source, the
model kind, and for non-LLMs the component sizes (denoiser, text encoders, VAE, vision tower,
OCR encoder/decoder) that the estimators need.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from gpuatlas.catalog.dit_blocks import DiTBlocks, dit_blocks_from_config, known_transformer_classes
from gpuatlas.catalog.file_schemas import build, file_schema
from gpuatlas.catalog.formats import find_format
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
from gpuatlas.catalog.model_config import JsonObject, arch_from_config
from gpuatlas.catalog.shipped_context import ShippedContext
from gpuatlas.errors import DataFileError

# ----- the gpuatlas block ---------------------------------------------------------------------


# defer_build: validators built when a library file is parsed, not at import (a cached start
# reads the library from catalog/parsed_cache.py and never validates a block)
BLOCK_CONFIG = ConfigDict(extra="forbid", frozen=True, defer_build=True)

# A text encoder, VAE or vision tower as the block writes it, and how many tokens an image
# becomes (plus the source of that rule): the schemas of `ComponentParams` and `ImageTokenRule`.
if TYPE_CHECKING:
    ComponentBlock = BaseModel
    ImageTokensBlock = BaseModel
else:
    ComponentBlock = file_schema(ComponentParams, BLOCK_CONFIG)
    ImageTokensBlock = file_schema(
        ImageTokenRule, BLOCK_CONFIG, file_only={"source": (str, Field(default=""))}
    )


class _Block(BaseModel):
    model_config = BLOCK_CONFIG


class ShippedContextBlock(_Block):
    """A checkpoint (an alias) whose config.json sets another max_position_embeddings."""

    checkpoint: str
    max_position_embeddings: int = Field(gt=0)
    yarn_max_tokens: int = Field(0, ge=0)
    source: str = Field(min_length=1)


class LibraryBlock(_Block):
    """The `gpuatlas` block of a library file."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9.\-]*$")
    hub_id: str
    family: str
    kind: Literal["llm", "diffusion", "vlm", "ocr"]
    aliases: list[str] = []
    ollama_tags: list[str] = []
    # The format the Ollama library's default tag ships when it is not the current default
    # (Q4_K_M since 2024-12-29): older library models kept their Q4_0 builds.
    ollama_default_format: str = ""
    ollama_default_source: str = ""
    published_params: float = Field(gt=0)
    published_params_source: str
    published_active_params: float | None = None
    active_excludes_embedding: bool = False
    config_source: str
    as_of: str
    notes: str = ""
    shipped_contexts: list[ShippedContextBlock] = []
    # vision-language and Gemma-3-style multimodal checkpoints
    vision_encoder_params: float | None = None
    projector_params: float | None = None
    vision_source: str = ""
    image_tokens: ImageTokensBlock | None = None
    # diffusion
    denoiser_type: Literal["unet", "dit", "mmdit"] | None = None
    denoiser_params: float | None = None
    text_encoders: list[ComponentBlock] = []
    vae_params: float | None = None
    latent_channels: int | None = None
    vae_downsample_factor: int | None = None
    default_resolution_px: int | None = None
    default_steps: int | None = None
    forwards_per_step: int | None = None
    guidance: str = ""
    patch_size: int | None = None
    # the text sequence the default pipeline joins to the image tokens in the transformer
    # (FluxPipeline's max_sequence_length, SD3's T5 + CLIP tokens), with where it was read
    text_tokens: int | None = Field(None, gt=0)
    text_tokens_source: str = ""
    # an edit model: input images whose latents join the sequence, and the size they are encoded at
    reference_images: int = Field(0, ge=0)
    reference_image_px: int | None = Field(None, gt=0)
    forward_gflops: float | None = None
    forward_gflops_resolution_px: int | None = None
    forward_gflops_source: str = ""
    # OCR
    encoder_params: float | None = None
    decoder_params: float | None = None
    image_size_px: int | None = None


_DIFFUSION_FIELDS = (
    "denoiser_type",
    "denoiser_params",
    "vae_params",
    "latent_channels",
    "vae_downsample_factor",
    "default_resolution_px",
    "default_steps",
    "forwards_per_step",
)
_VLM_FIELDS = ("vision_encoder_params", "projector_params", "image_tokens")
_OCR_FIELDS = ("encoder_params", "decoder_params")


def _block_problems(error: ValidationError) -> list[str]:
    problems = []
    for issue in error.errors():
        location = ".".join(str(part) for part in issue["loc"])
        problems.append(f"field 'gpuatlas.{location}': {issue['msg']}")
    return problems


def parse_library_block(raw: object, origin: str) -> LibraryBlock:
    """Validate a `gpuatlas` block (raises DataFileError naming every bad field)."""
    try:
        return LibraryBlock.model_validate(raw)
    except ValidationError as error:
        raise DataFileError(origin, _block_problems(error)) from None


def _missing_for_kind(block: LibraryBlock, names: tuple[str, ...]) -> list[str]:
    return [
        f"field 'gpuatlas.{name}': missing (required for kind {block.kind!r})"
        for name in names
        if getattr(block, name) is None
    ]


def _ollama_default_problems(block: LibraryBlock) -> list[str]:
    if not block.ollama_default_format:
        return []
    problems = []
    if find_format(block.ollama_default_format) is None:
        problems.append(
            f"field 'gpuatlas.ollama_default_format': unknown format "
            f"{block.ollama_default_format!r} (use a format id from `gpuatlas formats`)"
        )
    if not block.ollama_default_source:
        problems.append(
            "field 'gpuatlas.ollama_default_source': missing (required with ollama_default_format)"
        )
    return problems


def _raise_if(problems: list[str], origin: str) -> None:
    if problems:
        raise DataFileError(origin, problems)


# ----- block -> architecture ------------------------------------------------------------------


def _published(block: LibraryBlock) -> PublishedCount:
    return PublishedCount(
        params=block.published_params,
        source=block.published_params_source,
        active_params=block.published_active_params,
        active_excludes_embedding=block.active_excludes_embedding,
    )


def _library_facts(block: LibraryBlock) -> dict[str, Any]:
    """The fields every architecture class takes from the block (naming and provenance)."""
    return {
        "published": _published(block),
        "aliases": tuple(block.aliases),
        "ollama_tags": tuple(block.ollama_tags),
        "ollama_default_format": block.ollama_default_format,
        "ollama_default_source": block.ollama_default_source,
        "source": block.config_source,
    }


def _identity(block: LibraryBlock) -> dict[str, Any]:
    return {"id": block.id, "hub_id": block.hub_id, "family": block.family}


def _llm_from_library(config: JsonObject, block: LibraryBlock, origin: str) -> ModelArch:
    arch = arch_from_config(
        config, model_id=block.id, hub_id=block.hub_id, family=block.family, origin=origin
    )
    shipped = tuple(build(ShippedContext, item) for item in block.shipped_contexts)
    return replace(arch, **_library_facts(block), **_vision_tower(block), shipped_contexts=shipped)


def _vision_tower(block: LibraryBlock) -> dict[str, Any]:
    """The image tower's parameters (vision encoder + projector) where the block states them:
    a language model of a multimodal checkpoint loads it beside its own weights."""
    if block.vision_encoder_params is None:
        return {}
    return {
        "vision_params": block.vision_encoder_params + (block.projector_params or 0.0),
        "vision_source": block.vision_source or block.published_params_source,
    }


def _diffusion_components(block: LibraryBlock) -> dict[str, Any]:
    return {
        "text_encoders": tuple(build(ComponentParams, item) for item in block.text_encoders),
        "guidance": block.guidance,
        "patch_size": block.patch_size,
        "reference_images": block.reference_images,
        "reference_image_px": block.reference_image_px,
        "forward_gflops": block.forward_gflops,
        "forward_gflops_resolution_px": block.forward_gflops_resolution_px,
        "forward_gflops_source": block.forward_gflops_source,
        **{name: getattr(block, name) for name in _DIFFUSION_FIELDS},
    }


def _transformer_blocks(
    config: JsonObject, block: LibraryBlock
) -> tuple[DiTBlocks | None, list[str]]:
    """The transformer's blocks from its config.json (a class the FLOP count reads), and the
    problems that keep them from being read."""
    if str(config.get("_class_name", "")) not in known_transformer_classes():
        return None, []
    if block.text_tokens is None or not block.text_tokens_source:
        return None, [
            "field 'gpuatlas.text_tokens' / 'text_tokens_source': missing (required with a "
            f"{config['_class_name']} config: the text sequence the pipeline joins to the image)"
        ]
    try:
        return dit_blocks_from_config(config, block.text_tokens), []
    except (KeyError, TypeError, ValueError) as error:
        return None, [f"field {error}: missing or not a number in the transformer config"]


def _diffusion_from_library(config: JsonObject, block: LibraryBlock, origin: str) -> DiffusionArch:
    problems = _missing_for_kind(block, _DIFFUSION_FIELDS)
    if not block.text_encoders:
        problems.append("field 'gpuatlas.text_encoders': missing (required for kind 'diffusion')")
    blocks, block_problems = _transformer_blocks(config, block)
    _raise_if(problems + block_problems, origin)
    return DiffusionArch(
        **_identity(block),
        **_diffusion_components(block),
        transformer_blocks=blocks,
        **_library_facts(block),
    )


def _vlm_from_library(config: JsonObject, block: LibraryBlock, origin: str) -> VisionLanguageArch:
    _raise_if(_missing_for_kind(block, _VLM_FIELDS), origin)
    assert block.vision_encoder_params is not None and block.projector_params is not None
    assert block.image_tokens is not None
    backbone = replace(  # named as the user knows it: fit and predict print its id
        arch_from_config(
            config,
            model_id=block.id,
            hub_id=block.hub_id,
            family=block.family,
            origin=origin,
        ),
        **_vision_tower(block),
    )
    return VisionLanguageArch(
        **_identity(block),
        vision_encoder_params=block.vision_encoder_params,
        projector_params=block.projector_params,
        image_tokens=build(ImageTokenRule, block.image_tokens),
        language_model=backbone,
        vision_source=block.vision_source,
        **_library_facts(block),
    )


def _ocr_shapes(encoder: JsonObject, decoder: JsonObject, block: LibraryBlock) -> dict[str, Any]:
    """Encoder/decoder sizes from a VisionEncoderDecoder config's two halves."""
    return {
        "image_size_px": int(encoder.get("image_size", block.image_size_px or 384)),
        "patch_size": int(encoder.get("patch_size", 16)),
        "encoder_layers": int(encoder.get("num_hidden_layers", 0)),
        "encoder_hidden_size": int(encoder.get("hidden_size", 0)),
        "decoder_layers": int(decoder.get("decoder_layers", decoder.get("num_hidden_layers", 0))),
        "decoder_hidden_size": int(decoder.get("d_model", decoder.get("hidden_size", 0))),
        "decoder_vocab_size": int(decoder.get("vocab_size", 0)),
    }


def _ocr_from_library(config: JsonObject, block: LibraryBlock, origin: str) -> OcrArch:
    problems = _missing_for_kind(block, _OCR_FIELDS)
    encoder, decoder = config.get("encoder"), config.get("decoder")
    if not isinstance(encoder, Mapping) or not isinstance(decoder, Mapping):
        problems.append("field 'encoder'/'decoder': a VisionEncoderDecoder config needs both")
    _raise_if(problems, origin)
    assert isinstance(encoder, Mapping) and isinstance(decoder, Mapping)
    assert block.encoder_params is not None and block.decoder_params is not None
    return OcrArch(
        **_identity(block),
        encoder_params=block.encoder_params,
        decoder_params=block.decoder_params,
        **_ocr_shapes(encoder, decoder, block),
        **_library_facts(block),
    )


def arch_from_library_document(document: Mapping[str, Any], origin: str) -> AnyModelArch:
    """A library file's architecture: its `gpuatlas` block decides the kind."""
    config = {key: value for key, value in document.items() if key != "gpuatlas"}
    block = parse_library_block(document["gpuatlas"], origin)
    _raise_if(_ollama_default_problems(block), origin)
    if block.kind == "diffusion":
        return _diffusion_from_library(config, block, origin)
    if block.kind == "vlm":
        return _vlm_from_library(config, block, origin)
    if block.kind == "ocr":
        return _ocr_from_library(config, block, origin)
    return _llm_from_library(config, block, origin)


__all__ = [
    "ComponentBlock",
    "ImageTokensBlock",
    "LibraryBlock",
    "arch_from_library_document",
    "parse_library_block",
]
