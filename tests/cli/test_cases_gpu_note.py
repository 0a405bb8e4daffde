"""`predict --cases` as CSV says how a bare GPU family name was read, as its JSON does: a
`gpu_note` column after `error`, filled on the rows that name a family ("A100"), empty on rows
that name a GPU exactly, and absent when no row names a family."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from typer.testing import CliRunner

from gpuatlas.cli.main import app

HEADER = "gpu,gpu_count,model,weights,engine,metric,batch,input_tokens,output_tokens"
ROW = "1,llama-3.1-8b,bf16,vllm,decode_tok_s,1,512,256"
A100_NOTE = (
    "A100 read as a100-80gb-sxm (A100 80GB SXM4); other variants: a100-80gb-pcie (80 GB), "
    "a100-40gb-sxm (40 GB), a100-40gb-pcie (40 GB)"
)


def _answer(tmp_path: Path, text: str) -> list[dict[str, str]]:
    cases = tmp_path / "cases.csv"
    cases.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(app, ["predict", "--cases", str(cases)])
    assert result.exit_code == 0, result.output
    return list(csv.DictReader(io.StringIO(result.stdout)))


def test_a_family_name_gets_its_note_on_its_own_rows(tmp_path: Path) -> None:
    rows = _answer(tmp_path, f"{HEADER}\nA100,{ROW}\na100-80gb-sxm,{ROW}\nA100,{ROW}\n")
    assert list(rows[0])[-5:] == ["value", "low", "high", "error", "gpu_note"]
    assert [row["gpu_note"] for row in rows] == [A100_NOTE, "", A100_NOTE]
    assert rows[0]["value"] == rows[1]["value"]  # the note names the GPU that was predicted


def test_the_general_csv_path_writes_the_same_note(tmp_path: Path) -> None:
    quoted = _answer(tmp_path, f'{HEADER}\n"A100",{ROW}\nrtx-4090,{ROW}\n')  # csv module path
    assert [row["gpu_note"] for row in quoted] == [A100_NOTE, ""]


def test_exact_names_add_no_column(tmp_path: Path) -> None:
    rows = _answer(tmp_path, f"{HEADER}\na100-80gb-sxm,{ROW}\nrtx-4090,{ROW}\n")
    assert list(rows[0])[-4:] == ["value", "low", "high", "error"]
