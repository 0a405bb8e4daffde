"""CLI commands of the model-library area (thin: parse, call the domain layer, render).

Commands and their `--json` schemas (stable; numbers are plain counts / bytes):

`gpuatlas models [--kind llm|diffusion|vlm|ocr] [--json]`
    {"schema": "gpuatlas.models/1", "models": [SUMMARY, ...]}
    SUMMARY = {"id", "kind", "family", "hub_id", "total_params", "active_params" (LLM/VLM
    backbone, else null), "attention_type" (LLM/VLM, else null), "layers" (LLM/VLM, else null),
    "context_tokens" (LLM/VLM, else null), "aliases", "ollama_tags",
    "published_params", "published_params_source"}

`gpuatlas model show NAME [--json]`
    {"schema": "gpuatlas.model/1", "query", "matched_by", "format_hint", "format_id",
     "model": SUMMARY + kind-specific details:
        llm: "architecture" {hidden_size, num_layers, num_attention_heads, num_kv_heads, head_dim,
             intermediate_size, vocab_size, tie_word_embeddings, checkpoint_format,
             moe {...} | null,
             mla {...} | null, sliding_window {tokens, layers, full_attention_layers} | null},
             "parameter_breakdown" {component: count},
             "kv_cache" [{"precision", "bytes_per_element", "bytes_per_token",
                          "bytes_per_token_at_context", "context_tokens"}]
        vlm: "vision_encoder_params", "projector_params", "image_tokens" {...},
             "language_model" (the llm details above)
        diffusion: "denoiser" {...}, "text_encoders" [...], "vae_params", "latent_channels",
             "vae_downsample_factor", "default_resolution_px", "default_steps",
             "forwards_per_step", "guidance", "patch_size", "forward_gflops" {...} | null
        ocr: "encoder_params", "decoder_params", "image_size_px", "patch_size",
             "encoder_tokens", ...}

`gpuatlas formats [--json]`
    {"schema": "gpuatlas.formats/1", "weight_formats": [{"id", "names", "family",
     "bits_per_weight", "effective_bits_per_weight", "block_size", "group_size",
     "scale_format", "compute_precision", "fallback_compute_precision",
     "native_architectures", "weight_only", "source", "notes"}],
     "kv_cache_precisions": [{"id", "names", "bytes_per_element", "engines", "source"}]}
"""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any

import typer
from rich.console import Console
from rich.table import Table

from gpuatlas.catalog.formats import all_formats, all_kv_cache_precisions
from gpuatlas.catalog.model_arch import (
    AnyModelArch,
    DiffusionArch,
    ModelArch,
    OcrArch,
    VisionLanguageArch,
)
from gpuatlas.catalog.models import ModelReference, all_models, resolve_model_argument
from gpuatlas.cli.errors import user_errors
from gpuatlas.errors import InvalidRequestError

console = Console()
KINDS = ("llm", "diffusion", "vlm", "ocr")


# ----- JSON documents -------------------------------------------------------------------------


def _backbone(model: AnyModelArch) -> ModelArch | None:
    if isinstance(model, ModelArch):
        return model
    if isinstance(model, VisionLanguageArch):
        return model.language_model
    return None


def model_summary(model: AnyModelArch) -> dict[str, Any]:
    """The `SUMMARY` object of the JSON schema."""
    llm = _backbone(model)
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


def _kv_rows(llm: ModelArch) -> list[dict[str, Any]]:
    context = llm.max_position_embeddings or None
    rows = []
    for precision in all_kv_cache_precisions():
        per_token = llm.kv_cache_bytes_per_token(precision.bytes_per_element)
        at_context = (
            llm.kv_cache_bytes_per_token(precision.bytes_per_element, context) if context else None
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
        },
        "parameter_breakdown": llm.parameter_breakdown(),
        "kv_cache": _kv_rows(llm),
    }


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


def show_document(reference: ModelReference) -> dict[str, Any]:
    return {
        "schema": "gpuatlas.model/1",
        "query": reference.name,
        "matched_by": reference.matched_by,
        "format_hint": reference.format_hint,
        "format_id": reference.format_id,
        "model": model_details(reference.model),
    }


def formats_document() -> dict[str, Any]:
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
    return {
        "schema": "gpuatlas.formats/1",
        "weight_formats": weight_formats,
        "kv_cache_precisions": kv,
    }


# ----- rendering ------------------------------------------------------------------------------


def _billions(count: float | None) -> str:
    if count is None:
        return "-"
    return f"{count / 1e9:.2f}B" if count >= 1e9 else f"{count / 1e6:.0f}M"


