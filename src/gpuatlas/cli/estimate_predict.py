"""`gpuatlas predict …`: LLM, diffusion, vision, OCR and training speed; batch mode with --cases."""

from __future__ import annotations

import csv
import io
import json
import sys
from pathlib import Path
from typing import Any

import typer

from gpuatlas.cli.errors import user_errors
from gpuatlas.cli.estimate_common import (
    ENGINE_HELP,
    JSON_OPTION,
    WEIGHTS_HELP,
    engine_choice,
    model_object,
    weights_choice,
)
from gpuatlas.cli.output import console, new_table, print_json
from gpuatlas.errors import InvalidRequestError

predict_app = typer.Typer(
    help="Predict speed: LLM latency/throughput, image generation, vision, OCR, training. "
    "With --cases FILE.csv: one prediction per row.",
    invoke_without_command=True,
    no_args_is_help=False,
)


def _estimate_text(estimate: Any) -> str:
    value, low, high = estimate.value, estimate.low, estimate.high
    mark = " (extrapolated)" if estimate.extrapolated else ""
    return f"{value:,.4g} {estimate.unit}  [{low:,.4g} – {high:,.4g}]{mark}"


def _render_estimates(title: str, document: dict[str, Any]) -> None:
    table = new_table(title, "quantity", "prediction (range)")
    for key, value in document.items():
        if isinstance(value, dict) and {"value", "low", "high"} <= value.keys():
            from gpuatlas.estimate.results import Estimate

            estimate = Estimate(**{**value, "notes": tuple(value.get("notes", ()))})
            table.add_row(key, _estimate_text(estimate))
        elif isinstance(value, str | int | float | bool):
            table.add_row(key, str(value))
    console.print(table)



def _print_estimates(document: dict[str, Any], as_json: bool, title: str) -> None:
    """The predictions as JSON with --json, else as a table under the title."""
    if as_json:
        print_json(document)
        return
    _render_estimates(title, document)


