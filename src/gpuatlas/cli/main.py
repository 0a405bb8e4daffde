"""The `gpuatlas` command: one Typer app whose commands are loaded on first use.

`gpuatlas --help` and `gpuatlas --version` read the command index (cli/command_index.py) and
import no command module; running a command imports only the module that defines it.
"""

from __future__ import annotations

from functools import cache
from importlib import import_module
from typing import Any

import typer
from typer.core import TyperGroup

from gpuatlas.cli.collector import collector_paused
from gpuatlas.cli.command_index import COMMANDS, entry_for
from gpuatlas.cli.errors import json_usage_errors, note_arguments


@cache
def area_group(area: str) -> Any:
    """The click group holding one area's commands (the module's register() on a fresh app);
    the collector paused while its modules import (cli/collector.py)."""
    with collector_paused():
        module = import_module(f"gpuatlas.cli.{area}")
        holder = typer.Typer(add_completion=False, pretty_exceptions_enable=False)
        holder.callback()(lambda: None)  # a callback makes Typer build a group for one command
        module.register(holder)
        return typer.main.get_command(holder)


class LazyCommandGroup(TyperGroup):
    """A root group that imports a command's module only when that command is used."""

    def list_commands(self, ctx: Any) -> list[str]:
        return [entry.name for entry in COMMANDS]

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        entry = entry_for(cmd_name)
        if entry is None:
            return None
        return area_group(entry.area).get_command(ctx, cmd_name)

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        note_arguments(list(args), self)
        return list(super().parse_args(ctx, args))

    def make_context(
        self, info_name: str | None, args: list[str], parent: Any = None, **extra: Any
    ) -> Any:
        with json_usage_errors(list(args)):
            return super().make_context(info_name, args, parent, **extra)

    def invoke(self, ctx: Any) -> Any:
        with json_usage_errors([]):  # the subcommand's own arguments: noted by parse_args
            return super().invoke(ctx)

    def format_commands(self, ctx: Any, formatter: Any) -> None:
        with formatter.section("Commands"):
            formatter.write_dl([(entry.name, entry.short_help) for entry in COMMANDS])


app = typer.Typer(
    name="gpuatlas",
    cls=LazyCommandGroup,
    help="Which GPU for your AI workload: sourced facts, calibrated predictions, measurements.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


def package_version() -> str:
    """The package's version (`gpuatlas.__version__`, kept equal to pyproject's by a test)."""
    from gpuatlas import __version__

    return __version__


def _print_version(requested: bool) -> None:
    if requested:
        typer.echo(f"gpuatlas {package_version()}")
        raise typer.Exit()


@app.callback()
def main_options(
    show_version: bool = typer.Option(
        False,
        "--version",
        help="Print the version and exit.",
        callback=_print_version,
        is_eager=True,
    ),
) -> None:
    """Which GPU for your AI workload: sourced facts, calibrated predictions, measurements."""


def full_app() -> typer.Typer:
    """Every area registered eagerly on one app (for tests and tools that need the whole tree)."""
    eager = typer.Typer(add_completion=False, pretty_exceptions_enable=False)
    eager.callback()(lambda: None)
    for area in dict.fromkeys(entry.area for entry in COMMANDS):
        import_module(f"gpuatlas.cli.{area}").register(eager)
    return eager


def run() -> None:
    """Console-script entry point."""
    app()


if __name__ == "__main__":
    run()
