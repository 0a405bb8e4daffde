"""`gpuatlas predict …`: LLM, diffusion, vision, OCR and training speed; batch mode with --cases."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal

import typer

from gpuatlas.app import predict as answers
from gpuatlas.app.requests import (
    DEPTH_HELP,
    FLASH_ATTENTION_HELP,
    HOST_RAM_HELP,
    KV_CACHE_HELP,
    NUM_CTX_HELP,
    TRAINING_FRAMEWORK_HELP,
    TRAINING_PRECISIONS,
    field_default,
)
from gpuatlas.cli.errors import user_errors
from gpuatlas.cli.estimate_common import (
    CONTEXT_REFUSED,
    ENGINE_HELP,
    JSON_OPTION,
    WEIGHTS_HELP,
    refuse_context,
)
from gpuatlas.cli.output import console, new_table, print_json
from gpuatlas.errors import InvalidRequestError
from gpuatlas.numbers import (
    format_fraction,
    format_gib,
    format_given,
    format_number,
    output_tokens_text,
)


def _llm(name: str) -> Any:  # each option's default comes from the answer's request model
    return field_default(answers.PredictLlmRequest, name)


def _serving(name: str) -> Any:
    return field_default(answers.PredictServingRequest, name)


def _diffusion(name: str) -> Any:
    return field_default(answers.PredictDiffusionRequest, name)


def _vision(name: str) -> Any:
    return field_default(answers.PredictVisionRequest, name)


def _ocr(name: str) -> Any:
    return field_default(answers.PredictOcrRequest, name)


def _train(name: str) -> Any:
    return field_default(answers.PredictTrainRequest, name)


def _estimate_text(estimate: Any) -> str:
    value, low, high = estimate.value, estimate.low, estimate.high
    mark = " (extrapolated)" if estimate.extrapolated else ""
    if estimate.unit == "fraction":  # a share: a percentage, clipped to 100%
        shown, band = format_fraction(value), f"[{format_fraction(low)} – {format_fraction(high)}]"
    else:
        unit = estimate.unit
        if unit == "s" and abs(value) < 1:  # an all-reduce of 0.0115 s reads as 11.5 ms
            value, low, high, unit = value * 1000, low * 1000, high * 1000, "ms"
        shown = format_number(value, unit)
        band = f"[{format_number(low)} – {format_number(high)}]"
    if low == high == value:  # computed without fitted terms: no band to show
        return f"{shown}{mark}"
    return f"{shown}  {band}{mark}"


UNIT_SUFFIXES = ("_tok_s", "_ms", "_s", "_h", "_gb")  # the value cell shows the unit


def _label(key: str, has_unit: bool = False) -> str:
    """A document key as a row label: 'step_s' -> 'step' (the cell shows 's'),
    'tok_s' -> 'tokens/s', 's_per_image' -> 's per image'."""
    if key == "tok_s":
        return "tokens/s"
    if has_unit:
        key = next((key.removesuffix(end) for end in UNIT_SUFFIXES if key.endswith(end)), key)
    return key.replace("_", " ")


def _plain_value(value: str | int | float | bool) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float):
        return format_number(value, significant=4)
    return value


AFTER_WEIGHTS = ("kv_cache_assumed",)  # read beside the weights, not above the system's name


def _rows_in_reading_order(document: dict[str, Any]) -> list[tuple[str, Any]]:
    """The document's entries with the KV-cache precision moved after the weights: the table
    opens with what was predicted (system, model, weights, KV cache, engine)."""
    if "weights" not in document:  # nothing to read it beside: where the document has it
        return list(document.items())
    items = [(key, value) for key, value in document.items() if key not in AFTER_WEIGHTS]
    moved = [(key, document[key]) for key in AFTER_WEIGHTS if key in document]
    at = next(i + 1 for i, (key, _) in enumerate(items) if key == "weights")
    return items[:at] + moved + items[at:]


def _render_estimates(title: str, document: dict[str, Any]) -> None:
    # the title on its own line: a narrow table would wrap it to the table's width
    console.print(title, markup=False, highlight=False)
    table = new_table("", "quantity", "prediction (range)")
    notes: dict[str, list[str]] = {}  # note -> the rows it is about
    rows: list[str] = []
    models: list[str] = []
    for key, value in _rows_in_reading_order(document):
        if isinstance(value, dict) and {"value", "low", "high"} <= value.keys():
            from gpuatlas.performance.predictions import Estimate

            estimate = Estimate(**{**value, "notes": tuple(value.get("notes", ()))})
            label = _label(key, bool(estimate.unit))
            table.add_row(label, _estimate_text(estimate))
            rows.append(label)
            for note in estimate.notes:
                notes.setdefault(note, []).append(label)
            source = f"modelled by {estimate.model}, calibration {estimate.calibration_version}"
            if estimate.calibration_version and source not in models:  # exact ones have a note
                models.append(source)
        elif isinstance(value, str | int | float | bool) and key != "schema_version":
            table.add_row(_label(key), _plain_value(value))
    console.print(table)
    for note, about in notes.items():
        if any(note in other and note != other for other in notes):
            continue  # said within a longer note
        which = "" if len(about) == len(rows) else f" ({', '.join(about)})"
        console.print(f"note{which}: {note}", markup=False, highlight=False)
    for source in models:  # every predicted number's provenance
        console.print(source, markup=False, highlight=False)


def _print_estimates(document: dict[str, Any], as_json: bool, title: str) -> None:
    """The answer document with --json, else its predictions as a table under the title."""
    if as_json:
        print_json(document)
        return
    _render_estimates(title, document)
    if "model_assumption" in document:
        console.print(f"note: {document['model_assumption']['note']}", markup=False)
    for key in ("name_assumptions", "memory_assumptions", "link_assumptions"):
        for entry in document.get(key, []):  # wraps at spaces
            console.print(f"note: {entry['note']}", markup=False, highlight=False)


def _document(kind: str, values: dict[str, Any]) -> dict[str, Any]:
    """Parse the options into the answer layer's request and build its document (the same
    document the web returns for the same request); config.json paths and Hub ids resolve."""
    from gpuatlas.app import predict
    from gpuatlas.app.requests import AnswerRequest, parse_request

    answers: dict[str, tuple[type[AnswerRequest], Callable[..., dict[str, Any]]]] = {
        "llm": (predict.PredictLlmRequest, predict.predict_llm_document),
        "serving": (predict.PredictServingRequest, predict.predict_serving_document),
        "diffusion": (predict.PredictDiffusionRequest, predict.predict_diffusion_document),
        "vision": (predict.PredictVisionRequest, predict.predict_vision_document),
        "ocr": (predict.PredictOcrRequest, predict.predict_ocr_document),
        "train": (predict.PredictTrainRequest, predict.predict_train_document),
    }
    request_model, builder = answers[kind]
    with user_errors():
        return builder(parse_request(request_model, values), local_files=True)


def _weights_line(document: dict[str, Any]) -> None:
    assumed = document["weights_assumed"]
    console.print(f"weights: {assumed['label']} ({assumed['reason']})", highlight=False)


def predict_llm_command(
    system: str = typer.Argument(..., help="GPU or system, e.g. 'h100-sxm' or '2x h100-sxm'."),
    model: str = typer.Argument(..., help="Model name, Hub id or config.json path."),
    weights: str = typer.Option(_llm("weights"), "--weights", "-w", help=WEIGHTS_HELP),
    engine: str = typer.Option(_llm("engine"), "--engine", "-e", help=ENGINE_HELP),
    batch: int = typer.Option(_llm("batch"), "--batch", "-b", help="Concurrent sequences."),
    input_tokens: int = typer.Option(_llm("input_tokens"), "--input", help="Prompt tokens."),
    output_tokens: int = typer.Option(_llm("output_tokens"), "--output", help="Generated tokens."),
    kv_cache: str = typer.Option(_llm("kv_cache"), "--kv-cache", help=KV_CACHE_HELP),
    gpu_layers: int | None = typer.Option(
        None,
        "--gpu-layers",
        help="llama.cpp/Ollama: layers on the GPU (-ngl), the rest on the CPU.",
    ),
    host_bandwidth_gbs: float | None = typer.Option(
        None, "--host-bandwidth-gbs", help="Host memory GB/s for layers on the CPU (default 89.6)."
    ),
    cpu_moe: bool = typer.Option(
        False, "--cpu-moe", help="llama.cpp/Ollama: the MoE experts in host memory."
    ),
    num_ctx: int | None = typer.Option(None, "--num-ctx", help=NUM_CTX_HELP),
    context: int | None = CONTEXT_REFUSED,
    host_ram_gb: float | None = typer.Option(None, "--host-ram-gb", help=HOST_RAM_HELP),
    flash_attention: str = typer.Option("auto", "--flash-attn", "-fa", help=FLASH_ATTENTION_HELP),
    depth: int = typer.Option(0, "--depth", "-d", help=DEPTH_HELP),
    as_json: bool = JSON_OPTION,
) -> None:
    """TTFT, TPOT, prefill/decode tokens/s, MBU and MFU for one batch; on llama.cpp/Ollama a
    model that does not fit runs with the engine's own GPU/CPU layer split."""
    refuse_context(context)
    document = _document(
        "llm",
        {
            "system": system,
            "model": model,
            "weights": weights,
            "engine": engine,
            "batch": batch,
            "input_tokens": input_tokens,
            "output_tokens": output_tokens,
            "kv_cache": kv_cache,
            "gpu_layers": gpu_layers,
            "host_bandwidth_gbs": host_bandwidth_gbs,
            "cpu_moe": cpu_moe,
            "num_ctx": num_ctx,
            "host_ram_gb": host_ram_gb,
            "flash_attention": flash_attention,
            "depth": depth,
        },
    )
    if not as_json:
        _weights_line(document)
        console.print(document["attention_assumed"]["note"], markup=False, highlight=False)
    _print_estimates(
        document,
        as_json,
        f"{document['model_id']} ({document['weights']}, "
        f"{document['engine']}) on {document['system_id']}, batch {batch}"
        + (f", after {depth:,} cached tokens" if depth else ""),
    )
    if not as_json and "vision" in document:  # a vision-language model's image tower
        console.print(f"note: {document['vision']['note']}", markup=False, highlight=False)


