"""Terminal rendering of the model area: the library table, one model's facts, the formats."""

from __future__ import annotations

import json
from typing import Any

import typer
from rich.table import Table

from gpuatlas.app.models import backbone, kv_rows, model_summary
from gpuatlas.catalog.formats import all_formats, all_kv_cache_precisions
from gpuatlas.catalog.model_arch import (
    AnyModelArch,
    DiffusionArch,
    ModelArch,
    OcrArch,
    VisionLanguageArch,
)
from gpuatlas.catalog.models import ModelReference
from gpuatlas.cli.terminal import make_console
from gpuatlas.numbers import format_given

console = make_console()


def _billions(count: float | None) -> str:
    if count is None:
        return "-"
    return f"{count / 1e9:.2f}B" if count >= 1e9 else f"{count / 1e6:.0f}M"


def print_json_document(document: dict[str, Any]) -> None:
    typer.echo(json.dumps(document, indent=2))


def models_table(models: list[AnyModelArch]) -> Table:
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
        (
            "vocabulary",
            f"{llm.vocab_size:,} (tied embeddings: {'yes' if llm.tie_word_embeddings else 'no'})",
        ),
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
    if llm.global_head_dim:
        shared = ", V = K (K cached alone)" if llm.attention_k_eq_v else ""
        facts.append(
            (
                "global layers",
                f"{llm.full_attention_layers} layers: "
                f"{llm.num_global_kv_heads or llm.num_kv_heads} KV heads of "
                f"{llm.global_head_dim}{shared}",
            )
        )
    if llm.per_layer_input_size:
        facts.append(
            (
                "per-layer inputs",
                f"a {llm.per_layer_vocab_size:,} x {llm.num_layers} x {llm.per_layer_input_size} "
                f"table ({_billions(llm.per_layer_embedding_params())}: held, one row read "
                "per token)",
            )
        )
    if llm.altup_inputs > 1 or llm.laurel_rank:
        facts.append(
            (
                "AltUp, LAuReL",
                f"{llm.altup_inputs} streams, rank {llm.laurel_rank} "
                f"({_billions(llm.stream_mixing_params())}, read every token)",
            )
        )
    if llm.kv_shared_layers:
        facts.append(
            (
                "shared KV",
                f"the last {len(llm.kv_shared_layers)} layers attend with an earlier layer's "
                f"cache; {llm.kv_cache_layers} layers hold KV",
            )
        )
    if llm.attention_free_layers and llm.recurrent_mixer != "mamba2":
        widths = llm.layer_intermediate_sizes or (llm.intermediate_size,)
        facts.append(
            (
                "NAS blocks",
                f"{len(llm.attention_free_layers)} layers without attention (no KV cache); "
                f"{llm.kv_cache_layers} attend; FFN {min(widths):,} to {max(widths):,} wide",
            )
        )
    if llm.linear_attention_layers:
        state_mb = llm.recurrent_state_bytes() / 1e6
        facts.append(
            (
                "linear attention",
                f"{len(llm.linear_attention_layers)} {_MIXER_NAMES[llm.recurrent_mixer]} layers "
                "(no KV cache; "
                f"{state_mb:,.1f} MB of state per sequence); {llm.kv_cache_layers} attention",
            )
        )
    return facts


_MIXER_NAMES = {"gated-deltanet": "Gated DeltaNet", "mamba2": "Mamba-2"}


def _kv_table(llm: ModelArch) -> Table:
    table = Table(title="KV cache per token")
    table.add_column("KV precision")
    table.add_column("bytes/element", justify="right")
    table.add_column("KiB/token", justify="right")
    table.add_column(f"KiB/token at {llm.max_position_embeddings:,} ctx", justify="right")
    for row in kv_rows(llm):
        at_context = row["bytes_per_token_at_context"]
        table.add_row(
            row["precision"],
            format_given(row["bytes_per_element"]),
            f"{row['bytes_per_token'] / 1024:.1f}",
            f"{at_context / 1024:.1f}" if at_context is not None else "-",
        )
    return table


def _transformer_block_facts(model: DiffusionArch) -> list[tuple[str, str]]:
    blocks = model.transformer_blocks
    if blocks is None:
        return []
    parts = [f"{blocks.joint_blocks} joint"] if blocks.joint_blocks else []
    parts += [f"{blocks.single_blocks} single-stream"] if blocks.single_blocks else []
    parts += [f"{blocks.image_refiner_blocks} image refiner"] if blocks.image_refiner_blocks else []
    parts += [f"{blocks.text_refiner_blocks} text refiner"] if blocks.text_refiner_blocks else []
    facts = [
        (
            "blocks",
            f"{', '.join(parts)}; width {blocks.hidden:,}, {blocks.block_h2:g}h² MACs per token; "
            f"{blocks.text_tokens:,} text tokens",
        )
    ]
    if model.reference_images:
        size = f"{model.reference_image_px} px" if model.reference_image_px else "the output's size"
        facts.append(
            (
                "input images",
                f"{model.reference_images}, encoded at {size}: their latents join the sequence",
            )
        )
    return facts


def _component_facts(model: AnyModelArch) -> list[tuple[str, str]]:
    if isinstance(model, DiffusionArch):
        encoders = ", ".join(f"{e.name} {_billions(e.params)}" for e in model.text_encoders)
        return [
            ("denoiser", f"{model.denoiser_type} {_billions(model.denoiser_params)}"),
            *_transformer_block_facts(model),
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


def render_show(reference: ModelReference) -> None:
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
    llm = backbone(model)
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
    "pascal": "Pascal",
    "gcn4": "GCN4",
    "gcn5": "GCN5",
    "cdna1": "CDNA1",
    "cdna4": "CDNA4",
    "rdna1": "RDNA1",
    "rdna2": "RDNA2",
    "rdna3": "RDNA3",
    "rdna3.5": "RDNA3.5",
    "rdna4": "RDNA4",
    "xe-hpg": "Xe-HPG",
    "xe2-hpg": "Xe2-HPG",
    "xe-hpc": "Xe-HPC",
    "apple7": "Apple7",  # Metal GPU families, as Apple names them (MTLGPUFamilyApple7: M1)
    "apple8": "Apple8",
    "apple9": "Apple9",
    "apple10": "Apple10",
}


def _architectures_text(families: tuple[str, ...]) -> str:
    return " ".join(_SHORT_ARCHITECTURE.get(family, family) for family in families)


def formats_tables() -> tuple[Table, Table]:
    weights = Table(title="Weight formats (bits per weight include scales)")
    weights.add_column("id", no_wrap=True)
    weights.add_column("bits/weight", justify="right")
    weights.add_column("whole model", justify="right")
    weights.add_column("math in (elsewhere)", no_wrap=True)
    weights.add_column("native on")
    for fmt in all_formats():
        weights.add_row(
            fmt.id,
            format_given(fmt.bits_per_weight),
            format_given(fmt.effective_bits_per_weight) if fmt.effective_bits_per_weight else "-",
            f"{fmt.compute_precision} ({fmt.fallback_compute_precision})",
            _architectures_text(fmt.native_architectures),
        )
    kv = Table(title="KV-cache precisions")
    for column in ("id", "bytes/element", "engines"):
        kv.add_column(column)
    for precision in all_kv_cache_precisions():
        kv.add_row(
            precision.id,
            format_given(precision.bytes_per_element),
            ", ".join(precision.engines),
        )
    return weights, kv
