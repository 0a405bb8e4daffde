"""`fit` writes a GPU's memory one way throughout its output: '24.0 GiB' in the GPU-memory line
and in Ollama's default-context note (which wrote '24.00 GiB' two lines later), and the offload
line's GiB labelled as the verdict's."""

from __future__ import annotations

import re

import pytest
from typer.testing import CliRunner

from gpuatlas.cli.main import full_app

pytestmark = pytest.mark.unit


def _output(*args: str) -> str:
    result = CliRunner().invoke(full_app(), ["fit", *args], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    return " ".join(result.output.split())


def _gib_figures(text: str) -> list[str]:
    return re.findall(r"(\d[\d,]*(?:\.\d+)?) GiB", text)


def test_the_gpu_memory_line_writes_the_card_in_gib_to_one_decimal() -> None:
    words = _output("rtx-4090", "llama-3.1-8b")
    assert 'GPU memory: 24.0 GiB per GPU: the card\'s "24 GB" is binary' in words
    assert all(re.fullmatch(r"[\d,]+\.\d", figure) for figure in _gib_figures(words))


def test_ollamas_context_note_writes_the_gpu_memory_as_the_memory_line_does() -> None:
    words = _output("rtx-4090", "llama3.1:8b")
    assert "GPU memory: 24.0 GiB per GPU" in words
    assert "Ollama's default num_ctx on 24.0 GiB of GPU memory" in words
    assert "24.00 GiB" not in words


def test_the_offload_line_labels_its_gib_figures() -> None:
    words = _output("rtx-4090", "llama-3.1-70b", "-e", "ollama")
    offload = words[words.index("offload: ") :]
    assert re.search(r"GPU holds [\d.]+ GiB of [\d.]+ GiB usable", offload)
