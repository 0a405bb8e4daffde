"""Batch mode over columns gives the row path's answers, resolves each name once, and the
`predict --cases` command reads and writes every row."""

from __future__ import annotations

import csv
import json
import random
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from gpuatlas.calibration.case_columns import _group_rows, _table, predict_table
from gpuatlas.calibration.case_files import OPTIONAL_COLUMNS, REQUIRED_COLUMNS, predict_fields
from gpuatlas.cli.main import app
from gpuatlas.performance import resolve

HEADER = [*REQUIRED_COLUMNS, "resolution", "steps", "kv_cache"]
CHOICES = {
    "gpu": ["rtx-4090", "h100-sxm", "A100 80GB SXM4", "4x rtx-4090", "rtx-9999", "l4", ""],
    "gpu_count": ["1", "2", "", "0", "x"],
    "model": [
        "llama-3.1-8b",
        "llama-3.1-70b",
        "qwen3-30b-a3b",
        "sdxl",
        "llava-1.5-7b",
        "trocr-base",
        "nomodel-7b",
        "gpt-oss-20b",
    ],
    "weights": ["fp16", "Q4_K_M", "fp8", "awq", "", "bf16", "zz4"],
    "engine": ["vllm", "llama.cpp", "sglang", "", "diffusers", "tensorrt-llm"],
    "batch": ["1", "8", "64", "max", "", "0", "abc", "400"],
    "input_tokens": ["", "0", "512", "4096", "-3"],
    "output_tokens": ["", "0", "1", "128"],
    "metric": [
        "decode_tok_s",
        "tpot_ms",
        "prefill_tok_s",
        "ttft_ms",
        "serving_output_tok_s",
        "image_s",
        "images_per_min",
        "train_tok_s",
        "bogus",
    ],
    "resolution": ["", "1024x1024", "512"],
    "steps": ["", "20"],
    "kv_cache": ["", "fp8", "auto"],
}


def _random_rows(count: int, seed: int) -> list[list[str]]:
    rng = random.Random(seed)
    return [[rng.choice(CHOICES[name]) for name in HEADER] for _ in range(count)]


def test_columns_give_the_row_paths_answers_errors_included() -> None:
    rows = _random_rows(600, seed=5)
    fast = predict_table(HEADER, rows)
    predicted = errors = 0
    for row, got in zip(rows, fast, strict=True):
        slow = predict_fields(dict(zip(HEADER, row, strict=True)))
        assert got == (slow["value"], slow["low"], slow["high"], slow["error"]), row
        predicted += bool(got[0])
        errors += bool(got[3])
    assert predicted > 30 and errors > 300  # both paths exercised


def test_llm_rows_of_one_configuration_match_the_row_path() -> None:
    rows = [
        ["h100-sxm", "1", "llama-3.1-8b", "fp8", "vllm", batch, inp, out, metric, "", "", ""]
        for batch in ("1", "16", "max", "5000")
        for inp, out in (("512", "128"), ("0", "256"), ("", ""), ("8000", "0"))
        for metric in (
            "decode_tok_s",
            "tpot_ms",
            "prefill_tok_s",
            "ttft_ms",
            "serving_output_tok_s",
        )
    ]
    for row, got in zip(rows, predict_table(HEADER, rows), strict=True):
        slow = predict_fields(dict(zip(HEADER, row, strict=True)))
        assert got == (slow["value"], slow["low"], slow["high"], slow["error"]), row


def test_rows_that_differ_only_in_their_variant_are_not_one_configuration() -> None:
    # a stated -fa chooses llama.cpp's attention path (performance/llm/attention_setting.py)
    header = [*REQUIRED_COLUMNS, "variant"]
    fields = ["rtx-5090", "1", "gpt-oss-20b", "mxfp4_moe", "llama.cpp b6210", "1", "32768", "0"]
    rows = [[*fields, "prefill_tok_s", variant] for variant in ("", "fa 1", "-fa 0", "fa 1")]
    assert header.index("metric") == len(fields)
    got = predict_table(header, rows)
    for row, answer in zip(rows, got, strict=True):
        slow = predict_fields(dict(zip(header, row, strict=True)))
        assert answer == (slow["value"], slow["low"], slow["high"], slow["error"]), row
    default, on, off, on_again = (float(answer[0]) for answer in got)
    assert on > 2 * default and off == default and on_again == on


