"""OCR in process: TrOCR (VisionEncoderDecoder) through transformers on generated text-line
pages, in batches; pages per minute including pre-processing and decoding."""

from __future__ import annotations

import time
from typing import Any

from gpuatlas.bench.options import Reporter, RunOptions
from gpuatlas.bench.runners.image import torch_dtype
from gpuatlas.bench.runners.inprocess import (
    RepeatOutput,
    Workload,
    parameters,
    run_workload,
    synchronize,
    torch_device,
)
from gpuatlas.errors import InvalidRequestError
from gpuatlas.records.result import BenchResult, Settings
from gpuatlas.records.suite import Benchmark

LINES = (
    "To be, or not to be, that is the question:",
    "Whether 'tis nobler in the mind to suffer",
    "The slings and arrows of outrageous fortune,",
    "Or to take arms against a sea of troubles",
    "And by opposing end them. To die, to sleep;",
    "No more; and by a sleep to say we end",
)
UNITS = {"pages_per_min": "pages/min", "batch_s": "s/batch", "generated_tokens": "tokens"}
MAX_NEW_TOKENS = 48


def page_images(count: int, width: int = 384, height: int = 64) -> list[Any]:
    """Printed text lines rendered with PIL's default font (deterministic)."""
    from PIL import Image, ImageDraw

    pages = []
    for index in range(count):
        page = Image.new("RGB", (width, height), "white")
        ImageDraw.Draw(page).text((8, height // 3), LINES[index % len(LINES)], fill="black")
        pages.append(page)
    return pages


def load_ocr_model(model: str, dtype: Any, device: str) -> tuple[Any, Any, Any]:
    from transformers import AutoImageProcessor, AutoTokenizer, VisionEncoderDecoderModel
    from transformers.utils import logging as transformers_logging

    transformers_logging.disable_progress_bar()
    try:
        processor = AutoImageProcessor.from_pretrained(model)
        network = VisionEncoderDecoderModel.from_pretrained(model, dtype=dtype)
        network = network.to(device)  # type: ignore[arg-type]
    except (OSError, ValueError) as error:
        raise InvalidRequestError([f"cannot load OCR model {model!r}: {error}"]) from None
    try:
        tokenizer = AutoTokenizer.from_pretrained(model)
    except (OSError, ValueError):
        tokenizer = None  # decoding is skipped; the result says so
    return processor, network.eval(), tokenizer


def _recognise(
    parts: tuple[Any, Any, Any], batch: list[Any], device: str, dtype: Any
) -> tuple[float, int]:
    import torch

    processor, network, tokenizer = parts
    synchronize(device)
    started = time.perf_counter()
    pixels = processor(images=batch, return_tensors="pt").pixel_values.to(device, dtype)
    with torch.inference_mode():
        generated = network.generate(pixels, max_new_tokens=MAX_NEW_TOKENS)
    if tokenizer is not None:
        tokenizer.batch_decode(generated, skip_special_tokens=True)
    synchronize(device)
    return time.perf_counter() - started, int(generated.shape[0] * generated.shape[1])


def run_ocr_benchmark(
    benchmark: Benchmark, options: RunOptions, reporter: Reporter | None = None
) -> BenchResult:
    params = parameters(benchmark, options)
    device = torch_device(options)
    dtype, dtype_name, warnings = torch_dtype(params.get("dtype", "fp16"), device)
    model = options.model or benchmark.model or ""
    parts = load_ocr_model(model, dtype, device)
    if parts[2] is None:
        warnings.append("no tokenizer found: generated ids were not decoded to text")
    batch_size, pages = params["batch_size"], page_images(params["pages"])
    batches = [pages[i : i + batch_size] for i in range(0, len(pages), batch_size)]

    def measure(repeat: int) -> RepeatOutput:
        timings = [_recognise(parts, batch, device, dtype) for batch in batches]
        total = sum(seconds for seconds, _ in timings)
        items = [{"batch_s": s, "generated_tokens": float(t)} for s, t in timings]
        return RepeatOutput(
            items=items,
            values={"pages_per_min": 60.0 * len(pages) / total},
            duration_s=total,
            work_items=len(pages),
        )

    settings = Settings(
        model=model,
        batch_size=batch_size,
        dtype=dtype_name,
        device=device,
        repeats=options.repeats,
        seed=options.seed,
        extra={
            "pages_per_repeat": len(pages),
            "max_new_tokens": MAX_NEW_TOKENS,
            "page": "one printed text line, 384x64",
        },
    )
    workload = Workload(
        measure=measure,
        settings=settings,
        units=UNITS,
        warnings=warnings,
        warmup=lambda: None if _recognise(parts, batches[0], device, dtype) else None,
    )
    return run_workload(benchmark, options, workload, reporter)