def predict_serving_command(
    system: str = typer.Argument(..., help="GPU or system, e.g. 'rtx-4090' or '4x rtx-4090'."),
    model: str = typer.Argument(..., help="Model name, Hub id or config.json path."),
    weights: str = typer.Option(_serving("weights"), "--weights", "-w", help=WEIGHTS_HELP),
    engine: str = typer.Option(_serving("engine"), "--engine", "-e", help=ENGINE_HELP),
    concurrency: str = typer.Option(
        str(_serving("concurrency")),
        "--concurrency",
        "-c",
        help="Concurrent sequences on the system, or 'max'.",
    ),
    input_tokens: int = typer.Option(_serving("input_tokens"), "--input", help="Prompt tokens."),
    output_tokens: int = typer.Option(
        _serving("output_tokens"),
        "--output",
        help="Generated tokens (with --mean-output-tokens: the cap, e.g. max_tokens).",
    ),
    mean_output_tokens: float | None = typer.Option(
        None,
        "--mean-output-tokens",
        help="Requests that stop at end-of-sequence before --output (a client without "
        "--ignore-eos): the tokens each generates on average. Default: all of --output.",
    ),
    kv_cache: str = typer.Option(_serving("kv_cache"), "--kv-cache", help=KV_CACHE_HELP),
    layout: str = typer.Option(
        _serving("layout"),
        "--layout",
        help="auto: the fastest split into replicas and tensor-parallel "
        "groups; tensor: one replica over every GPU.",
    ),
    requests: int | None = typer.Option(
        None,
        "--requests",
        help="Prompts in a finite run (vLLM bench serve --num-prompts): they run in waves "
        "of the concurrency, the last one partly empty. Default: a steady stream.",
    ),
    lengths: str = typer.Option(
        "fixed",
        "--lengths",
        help="fixed: every request generates --output tokens; sharegpt: replies spread like "
        "ShareGPT's around --output as their mean (vLLM bench serve --dataset-name sharegpt "
        "without a fixed output length), so a finite run (--requests) lasts until its longest.",
    ),
    parallel: int | None = typer.Option(
        None,
        "--parallel",
        help="llama.cpp / Ollama: request slots of the server (llama-server --parallel, "
        "OLLAMA_NUM_PARALLEL); more concurrent requests queue. Default: the release's.",
    ),
    prompt_reuse: str = typer.Option(
        "none",
        "--prompt-reuse",
        help="none: every prompt differs; identical: every request sends the same prompt; "
        "shared-prefix: the same first --shared-prefix-tokens. The engine's prefix cache "
        "(vLLM V1, SGLang, llama-server, Ollama) then skips the cached tokens' prefill.",
    ),
    shared_prefix_tokens: int | None = typer.Option(
        None,
        "--shared-prefix-tokens",
        help="Prompt tokens every request has in common (--prompt-reuse shared-prefix).",
    ),
    num_ctx: int | None = typer.Option(None, "--num-ctx", help=NUM_CTX_HELP),
    context: int | None = CONTEXT_REFUSED,
    host_ram_gb: float | None = typer.Option(None, "--host-ram-gb", help=HOST_RAM_HELP),
    flash_attention: str = typer.Option("auto", "--flash-attn", "-fa", help=FLASH_ATTENTION_HELP),
    as_json: bool = JSON_OPTION,
) -> None:
    """Serving throughput of a system and how it serves: replicas, tensor parallel or a mix."""
    refuse_context(context)
    with user_errors():
        if layout not in ("auto", "tensor"):
            raise InvalidRequestError([f"--layout must be auto or tensor, got {layout!r}"])
        parsed_concurrency = _concurrency(concurrency)
    document = _document(
        "serving",
        {
            "system": system,
            "model": model,
            "weights": weights,
            "engine": engine,
            "concurrency": parsed_concurrency,
            "input_tokens": input_tokens,
            "output_tokens": output_tokens,
            "mean_output_tokens": mean_output_tokens,
            "kv_cache": kv_cache,
            "layout": layout,
            "requests": requests,
            "lengths": lengths,
            "parallel": parallel,
            "prompt_reuse": prompt_reuse,
            "shared_prefix_tokens": shared_prefix_tokens,
            "num_ctx": num_ctx,
            "host_ram_gb": host_ram_gb,
            "flash_attention": flash_attention,
        },
    )
    if not as_json:
        _weights_line(document)
        console.print(document["attention_assumed"]["note"], markup=False, highlight=False)
    _print_estimates(
        document,
        as_json,
        f"{model} ({document['weights_assumed']['format']}, "
        f"{document['engine']}) serving on {system}: {input_tokens:,} in / "
        f"{output_tokens_text(output_tokens, mean_output_tokens)} out tokens, "
        f"concurrency {parsed_concurrency}",
    )