def test_a_bad_name_is_resolved_once_however_many_rows_name_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls: list[str] = []
    real = resolve.resolve_system

    def counting(text: str) -> object:
        calls.append(text)
        return real(text)

    monkeypatch.setattr(resolve, "resolve_system", counting)
    resolve._system_or_error.cache_clear()
    rows = [
        ["rtx-40900", "1", model, "fp16", "vllm", "1", "512", "128", "decode_tok_s", "", "", ""]
        for model in ("llama-3.1-8b", "qwen3-8b")
        for _ in range(300)
    ]
    results = predict_table(HEADER, rows)
    resolve._system_or_error.cache_clear()
    assert calls.count("rtx-40900") == 1
    assert all("rtx-40900" in error and "close matches" in error for *_, error in results)


def test_optional_columns_are_optional() -> None:
    assert set(OPTIONAL_COLUMNS) >= {"resolution", "steps", "kv_cache", "variant"}
    header = list(REQUIRED_COLUMNS)
    rows = [
        ["rtx-4090", "1", "llama-3.1-8b", "Q4_K_M", "llama.cpp", "1", "0", "128", "decode_tok_s"]
    ]
    ((value, low, high, error),) = predict_table(header, rows)
    assert not error and float(low) < float(value) < float(high)


def test_cli_cases_refuses_short_and_long_rows_naming_each_line(tmp_path: Path) -> None:
    """A row cut short or run over is a malformed file, not a case: the command names every
    such line and the fields it lacks or has over, and writes nothing (a short row was read with
    its missing fields empty, so a row without output_tokens was predicted at the default)."""
    path, output = tmp_path / "cases.csv", tmp_path / "out.csv"
    path.write_text(
        "gpu,gpu_count,model,weights,engine,batch,input_tokens,output_tokens,metric,note\n"
        'rtx-4090,1,llama-3.1-8b,Q4_K_M,llama.cpp,1,512,128,decode_tok_s,"a, b"\n'
        "rtx-4090,1,llama-3.1-8b,Q4_K_M,llama.cpp,1,512\n"
        "\n"
        "rtx-9999,1,llama-3.1-8b,fp16,vllm,1,512,128,decode_tok_s,x,y\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(app, ["predict", "--cases", str(path), "-o", str(output)])
    assert result.exit_code == 2, result.output
    text = " ".join(result.output.split())
    assert "line 3: 7 fields where the header has 10 (no output_tokens, metric, note)" in text
    assert "line 5: 11 fields where the header has 10 (1 more after note: 'y')" in text
    assert "line 2" not in text and not output.exists()


def test_cli_cases_writes_every_row_of_a_well_formed_file(tmp_path: Path) -> None:
    path = tmp_path / "cases.csv"
    path.write_text(
        "gpu,gpu_count,model,weights,engine,batch,input_tokens,output_tokens,metric,note\n"
        'rtx-4090,1,llama-3.1-8b,Q4_K_M,llama.cpp,1,512,128,decode_tok_s,"a, b"\n'
        "rtx-4090,1,llama-3.1-8b,Q4_K_M,llama.cpp,1,512,128,,\n"
        "\n"
        "rtx-9999,1,llama-3.1-8b,fp16,vllm,1,512,128,decode_tok_s,x\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(app, ["predict", "--cases", str(path)])
    assert result.exit_code == 1, result.output  # two rows have no prediction
    assert "note: 2 of 3 rows have no prediction" in result.stderr
    rows = list(csv.DictReader(result.stdout.splitlines()))
    assert [row["note"] for row in rows] == ["a, b", "", "x"]
    assert float(rows[0]["value"]) > 0 and not rows[0]["error"]
    assert "metric is empty" in rows[1]["error"]
    assert "rtx-9999" in rows[2]["error"]
    as_json = CliRunner().invoke(app, ["predict", "--cases", str(path), "--json"])
    documents = json.loads(as_json.output)["rows"]
    assert documents[0]["value"] > 0 and documents[2]["value"] is None


def test_serving_rows_may_ask_for_the_best_layout() -> None:
    header = [*REQUIRED_COLUMNS, "layout"]
    row = [
        "4x rtx-4090",
        "1",
        "llama-3.1-8b",
        "fp16",
        "vllm",
        "max",
        "512",
        "256",
        "serving_output_tok_s",
    ]
    single = ["rtx-4090", *row[1:]]
    (auto, tensor, default, one, bad) = predict_table(
        header, [[*row, "auto"], [*row, "tensor"], [*row, ""], [*single, ""], [*row, "ring"]]
    )
    assert float(auto[0]) == pytest.approx(4 * float(one[0]), rel=1e-4)
    # no layout stated: the best one, as `predict serving` answers (was one TP replica)
    assert float(tensor[0]) < float(default[0]) == float(auto[0])
    assert "layout 'ring' is not one of tensor, auto" in bad[3]


def test_plain_and_quoted_csv_give_the_same_rows(tmp_path: Path) -> None:
    lines = [
        "gpu,gpu_count,model,weights,engine,batch,input_tokens,output_tokens,metric",
        "rtx-4090,1,llama-3.1-8b,Q4_K_M,llama.cpp,1,512,128,decode_tok_s",
        "rtx-4090,1,llama-3.1-8b,Q4_K_M,llama.cpp,1,512,128,",
        "",
        "rtx-9999,1,llama-3.1-8b,fp16,vllm,1,512,128,decode_tok_s",
    ]
    plain, quoted = tmp_path / "plain.csv", tmp_path / "quoted.csv"
    plain.write_text("\r\n".join(lines) + "\r\n", encoding="utf-8")
    quoted.write_text("\n".join(lines).replace("rtx-9999", '"rtx-9999"') + "\n", encoding="utf-8")
    outputs = [
        CliRunner().invoke(app, ["predict", "--cases", str(path)]).stdout
        for path in (plain, quoted)
    ]
    assert outputs[0] == outputs[1]
    rows = list(csv.reader(outputs[0].splitlines()))
    assert len(rows) == 4 and all(len(row) == 13 for row in rows)
    assert "," in rows[-1][-1]  # the error's close matches, quoted in the CSV


@pytest.mark.unit
def test_rows_are_grouped_by_every_configuration_field_in_order_of_first_appearance() -> None:
    header = ["gpu", "gpu_count", "model", "weights", "engine", "kv_cache", "metric"]
    rows = [
        ["rtx-4090", "1", "a", "", "", "", "decode_tok_s"],
        ["rtx-40901", "", "a", "", "", "", "decode_tok_s"],  # the same texts joined differently
        ["rtx-4090", "1", "a", "", "", "", "ttft_ms"],  # the metric is not a configuration field
        ["l4", "1", "a", "", "", "fp8", "decode_tok_s"],
        ["rtx-4090", "1", "a", "", "", "fp8", "decode_tok_s"],
        ["l4", "1", "a", "", "", "fp8", "decode_tok_s"],
    ]
    table = _table(header, rows)
    groups = _group_rows(table, np.zeros(len(rows), dtype=bool))
    assert [rows.tolist() for rows in groups] == [[0, 2], [1], [3, 5], [4]]
    without_first = np.array([True, False, False, False, False, False])
    assert [rows.tolist() for rows in _group_rows(table, without_first)] == [[2], [1], [3, 5], [4]]
