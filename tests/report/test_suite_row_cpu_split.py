"""A modelled suite row that the estimator runs partly on the CPU says so beside its number
(issue 10). Ollama (v0.15.5 on) allocates num_ctx 32,768 on a GPU of 23 GiB or more, so on an
RTX 4090 its layer estimate keeps only part of Qwen3 32B Q4_K_M on the GPU and the stand-in
decodes several times slower than on an RTX 5090; the compare row showed only the two numbers,
the reason being in `predict llm`'s notes alone."""

from __future__ import annotations

import re
from typing import Any

from gpuatlas.catalog.systems import resolve_system
from gpuatlas.performance.api import predict_llm
from gpuatlas.report.document import Text
from gpuatlas.report.pair_cells import cpu_split

from .conftest import comparison_of


def _suite_row(title: str) -> tuple[str, ...]:
    comparison = comparison_of("rtx-4090", "rtx-5090")
    tables = [t for section in comparison.sections for t in section.tables]
    rows = next(t for t in tables if t.id == "measured-suite").rows
    row = next(r for r in rows if isinstance(r[0], Text) and r[0].text == title)
    return tuple(cell.text if isinstance(cell, Text) else "" for cell in row)


def _decode_on(system: str) -> Any:
    """Ollama's single-user decode of Qwen3 32B Q4_K_M as the suite runs it (256 in / 256 out)."""
    return predict_llm(
        resolve_system(system),
        "qwen3-32b",
        "q4_k_m",
        "ollama",
        batch=1,
        input_tokens=256,
        output_tokens=256,
    ).decode_tok_s


def test_the_split_side_names_its_layers_on_the_gpu_and_the_context() -> None:
    row = _suite_row("Qwen3 32B (Q4_K_M), single user")
    layers = re.search(r"(\d+) of 64 layers on the GPU", " ".join(_decode_on("rtx-4090").notes))
    assert layers is not None and int(layers.group(1)) < 64
    split = f"partly on the CPU: {layers.group(1)} of 64 layers on the GPU at num_ctx 32,768"
    assert split in row[2]
    assert "partly on the CPU" not in row[3]  # the RTX 5090 (32 GB) holds it whole


def test_an_estimate_without_a_split_adds_nothing() -> None:
    assert cpu_split(_decode_on("rtx-5090")) == ""
