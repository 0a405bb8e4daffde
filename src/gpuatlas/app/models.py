"""`models`, `model show`, `formats`: the model library and the weight formats
(gpuatlas.models/1, gpuatlas.model/1, gpuatlas.formats/1; field lists in cli/model_commands.py).
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any, Literal

from pydantic import Field

from gpuatlas.app.documents import versioned
from gpuatlas.app.requests import AnswerRequest, model_reference
from gpuatlas.catalog.formats import all_formats, all_kv_cache_precisions
from gpuatlas.catalog.model_arch import (
    AnyModelArch,
    DiffusionArch,
    ModelArch,
    OcrArch,
    VisionLanguageArch,
)
from gpuatlas.catalog.models import ModelReference, all_models
from gpuatlas.performance.llm.shape import kv_bytes_per_token


def backbone(model: AnyModelArch) -> ModelArch | None:
    if isinstance(model, ModelArch):
        return model
    if isinstance(model, VisionLanguageArch):
        return model.language_model
    return None


def model_summary(model: AnyModelArch) -> dict[str, Any]:
    """The `SUMMARY` object of the JSON schema."""
    llm = backbone(model)
    published = model.published
    return {
        "id": model.id,
        "kind": model.kind,
        "family": model.family,
        "hub_id": model.hub_id,
        "total_params": model.total_params(),
        "active_params": _active_params(model, llm),
        "attention_type": llm.attention_type if llm else None,
        "layers": llm.num_layers if llm else None,
        "context_tokens": (llm.max_position_embeddings or None) if llm else None,
        "aliases": list(model.aliases),
        "ollama_tags": list(model.ollama_tags),
        "published_params": published.params if published else None,
        "published_params_source": published.source if published else None,
    }


def _active_params(model: AnyModelArch, llm: ModelArch | None) -> float | None:
    if llm is None:
        return None
    return model.total_params() - llm.total_params() + llm.active_params()


def kv_rows(llm: ModelArch) -> list[dict[str, Any]]:
    context = llm.max_position_embeddings or None
    rows = []
    for precision in all_kv_cache_precisions():
        per_token = kv_bytes_per_token(llm, precision.bytes_per_element, 0)
        at_context = (
            kv_bytes_per_token(llm, precision.bytes_per_element, context) if context else None
        )
        rows.append(
            {
                "precision": precision.id,
                "bytes_per_element": precision.bytes_per_element,
                "bytes_per_token": per_token,
                "bytes_per_token_at_context": at_context,
                "context_tokens": context,
            }
        )
    return rows


def _llm_details(llm: ModelArch) -> dict[str, Any]:
    moe = None
    if llm.is_moe:
        moe = {
            "num_experts": llm.num_experts,
            "experts_per_token": llm.experts_per_token,
            "moe_intermediate_size": llm.moe_intermediate_size,
            "num_shared_experts": llm.num_shared_experts,
            "first_k_dense_layers": llm.first_k_dense_layers,
        }
    mla = None
    if llm.attention_type == "mla":
        mla = {
            "kv_lora_rank": llm.kv_lora_rank,
            "q_lora_rank": llm.q_lora_rank,
            "qk_rope_head_dim": llm.qk_rope_head_dim,
            "qk_nope_head_dim": llm.qk_nope_head_dim,
            "v_head_dim": llm.v_head_dim,
        }
    window = None
    if llm.sliding_window_layers:
        window = {
            "tokens": llm.sliding_window,
            "layers": list(llm.sliding_window_layers),
            "full_attention_layers": llm.full_attention_layers,
            "global_head_dim": llm.global_head_dim or llm.head_dim,
            "global_kv_heads": llm.num_global_kv_heads or llm.num_kv_heads,
            "global_k_is_v": llm.attention_k_eq_v,
        }
    linear = None
    if llm.linear_attention_layers:
        linear = {
            "mixer": llm.recurrent_mixer,
            "layers": list(llm.linear_attention_layers),
            "kv_cache_layers": llm.kv_cache_layers,
            "state_bytes_per_sequence": llm.recurrent_state_bytes(),
        }
    blocks = None
    if llm.attention_free_layers or (llm.layer_intermediate_sizes and not llm.kv_shared_layers):
        blocks = {
            "attention_free_layers": list(llm.attention_free_layers),
            "layer_intermediate_sizes": list(llm.layer_intermediate_sizes),
            "kv_cache_layers": llm.kv_cache_layers,
        }
    edge = None
    if llm.per_layer_input_size or llm.kv_shared_layers:
        edge = {
            "per_layer_input_size": llm.per_layer_input_size,
            "per_layer_vocab_size": llm.per_layer_vocab_size,
            "per_layer_table_params": llm.per_layer_embedding_params(),
            "kv_shared_layers": list(llm.kv_shared_layers),
            "kv_cache_layers": llm.kv_cache_layers,
            "layer_intermediate_sizes": list(llm.layer_intermediate_sizes),
            "altup_inputs": llm.altup_inputs,
            "laurel_rank": llm.laurel_rank,
            "stream_mixing_params": llm.stream_mixing_params(),
        }
    return {
        "architecture": {
            "hidden_size": llm.hidden_size,
            "num_layers": llm.num_layers,
            "num_attention_heads": llm.num_attention_heads,
            "num_kv_heads": llm.num_kv_heads,
            "head_dim": llm.head_dim,
            "intermediate_size": llm.intermediate_size,
            "vocab_size": llm.vocab_size,
            "tie_word_embeddings": llm.tie_word_embeddings,
            "checkpoint_format": llm.checkpoint_format or None,
            "moe": moe,
            "mla": mla,
            "sliding_window": window,
            "linear_attention": linear,
            "nas_blocks": blocks,
            "per_layer_inputs": edge,
        },
        "parameter_breakdown": llm.parameter_breakdown(),
        "kv_cache": kv_rows(llm),
    }


def _optional_asdict(value: Any) -> dict[str, Any] | None:
    return asdict(value) if value is not None else None


def _diffusion_details(model: DiffusionArch) -> dict[str, Any]:
    gflops = None
    if model.forward_gflops is not None:
        gflops = {
            "gflops": model.forward_gflops,
            "resolution_px": model.forward_gflops_resolution_px,
            "source": model.forward_gflops_source,
        }
    return {
        "denoiser": {
            "type": model.denoiser_type,
            "params": model.denoiser_params,
            "image_tokens_at_default_resolution": model.image_tokens(),
        },
        "text_encoders": [asdict(encoder) for encoder in model.text_encoders],
        "vae_params": model.vae_params,
        "latent_channels": model.latent_channels,
        "vae_downsample_factor": model.vae_downsample_factor,
        "default_resolution_px": model.default_resolution_px,
        "default_steps": model.default_steps,
        "forwards_per_step": model.forwards_per_step,
        "guidance": model.guidance,
        "patch_size": model.patch_size,
        "transformer_blocks": _optional_asdict(model.transformer_blocks),
        "forward_gflops": gflops,
    }


def _vlm_details(model: VisionLanguageArch) -> dict[str, Any]:
    return {
        "vision_encoder_params": model.vision_encoder_params,
        "projector_params": model.projector_params,
        "vision_source": model.vision_source,
        "image_tokens": asdict(model.image_tokens),
        "language_model": _llm_details(model.language_model),
    }


def _ocr_details(model: OcrArch) -> dict[str, Any]:
    return {
        "encoder_params": model.encoder_params,
        "decoder_params": model.decoder_params,
        "image_size_px": model.image_size_px,
        "patch_size": model.patch_size,
        "encoder_tokens": model.encoder_tokens(),
        "encoder_layers": model.encoder_layers,
        "decoder_layers": model.decoder_layers,
        "decoder_hidden_size": model.decoder_hidden_size,
    }


def model_details(model: AnyModelArch) -> dict[str, Any]:
    details = model_summary(model)
    if isinstance(model, ModelArch):
        details.update(_llm_details(model))
    elif isinstance(model, DiffusionArch):
        details.update(_diffusion_details(model))
    elif isinstance(model, VisionLanguageArch):
        details.update(_vlm_details(model))
    else:
        details.update(_ocr_details(model))
    return details


class ModelsRequest(AnswerRequest):
    """Which models of the library (the filter of `gpuatlas models`)."""

    kind: Literal["llm", "diffusion", "vlm", "ocr"] | None = Field(
        None, description="Only this kind: llm, diffusion, vlm or ocr; none: every model."
    )


def models_document(request: ModelsRequest) -> dict[str, Any]:
    """``gpuatlas.models/1``: the request and one summary per model of the library."""
    return versioned(
        "models",
        {
            "request": request.model_dump(),
            "models": [model_summary(m) for m in all_models(request.kind)],
        },
    )


def model_document(name: str, *, local_files: bool = False) -> dict[str, Any]:
    """``gpuatlas.model/1``: one model's details, how the name matched and its format hint;
    ``local_files`` (the CLI) also reads a config.json path or a Hub id."""
    return show_document(model_reference(name, local_files))


def show_document(reference: ModelReference) -> dict[str, Any]:
    return versioned(
        "model",
        {
            "query": reference.name,
            "matched_by": reference.matched_by,
            "format_hint": reference.format_hint,
            "format_id": reference.format_id,
            "model": model_details(reference.model),
        },
    )


def formats_document() -> dict[str, Any]:
    """``gpuatlas.formats/1``: weight formats (real bits per weight) and KV-cache precisions."""
    weight_formats = []
    for weight_format in all_formats():
        row = asdict(weight_format)
        row["names"] = list(weight_format.names)
        row["native_architectures"] = list(weight_format.native_architectures)
        weight_formats.append(row)
    kv = [
        {**asdict(precision), "names": list(precision.names), "engines": list(precision.engines)}
        for precision in all_kv_cache_precisions()
    ]
    return versioned("formats", {"weight_formats": weight_formats, "kv_cache_precisions": kv})
