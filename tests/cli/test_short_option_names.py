"""`-w` and `-e` name the weight format and the engine on every command that takes them: a
user who had just run `gpuatlas fit … -w q4_k_m -e llama.cpp` and then `gpuatlas compare …
-e llama.cpp` was told 'No such option: -e' (cost, plan and compare only knew the long
names)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
import typer.main
from typer.testing import CliRunner

from gpuatlas.cli.main import full_app

SHORT_NAMES = {"--weights": "-w", "--engine": "-e"}


def _commands(command: Any, path: str = "gpuatlas") -> Iterator[tuple[str, Any]]:
    """Every command under `command` (Typer vendors its own click, so groups are known by
    their list_commands)."""
    yield path, command
    if hasattr(command, "list_commands"):
        context = command.context_class(command)
        for name in command.list_commands(context):
            child = command.get_command(context, name)
            if child is not None:
                yield from _commands(child, f"{path} {name}")


@pytest.mark.unit
def test_every_weights_and_engine_option_has_its_short_name() -> None:
    root = typer.main.get_command(full_app())
    missing = []
    checked = 0
    for path, command in _commands(root):
        for parameter in command.params:
            for long_name, short_name in SHORT_NAMES.items():
                if long_name in parameter.opts:
                    checked += 1
                    if short_name not in parameter.opts:
                        missing.append(f"{path} {long_name}")
    assert checked >= 8  # fit, predict llm/serving/diffusion, cost, plan, compare …
    assert missing == []


@pytest.mark.unit
def test_compare_reads_the_short_names_as_the_long_ones() -> None:
    runner, app = CliRunner(), full_app()
    common = ["compare", "rtx-4090", "rtx-3090", "--model", "llama-3.1-8b", "--json"]
    short = runner.invoke(app, [*common, "-w", "q4_k_m", "-e", "llama.cpp"])
    long = runner.invoke(app, [*common, "--weights", "q4_k_m", "--engine", "llama.cpp"])
    assert short.exit_code == 0, short.output
    stamp = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z")  # when each report was made
    assert stamp.sub("<time>", short.output) == stamp.sub("<time>", long.output)
    assert '"q4_k_m"' in short.output and "llama.cpp" in short.output