def _print_json(document: dict[str, Any]) -> None:
    typer.echo(json.dumps(document, indent=2))


def _models_table(models: list[AnyModelArch]) -> Table:
    table = Table(title=f"Model library ({len(models)} models)")
    table.add_column("id", no_wrap=True)
    for column in ("kind", "family", "params", "active", "attention", "layers", "context"):
        table.add_column(column, justify="right" if column in ("params", "active") else "left")
    for model in models:
        row = model_summary(model)
        table.add_row(
            row["id"],
            row["kind"],
            row["family"],
            _billions(row["total_params"]),
            _billions(row["active_params"]),
            row["attention_type"] or "-",
            str(row["layers"] or "-"),
            f"{row['context_tokens']:,}" if row["context_tokens"] else "-",
        )
    return table


def _facts_table(title: str, facts: list[tuple[str, str]]) -> Table:
    table = Table(title=title, show_header=False)
    table.add_column("field", style="bold")
    table.add_column("value")
    for name, value in facts:
        table.add_row(name, value)
    return table


def _llm_facts(llm: ModelArch) -> list[tuple[str, str]]:
    facts = [
        ("total parameters", _billions(llm.total_params())),
        ("active parameters / token", _billions(llm.active_params())),
        ("layers", str(llm.num_layers)),
        ("hidden size", str(llm.hidden_size)),
        (
            "attention",
            f"{llm.attention_type} ({llm.num_attention_heads} query heads, "
            f"{llm.num_kv_heads} KV heads, head dim {llm.head_dim})",
        ),
        ("context", f"{llm.max_position_embeddings:,} tokens"),
        ("checkpoint weights", llm.checkpoint_format or "-"),
        ("vocabulary", f"{llm.vocab_size:,} (tied embeddings: {llm.tie_word_embeddings})"),
    ]
    if llm.is_moe:
        facts.append(
            (
                "experts",
                f"{llm.experts_per_token} of {llm.num_experts} routed "
                f"(+{llm.num_shared_experts} shared), expert FFN "
                f"{llm.moe_intermediate_size}",
            )
        )
    if llm.attention_type == "mla":
        facts.append(
            ("MLA latent", f"kv_lora_rank {llm.kv_lora_rank} + rope {llm.qk_rope_head_dim}")
        )
    if llm.sliding_window_layers:
        facts.append(
            (
                "sliding window",
                f"{llm.sliding_window} tokens on "
                f"{len(llm.sliding_window_layers)} layers; {llm.full_attention_layers} full",
            )
        )
    return facts


def _kv_table(llm: ModelArch) -> Table:
    table = Table(title="KV cache per token")
    table.add_column("KV precision")
    table.add_column("bytes/element", justify="right")
    table.add_column("KiB/token", justify="right")
    table.add_column(f"KiB/token at {llm.max_position_embeddings:,} ctx", justify="right")
    for row in _kv_rows(llm):
        at_context = row["bytes_per_token_at_context"]
        table.add_row(
            row["precision"],
            f"{row['bytes_per_element']:g}",
            f"{row['bytes_per_token'] / 1024:.1f}",
            f"{at_context / 1024:.1f}" if at_context is not None else "-",
        )
    return table


def _component_facts(model: AnyModelArch) -> list[tuple[str, str]]:
    if isinstance(model, DiffusionArch):
        encoders = ", ".join(f"{e.name} {_billions(e.params)}" for e in model.text_encoders)
        return [
            ("denoiser", f"{model.denoiser_type} {_billions(model.denoiser_params)}"),
            ("text encoders", encoders),
            (
                "VAE",
                f"{_billions(model.vae_params)}, {model.latent_channels} latent channels, "
                f"/{model.vae_downsample_factor}",
            ),
            (
                "defaults",
                f"{model.default_resolution_px} px, {model.default_steps} steps, "
                f"{model.forwards_per_step} denoiser pass(es) per step",
            ),
            ("guidance", model.guidance),
        ]
    if isinstance(model, VisionLanguageArch):
        return [
            ("vision encoder", _billions(model.vision_encoder_params)),
            ("projector", _billions(model.projector_params)),
            ("image tokens", _image_token_text(model)),
        ]
    if isinstance(model, OcrArch):
        return [
            (
                "encoder",
                f"{_billions(model.encoder_params)}, {model.image_size_px} px, "
                f"patch {model.patch_size}, {model.encoder_tokens()} tokens",
            ),
            ("decoder", f"{_billions(model.decoder_params)}, {model.decoder_layers} layers"),
        ]
    return []


