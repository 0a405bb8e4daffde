"""`predict --cases` read column by column gives exactly the CSV the general (csv module, row
by row) path gives, and leaves every other file to that path."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from typer.testing import CliRunner

from gpuatlas.calibration.case_columns import predict_columns, predict_table
from gpuatlas.calibration.case_files import RESULT_COLUMNS
from gpuatlas.cli.main import app
from gpuatlas.cli.uniform_csv import answer_uniform_csv, uniform_columns, uniform_lines

HEADER = "gpu,gpu_count,model,weights,engine,batch,input_tokens,output_tokens,metric"
ROWS = [
    "rtx-4090,1,llama-3.1-8b,fp16,vllm,1,512,128,decode_tok_s",
    "rtx-4090,1,llama-3.1-8b,fp16,vllm,8,2048,256,decode_tok_s",
    "h100-sxm,2,llama-3.1-70b,fp8,vllm,max,1024,256,serving_output_tok_s",
    "a100-80gb-sxm,1,qwen3-8b,awq-int4,vllm,4,8192,64,prefill_tok_s",
    "rtx4090x,1,llama-3.1-8b,fp16,vllm,1,512,128,decode_tok_s",
    "rtx-4090,1,lama-3-70b,fp16,vllm,1,512,128,decode_tok_s",
    "rtx-4090,1,llama-3.1-70b,fp16,vllm,64,8192,1024,decode_tok_s",
    " rtx-3090 , 1 ,llama-3.1-8b, q4_k_m ,llama.cpp,1,512,128,decode_tok_s",
    "rtx-4090,1,sdxl,fp16,diffusers,1,,,image_s",
    "rtx-4090,x,llama-3.1-8b,fp16,vllm,1,512,128,decode_tok_s",
    "rtx-4090,1,llama-3.1-8b,fp16,vllm,1,512,128,not_a_metric",
]


def general_answer(source: str) -> str:
    """What the csv module's reading and writing give: every row, then its four results (an
    error beginning with the number of the line it answers)."""
    reader = csv.reader(io.StringIO(source))
    numbered = [(reader.line_num, row) for row in reader if row]
    records = [row for _, row in numbered]
    header = [name.strip() for name in records[0]]
    results = [
        (*result[:3], f"line {number}: {result[3]}" if result[3] else "")
        for (number, _), result in zip(
            numbered[1:], predict_table(header, records[1:]), strict=True
        )
    ]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([*header, *RESULT_COLUMNS])
    writer.writerows([*row, *result] for row, result in zip(records[1:], results, strict=True))
    return buffer.getvalue()


@pytest.mark.parametrize("line_end", ["\n", "\r\n"])
def test_the_column_answer_is_the_general_answer(line_end: str) -> None:
    source = line_end.join([HEADER, *ROWS, "", *ROWS[:3]]) + line_end
    answered = answer_uniform_csv(source)
    assert answered is not None
    text, failed, rows = answered
    assert text == general_answer(source)
    assert "rtx-4090" in text.splitlines()[5].split(",", 9)[-1]  # the typo's close match
    answered_rows = list(csv.DictReader(io.StringIO(text)))
    assert rows == len(answered_rows) and failed == sum(1 for r in answered_rows if r["error"])


def test_columns_and_rows_predict_alike() -> None:
    header = HEADER.split(",")
    rows = [row.split(",") for row in ROWS]
    columns = [list(column) for column in zip(*rows, strict=True)]
    assert predict_columns(header, columns, len(rows)) == predict_table(header, rows)
    with pytest.raises(ValueError, match="one column"):
        predict_columns(header, columns[:-1], len(rows))


@pytest.mark.parametrize(
    "source",
    [
        f'{HEADER}\n"rtx-4090",1,llama-3.1-8b,fp16,vllm,1,512,128,decode_tok_s\n',
        f"{HEADER}\nrtx-4090,1,llama-3.1-8b,fp16,vllm,1,512,128\n",
        f"{HEADER},error\n{ROWS[0]},\n",
        "gpu,model\nrtx-4090,llama-3.1-8b\n",
        f"{HEADER}\r{ROWS[0]}\r",
    ],
    ids=["quoted", "ragged", "result column", "missing column", "lone carriage return"],
)
def test_other_files_are_left_to_the_general_path(source: str) -> None:
    assert answer_uniform_csv(source) is None


def test_lines_split_into_columns() -> None:
    lines = uniform_lines("a,b\r\n1,2\r\n\r\n3,4\r\n")
    assert lines == ["a,b", "1,2", "3,4"]
    assert uniform_columns(lines[1:], 2) == [["1", "3"], ["2", "4"]]
    assert uniform_columns([], 2) == [[], []]


def test_the_command_writes_the_general_answer(tmp_path: Path) -> None:
    cases = tmp_path / "cases.csv"
    cases.write_text("\n".join([HEADER, *ROWS]) + "\n", encoding="utf-8")
    output = tmp_path / "predicted.csv"
    result = CliRunner().invoke(app, ["predict", "--cases", str(cases), "-o", str(output)])
    assert result.exit_code == 1, result.output  # a typo's row has no prediction
    assert "rows have no prediction (their error column says why)" in result.output
    assert output.read_text(encoding="utf-8") == general_answer(cases.read_text(encoding="utf-8"))


COUNT_ROWS = [
    "rtx-4090,0,llama-3.1-8b,fp16,vllm,1,512,128,decode_tok_s",
    "rtx-4090,1.5,llama-3.1-8b,fp16,vllm,1,512,128,decode_tok_s",
    "rtx-4090,inf,llama-3.1-8b,fp16,vllm,1,512,128,decode_tok_s",
    "rtx-4090,1,llama-3.1-8b,fp16,vllm,2.5,512,128,decode_tok_s",
    "rtx-4090,1.0,llama-3.1-8b,fp16,vllm,1,512,128,decode_tok_s",
]


def test_a_count_that_is_no_whole_number_of_at_least_one_gpu_is_refused_on_both_paths() -> None:
    # `predict --cases` predicted 57 tok/s for gpu_count 0 (read as 1) and for 1.5 (read as 1),
    # and 'inf' ended in a traceback; `predict llm "0x rtx-4090"` refuses a count below one
    header = HEADER.split(",")
    rows = [row.split(",") for row in COUNT_ROWS]
    columns = [list(column) for column in zip(*rows, strict=True)]
    answers = predict_columns(header, columns, len(rows))
    assert answers == predict_table(header, rows)
    assert [answer[3] for answer in answers] == [
        "gpu_count must be at least 1 (or empty: 1), got 0",
        "gpu_count must be a whole number, got 1.5",
        "gpu_count must be a whole number, got inf",
        "batch must be a whole number, got 2.5",
        "",
    ]
    assert answers[4][0]  # '1.0' is one GPU


def test_a_row_gets_its_field_problems_and_its_unknown_names_at_once() -> None:
    # the field problems came first and the names on the next try ('bf17' unsaid beside the
    # batch 'abc'; the engine 'vlm' beside the metric 'speed'; the model typo beside the GPU's)
    rows = [
        "h100,1,llama-3.1-8b,bf17,vllm,abc,512,128,decode_tok_s",
        "rtx-4090,1,llama-3.1-8b,fp16,vlm,1,-5,128,speed",
        "rtx4090x,1,lama-3-70b,fp16,vllm,1,512,128,decode_tok_s",
        "rtx-4090,1,sdxl,fp16,diffusers,1,,,image_s",
        "rtx-4090,1,llama-3.2-1b,bf16,unsloth,1,2048,,train_tok_s",
    ]
    header = HEADER.split(",")
    table = [row.split(",") for row in rows]
    columns = [list(column) for column in zip(*table, strict=True)]
    answers = predict_columns(header, columns, len(table))
    assert answers == predict_table(header, table)
    errors = [answer[3] for answer in answers]
    assert (
        "batch 'abc' is not a number" in errors[0] and "unknown weight format 'bf17'" in errors[0]
    )
    assert "metric 'speed'" in errors[1] and "unknown engine 'vlm'" in errors[1]
    assert "unknown GPU 'rtx4090x'" in errors[2] and "unknown model 'lama-3-70b'" in errors[2]
    assert errors[3:] == ["", ""]  # image and training engines are names too