@predict_app.callback()
def predict_callback(
    context: typer.Context,
    cases: Path = typer.Option(None, "--cases", help="CSV of cases (batch mode)."),
    output: Path = typer.Option(None, "--output", "-o", help="Write results to a file."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Batch mode when --cases is given; otherwise a subcommand."""
    if context.invoked_subcommand is not None:
        return
    if cases is None:
        typer.echo(context.get_help())
        raise typer.Exit(code=0)
    with user_errors():
        text = _run_cases(cases, as_json)
    if output is None:
        sys.stdout.write(text)
    else:
        output.write_text(text, encoding="utf-8")


def _run_cases(path: Path, as_json: bool) -> str:
    from gpuatlas.estimate.batch import RESULT_COLUMNS, missing_columns, predict_rows

    try:
        source = path.read_text(encoding="utf-8-sig")
    except OSError as error:
        raise InvalidRequestError([f"cannot read {path}: {error.strerror}"]) from None
    reader = csv.DictReader(io.StringIO(source))
    header = [name.strip() for name in (reader.fieldnames or [])]
    missing = missing_columns(header)
    if missing:
        raise InvalidRequestError([f"{path}: missing column {name!r}" for name in missing])
    rows = [{k.strip(): (v or "") for k, v in row.items() if k is not None} for row in reader]
    results = list(predict_rows(rows))
    if as_json:
        return json.dumps([_json_row(row) for row in results], indent=2) + "\n"
    buffer = io.StringIO()
    columns = header + [c for c in RESULT_COLUMNS if c not in header]
    writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(results)
    return buffer.getvalue()


def _json_row(row: dict[str, str]) -> dict[str, Any]:
    """The row's columns as given, then value/low/high as numbers (null on error) and error."""
    document: dict[str, Any] = dict(row)
    for key in ("value", "low", "high"):
        document[key] = float(row[key]) if row[key] else None
    document["error"] = row["error"] or None
    return document


def predict_llm_command(
    system: str = typer.Argument(..., help="GPU or system, e.g. 'h100-sxm' or '2x h100-sxm'."),
    model: str = typer.Argument(..., help="Model name, Hub id or config.json path."),
    weights: str = typer.Option("auto", "--weights", "-w", help=WEIGHTS_HELP),
    engine: str = typer.Option("auto", "--engine", "-e", help=ENGINE_HELP),
    batch: int = typer.Option(1, "--batch", "-b", help="Concurrent sequences."),
    input_tokens: int = typer.Option(512, "--input", help="Prompt tokens."),
    output_tokens: int = typer.Option(128, "--output", help="Generated tokens."),
    kv_cache: str = typer.Option("fp16", "--kv-cache"),
    as_json: bool = JSON_OPTION,
) -> None:
    """TTFT, TPOT, prefill/decode tokens/s, MBU and MFU for one batch."""
    from gpuatlas.estimate import api

    with user_errors():
        choice = weights_choice(weights, model)
        engine = engine_choice(engine, choice)
        result = api.predict_llm(
            system, model_object(model), choice.format_id, engine, batch=batch,
            input_tokens=input_tokens, output_tokens=output_tokens, kv_cache=kv_cache,
        )
    if not as_json:
        console.print(choice.describe(), highlight=False)
    _print_estimates(result.to_json(), as_json, f"{result.model_id} ({result.weights}, "
                     f"{result.engine}) on {result.system_id}, batch {batch}")


def predict_diffusion_command(
    system: str = typer.Argument(...),
    model: str = typer.Argument(..., help="e.g. sdxl, flux.1-dev, stable-diffusion-v1-5."),
    resolution: int = typer.Option(0, "--resolution", help="Square side in px (0 = default)."),
    steps: int = typer.Option(0, "--steps", help="Denoising steps (0 = model default)."),
    batch: int = typer.Option(1, "--batch", "-b"),
    cfg: bool = typer.Option(None, "--cfg/--no-cfg", help="Classifier-free guidance."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Seconds per image, images per minute, memory and whether CPU offload is needed."""
    from gpuatlas.estimate import api

    with user_errors():
        result = api.predict_diffusion(system, model_object(model), resolution=resolution or None,
                                       steps=steps or None, batch=batch, cfg=cfg)
    _print_estimates(result.to_json(), as_json, f"{result.model_id} on {result.system_id}, "
                     f"{result.resolution_px} px, {result.steps} steps, batch {batch}")


def predict_vision_command(
    system: str = typer.Argument(...),
    model: str = typer.Argument(..., help="A vision-language model, e.g. llava-1.5-7b."),
    batch: int = typer.Option(8, "--batch", "-b"),
    image_tokens: int = typer.Option(0, "--image-tokens", help="0 = the model's own count."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Images per minute of a vision-language model at a batch."""
    from gpuatlas.estimate import api

    with user_errors():
        result = api.predict_vision(system, model_object(model), batch=batch,
                                    image_tokens=image_tokens or None)
    _print_estimates({"images_per_min": result.to_json()}, as_json,
                     f"{model} on {system}, batch {batch}")


def predict_ocr_command(
    system: str = typer.Argument(...),
    model: str = typer.Argument(..., help="An OCR model, e.g. trocr-base-printed."),
    batch: int = typer.Option(16, "--batch", "-b"),
    as_json: bool = JSON_OPTION,
) -> None:
    """Pages per minute of an OCR model."""
    from gpuatlas.estimate import api

    with user_errors():
        result = api.predict_ocr(system, model_object(model), batch=batch)
    _print_estimates({"pages_per_min": result.to_json()}, as_json,
                     f"{model} on {system}, batch {batch}")


def predict_train_command(
    system: str = typer.Argument(..., help="e.g. '4x rtx-4090' or '2x a100-80gb-sxm'."),
    model: str = typer.Argument(...),
    tokens: float = typer.Option(1e9, "--tokens", help="Training budget in tokens."),
    method: str = typer.Option("full", "--method", help="full, lora or qlora."),
    precision: str = typer.Option("bf16", "--precision"),
    recompute: bool = typer.Option(False, "--recompute", help="Activation recomputation."),
    sequence_tokens: int = typer.Option(2048, "--sequence"),
    micro_batch: int = typer.Option(4, "--micro-batch"),
    sharding: str = typer.Option("none", "--sharding"),
    as_json: bool = JSON_OPTION,
) -> None:
    """Step time, tokens/s, time for the budget, all-reduce and scaling efficiency."""
    from gpuatlas.estimate import api

    with user_errors():
        result = api.predict_training(
            system, model_object(model), tokens=tokens, method=method, precision=precision,
            recompute=recompute, sequence_tokens=sequence_tokens, micro_batch=micro_batch,
            sharding=sharding,
        )
    _print_estimates(result.to_json(), as_json,
                     f"{method} training of {result.model_id} on {result.system_id}")
    if as_json:
        return
    console.print(f"memory per GPU: {result.memory.total_gb:,.1f} GB "
                  f"({'fits' if result.memory.fits else 'does not fit'})")
