"""On a Mac (one GPU, unified memory) a model that does not fit is not answered with 'needs 2
GPUs': the verdict names the default GPU share of the memory, the sysctl that raises it and a
larger memory configuration. Discrete GPUs keep the GPU count."""

from __future__ import annotations

import re
from typing import Any

from typer.testing import CliRunner

from gpuatlas.app.fit import FitRequest, fit_document
from gpuatlas.cli.main import app


def _verdict(system: str, model: str) -> str:
    document: dict[str, Any] = fit_document(
        FitRequest.model_validate({"system": system, "model": model})
    )
    return str(document["verdict_text"])


def test_a_mac_is_pointed_at_its_wired_limit_not_at_more_gpus() -> None:
    verdict = _verdict("M5 Pro 24GB", "qwen3:30b-a3b")  # q4_k_m ~18 GiB, 15.2 GiB usable
    assert verdict.startswith("does not fit on apple-m5-pro-20c 24GB in q4_k_m")
    assert "macOS's default GPU share of the 24 GB" in verdict
    assert "sudo sysctl iogpu.wired_limit_mb=" in verdict
    assert "GPUs" not in verdict


def test_a_discrete_gpu_still_says_how_many_gpus() -> None:
    verdict = _verdict("rtx-3060", "qwen3-32b")
    assert re.search(r"needs \d+ GPUs", verdict), verdict
    assert "sysctl" not in verdict


def _concurrency_line(*arguments: str) -> str:
    result = CliRunner().invoke(app, ["fit", *arguments])
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    start = text.index("max concurrent sequences")
    return text[start : text.index("GPU memory:", start)]


def test_the_mac_fit_lines_count_no_gpus_to_add() -> None:
    line = _concurrency_line("M5 Pro 24GB", "qwen3:30b-a3b")
    assert line.strip() == "max concurrent sequences at 4,096 tokens: 0"


def test_a_discrete_gpu_fit_line_keeps_its_gpu_count() -> None:
    line = _concurrency_line("rtx-3060", "qwen3-32b")
    assert re.search(r"; GPUs needed: \d+$", line.strip()), line
