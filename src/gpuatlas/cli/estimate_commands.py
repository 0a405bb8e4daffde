"""CLI of the estimate area: `gpuatlas fit`, `gpuatlas calibrate` (`gpuatlas predict …` is
registered by predict_commands.py and predict_subcommands.py).

Thin: parse options, call `gpuatlas.performance`, render. `--json` documents:
- fit: the MemoryFit / TrainingMemoryFit fields (GB per GPU) plus "model";
- predict llm|diffusion|vision|ocr|train: every predicted number as
  {"value", "low", "high", "unit", "model", "calibration_version", "extrapolated", "notes"};
- predict --cases: one object per input row: the row's columns plus value, low, high, error.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from gpuatlas.app.fit import FitRequest, FitTrainingRequest
from gpuatlas.app.requests import KV_CACHE_HELP, field_default
from gpuatlas.cli.errors import user_errors
from gpuatlas.cli.estimate_common import JSON_OPTION
from gpuatlas.cli.fit_render import render_fit_answer
from gpuatlas.cli.output import (
    console,
    new_table,
    print_json,
    print_model_note,
    print_name_notes,
)
from gpuatlas.cli.terminal import working
from gpuatlas.numbers import format_gib, gib_figure

# ----- fit ----------------------------------------------------------------------------------


def _fit(name: str) -> Any:  # each option's default comes from the answer's request model
    return field_default(FitRequest, name)


def _training(name: str) -> Any:
    return field_default(FitTrainingRequest, name)


def fit_command(
    system: str = typer.Argument(..., help="GPU or system, e.g. 'rtx-4090' or '4x rtx-4090'."),
    model: str = typer.Argument(..., help="Model name, Hub id, Ollama tag or config.json path."),
    weights: list[str] = typer.Option(
        [],
        "--weights",
        "-w",
        help="Format(s), repeatable: auto (the checkpoint's own), fp16, Q4_K_M, AWQ... "
        "None given: the native format in detail and every format the engine loads.",
    ),
    engine: str = typer.Option(
        _fit("engine"),
        "--engine",
        "-e",
        help="Inference engine; auto: Ollama for Ollama tags, llama.cpp for GGUF, else vLLM.",
    ),
    context_tokens: int | None = typer.Option(
        _fit("context_tokens"),
        "--context",
        help="Tokens per sequence; default: the engine's (Ollama's num_ctx for its version "
        "and the GPU memory), else 4,096.",
    ),
    concurrency: int = typer.Option(
        _fit("concurrency"), "--concurrency", help="Concurrent sequences."
    ),
    kv_cache: str = typer.Option(_fit("kv_cache"), "--kv-cache", help=KV_CACHE_HELP),
    training: str = typer.Option("", "--training", help="full, lora or qlora: training memory."),
    sequence_tokens: int = typer.Option(
        _training("sequence_tokens"), "--sequence", help="Training sequence length."
    ),
    micro_batch: int = typer.Option(
        _training("micro_batch"), "--micro-batch", help="Training micro-batch per GPU."
    ),
    checkpointing: bool = typer.Option(
        _training("checkpointing"), "--checkpointing", help="Activation checkpointing."
    ),
    sharding: str = typer.Option(
        _training("sharding"), "--sharding", help="none, zero1, zero2, zero3, fsdp."
    ),
    gpu_layers: int | None = typer.Option(
        None,
        "--gpu-layers",
        help="llama.cpp/Ollama: layers on the GPU (the rest run from host memory).",
    ),
    cpu_moe: bool = typer.Option(
        _fit("cpu_moe"), "--cpu-moe", help="llama.cpp/Ollama: MoE experts in host memory."
    ),
    host_bandwidth_gbs: float = typer.Option(
        _fit("host_bandwidth_gbs"),
        "--host-bandwidth-gbs",
        help="Host memory bandwidth for offloaded weights (default: dual-channel DDR5-5600).",
    ),
    host_ram_gb: float | None = typer.Option(
        None,
        "--host-ram-gb",
        help="GB of RAM in the machine, the limit for layers or experts on the CPU "
        "(default: 32 for a desktop card, 256 per data-center GPU).",
    ),
    as_json: bool = JSON_OPTION,
) -> None:
    """Does a model fit, and in which formats: memory per GPU, the longest context, how many
    sequences (or training memory with --training)."""
    from gpuatlas.app import fit
    from gpuatlas.app.requests import parse_request

    common = {"system": system, "model": model}
    with user_errors():
        if training:
            document = fit.fit_training_document(
                parse_request(
                    fit.FitTrainingRequest,
                    {
                        **common,
                        "training": training,
                        "sequence_tokens": sequence_tokens,
                        "micro_batch": micro_batch,
                        "checkpointing": checkpointing,
                        "sharding": sharding,
                    },
                ),
                local_files=True,
            )
            if as_json:
                print_json(document)
            else:
                _render_training_fit(document)
                print_name_notes([system])
            return
        request = parse_request(
            fit.FitRequest,
            {
                **common,
                "weights": weights,
                "engine": engine,
                "context_tokens": context_tokens,
                "concurrency": concurrency,
                "kv_cache": kv_cache,
                "gpu_layers": gpu_layers,
                "cpu_moe": cpu_moe,
                "host_bandwidth_gbs": host_bandwidth_gbs,
                "host_ram_gb": host_ram_gb,
            },
        )
        if as_json:  # the document of the answer layer, as /plan/fit.json returns it
            print_json(fit.fit_document(request, local_files=True))
            return
        answer = fit.fit_answer(request, local_files=True)
        verdict = fit.verdict_text(request, answer, local_files=True)
    render_fit_answer(answer, verdict)
    console.print(fit.fit_sources(answer), highlight=False, markup=False)
    kv_cache = fit.kv_cache_of(request, answer)
    if kv_cache != request.kv_cache:  # --kv-cache auto: say what it was read as
        console.print(
            f"KV cache: {kv_cache} (auto: what {answer.engine} picks for "
            f"{answer.weights.format_id} weights)",
            markup=False,
            highlight=False,
        )
    from gpuatlas.app.name_notes import answer_fit_setting

    print_model_note(model)
    print_name_notes([system], answer_fit_setting(answer.detail, kv_cache))


def _render_training_fit(document: dict[str, Any]) -> None:
    # the title on its own line: the narrow table would wrap it
    console.print(
        f"Training memory per GPU: {document['model_id']} on {document['system_id']}",
        markup=False,
        highlight=False,
    )
    table = new_table("", "part", "GiB")
    for key, value in document.items():
        if key.endswith("_gb") and isinstance(value, dict):
            table.add_row(key.removesuffix("_gb"), gib_figure(value["value"]))
    console.print(table)
    verdict = "fits" if document["fits"] else "does not fit"
    console.print(
        f"verdict: {verdict}; " + "; ".join(document["reasons"]), markup=False, highlight=False
    )
    would_fit = [
        f"{item['setup']} ({format_gib(item['total_gb'])} per GPU)"
        for item in document.get("would_fit", [])
    ]
    if would_fit:
        console.print("would fit: " + "; ".join(would_fit), markup=False, highlight=False)
    elif not document["fits"]:
        console.print("would fit: nothing nearby (fewer or lighter setups)", highlight=False)


# ----- calibrate ----------------------------------------------------------------------------


def calibrate_command(
    data: Path = typer.Option(None, "--data", help="CSV file or folder (default: packaged)."),
    output: Path = typer.Option(None, "--output", "-o", help="Default: the packaged file."),
    jobs: int = typer.Option(
        None,
        "--jobs",
        "-j",
        min=1,
        help="Processes for the cross-validation (default: one per CPU).",
    ),
    as_json: bool = JSON_OPTION,
) -> None:
    """Fit efficiencies from measured rows; bands from leave-one-source-out errors."""
    from gpuatlas.app.calibrate import calibrate_document

    with user_errors(), working("Fitting the calibration and its cross-validation…"):
        document = calibrate_document(data, output, jobs)
    if as_json:  # the answer layer's gpuatlas.calibration/1 document
        print_json(document)
        return
    table = new_table(
        f"Calibration {document['version']} → {document['path']}",
        "kind",
        "n",
        "median APE",
        "p90 APE",
        "band ±",
    )
    for kind, values in document["errors"].items():
        table.add_row(
            kind,
            str(values["n"]),
            f"{values['median_ape']:.1%}",
            f"{values['p90_ape']:.1%}",
            f"{values['log_band']:.2f} (log)",
        )
    console.print(table)


def register(app: typer.Typer) -> None:
    """Attach this area's commands to the root app."""
    app.command("fit")(fit_command)
    app.command("calibrate")(calibrate_command)