def _concurrency(text: str) -> int | Literal["max"]:
    if text.strip().lower() == "max":
        return "max"
    try:
        return int(text)
    except ValueError:
        raise InvalidRequestError(
            [f"--concurrency must be a number or 'max', got {text!r}"]
        ) from None


def predict_diffusion_command(
    system: str = typer.Argument(...),
    model: str = typer.Argument(..., help="e.g. sdxl, flux.1-dev, stable-diffusion-v1-5."),
    resolution: int = typer.Option(0, "--resolution", help="Square side in px (0 = default)."),
    steps: int = typer.Option(0, "--steps", help="Denoising steps (0 = model default)."),
    batch: int = typer.Option(_diffusion("batch"), "--batch", "-b"),
    cfg: bool = typer.Option(None, "--cfg/--no-cfg", help="Classifier-free guidance."),
    weights: str = typer.Option(
        _diffusion("weights"),
        "--weights",
        "-w",
        help="Denoiser format: auto (the checkpoint name's, else bf16), bf16, fp16, fp32, "
        "fp8, nf4, int8, Q8_0...",
    ),
    engine: str = typer.Option(
        _diffusion("engine"),
        "--engine",
        "-e",
        help="diffusers, comfyui, a1111, forge, sd.next, tensorrt, stable-fast, coreml.",
    ),
    variant: str = typer.Option(
        "",
        "--variant",
        help=(
            "'+'-joined: torch.compile, cuda-graphs, vanilla-attention, tf32, fp8-matmul, "
            "denoise-loop; ulysses-N, ring-N, cfg-parallel (one image split over GPUs, xDiT)."
        ),
    ),
    as_json: bool = JSON_OPTION,
) -> None:
    """Seconds per image, images per minute, memory and the CPU offload it needs (none,
    model or sequential)."""
    document = _document(
        "diffusion",
        {
            "system": system,
            "model": model,
            "resolution": resolution or None,
            "steps": steps or None,
            "batch": batch,
            "cfg": cfg,
            "weights": weights,
            "engine": engine,
            "variant": variant or None,
        },
    )
    _print_estimates(
        document,
        as_json,
        f"{document['model_id']} ({document['weights']}, {engine}) on "
        f"{document['system_id']}, {document['resolution_px']} px, "
        f"{document['steps']} steps, batch {batch}",
    )


