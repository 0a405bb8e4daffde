"""CLI commands of the model-library area (thin: parse, call the domain layer, render).

Commands and their `--json` schemas (stable; numbers are plain counts / bytes):

`gpuatlas models [--kind llm|diffusion|vlm|ocr] [--json]`
    {"schema_version": "gpuatlas.models/1", "models": [SUMMARY, ...]}
    SUMMARY = {"id", "kind", "family", "hub_id", "total_params", "active_params" (LLM/VLM
    backbone, else null), "attention_type" (LLM/VLM, else null), "layers" (LLM/VLM, else null),
    "context_tokens" (LLM/VLM, else null), "aliases", "ollama_tags",
    "published_params", "published_params_source"}

`gpuatlas model show NAME [--json]`
    {"schema_version": "gpuatlas.model/1", "query", "matched_by", "format_hint", "format_id",
     "model": SUMMARY + kind-specific details:
        llm: "architecture" {hidden_size, num_layers, num_attention_heads, num_kv_heads, head_dim,
             intermediate_size, vocab_size, tie_word_embeddings, checkpoint_format,
             moe {...} | null,
             mla {...} | null, sliding_window {tokens, layers, full_attention_layers,
             global_head_dim, global_kv_heads, global_k_is_v} | null,
             linear_attention {mixer ("gated-deltanet" | "mamba2"), layers, kv_cache_layers,
             state_bytes_per_sequence} | null,
             nas_blocks {attention_free_layers, layer_intermediate_sizes, kv_cache_layers}
             | null,
             per_layer_inputs {per_layer_input_size, per_layer_vocab_size,
             per_layer_table_params, kv_shared_layers, kv_cache_layers,
             layer_intermediate_sizes, altup_inputs, laurel_rank, stream_mixing_params}
             | null},
             "parameter_breakdown" {component: count},
             "kv_cache" [{"precision", "bytes_per_element", "bytes_per_token",
                          "bytes_per_token_at_context", "context_tokens"}]
        vlm: "vision_encoder_params", "projector_params", "image_tokens" {...},
             "language_model" (the llm details above)
        diffusion: "denoiser" {...}, "text_encoders" [...], "vae_params", "latent_channels",
             "vae_downsample_factor", "default_resolution_px", "default_steps",
             "forwards_per_step", "guidance", "patch_size", "transformer_blocks" {class_name,
             joint_blocks, single_blocks, hidden, text_tokens, block_h2, dual_attention_blocks,
             image_refiner_blocks, text_refiner_blocks} | null, "forward_gflops" {...} | null
        ocr: "encoder_params", "decoder_params", "image_size_px", "patch_size",
             "encoder_tokens", ...}

`gpuatlas formats [--json]`
    {"schema_version": "gpuatlas.formats/1", "weight_formats": [{"id", "names", "family",
     "bits_per_weight", "effective_bits_per_weight", "block_size", "group_size",
     "scale_format", "compute_precision", "fallback_compute_precision",
     "native_architectures", "weight_only", "source", "notes"}],
     "kv_cache_precisions": [{"id", "names", "bytes_per_element", "engines", "source"}]}
"""

from __future__ import annotations

import typer

from gpuatlas.app.models import ModelsRequest, formats_document, model_document, models_document
from gpuatlas.app.requests import parse_request
from gpuatlas.catalog.models import all_models, resolve_model_argument
from gpuatlas.cli.errors import user_errors
from gpuatlas.cli.model_render import (
    console,
    formats_tables,
    models_table,
    print_json_document,
    render_show,
)
from gpuatlas.errors import InvalidRequestError

KINDS = ("llm", "diffusion", "vlm", "ocr")


def models_command(
    kind: str | None = typer.Option(None, "--kind", help="llm, diffusion, vlm or ocr"),
    as_json: bool = typer.Option(False, "--json", help="print the gpuatlas.models/1 document"),
) -> None:
    """List the model library."""
    with user_errors():
        if kind is not None and kind not in KINDS:
            raise InvalidRequestError([f"--kind must be one of {', '.join(KINDS)}, got {kind!r}"])
        if as_json:
            print_json_document(models_document(parse_request(ModelsRequest, {"kind": kind})))
            return
        console.print(models_table(all_models(kind)))


def model_show_command(
    name: str = typer.Argument(..., help="id, Hub id, Ollama tag, checkpoint name or config.json"),
    as_json: bool = typer.Option(False, "--json", help="print the gpuatlas.model/1 document"),
) -> None:
    """Show one model: parameters, layers, attention type, KV bytes per token."""
    with user_errors():
        if as_json:
            print_json_document(model_document(name, local_files=True))
            return
        render_show(resolve_model_argument(name))


def formats_command(
    as_json: bool = typer.Option(False, "--json", help="print the gpuatlas.formats/1 document"),
) -> None:
    """List weight formats (real bits per weight) and KV-cache precisions."""
    with user_errors():
        if as_json:
            print_json_document(formats_document())
            return
        for table in formats_tables():
            console.print(table)


def register(app: typer.Typer) -> None:
    """Attach this area's commands to the root app."""
    app.command("models")(models_command)
    app.command("formats")(formats_command)
    from gpuatlas.cli.show_group import ShowByDefaultGroup

    model_app = typer.Typer(
        cls=ShowByDefaultGroup,
        help="One model from the library (or a config.json).",
        no_args_is_help=True,
    )
    model_app.command("show")(model_show_command)
    app.add_typer(model_app, name="model")
