"""`predict image` and `predict training` (the names `cost --workload` takes) run `predict
diffusion` and `predict train`, hidden from the command list; 'No such command image' sent
users who had just used `cost --workload image` to --help."""

from __future__ import annotations

import click
import pytest
import typer.main
from typer.core import TyperGroup
from typer.testing import CliRunner

from gpuatlas.cli.main import full_app

CASES = [
    ("image", "diffusion", ["rtx-4090", "sdxl-base-1.0"]),
    ("training", "train", ["rtx-4090", "llama-3.2-1b", "--method", "lora"]),
]


@pytest.mark.unit
@pytest.mark.parametrize(("alias", "command", "arguments"), CASES)
def test_the_cost_workload_names_answer_as_the_predict_commands(
    alias: str, command: str, arguments: list[str]
) -> None:
    runner, app = CliRunner(), full_app()
    aliased = runner.invoke(app, ["predict", alias, *arguments, "--json"])
    named = runner.invoke(app, ["predict", command, *arguments, "--json"])
    assert aliased.exit_code == 0 and named.exit_code == 0, aliased.output
    assert aliased.output == named.output  # the same document, byte for byte
    root = typer.main.get_command(app)
    assert isinstance(root, TyperGroup)
    group = root.get_command(click.Context(root), "predict")
    assert isinstance(group, TyperGroup)
    listed = group.list_commands(click.Context(group))
    hidden = group.get_command(click.Context(group), alias)
    assert hidden is not None and hidden.hidden and command in listed


@pytest.mark.unit
def test_each_predict_command_help_is_one_paragraph_of_its_docstring() -> None:
    """`predict --help` printed '…on llama.cpp/Ollama a' and ' model that does not fit…' on
    two lines: the help printer keeps a docstring's line breaks."""
    root = typer.main.get_command(full_app())
    assert isinstance(root, TyperGroup)
    group = root.get_command(click.Context(root), "predict")
    assert isinstance(group, TyperGroup)
    context = click.Context(group)
    llm = group.get_command(context, "llm")
    assert llm is not None and llm.help == (
        "TTFT, TPOT, prefill/decode tokens/s, MBU and MFU for one batch; on llama.cpp/Ollama a "
        "model that does not fit runs with the engine's own GPU/CPU layer split."
    )
    for name in group.list_commands(context):
        command = group.get_command(context, name)
        assert command is not None and command.help and "\n" not in command.help, name
