"""The README's command table names every command the CLI has (top level and the predict,
bench, db and token subcommands), so the table cannot drift from the code."""

from __future__ import annotations

import re
from pathlib import Path

import click
import typer.main

from gpuatlas.app.registry import markdown_table
from gpuatlas.cli.main import full_app

README = Path(__file__).resolve().parents[1] / "README.md"
GROUPS_SPELLED_OUT = ("predict", "bench", "db", "token")


def commands_table() -> str:
    text = README.read_text(encoding="utf-8")
    start = text.index("## Commands")
    return text[start : text.index("\n## ", start + 1)]


def registered() -> dict[str, list[str]]:
    root = typer.main.get_command(full_app())
    context = click.Context(root)
    names: dict[str, list[str]] = {}
    for name in root.list_commands(context):  # type: ignore[attr-defined]
        command = root.get_command(context, name)  # type: ignore[attr-defined]
        sub = getattr(command, "list_commands", None)
        names[name] = list(sub(click.Context(command))) if sub else []
    return names


def test_every_command_and_subcommand_is_in_the_readme_table() -> None:
    table = commands_table()
    words = set(re.findall(r"[a-z][a-z-]*", table))
    missing = [name for name in registered() if name not in words]
    for group in GROUPS_SPELLED_OUT:
        missing += [f"{group} {sub}" for sub in registered()[group] if sub not in words]
    assert not missing, f"README command table lacks: {missing}"


def test_the_readme_answers_table_is_the_registry_s() -> None:
    text = README.read_text(encoding="utf-8")
    start = text.index("<!-- answers table: python -m gpuatlas.app.registry -->\n")
    end = text.index("<!-- end of answers table -->", start)
    in_readme = text[text.index("\n", start) + 1 : end].strip()
    assert in_readme == markdown_table().strip(), "regenerate: python -m gpuatlas.app.registry"