def _image_token_text(model: VisionLanguageArch) -> str:
    rule = model.image_tokens
    if rule.fixed_tokens is not None:
        return f"{rule.fixed_tokens} per image ({rule.image_size_px} px)"
    side = rule.pixels_per_token_side
    return f"dynamic: (H/{side})·(W/{side}), {rule.min_tokens}–{rule.max_tokens}"


def _render_show(reference: ModelReference) -> None:
    model = reference.model
    header = [("id", model.id), ("kind", model.kind), ("hub id", model.hub_id)]
    if reference.matched_by != "id":
        header.append(("matched by", reference.matched_by))
    if reference.format_hint:
        header.append(("format hint", f"{reference.format_hint} -> {reference.format_id or '?'}"))
    if model.published:
        header.append(
            ("published", f"{_billions(model.published.params)} ({model.published.source})")
        )
    header.append(("total parameters", _billions(model.total_params())))
    console.print(_facts_table(model.id, header + _component_facts(model)))
    llm = _backbone(model)
    if llm is not None:
        console.print(_facts_table("language model", _llm_facts(llm)))
        console.print(_kv_table(llm))


_SHORT_ARCHITECTURE = {
    "volta": "Volta",
    "turing": "Turing",
    "ampere": "Ampere",
    "ada": "Ada",
    "hopper": "Hopper",
    "blackwell": "Blackwell",
    "cdna2": "CDNA2",
    "cdna3": "CDNA3",
    "gaudi2": "Gaudi2",
    "gaudi3": "Gaudi3",
}


def _architectures_text(families: tuple[str, ...]) -> str:
    return " ".join(_SHORT_ARCHITECTURE.get(family, family) for family in families)


def _formats_tables() -> tuple[Table, Table]:
    weights = Table(title="Weight formats (bits per weight include scales)")
    weights.add_column("id", no_wrap=True)
    weights.add_column("bits/weight", justify="right")
    weights.add_column("whole model", justify="right")
    weights.add_column("math in (elsewhere)", no_wrap=True)
    weights.add_column("native on")
    for fmt in all_formats():
        weights.add_row(
            fmt.id,
            f"{fmt.bits_per_weight:g}",
            f"{fmt.effective_bits_per_weight:g}" if fmt.effective_bits_per_weight else "-",
            f"{fmt.compute_precision} ({fmt.fallback_compute_precision})",
            _architectures_text(fmt.native_architectures),
        )
    kv = Table(title="KV-cache precisions")
    for column in ("id", "bytes/element", "engines"):
        kv.add_column(column)
    for precision in all_kv_cache_precisions():
        kv.add_row(precision.id, f"{precision.bytes_per_element:g}", ", ".join(precision.engines))
    return weights, kv


# ----- commands -------------------------------------------------------------------------------


def models_command(
    kind: str | None = typer.Option(None, "--kind", help="llm, diffusion, vlm or ocr"),
    as_json: bool = typer.Option(False, "--json", help="print the gpuatlas.models/1 document"),
) -> None:
    """List the model library."""
    with user_errors():
        if kind is not None and kind not in KINDS:
            raise InvalidRequestError([f"--kind must be one of {', '.join(KINDS)}, got {kind!r}"])
        models = all_models(kind)
        if as_json:
            _print_json(
                {"schema": "gpuatlas.models/1", "models": [model_summary(m) for m in models]}
            )
            return
        console.print(_models_table(models))


def model_show_command(
    name: str = typer.Argument(..., help="id, Hub id, Ollama tag, checkpoint name or config.json"),
    as_json: bool = typer.Option(False, "--json", help="print the gpuatlas.model/1 document"),
) -> None:
    """Show one model: parameters, layers, attention type, KV bytes per token."""
    with user_errors():
        reference = resolve_model_argument(name)
        if as_json:
            _print_json(show_document(reference))
            return
        _render_show(reference)


def formats_command(
    as_json: bool = typer.Option(False, "--json", help="print the gpuatlas.formats/1 document"),
) -> None:
    """List weight formats (real bits per weight) and KV-cache precisions."""
    with user_errors():
        if as_json:
            _print_json(formats_document())
            return
        for table in _formats_tables():
            console.print(table)


def register(app: typer.Typer) -> None:
    """Attach this area's commands to the root app."""
    app.command("models")(models_command)
    app.command("formats")(formats_command)
    model_app = typer.Typer(
        help="One model from the library (or a config.json).", no_args_is_help=True
    )
    model_app.command("show")(model_show_command)
    app.add_typer(model_app, name="model")
