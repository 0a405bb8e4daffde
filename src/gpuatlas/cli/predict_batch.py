"""`gpuatlas predict --cases FILE`: batch mode, and the `predict` group whose subcommands
(`predict llm`, `predict serving`, ...) are built on first use.

The batch mode reads, predicts and writes a file of cases; it needs none of the single
prediction commands' answer models, option defaults or table rendering, so the group imports
them (predict_subcommands.py) only when a subcommand, the command list or a close match to a
mistyped subcommand is asked for (start-up time of the batch mode: issue 10 item 10).
"""

from __future__ import annotations

import csv
import io
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

import typer
from typer.core import TyperGroup

from gpuatlas.cli.collector import collector_paused
from gpuatlas.cli.errors import user_errors
from gpuatlas.cli.estimate_common import JSON_OPTION
from gpuatlas.cli.output_files import check_output, write_output
from gpuatlas.errors import InvalidRequestError

if TYPE_CHECKING:
    from gpuatlas.calibration.case_notes import CaseNotes


class LazySubcommandGroup(TyperGroup):
    """The `predict` group: its subcommands are added the first time one is looked up."""

    def _add_subcommands(self) -> None:
        if not self.commands:
            from gpuatlas.cli.predict_subcommands import subcommands

            self.commands.update(subcommands())

    def list_commands(self, ctx: Any) -> list[str]:
        self._add_subcommands()
        return list(super().list_commands(ctx))

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        self._add_subcommands()
        return super().get_command(ctx, cmd_name)

    def resolve_command(self, ctx: Any, args: list[str]) -> Any:
        self._add_subcommands()  # a mistyped subcommand's close matches come from the list
        return super().resolve_command(ctx, args)


CASES_HELP = (
    "CSV of cases (batch mode), one prediction per row; header names in any case, fields "
    "separated by commas. Required columns: gpu (a GPU or a system, '4x rtx-4090'), gpu_count "
    "(empty: 1), model, weights (a format; empty or auto: the build the engine runs, the "
    "checkpoint's own, else fp16; training: the precision), engine (an inference engine, an "
    "image engine or a training framework; empty: vllm), batch (sequences in flight, a "
    "training micro-batch, or max), input_tokens (the prompt, or a training sequence; empty: "
    "2048 for training), output_tokens, metric (prefill_tok_s, decode_tok_s, "
    "serving_output_tok_s, ttft_ms, tpot_ms, image_s, images_per_min, train_tok_s). Optional: "
    "variant (words joined with '+': fa 1, llama-server; training: lora, qlora, ac-full, "
    "fsdp, zero3, ...), layout (serving on several GPUs: auto, the default, replicas where the "
    "model fits one GPU; tensor: one tensor-parallel replica), depth (tokens already in the KV "
    "cache), num_ctx, host_ram_gb, kv_cache, requests, mean_output_tokens, lengths (fixed or "
    "sharegpt), gradient_accumulation, resolution, steps. Each row gets value, low, high and "
    "error (beginning with the input line's number), and a gpu_note column when a row's GPU is "
    "a bare family name ('A100' read as a100-80gb-sxm); the calibration version and what was "
    "assumed go to stderr (with --json: fields of the answer)."
)

predict_app = typer.Typer(
    cls=LazySubcommandGroup,
    help="Predict speed: LLM latency/throughput, image generation, vision, OCR, training. "
    "With --cases FILE.csv: one prediction per row.",
    invoke_without_command=True,
    no_args_is_help=False,
)


