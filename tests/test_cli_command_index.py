"""The lazy command index matches the commands the CLI modules really register, and `--help`
/ `--version` work without importing any command module."""

from __future__ import annotations

import subprocess
import sys

import click
import typer.main
from typer.core import TyperGroup

from gpuatlas.cli.command_index import COMMANDS
from gpuatlas.cli.main import full_app


def registered_commands() -> dict[str, str]:
    group = typer.main.get_command(full_app())
    context = click.Context(group)
    assert isinstance(group, TyperGroup)
    return {
        name: _short_help(group.get_command(context, name)) for name in group.list_commands(context)
    }


def _short_help(command: click.Command | None) -> str:
    assert command is not None
    return command.get_short_help_str(limit=300)


def test_index_names_every_registered_command_with_its_help() -> None:
    indexed = {entry.name: entry.short_help for entry in COMMANDS}
    assert indexed == registered_commands()


def test_help_and_version_import_no_command_module() -> None:
    probe = (
        "import sys\n"
        "from gpuatlas.cli.main import app\n"
        "try:\n"
        "    app(['--help'])\n"
        "except SystemExit:\n"
        "    pass\n"
        "loaded = [m for m in sys.modules if m.startswith('gpuatlas.') and "
        "m.split('.')[1] in {'performance', 'calibration', 'economics', 'report', 'store',"
        " 'bench', 'web', 'compare'}]\n"
        "print(sorted(loaded))\n"
    )
    output = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert output.returncode == 0, output.stderr
    assert output.stdout.strip().splitlines()[-1] == "[]"
    assert "compare" in output.stdout and "leaderboard" in output.stdout


def test_version_prints_the_package_version() -> None:
    output = subprocess.run(
        [sys.executable, "-m", "gpuatlas.cli.main", "--version"], capture_output=True, text=True
    )
    assert output.returncode == 0
    assert output.stdout.startswith("gpuatlas ")


def test_version_constant_matches_the_installed_distribution() -> None:
    from importlib.metadata import version

    from gpuatlas import __version__

    assert __version__ == version("gpuatlas")
