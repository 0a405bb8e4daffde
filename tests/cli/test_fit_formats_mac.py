"""`gpuatlas fit` on a Mac: the formats table lists the same unquantised weights (bf16, fp16,
gguf-f16, gguf-bf16) once, and says whether each format fits instead of a GPU count (a Mac has
one GPU; the JSON carries no count above one and says what to do). Discrete GPUs keep theirs."""

from __future__ import annotations

import json
import os
from typing import Any

from typer.testing import CliRunner

from gpuatlas.app.fit import FitRequest, fit_answer, same_weights_rows
from gpuatlas.cli.main import app

runner = CliRunner()


def _table_lines(arguments: list[str]) -> list[str]:
    result = runner.invoke(app, ["fit", *arguments], env={**os.environ, "COLUMNS": "80"})
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("Formats on"))
    end = next(i for i in range(start + 3, len(lines)) if lines[i].startswith("└"))
    return lines[start:end]


def _weights_cells(lines: list[str]) -> list[str]:
    """The weights column's text per row, a wrapped cell joined."""
    cells: list[str] = []
    for line in lines[4:]:
        first = line.split("│")[1].strip()
        number = line.split("│")[2].strip()
        if number:
            cells.append(first)
        elif first:
            cells[-1] += " " + first
    return cells


def test_a_mac_lists_the_same_sixteen_bit_weights_on_one_row() -> None:
    cells = _weights_cells(_table_lines(["m2 ultra", "llama-3.1-70b"]))
    sixteen = [cell for cell in cells if "gguf-f16" in cell]
    assert sixteen == ["gguf-f16, gguf-bf16, fp16, bf16"]
    # llama.cpp on a Mac runs the Q4_K_M build of a checkpoint named without a format
    assert cells[0] == "q4_k_m (native)"
    assert not any(cell == "fp16" for cell in cells)
    assert "q4_0" in cells and "iq4_nl" in cells  # same size, different quantisation: kept


def test_a_mac_says_fits_yes_or_no_not_a_gpu_count() -> None:
    lines = _table_lines(["m2 ultra", "llama-3.1-70b"])
    assert lines[2].split("┃")[-2].strip() == "fits"
    fp32 = next(line for line in lines if line.startswith("│ fp32 "))
    assert fp32.split("│")[-2].strip() == "no"


def test_a_mac_json_has_no_gpu_count_above_one() -> None:
    result = runner.invoke(app, ["fit", "m2 ultra", "llama-3.1-70b", "-w", "fp32", "--json"])
    document: dict[str, Any] = json.loads(result.stdout)
    assert document["verdict"] == "does-not-fit"
    assert document["min_gpus_needed"] is None
    assert [row["gpus_needed"] for row in document["formats"]] == [None]
    assert "iogpu.wired_limit_mb" in document["more_memory"]


def test_a_discrete_gpu_keeps_its_gpu_count() -> None:
    lines = _table_lines(["rtx-4090", "llama-3.1-70b"])
    assert lines[2].split("┃")[-2].strip() == "GPUs"
    document = json.loads(runner.invoke(app, ["fit", "rtx-4090", "llama-3.1-70b", "--json"]).stdout)
    assert document["min_gpus_needed"] >= 2 and "more_memory" not in document


def test_quantised_formats_of_one_size_are_never_merged() -> None:
    answer = fit_answer(FitRequest.model_validate({"system": "m2 ultra", "model": "llama-3.1-70b"}))
    groups = same_weights_rows(answer.rows)
    merged = [tuple(row.format_id for row in group) for group in groups if len(group) > 1]
    assert merged == [("gguf-f16", "gguf-bf16", "fp16", "bf16")]