@predict_app.callback()
def predict_callback(
    context: typer.Context,
    cases: Path = typer.Option(
        None,
        "--cases",
        help=CASES_HELP,
    ),
    output: Path = typer.Option(None, "--output", "-o", help="Write results to a file."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Batch mode when --cases is given; otherwise a subcommand."""
    if context.invoked_subcommand is not None:
        return
    if cases is None:
        typer.echo(context.get_help())
        raise typer.Exit(code=0)
    with user_errors():
        check_output(output)  # before the batch runs, not after it
        with collector_paused():
            answer = _answer_cases(cases, as_json)
        if output is None:
            sys.stdout.write(answer.text)
        else:
            write_output(output, answer.text)
    if not as_json:  # the JSON says these in its fields
        for line in answer.note_lines:
            sys.stderr.write(f"note: {line}\n")
    failed, rows = answer.failed, answer.rows
    if failed and not as_json:  # the answer is written whole; the JSON says it per row
        sys.stderr.write(
            f"note: {failed:,} of {rows:,} rows have no prediction (their error column says why)\n"
        )
    if failed:  # a script can tell that some rows have no prediction
        raise typer.Exit(code=ROWS_FAILED)


ROWS_FAILED = 1  # the exit status when some rows have no prediction (a bad file: 2)


class CasesAnswer(NamedTuple):
    """The answer's text, the rows without a prediction, the rows, and the notes for stderr
    (the calibration, what was assumed, the columns not read)."""

    text: str
    failed: int
    rows: int
    note_lines: list[str]


def _run_cases(path: Path, as_json: bool) -> tuple[str, int, int]:
    """Every row of the CSV with value, low, high and error (CSV text, or JSON with --json),
    the rows that failed and the rows."""
    answer = _answer_cases(path, as_json)
    return answer.text, answer.failed, answer.rows


def _answer_cases(path: Path, as_json: bool) -> CasesAnswer:
    """`_run_cases` with the notes the command writes to stderr."""
    from gpuatlas.cli.cases_header import unknown_column_notes
    from gpuatlas.cli.uniform_csv import answer_uniform_cases

    try:
        source = path.read_text(encoding="utf-8-sig")
    except OSError as error:
        raise InvalidRequestError([f"cannot read {path}: {error.strerror}"]) from None
    answered = None if as_json else answer_uniform_cases(source)  # the common file, by columns
    if answered is not None:
        notes = [*answered.notes.lines(), *unknown_column_notes(answered.unknown)]
        return CasesAnswer(answered.text, answered.failed, answered.rows, notes)
    return _general_answer(path, source, as_json)


def _general_answer(path: Path, source: str, as_json: bool) -> CasesAnswer:
    """Any CSV (quoting, line breaks in fields, a header problem, ragged rows), read row by
    row."""
    from gpuatlas.calibration.case_columns import predict_table_flagged
    from gpuatlas.calibration.case_notes import case_notes
    from gpuatlas.cli.cases_header import (
        header_names,
        header_problems,
        unknown_column_notes,
        unknown_columns,
    )
    from gpuatlas.cli.uniform_csv import failed_rows

    plain = _plain_records(source)
    records, line_numbers = _csv_records(source) if plain is None else plain
    first_line = records[0][0] or ",".join(records[0][1]) if records else ""
    written = [name.strip() for name in (records[0][1] if records else [])]
    header = header_names(written)
    problems = header_problems(path, header, first_line)
    if problems:
        raise InvalidRequestError(problems)
    width = len(header)
    ragged = [index for index, (_, row) in enumerate(records) if len(row) != width]
    if ragged:  # a row cut short or run over is refused, every such line named, nothing written
        raise InvalidRequestError(
            [_ragged_row(path, line_numbers[index], written, records[index][1]) for index in ragged]
        )
    rows = [row for _, row in records[1:]]
    predicted, extrapolated = predict_table_flagged(header, rows)
    results = _numbered(predicted, line_numbers[1:])
    columns = dict(zip(header, map(list, zip(*rows, strict=True)), strict=False)) if rows else {}
    notes, unknown = case_notes(columns, len(rows)), unknown_columns(header)
    counts = failed_rows(results), len(rows)
    if as_json:  # the answer layer's gpuatlas.predict-cases/1 document
        from gpuatlas.app.predict_cases import predict_cases_document

        document = predict_cases_document(str(path), header, rows, results)
        rows_fields = zip(line_numbers[1:], extrapolated, strict=True)
        document = with_batch_fields(document, list(rows_fields), notes, unknown)
        return CasesAnswer(json.dumps(document, indent=2) + "\n", *counts, [])
    note_lines = [*notes.lines(), *unknown_column_notes(unknown)]
    columns_out, answered = _with_gpu_notes(header, rows, results)
    if plain is not None and not set(columns_out) & set(header):
        text = _plain_csv_text(written, records[1:], rows, answered, columns_out)
        return CasesAnswer(text, *counts, note_lines)
    return CasesAnswer(_csv_text(written, rows, answered, columns_out), *counts, note_lines)


def _numbered(results: Sequence[Result], numbers: Sequence[int]) -> list[Result]:
    """Each row's results, its error beginning with its input line's number ('line 7: …')."""
    return [
        (*result[:3], f"line {number}: {result[3]}") if result[3] else result
        for result, number in zip(results, numbers, strict=True)
    ]


def with_batch_fields(
    document: dict[str, Any],
    rows: Sequence[tuple[int, bool | None]],
    notes: CaseNotes,
    unknown: list[dict[str, str]],
) -> dict[str, Any]:
    """The JSON answer with each row's input `line` and whether its prediction is
    `extrapolated` (null without one), the calibration version, each metric's unit and
    prediction model, what was assumed for rows that leave it open, and the columns not read
    (`unknown_columns`)."""
    for row, (number, extrapolated) in zip(document["rows"], rows, strict=True):
        row["line"], row["extrapolated"] = number, extrapolated
    document.update(notes.to_json())
    if unknown:
        document["unknown_columns"] = unknown
    return document


def _with_gpu_notes(
    header: list[str], rows: list[list[str]], results: Sequence[tuple[str, ...]]
) -> tuple[tuple[str, ...], Sequence[tuple[str, ...]]]:
    """The result columns and each row's results, with the `gpu_note` column when a row's GPU
    is a bare family name read as its default variant (app/predict_cases.row_gpu_notes)."""
    from gpuatlas.app.predict_cases import GPU_COLUMN, GPU_NOTE_COLUMN, row_gpu_notes
    from gpuatlas.calibration.case_files import RESULT_COLUMNS

    column = header.index(GPU_COLUMN) if GPU_COLUMN in header else None
    notes = None if column is None else row_gpu_notes(header, [row[column] for row in rows])
    if notes is None:
        return RESULT_COLUMNS, results
    noted = [(*result, note) for result, note in zip(results, notes, strict=True)]
    return (*RESULT_COLUMNS, GPU_NOTE_COLUMN), noted


Record = tuple[str, list[str]]  # a CSV line (as written) and its fields
Result = tuple[str, str, str, str]  # value, low, high, error


def _plain_records(source: str) -> tuple[list[Record], list[int]] | None:
    """The non-blank lines of a CSV without quoting, split at commas (exactly what csv.reader
    reads from such text, much faster), and the line number of each; None when the text
    quotes a field or breaks lines with a lone carriage return."""
    if '"' in source or source.count("\r") != source.count("\r\n"):
        return None
    lines = (line[:-1] if line.endswith("\r") else line for line in source.split("\n"))
    records: list[Record] = []
    numbers: list[int] = []
    for number, line in enumerate(lines, start=1):
        fields = line.split(",")
        if not is_blank(fields):
            records.append((line, fields))
            numbers.append(number)
    return records, numbers


def _plain_csv_text(
    header: list[str],
    records: list[Record],
    rows: list[list[str]],
    results: Sequence[tuple[str, ...]],
    result_columns: tuple[str, ...],
) -> str:
    """The rows as written, each followed by its results (only the error and the GPU note
    can need quotes)."""
    width = len(header)
    lines = [",".join(header + list(result_columns))]
    for (line, fields), row, (value, low, high, *texts) in zip(records, rows, results, strict=True):
        written = line if len(fields) == width else ",".join(row)
        lines.append(",".join([written, value, low, high, *map(_csv_field, texts)]))
    return "\n".join(lines) + "\n"


def is_blank(fields: Sequence[str]) -> bool:
    """Whether a line's fields are all empty (',,,,' from a spreadsheet's empty row)."""
    return not any(field.strip() for field in fields)


def _csv_field(text: str) -> str:
    """A field as csv.writer writes it (quoted when it holds a comma, quote or line break)."""
    if any(mark in text for mark in ',"\r\n'):
        return '"' + text.replace('"', '""') + '"'
    return text


def _csv_records(source: str) -> tuple[list[Record], list[int]]:
    """The non-blank rows of any CSV (csv rules: quoting, line breaks in fields) and the line
    each ends on."""
    reader = csv.reader(io.StringIO(source))
    records: list[Record] = []
    numbers: list[int] = []
    for row in reader:
        if not is_blank(row):
            records.append(("", row))
            numbers.append(reader.line_num)
    return records, numbers


def _ragged_row(path: Path, line: int, header: list[str], row: list[str]) -> str:
    """'cases.csv line 7: 8 fields where the header has 9 (no output_tokens)'."""
    width = len(header)
    if len(row) < width:
        which = f"no {', '.join(header[len(row) :])}"
    else:
        which = f"{len(row) - width} more after {header[-1]}: {', '.join(row[width:])!r}"
    return f"{path} line {line}: {len(row)} fields where the header has {width} ({which})"


def _csv_text(
    header: list[str],
    rows: list[list[str]],
    results: Sequence[tuple[str, ...]],
    result_columns: tuple[str, ...],
) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    replaced = [name for name in result_columns if name in header]
    writer.writerow(header + [c for c in result_columns if c not in header])
    if not replaced:
        writer.writerows(row + list(result) for row, result in zip(rows, results, strict=True))
        return buffer.getvalue()
    for row, result in zip(rows, results, strict=True):  # result columns named in the input
        fields = dict(zip(header, row, strict=True)) | dict(
            zip(result_columns, result, strict=True)
        )
        writer.writerow(
            [fields[name] for name in header]
            + [fields[c] for c in result_columns if c not in header]
        )
    return buffer.getvalue()