def predict_vision_command(
    system: str = typer.Argument(...),
    model: str = typer.Argument(..., help="A vision-language model, e.g. llava-1.5-7b."),
    batch: int = typer.Option(_vision("batch"), "--batch", "-b"),
    image_tokens: int = typer.Option(0, "--image-tokens", help="0 = the model's own count."),
    weights: str = typer.Option(
        _vision("weights"), "--weights", "-w", help="bf16, fp8, AWQ, Q4_K_M..."
    ),
    engine: str = typer.Option(_vision("engine"), "--engine", "-e", help="vllm, llama.cpp..."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Images per minute of a vision-language model at a batch."""
    document = _document(
        "vision",
        {
            "system": system,
            "model": model,
            "batch": batch,
            "image_tokens": image_tokens or None,
            "weights": weights,
            "engine": engine,
        },
    )
    assumed = f"{document['weights']}, {document['engine']}"
    _print_estimates(document, as_json, f"{model} ({assumed}) on {system}, batch {batch}")


def predict_ocr_command(
    system: str = typer.Argument(...),
    model: str = typer.Argument(..., help="An OCR model, e.g. trocr-base-printed."),
    batch: int = typer.Option(_ocr("batch"), "--batch", "-b"),
    as_json: bool = JSON_OPTION,
) -> None:
    """Pages per minute of an OCR model."""
    document = _document("ocr", {"system": system, "model": model, "batch": batch})
    _print_estimates(document, as_json, f"{model} on {system}, batch {batch}")


def predict_train_command(
    system: str = typer.Argument(..., help="e.g. '4x rtx-4090' or '2x a100-80gb-sxm'."),
    model: str = typer.Argument(...),
    tokens: float = typer.Option(
        _train("tokens"),
        "--tokens",
        help=f"Training budget in tokens (1e9 = one billion; default: "
        f"{format_given(_train('tokens'))}).",
        show_default=False,
    ),
    method: str = typer.Option(_train("method"), "--method", help="full, lora or qlora."),
    precision: str = typer.Option(
        _train("precision"), "--precision", help=f"{', '.join(TRAINING_PRECISIONS)}."
    ),
    recompute: bool | None = typer.Option(
        _train("recompute"),
        "--recompute/--no-recompute",
        help="Activation recomputation (default: the fastest setup that fits, on or off).",
        show_default=False,
    ),
    sequence_tokens: int = typer.Option(
        _train("sequence_tokens"), "--sequence", help="Tokens per training sequence."
    ),
    micro_batch: int | None = typer.Option(
        _train("micro_batch"),
        "--micro-batch",
        help="Micro-batch per GPU (default: the fastest of 4 and 1 that fits).",
        show_default=False,
    ),
    sharding: str = typer.Option(
        _train("sharding"), "--sharding", help="none, zero1, zero2, zero3 or fsdp."
    ),
    framework: str = typer.Option(
        _train("framework"),
        "--framework",
        help=TRAINING_FRAMEWORK_HELP,
    ),
    gradient_accumulation: int = typer.Option(
        _train("gradient_accumulation"),
        "--gradient-accumulation",
        help="Micro-steps per optimizer step: the optimizer step and a DDP all-reduce come "
        "once per this many.",
    ),
    expert_parallel: int = typer.Option(
        _train("expert_parallel"),
        "--expert-parallel",
        help="GPUs sharing one copy of a mixture of experts' routed experts (expert "
        "parallelism; 1: none).",
    ),
    as_json: bool = JSON_OPTION,
) -> None:
    """Step time, tokens/s, time for the budget, all-reduce and scaling efficiency."""
    document = _document(
        "train",
        {
            "system": system,
            "model": model,
            "tokens": tokens,
            "method": method,
            "precision": precision,
            "recompute": recompute,
            "sequence_tokens": sequence_tokens,
            "micro_batch": micro_batch,
            "sharding": sharding,
            "framework": framework,
            "gradient_accumulation": gradient_accumulation,
            "expert_parallel": expert_parallel,
        },
    )
    _print_estimates(
        document, as_json, f"{method} training of {document['model_id']} on {document['system_id']}"
    )
    if as_json:
        return
    memory = document["memory"]
    total_gb = (
        memory["total_gb"]["value"] if isinstance(memory["total_gb"], dict) else memory["total_gb"]
    )
    console.print(  # in GiB, as `fit --training` and the setup's reasons write it
        f"memory per GPU: {format_gib(total_gb)} "
        f"({'fits' if memory['fits'] else 'does not fit'}; GiB = 2^30 bytes)"
    )
    for note in document.get("notes", []):
        console.print(f"note: {note}", markup=False, highlight=False)
