"""One way to turn domain errors into a clean message and exit code.

In a terminal the message goes to standard error as text. Under `--json` it is a JSON document
on standard output, so a script reading the output always gets JSON:
`{"schema_version": "gpuatlas.error/1", "error": "...", "problems": ["...", ...]}`.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import typer

from gpuatlas.errors import GpuAtlasError

ERROR_SCHEMA = "gpuatlas.error/1"
T = TypeVar("T")


class _Invocation:
    """What the root command saw on its command line (set by cli.main before dispatch)."""

    json_requested = False
    arguments: tuple[str, ...] = ()
    root: Any = None  # the root command group, to find the invoked command's options


def note_arguments(arguments: list[str], root: Any = None) -> None:
    """Remember whether this invocation asked for JSON, its words and the root group (called
    by the root command group)."""
    _Invocation.json_requested = "--json" in arguments
    _Invocation.arguments = tuple(arguments)
    _Invocation.root = root


def wants_json(arguments: list[str]) -> bool:
    """Whether this invocation asked for JSON output (`--json` anywhere on its command line)."""
    return _Invocation.json_requested or "--json" in arguments


def error_document(error: GpuAtlasError) -> dict[str, object]:
    """The JSON form of a user error: its message and each problem on its own (the answer
    layer's error document, as the web returns it)."""
    from gpuatlas.app.errors import error_document as answer_error_document

    return answer_error_document(error)


def _name_assumptions(arguments: list[str]) -> list[dict[str, object]]:
    """The GPU names of the command line read as a family's default variant ("V100"): an error
    such as "does not fit" may be the variant's, so it is said with the error."""
    from gpuatlas.app.name_notes import name_assumptions

    return name_assumptions(word for word in arguments if not word.startswith("-"))


def report_user_error(error: GpuAtlasError) -> None:
    """Print a user error as JSON (under --json) or as a red message on standard error, with
    the GPU-name assumptions of the command line."""
    assumed = _name_assumptions(list(_Invocation.arguments or sys.argv[1:]))
    if wants_json(sys.argv[1:]):
        document = error_document(error)
        if assumed:
            document["name_assumptions"] = assumed
        typer.echo(json.dumps(document, indent=2, ensure_ascii=False))
    else:
        from rich.console import Console  # loaded only when there is an error to show
        from rich.text import Text

        # The message is data, not markup ("FLUX.1 [dev]" stays), and is not hard-wrapped: a
        # path or a name is never split across lines (the terminal wraps long lines itself).
        message = Text.assemble(("error:", "bold red"), " ", as_option_names(str(error)))
        console = Console(stderr=True, soft_wrap=True)
        console.print(message, highlight=False)
        for entry in assumed:
            console.print(f"note: {entry['note']}", markup=False, highlight=False)


def as_option_names(message: str) -> str:
    """A request field named as its command's option ('context_tokens: Input should be greater
    than or equal to 1' -> '--context: ...'): the answer layer names fields, the user typed
    options."""
    try:
        params = _invoked_params(list(_Invocation.arguments or sys.argv[1:]))
    except (AttributeError, TypeError, LookupError):  # never fail while reporting an error
        return message
    options: dict[str, str] = {
        str(param.name): next((o for o in param.opts if o.startswith("--")), param.opts[0])
        for param in params
        if param.param_type_name == "option" and param.name and param.opts
    }
    if not options:
        return message
    return re.sub(  # only where a problem starts: the field it is about
        r"(^|; )([a-z][a-z0-9_]*)(?=: )",
        lambda found: str(found.group(1)) + options.get(found.group(2), str(found.group(2))),
        message,
    )


def _invoked_params(arguments: list[str]) -> list[Any]:
    """The parameters of the (sub)command the words name ('predict llm ...': predict's llm);
    none when they name no command (Typer bundles its own click, so groups are told apart by
    their get_command)."""
    command: Any = _Invocation.root
    if command is None:
        return []
    for word in arguments:
        if not hasattr(command, "get_command"):
            break
        found = command.get_command(None, word)
        if found is None:
            return []
        command = found
    return [] if hasattr(command, "get_command") else list(command.params)


def usage_error_document(error: typer.TyperException) -> dict[str, object]:
    """The error document of a command-line mistake (a bad option value, a missing option)."""
    from gpuatlas.app.errors import problem_document

    context = getattr(error, "ctx", None)
    hint = f" (see `{context.command_path} --help`)" if context is not None else ""
    message = error.format_message() if hasattr(error, "format_message") else str(error)
    return problem_document([f"{message}{hint}"])


@contextmanager
def json_usage_errors(arguments: list[str]) -> Iterator[None]:
    """Under --json, a click usage error becomes the gpuatlas.error/1 document, exit code 2."""
    try:
        yield
    except typer.TyperException as error:  # click's UsageError, BadParameter, ...
        if not wants_json(arguments):
            raise
        typer.echo(json.dumps(usage_error_document(error), indent=2, ensure_ascii=False))
        raise typer.Exit(code=2) from None


@contextmanager
def user_errors() -> Iterator[None]:
    """Report a GpuAtlasError as an actionable message and exit 2, without a traceback."""
    try:
        yield
    except GpuAtlasError as error:
        report_user_error(error)
        raise typer.Exit(code=2) from None


def guarded(function: Callable[[], T]) -> T:
    with user_errors():
        return function()
