"""The model library: published config.json files under data/models/, typed and named.

Each library file is the model's Hugging Face `config.json` plus a `gpuatlas` block (id,
aliases, Ollama tags, published parameter count with its source, kind, and for non-LLMs the
component sizes). `load_model_config(path)` reads any config.json a user has; `resolve_model`
turns the names people write (Hub ids, short names, Ollama tags, quantised or fine-tuned
checkpoints of a known model) into an architecture.
"""

from __future__ import annotations

import difflib
import json
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

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
from gpuatlas.errors import DataFileError, UnknownNameError

JsonObject = Mapping[str, Any]

# ----- library-file blocks (pydantic: this is a file boundary) -----------------------------------


class _Block(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ComponentBlock(_Block):
    name: str
    params: float = Field(gt=0)
    source: str
    hub_subfolder: str = ""


class ImageTokensBlock(_Block):
    fixed_tokens: int | None = Field(default=None, gt=0)
    image_size_px: int | None = Field(default=None, gt=0)
    pixels_per_token_side: int | None = Field(default=None, gt=0)
    min_tokens: int = 4
    max_tokens: int = 16384
    source: str = ""


class LibraryBlock(_Block):
    """The `gpuatlas` block of a library file."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9.\-]*$")
    hub_id: str
    family: str
    kind: Literal["llm", "diffusion", "vlm", "ocr"]
    aliases: list[str] = []
    ollama_tags: list[str] = []
    published_params: float = Field(gt=0)
    published_params_source: str
    published_active_params: float | None = None
    active_excludes_embedding: bool = False
    config_source: str
    as_of: str
    notes: str = ""
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
    forward_gflops: float | None = None
    forward_gflops_resolution_px: int | None = None
    forward_gflops_source: str = ""
    # OCR
    encoder_params: float | None = None
    decoder_params: float | None = None
    image_size_px: int | None = None


# ----- config.json -> ModelArch ---------------------------------------------------------------

_FIELD_SYNONYMS: dict[str, tuple[str, ...]] = {
    "hidden_size": ("hidden_size", "n_embd", "d_model", "dim"),
    "num_hidden_layers": ("num_hidden_layers", "n_layer", "num_layers", "n_layers"),
    "num_attention_heads": ("num_attention_heads", "n_head", "num_heads", "n_heads"),
    "vocab_size": ("vocab_size", "padded_vocab_size"),
}
_REQUIRED_FIELDS = ("hidden_size", "num_hidden_layers", "num_attention_heads", "vocab_size")
_NON_GATED_MODEL_TYPES = {"gpt2", "gptj", "gpt_neox", "opt", "falcon", "bloom", "phi", "starcoder2"}
_QK_NORM_MODEL_TYPES = {"qwen3", "qwen3_moe", "gemma3_text", "gemma3", "olmo2"}
_FOUR_NORM_MODEL_TYPES = {"gemma2", "gemma3_text", "gemma3"}
_QKV_BIAS_MODEL_TYPES = {"qwen2", "qwen2_moe", "qwen2_vl", "qwen2_5_vl"}


@dataclass(frozen=True)
class _Field:
    """One config value, looked up by its synonyms."""

    name: str
    value: Any


def _lookup(config: JsonObject, name: str) -> _Field:
    for key in _FIELD_SYNONYMS.get(name, (name,)):
        if config.get(key) is not None:
            return _Field(key, config[key])
    return _Field(name, None)


def _positive_int_problems(config: JsonObject, names: tuple[str, ...]) -> list[str]:
    problems = []
    for name in names:
        found = _lookup(config, name)
        if found.value is None:
            problems.append(f"field '{name}': missing (required for an LLM config)")
        elif isinstance(found.value, bool) or not isinstance(found.value, int) or found.value <= 0:
            problems.append(
                f"field '{found.name}': must be a positive integer, got {found.value!r}"
            )
    return problems


def _optional_int(config: JsonObject, *keys: str, default: int = 0) -> int:
    for key in keys:
        value = config.get(key)
        if isinstance(value, int) and not isinstance(value, bool):
            return value
    return default


def _llm_section(config: JsonObject) -> JsonObject:
    """The language-model part of a config (multimodal configs nest it in text_config)."""
    text_config = config.get("text_config")
    if isinstance(text_config, Mapping) and "hidden_size" not in config:
        return {
            **text_config,
            "model_type": text_config.get("model_type", config.get("model_type")),
        }
    return config


def validate_llm_config(config: JsonObject) -> list[str]:
    """Every problem that keeps `config` from describing an LLM, each naming its field."""
    section = _llm_section(config)
    problems = _positive_int_problems(section, _REQUIRED_FIELDS)
    no_mlp_size = _optional_int(section, "intermediate_size", "moe_intermediate_size") == 0
    gated = section.get("model_type") not in _NON_GATED_MODEL_TYPES
    if no_mlp_size and gated and "intermediate_size" not in section:
        problems.append("field 'intermediate_size': missing (required for an LLM config)")
    for key in ("num_key_value_heads", "head_dim", "intermediate_size", "max_position_embeddings"):
        value = section.get(key)
        if value is not None and (
            not isinstance(value, int) or isinstance(value, bool) or value <= 0
        ):
            problems.append(f"field '{key}': must be a positive integer, got {value!r}")
    heads = section.get("num_attention_heads")
    kv_heads = section.get("num_key_value_heads")
    if isinstance(heads, int) and isinstance(kv_heads, int) and kv_heads > 0 and heads % kv_heads:
        problems.append(
            f"field 'num_key_value_heads': {kv_heads} does not divide num_attention_heads {heads}"
        )
    return problems


def _sliding_window_layers(section: JsonObject, num_layers: int) -> tuple[int, ...]:
    window = section.get("sliding_window")
    layer_types = section.get("layer_types")
    if isinstance(layer_types, list):
        return tuple(i for i, kind in enumerate(layer_types) if kind == "sliding_attention")
    if not isinstance(window, int) or window <= 0:
        return ()
    pattern = section.get("sliding_window_pattern")
    if isinstance(pattern, int) and pattern > 0:
        return tuple(i for i in range(num_layers) if (i + 1) % pattern != 0)
    if section.get("model_type") == "gemma2":
        return tuple(range(0, num_layers, 2))
    if section.get("use_sliding_window") is False:
        return ()
    if section.get("model_type") in ("qwen2", "qwen2_moe", "qwen2_5_vl"):
        return ()  # Qwen2 ships a window but disables it (use_sliding_window false)
    return tuple(range(num_layers))


def _moe_fields(section: JsonObject) -> dict[str, Any]:
    experts = _optional_int(section, "num_local_experts", "n_routed_experts", "num_experts")
    if experts <= 1:
        return {}
    intermediate = _optional_int(section, "intermediate_size")
    return {
        "num_experts": experts,
        "experts_per_token": _optional_int(
            section, "num_experts_per_tok", "experts_per_token", "moe_topk", default=1
        ),
        "moe_intermediate_size": _optional_int(
            section, "moe_intermediate_size", default=intermediate
        ),
        "num_shared_experts": _optional_int(section, "n_shared_experts", "num_shared_experts"),
        "shared_expert_intermediate_size": _optional_int(
            section, "shared_expert_intermediate_size"
        ),
        "first_k_dense_layers": _optional_int(section, "first_k_dense_replace"),
    }


def _mla_fields(section: JsonObject) -> dict[str, Any]:
    kv_lora_rank = _optional_int(section, "kv_lora_rank")
    if kv_lora_rank <= 0:
        return {}
    return {
        "kv_lora_rank": kv_lora_rank,
        "q_lora_rank": _optional_int(section, "q_lora_rank"),
        "qk_rope_head_dim": _optional_int(section, "qk_rope_head_dim"),
        "qk_nope_head_dim": _optional_int(section, "qk_nope_head_dim"),
        "v_head_dim": _optional_int(section, "v_head_dim"),
    }


def _bias_fields(section: JsonObject) -> dict[str, Any]:
    model_type = section.get("model_type")
    attention_bias = bool(section.get("attention_bias", False))
    return {
        "attention_bias": attention_bias or model_type in _QKV_BIAS_MODEL_TYPES,
        "attention_output_bias": attention_bias and model_type not in _QKV_BIAS_MODEL_TYPES,
        "mlp_bias": bool(section.get("mlp_bias", False)) or model_type == "gpt_oss",
    }


_QUANT_METHOD_FORMATS = {"fp8": "fp8", "mxfp4": "mxfp4", "awq": "awq-int4", "gptq": "gptq-int4"}
_DTYPE_FORMATS = {"bfloat16": "bf16", "float16": "fp16", "float32": "fp32"}


def _checkpoint_format(config: JsonObject, section: JsonObject) -> str:
    """The catalog format id of the published weights: quantization_config, else torch_dtype."""
    quantization = config.get("quantization_config")
    if isinstance(quantization, Mapping):
        method = str(quantization.get("quant_method", "")).lower()
        return _QUANT_METHOD_FORMATS.get(method, method)
    dtype = section.get("torch_dtype") or config.get("torch_dtype") or config.get("dtype")
    return _DTYPE_FORMATS.get(str(dtype), "")


def _head_dim(section: JsonObject, hidden: int, heads: int, mla: dict[str, Any]) -> int:
    if mla:
        return mla["qk_nope_head_dim"] + mla["qk_rope_head_dim"]
    return _optional_int(section, "head_dim", default=hidden // heads)


def arch_from_config(
    config: JsonObject,
    *,
    model_id: str,
    hub_id: str = "",
    family: str = "",
    origin: str = "config.json",
) -> ModelArch:
    """Build a ModelArch from a Hugging Face config.json (raises DataFileError naming fields)."""
    problems = validate_llm_config(config)
    if problems:
        raise DataFileError(origin, problems)
    section = _llm_section(config)
    hidden = _lookup(section, "hidden_size").value
    layers = _lookup(section, "num_hidden_layers").value
    heads = _lookup(section, "num_attention_heads").value
    model_type = str(section.get("model_type") or "")
    mla = _mla_fields(section)
    window = section.get("sliding_window")
    return ModelArch(
        id=model_id,
        hub_id=hub_id,
        family=family or model_type,
        hidden_size=hidden,
        num_layers=layers,
        num_attention_heads=heads,
        num_kv_heads=_optional_int(section, "num_key_value_heads", "n_head_kv", default=heads),
        head_dim=_head_dim(section, hidden, heads, mla),
        intermediate_size=_optional_int(
            section, "intermediate_size", "n_inner", "ffn_dim", default=4 * hidden
        ),
        vocab_size=_lookup(section, "vocab_size").value,
        tie_word_embeddings=bool(
            section.get("tie_word_embeddings", config.get("tie_word_embeddings", False))
        ),
        max_position_embeddings=_optional_int(
            section, "max_position_embeddings", "n_positions", "max_sequence_length"
        ),
        gated_mlp=model_type not in _NON_GATED_MODEL_TYPES,
        qk_norm=model_type in _QK_NORM_MODEL_TYPES,
        norms_per_layer=4 if model_type in _FOUR_NORM_MODEL_TYPES else 2,
        sliding_window=window if isinstance(window, int) and window > 0 else None,
        sliding_window_layers=_sliding_window_layers(section, layers),
        checkpoint_format=_checkpoint_format(config, section),
        source=origin,
        **_bias_fields(section),
        **_moe_fields(section),
        **mla,
    )


# ----- reading files --------------------------------------------------------------------------


def _read_json(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise DataFileError(str(path), ["file not found"]) from None
    except OSError as error:
        raise DataFileError(str(path), [f"cannot read: {error}"]) from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise DataFileError(
            str(path), [f"line {error.lineno}: invalid JSON: {error.msg}"]
        ) from None
    if not isinstance(data, dict):
        raise DataFileError(str(path), ["top level must be a JSON object (a config.json)"])
    return data


def _block_problems(error: ValidationError) -> list[str]:
    problems = []
    for issue in error.errors():
        location = ".".join(str(part) for part in issue["loc"])
        problems.append(f"field 'gpuatlas.{location}': {issue['msg']}")
    return problems


def _parse_block(raw: object, origin: str) -> LibraryBlock:
    try:
        return LibraryBlock.model_validate(raw)
    except ValidationError as error:
        raise DataFileError(origin, _block_problems(error)) from None


def _published(block: LibraryBlock) -> PublishedCount:
    return PublishedCount(
        params=block.published_params,
        source=block.published_params_source,
        active_params=block.published_active_params,
        active_excludes_embedding=block.active_excludes_embedding,
    )


def _require(block: LibraryBlock, origin: str, names: tuple[str, ...]) -> list[str]:
    return [
        f"field 'gpuatlas.{name}': missing (required for kind {block.kind!r})"
        for name in names
        if getattr(block, name) is None
    ]


def _llm_from_library(config: JsonObject, block: LibraryBlock, origin: str) -> ModelArch:
    arch = arch_from_config(
        config, model_id=block.id, hub_id=block.hub_id, family=block.family, origin=origin
    )
    return _with_library_facts(arch, block)


def _with_library_facts(arch: ModelArch, block: LibraryBlock) -> ModelArch:
    from dataclasses import replace

    return replace(
        arch,
        published=_published(block),
        aliases=tuple(block.aliases),
        ollama_tags=tuple(block.ollama_tags),
        source=block.config_source,
    )


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


def _diffusion_from_library(block: LibraryBlock, origin: str) -> DiffusionArch:
    problems = _require(block, origin, _DIFFUSION_FIELDS)
    if not block.text_encoders:
        problems.append("field 'gpuatlas.text_encoders': missing (required for kind 'diffusion')")
    if problems:
        raise DataFileError(origin, problems)
    assert block.denoiser_type is not None and block.denoiser_params is not None
    assert block.vae_params is not None and block.latent_channels is not None
    assert block.vae_downsample_factor is not None and block.default_resolution_px is not None
    assert block.default_steps is not None and block.forwards_per_step is not None
    return DiffusionArch(
        id=block.id,
        hub_id=block.hub_id,
        family=block.family,
        denoiser_type=block.denoiser_type,
        denoiser_params=block.denoiser_params,
        text_encoders=tuple(ComponentParams(**item.model_dump()) for item in block.text_encoders),
        vae_params=block.vae_params,
        latent_channels=block.latent_channels,
        vae_downsample_factor=block.vae_downsample_factor,
        default_resolution_px=block.default_resolution_px,
        default_steps=block.default_steps,
        forwards_per_step=block.forwards_per_step,
        guidance=block.guidance,
        patch_size=block.patch_size,
        forward_gflops=block.forward_gflops,
        forward_gflops_resolution_px=block.forward_gflops_resolution_px,
        forward_gflops_source=block.forward_gflops_source,
        published=_published(block),
        aliases=tuple(block.aliases),
        ollama_tags=tuple(block.ollama_tags),
        source=block.config_source,
    )


def _image_token_rule(block: ImageTokensBlock) -> ImageTokenRule:
    return ImageTokenRule(
        fixed_tokens=block.fixed_tokens,
        image_size_px=block.image_size_px,
        pixels_per_token_side=block.pixels_per_token_side,
        min_tokens=block.min_tokens,
        max_tokens=block.max_tokens,
    )


def _vlm_from_library(config: JsonObject, block: LibraryBlock, origin: str) -> VisionLanguageArch:
    required = ("vision_encoder_params", "projector_params", "image_tokens")
    problems = _require(block, origin, required)
    if problems:
        raise DataFileError(origin, problems)
    assert block.vision_encoder_params is not None and block.projector_params is not None
    assert block.image_tokens is not None
    backbone = arch_from_config(
        config, model_id=f"{block.id}-llm", hub_id=block.hub_id, family=block.family, origin=origin
    )
    return VisionLanguageArch(
        id=block.id,
        hub_id=block.hub_id,
        family=block.family,
        vision_encoder_params=block.vision_encoder_params,
        projector_params=block.projector_params,
        image_tokens=_image_token_rule(block.image_tokens),
        language_model=backbone,
        vision_source=block.vision_source,
        published=_published(block),
        aliases=tuple(block.aliases),
        ollama_tags=tuple(block.ollama_tags),
        source=block.config_source,
    )


def _ocr_from_library(config: JsonObject, block: LibraryBlock, origin: str) -> OcrArch:
    problems = _require(block, origin, ("encoder_params", "decoder_params"))
    encoder = config.get("encoder")
    decoder = config.get("decoder")
    if not isinstance(encoder, Mapping) or not isinstance(decoder, Mapping):
        problems.append("field 'encoder'/'decoder': a VisionEncoderDecoder config needs both")
    if problems:
        raise DataFileError(origin, problems)
    assert isinstance(encoder, Mapping) and isinstance(decoder, Mapping)
    assert block.encoder_params is not None and block.decoder_params is not None
    return OcrArch(
        id=block.id,
        hub_id=block.hub_id,
        family=block.family,
        encoder_params=block.encoder_params,
        decoder_params=block.decoder_params,
        image_size_px=int(encoder.get("image_size", block.image_size_px or 384)),
        patch_size=int(encoder.get("patch_size", 16)),
        encoder_layers=int(encoder.get("num_hidden_layers", 0)),
        encoder_hidden_size=int(encoder.get("hidden_size", 0)),
        decoder_layers=int(decoder.get("decoder_layers", decoder.get("num_hidden_layers", 0))),
        decoder_hidden_size=int(decoder.get("d_model", decoder.get("hidden_size", 0))),
        decoder_vocab_size=int(decoder.get("vocab_size", 0)),
        published=_published(block),
        aliases=tuple(block.aliases),
        ollama_tags=tuple(block.ollama_tags),
        source=block.config_source,
    )


def _from_library_document(document: dict[str, Any], origin: str) -> AnyModelArch:
    config = {key: value for key, value in document.items() if key != "gpuatlas"}
    block = _parse_block(document["gpuatlas"], origin)
    if block.kind == "diffusion":
        return _diffusion_from_library(block, origin)
    if block.kind == "vlm":
        return _vlm_from_library(config, block, origin)
    if block.kind == "ocr":
        return _ocr_from_library(config, block, origin)
    return _llm_from_library(config, block, origin)


def _id_for_plain_config(document: JsonObject, path: Path) -> tuple[str, str]:
    """(id, hub_id) for a config.json without a gpuatlas block."""
    name_or_path = str(document.get("_name_or_path") or "")
    if "/" in name_or_path and not name_or_path.startswith(("/", ".")):
        return _slug(name_or_path.split("/")[-1]), name_or_path
    stem = path.parent.name if path.name == "config.json" else path.stem
    return _slug(stem or "custom-model"), ""


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9.]+", "-", text.lower()).strip("-") or "custom-model"


def load_model_config(path: str | os.PathLike[str]) -> AnyModelArch:
    """Read a config.json (or a directory holding one, or a library file) into an architecture.

    Raises DataFileError listing every missing or malformed field.
    """
    file_path = Path(path)
    if file_path.is_dir():
        file_path = file_path / "config.json"
    document = _read_json(file_path)
    if "gpuatlas" in document:
        return _from_library_document(document, str(file_path))
    model_id, hub_id = _id_for_plain_config(document, file_path)
    return arch_from_config(document, model_id=model_id, hub_id=hub_id, origin=str(file_path))


# ----- the library ----------------------------------------------------------------------------


def _library_files() -> list[Path]:
    folder = resources.files("gpuatlas.catalog").joinpath("data", "models")
    return sorted(Path(str(folder)).glob("*.json"))


@lru_cache(maxsize=1)
def _library() -> tuple[AnyModelArch, ...]:
    models = [load_model_config(path) for path in _library_files()]
    return tuple(sorted(models, key=lambda model: (model.kind, model.id)))


def all_models(kind: str | None = None) -> list[AnyModelArch]:
    """Every model in the library, optionally only one kind (llm, diffusion, vlm, ocr)."""
    return [model for model in _library() if kind is None or model.kind == kind]


def all_llms() -> list[ModelArch]:
    return [model for model in _library() if isinstance(model, ModelArch)]


def get_model(model_id: str) -> AnyModelArch:
    """The library model with exactly this id (raises UnknownNameError)."""
    for model in _library():
        if model.id == model_id:
            return model
    raise UnknownNameError("model", model_id, _close_matches(model_id))


# ----- name resolution ------------------------------------------------------------------------

MatchKind = Literal[
    "id", "hub_id", "alias", "ollama_tag", "derived_checkpoint", "hub_fetch", "file"
]

_DECORATION_TOKENS = {
    "instruct",
    "chat",
    "hf",
    "it",
    "base",
    "pt",
    "gguf",
    "awq",
    "gptq",
    "fp8",
    "fp16",
    "bf16",
    "int4",
    "int8",
    "nvfp4",
    "mxfp4",
    "fp4",
    "4bit",
    "8bit",
    "bnb",
    "exl2",
    "mlx",
    "dynamic",
    "w4a16",
    "w8a8",
    "w8a16",
    "marlin",
    "g128",
    "quantized",
    "static",
    "fp8dynamic",
    "v1",
    "gptq-int4",
    "awq-int4",
    "turbo",
    "nf4",
    "hqq",
    "eetq",
    "ct2",
    "onnx",
    "openvino",
    "trtllm",
}
_GGUF_TYPE_PATTERN = re.compile(r"^(i?q\d(_[a-z0-9]+)*|f16|f32|bf16)$")
_FORMAT_HINTS = {
    "awq": "awq-int4",
    "gptq": "gptq-int4",
    "fp8": "fp8",
    "fp8dynamic": "fp8",
    "nvfp4": "nvfp4",
    "mxfp4": "mxfp4",
    "fp4": "nvfp4",
    "int8": "int8",
    "w8a8": "int8",
    "w4a16": "gptq-int4",
    "int4": "awq-int4",
    "fp16": "fp16",
    "bf16": "bf16",
}


@dataclass(frozen=True)
class ModelReference:
    """What a name resolved to: the architecture, how it matched, and any format hint.

    `format_hint` is the raw hint from the name ("AWQ", "FP8", "Q4_K_M", "GGUF");
    `format_id` the catalog format id it maps to, when it maps to one ("awq-int4").
    """

    name: str
    model: AnyModelArch
    matched_by: MatchKind
    format_hint: str | None = None
    format_id: str | None = None


def _normalize(name: str) -> str:
    return re.sub(r"[\s_]+", "-", name.strip().lower())


def _keys_for(model: AnyModelArch) -> list[tuple[str, MatchKind]]:
    keys: list[tuple[str, MatchKind]] = [(model.id, "id")]
    if model.hub_id:
        keys.append((_normalize(model.hub_id), "hub_id"))
        keys.append((_normalize(model.hub_id.split("/")[-1]), "hub_id"))
    keys.extend((_normalize(alias), "alias") for alias in model.aliases)
    keys.extend((_normalize(alias.split("/")[-1]), "alias") for alias in model.aliases)
    keys.extend((tag.lower(), "ollama_tag") for tag in model.ollama_tags)
    return keys


@lru_cache(maxsize=1)
def _name_index() -> dict[str, tuple[str, MatchKind]]:
    index: dict[str, tuple[str, MatchKind]] = {}
    for model in _library():
        for key, kind in _keys_for(model):
            index.setdefault(key, (model.id, kind))
    return index


def _close_matches(name: str) -> list[str]:
    index = _name_index()
    wanted = _normalize(name).split("/")[-1]
    keys = difflib.get_close_matches(wanted, list(index), n=12, cutoff=0.6)
    stem = re.split(r"[-:]", wanted)[0]
    keys += [key for key in index if stem and len(stem) >= 3 and key.startswith(stem)]
    ids: list[str] = []
    for key in keys:
        model_id = index[key][0]
        if model_id not in ids:
            ids.append(model_id)
    return ids[:8]


def _split_tokens(name: str) -> list[str]:
    """Lower-case tokens of the repo part of a name; underscores stay (GGUF types: q4_k_m)."""
    base = name.strip().lower().split("/")[-1]
    base = re.sub(r"\.gguf$", "", base)
    return [token for token in re.split(r"[-\s]+", base) if token]


def _is_decoration(token: str) -> bool:
    return (
        token in _DECORATION_TOKENS
        or token.startswith("quantized")
        or bool(_GGUF_TYPE_PATTERN.match(token))
        or bool(re.fullmatch(r"\d+bit|\d+bpw|\d+(\.\d+)?bpw|g\d+", token))
    )


def _format_hint(tokens: list[str]) -> tuple[str | None, str | None]:
    for token in tokens:
        if _GGUF_TYPE_PATTERN.match(token) and token not in ("bf16",):
            return token.upper(), _gguf_format_id(token)
    for token in tokens:
        key = token.split(".")[-1] if token.startswith("quantized") else token
        if key in _FORMAT_HINTS:
            return key.upper(), _FORMAT_HINTS[key]
    if "gguf" in tokens:
        return "GGUF", None
    return None, None


def _gguf_format_id(token: str) -> str | None:
    from gpuatlas.catalog.formats import find_format

    found = find_format(token)
    return found.id if found is not None else None


def _derived_checkpoint(name: str) -> ModelReference | None:
    """A fine-tune or quantised export of a library model (…-Instruct-AWQ, …-GGUF, …-FP8)."""
    tokens = _split_tokens(name)
    stem = [token for token in tokens if not _is_decoration(token)]
    index = _name_index()
    for end in range(len(stem), 0, -1):
        dropped = stem[end:]
        if any(not token.isdigit() for token in dropped):
            continue  # only release-date suffixes (…-2507) may be dropped beyond decorations
        hit = index.get(_normalize("-".join(stem[:end])))
        if hit is not None:
            hint, format_id = _format_hint(tokens)
            return ModelReference(name, get_model(hit[0]), "derived_checkpoint", hint, format_id)
    return None


def _ollama_reference(name: str) -> ModelReference | None:
    """Ollama tags with a quantisation suffix: `llama3.1:8b-instruct-q4_K_M`."""
    if ":" not in name:
        return None
    model_part, tag = name.lower().split(":", 1)
    tag_tokens = tag.split("-")
    hit = _name_index().get(f"{model_part}:{tag_tokens[0]}")
    if hit is None:
        return None
    hint, format_id = _format_hint(tag_tokens[1:])
    return ModelReference(name, get_model(hit[0]), "ollama_tag", hint, format_id)


def resolve_model_reference(name: str, allow_hub: bool | None = None) -> ModelReference:
    """Resolve a name people write to a library model (or a Hub config), with a format hint.

    Tries, in order: id / Hub id / alias / Ollama tag (case-insensitive); an Ollama tag with a
    quantisation suffix; a quantised or fine-tuned checkpoint of a known model; a config.json
    path; a Hub id fetched with huggingface_hub (when online). Raises UnknownNameError.
    """
    hit = _name_index().get(_normalize(name)) or _name_index().get(name.strip().lower())
    if hit is not None:
        hint, format_id = _format_hint(_split_tokens(name))
        return ModelReference(name, get_model(hit[0]), hit[1], hint, format_id)
    reference = _ollama_reference(name) or _derived_checkpoint(name)
    if reference is not None:
        return reference
    if name.endswith(".json") or Path(name).is_dir():
        return ModelReference(name, load_model_config(name), "file")
    if _looks_like_hub_id(name):
        return ModelReference(name, fetch_hub_model(name, allow_hub), "hub_fetch")
    raise UnknownNameError("model", name, _close_matches(name))


def resolve_model(name: str, allow_hub: bool | None = None) -> AnyModelArch:
    """The architecture a name refers to (see `resolve_model_reference`)."""
    return resolve_model_reference(name, allow_hub).model


def resolve_llm(name: str, allow_hub: bool | None = None) -> ModelArch:
    """Like resolve_model, for callers that need an LLM: a VLM gives its language backbone."""
    model = resolve_model(name, allow_hub)
    if isinstance(model, VisionLanguageArch):
        return model.language_model
    if not isinstance(model, ModelArch):
        raise UnknownNameError("LLM", name, [m.id for m in all_llms() if m.family == model.family])
    return model


# ----- Hugging Face Hub (lazy, optional) ------------------------------------------------------

_HUB_ID_PATTERN = re.compile(r"^[A-Za-z0-9][\w.\-]*/[\w.\-]+$")


def _looks_like_hub_id(name: str) -> bool:
    return bool(_HUB_ID_PATTERN.match(name.strip())) and not name.endswith(".json")


class HubConfigUnavailableError(UnknownNameError):
    """A Hub id that is not in the library and could not be fetched."""

    def __init__(self, name: str, reason: str, candidates: list[str]):
        super().__init__("model", name, candidates)
        close = f" Close matches in the library: {', '.join(candidates)}." if candidates else ""
        message = (
            f"model {name!r} is not in the library and its config.json could not be fetched "
            f"from the Hugging Face Hub ({reason}). Download its config.json and pass "
            f"`--model path/to/config.json`.{close}"
        )
        Exception.__init__(self, message)


def _hub_offline(allow_hub: bool | None) -> bool:
    if allow_hub is not None:
        return not allow_hub
    flags = (os.environ.get("HF_HUB_OFFLINE", ""), os.environ.get("GPUATLAS_OFFLINE", ""))
    return any(flag.lower() in ("1", "true", "yes") for flag in flags)


def _hub_reachable(timeout_s: float = 3.0) -> bool:
    """A quick TCP probe, so an offline machine fails in seconds rather than after retries."""
    import socket
    from urllib.parse import urlparse

    endpoint = urlparse(os.environ.get("HF_ENDPOINT", "https://huggingface.co"))
    port = endpoint.port or (443 if endpoint.scheme == "https" else 80)
    try:
        with socket.create_connection((endpoint.hostname or "huggingface.co", port), timeout_s):
            return True
    except OSError:
        return False


def fetch_hub_model(hub_id: str, allow_hub: bool | None = None) -> ModelArch:
    """Download a Hub model's config.json with huggingface_hub and read it (needs network)."""
    candidates = _close_matches(hub_id)
    if _hub_offline(allow_hub):
        raise HubConfigUnavailableError(hub_id, "offline mode", candidates)
    try:
        from huggingface_hub import hf_hub_download
    except ImportError:
        raise HubConfigUnavailableError(
            hub_id, "huggingface_hub is not installed: pip install 'gpuatlas[hub]'", candidates
        ) from None
    if not _hub_reachable():
        raise HubConfigUnavailableError(hub_id, "huggingface.co is not reachable", candidates)
    try:
        local_path = hf_hub_download(repo_id=hub_id, filename="config.json", etag_timeout=5)
    except Exception as error:  # network, 404, gated repo: all mean "not available here"
        raise HubConfigUnavailableError(hub_id, type(error).__name__, candidates) from None
    document = _read_json(Path(local_path))
    return arch_from_config(
        document,
        model_id=_slug(hub_id.split("/")[-1]),
        hub_id=hub_id,
        origin=f"https://huggingface.co/{hub_id}/blob/main/config.json",
    )


def resolve_model_argument(value: str, allow_hub: bool | None = None) -> ModelReference:
    """For a CLI `--model` value: an existing file or directory path, else a model name."""
    path = Path(value)
    if path.is_file() or (path.is_dir() and (path / "config.json").is_file()):
        return ModelReference(value, load_model_config(path), "file")
    return resolve_model_reference(value, allow_hub)


__all__ = [
    "AnyModelArch",
    "DiffusionArch",
    "HubConfigUnavailableError",
    "ModelArch",
    "ModelReference",
    "OcrArch",
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
