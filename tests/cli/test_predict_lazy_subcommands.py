"""`predict --cases FILE` runs without importing the single-prediction subcommands (their answer
models, option defaults and table rendering: start-up time of the batch mode, issue 10 item
10), and the `predict` group still offers every subcommand once one is asked for."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import click
import pytest
import typer.main
from typer.core import TyperGroup
from typer.testing import CliRunner

from gpuatlas.cli.main import app, full_app

SUBCOMMAND_MODULES = (
    "gpuatlas.cli.predict_subcommands",
    "gpuatlas.cli.estimate_predict",
    "gpuatlas.app.predict",
    "gpuatlas.app.requests",
)
CASES = (
    "gpu,gpu_count,model,weights,engine,batch,input_tokens,output_tokens,metric\n"
    "rtx-4090,1,llama-3.1-8b,q4_k_m,llama.cpp,1,512,128,decode_tok_s\n"
)


def _predict_group() -> TyperGroup:
    root = typer.main.get_command(full_app())
    assert isinstance(root, TyperGroup)
    group = root.get_command(click.Context(root), "predict")
    assert isinstance(group, TyperGroup)
    return group


@pytest.mark.unit
def test_batch_mode_imports_no_subcommand_module(tmp_path: Path) -> None:
    cases, answer = tmp_path / "cases.csv", tmp_path / "answer.csv"
    cases.write_text(CASES, encoding="utf-8")
    probe = (
        "import sys\n"
        "from gpuatlas.cli.main import app\n"
        f"try:\n    app(['predict', '--cases', {str(cases)!r}, '-o', {str(answer)!r}])\n"
        "except SystemExit as stop:\n    assert not stop.code, stop.code\n"
        f"print(sorted(set({SUBCOMMAND_MODULES!r}) & set(sys.modules)))\n"
    )
    output = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert output.returncode == 0, output.stderr
    assert output.stdout.strip().splitlines()[-1] == "[]"
    header, row = answer.read_text(encoding="utf-8").splitlines()
    assert header.endswith(",value,low,high,error")
    assert float(row.split(",")[-4]) > 0  # an 8B model at Q4_K_M decodes on an RTX 4090


@pytest.mark.unit
def test_the_group_lists_and_finds_every_subcommand_on_first_use() -> None:
    group = _predict_group()
    assert not group.commands  # none built yet
    listed = group.list_commands(click.Context(group))
    assert listed == [
        "llm",
        "serving",
        "diffusion",
        "vision",
        "ocr",
        "train",
        "serving-curve",
        "image",
        "training",
    ]
    fresh = _predict_group()  # a lookup by name, without listing first
    command = fresh.get_command(click.Context(fresh), "serving-curve")
    assert command is not None and command.name == "serving-curve"


@pytest.mark.unit
def test_a_mistyped_subcommand_gets_its_close_match() -> None:
    result = CliRunner().invoke(app, ["predict", "lmm", "rtx-4090", "llama-3.1-8b"])
    assert result.exit_code == 2
    assert "No such command 'lmm'. Did you mean 'llm'?" in result.output
