"""What the store area's commands share: options, the opened store, JSON and result files."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer

from gpuatlas.cli.terminal import make_console
from gpuatlas.errors import DataFileError, GpuAtlasError, InvalidRequestError

console = make_console()

UrlOption = Annotated[
    str | None,
    typer.Option(
        "--url", help="Database URL (default: $GPUATLAS_DATABASE_URL, else the embedded SQLite)."
    ),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON.")]


def echo_json(document: Any) -> None:
    typer.echo(json.dumps(document, indent=2, default=str))


@contextmanager
def opened_store(
    url: str | None, seed: bool | None = None, must_exist: bool = False
) -> Iterator[Any]:
    from gpuatlas.store import open_store

    store = open_store(url, seed=seed, must_exist=must_exist)
    try:
        yield store
    finally:
        store.close()


def print_outcome(document: dict[str, Any], as_json: bool, text: str) -> None:
    """The command's JSON document with --json, else one line of text."""
    if as_json:
        echo_json(document)
        return
    console.print(text, highlight=False)


def no_result_error(result_id: str) -> InvalidRequestError:
    return InvalidRequestError([f"no stored result with id {result_id!r}"])


def load_any_results(path: Path, tool: str) -> list[Any]:
    """The results of one file: a result file (gpuatlas.result/1) holds one, another tool's
    output (vllm bench serve, GuideLLM, llama-bench, AIPerf) may hold several."""
    from gpuatlas.records.result import load_result

    if tool == "gpuatlas":
        return [load_result(path)]
    try:
        return [load_result(path)]
    except GpuAtlasError as native_error:
        from gpuatlas.bench.importers import import_file

        try:
            return list(import_file(path, tool))
        except GpuAtlasError:
            raise native_error from None


def load_import_entries(path: Path, tool: str) -> list[Any]:
    """What `db import` reads from one file, as ExportedResult entries: a db export (JSON
    Lines, or one exported document with its store block) keeps its store records; a result
    file or another tool's output has none."""
    from gpuatlas.store.exported import (
        STORE_BLOCK,
        ExportedResult,
        exported_result,
        is_json_lines,
        read_exported,
    )

    text = _text_of(path)
    if tool in ("auto", "gpuatlas") and is_json_lines(text):
        return list(read_exported(text, str(path)))
    document = _json_object(text)
    if tool in ("auto", "gpuatlas") and isinstance(document, dict) and STORE_BLOCK in document:
        return [exported_result(document, str(path))]
    try:
        results = load_any_results(path, tool)
    except DataFileError as error:
        if not (isinstance(document, dict) and "schema_version" in document):
            raise
        from gpuatlas.store.validity import problems_beyond_schema

        further = problems_beyond_schema(document)  # every problem at once, not in rounds
        raise DataFileError(error.path, [*error.problems, *further]) from None
    return [ExportedResult(result, None) for result in results]


def _text_of(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except OSError as error:
        raise DataFileError(str(path), [f"cannot read file: {error.strerror}"]) from None
    except UnicodeDecodeError:
        raise DataFileError(str(path), ["not UTF-8 text (a result file is JSON)"]) from None


def _json_object(text: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return None  # the loaders below name the line


def expand_result_paths(files: list[Path]) -> list[Path]:
    expanded: list[Path] = []
    for path in files:
        if path.is_dir():
            expanded += sorted([*path.glob("*.json"), *path.glob("*.jsonl")])
        else:
            expanded.append(path)
    return expanded


def resolve_token(token: str | None, token_file: Path | None) -> str:
    """The token from --token-file, else --token / $GPUATLAS_TOKEN; a clear error if none."""
    if token_file is not None:
        try:
            text = token_file.read_text(encoding="utf-8").strip()
        except OSError as error:
            raise InvalidRequestError([f"--token-file {token_file}: {error.strerror}"]) from None
        if not text:
            raise InvalidRequestError([f"--token-file {token_file} is empty"])
        if token_file.stat().st_mode & 0o077:
            console.print(
                f"warning: {token_file} is readable by other users; chmod 600 {token_file}",
                highlight=False,
            )
        return text
    if token:
        return token.strip()
    raise InvalidRequestError(
        [
            "no token: use --token-file FILE or set $GPUATLAS_TOKEN "
            "(create one with `gpuatlas token create NAME --output FILE`)"
        ]
    )
