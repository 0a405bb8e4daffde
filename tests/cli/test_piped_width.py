"""The answers changed this round, piped at 80 columns, as a user's `| less` sees them: no line
wider than 80 and nothing cut with "…" (sources, notes and provenance lines wrap at spaces)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

COMMANDS = [
    ["tco", "rtx-4090"],
    ["prices", "rtx-4090"],
    ["predict", "serving-curve", "apple-m2-ultra-76c", "llama-3.1-8b"],
    ["predict", "diffusion", "rtx-4090", "sdxl"],
    ["predict", "train", "4x rtx-4090", "llama-3.1-8b", "--method", "lora"],
    ["fit", "rtx-4090", "llama-3.1-70b", "-w", "q4_k_m", "--gpu-layers", "40"],
    ["plan", "--model", "llama-3.1-8b", "--rps", "5", "--p95-ttft-ms", "1000"],
    # a GPU family name: its note wraps at spaces too
    ["cost", "--model", "llama-3.1-8b", "--gpu", "a100", "--gpu", "rtx 4090", "--workload", "llm"],
    ["predict", "llm", "a100", "llama-3.1-8b"],
]


@pytest.mark.parametrize("arguments", COMMANDS, ids=lambda a: " ".join(a))
def test_piped_answers_fit_80_columns(arguments: list[str]) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "gpuatlas.cli.main", *arguments],
        capture_output=True,
        text=True,
        env={**os.environ, "COLUMNS": "80"},
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    assert "…" not in result.stdout
    assert max(len(line) for line in result.stdout.splitlines()) <= 80
