"""`predict --cases` reads a user's file the way the single commands read a request: training
rows that do not fit are refused, unknown variant words and columns are named, serving rows on
several GPUs take `predict serving`'s best layout, multi-GPU training `predict train`'s
sharding; and the file is read as a spreadsheet writes it (any case, blank rows of commas,
line numbers in errors, a repeated or ';'-separated header refused)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from gpuatlas.calibration.case_columns import predict_table
from gpuatlas.calibration.case_files import REQUIRED_COLUMNS, case_from_fields, predict_fields
from gpuatlas.cli.main import app
from gpuatlas.performance import api
from gpuatlas.performance.calibration_table import current_calibration
from gpuatlas.performance.cases import predict_case

HEADER = [*REQUIRED_COLUMNS, "variant"]


def _answers(rows: list[str], header: list[str] = HEADER) -> list[tuple[str, ...]]:
    return predict_table(header, [row.split(",") for row in rows])


def _invoke(tmp_path: Path, text: str, *options: str) -> tuple[int, str, str]:
    cases = tmp_path / "cases.csv"
    cases.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(app, ["predict", "--cases", str(cases), *options])
    return result.exit_code, result.stdout, result.stderr


def test_training_rows_that_do_not_fit_get_predict_trains_refusal() -> None:
    big, lora, recompute, stated = _answers(
        [
            "rtx-4090,1,llama-3.1-70b,bf16,pytorch,4,8192,0,train_tok_s,",
            "rtx-4090,2,llama-3.1-8b,bf16,pytorch,4,2048,0,train_tok_s,lora",
            "rtx-4090,1,llama-3.1-8b,bf16,pytorch,4,2048,0,train_tok_s,qlora",
            "rtx-4090,1,llama-3.1-8b,bf16,pytorch,4,2048,0,train_tok_s,qlora+ac-full",
        ]
    )
    assert big[:3] == ("", "", "") and "does not fit: needs 1,140.7 GiB per GPU" in big[3]
    assert lora[:3] == ("", "", "")
    assert "needs 29.9 GiB per GPU of 22.8 GiB usable" in lora[3] and "would fit" in lora[3]
    # recompute is still switched on where that alone makes the row fit
    assert recompute[3] == "" and recompute[:3] == stated[:3]


def test_unknown_training_variant_words_are_named_with_close_matches() -> None:
    banana, recompute, spaced, joined = _answers(
        [
            "rtx-4090,1,llama-3.1-8b,bf16,pytorch,1,2048,0,train_tok_s,banana",
            "rtx-4090,1,llama-3.1-8b,bf16,pytorch,1,2048,0,train_tok_s,qlora recompute",
            "rtx-4090,1,llama-3.1-8b,bf16,pytorch,1,2048,0,train_tok_s,qlora ac-full",
            "rtx-4090,1,llama-3.1-8b,bf16,pytorch,1,2048,0,train_tok_s,qlora+ac-full",
        ]
    )
    assert banana[0] == "" and "variant word 'banana' is not a training variant word" in banana[3]
    assert recompute[0] == "" and "'recompute'" in recompute[3]
    assert "close matches: ac-full, recompute-" in recompute[3]
    assert spaced == joined and joined[3] == ""  # words may be joined with spaces


def test_multi_gpu_qlora_agrees_with_predict_train() -> None:
    (row,) = _answers(["rtx-4090,2,llama-3.1-8b,bf16,pytorch,1,2048,0,train_tok_s,qlora"])
    single = api.predict_training(
        "2x rtx-4090", "llama-3.1-8b", tokens=1e9, method="qlora", micro_batch=1
    )
    assert row[0] == f"{single.tok_s.value:.6g}" == "4116.85"
    (sharded,) = _answers(["rtx-4090,2,llama-3.1-8b,bf16,pytorch,1,2048,0,train_tok_s,qlora+fsdp"])
    assert float(sharded[0]) < float(row[0])  # a stated sharding is kept


def test_a_training_sequence_past_the_models_context_and_of_zero_are_refused() -> None:
    long, zero = _answers(
        [
            "rtx-4090,1,gemma-2-9b,bf16,pytorch,1,16384,0,train_tok_s,qlora",
            "rtx-4090,1,llama-3.1-8b,bf16,pytorch,1,0,0,train_tok_s,qlora",
        ]
    )
    assert long[0] == "" and "exceeds gemma-2-9b's maximum context of 8,192 tokens" in long[3]
    assert zero[0] == "" and "train_tok_s needs input_tokens" in zero[3]


SERVING = [
    "rtx-4090,4,llama-3.1-8b,fp16,vllm,max,128,128,serving_output_tok_s",
    "b200,8,llama-3.2-1b,fp8,vllm,max,128,128,serving_output_tok_s",
    "rtx-4090,4,llama-3.1-8b,fp16,vllm,5,512,128,serving_output_tok_s",
    "rtx-4090,4,llama-3.1-8b,fp16,vllm,3,512,128,serving_output_tok_s",
    "rtx-4090,2,llama-3.1-70b,fp16,vllm,max,512,128,serving_output_tok_s",
    "rtx-3090,2,qwen3-8b,q4_k_m,llama.cpp,4,512,128,serving_output_tok_s",
    "rtx-3090,4,llama-3.1-70b,q4_k_m,ollama,max,512,128,serving_output_tok_s",
    "a100-80gb-sxm,4,llama-3.1-70b,fp16,vllm,64,2048,256,serving_output_tok_s",
]


def test_serving_rows_on_several_gpus_take_the_best_layout_by_default() -> None:
    header = [*REQUIRED_COLUMNS, "layout"]
    default = _answers([f"{row}," for row in SERVING], header)
    auto = _answers([f"{row},auto" for row in SERVING], header)
    tensor = _answers([f"{row},tensor" for row in SERVING], header)
    assert default == auto
    assert default[0][0] == "10232.2" and float(tensor[0][0]) == 3246.24
    assert default[1][0] == "240816" and float(tensor[1][0]) == 29564.5
    # the columns' best layout is the row path's (layout_serving), rows of every kind
    for row, answer in zip(SERVING, default, strict=True):
        fields = dict(zip(header, [*row.split(","), ""], strict=True))
        expected = predict_fields(fields)
        assert answer == (expected["value"], expected["low"], expected["high"], expected["error"])


def test_the_json_answer_says_its_calibration_units_assumptions_and_lines(tmp_path: Path) -> None:
    text = "\n".join(
        [
            "GPU,gpu_count,Model,weights,engine,batch,input_tokens,output_tokens,METRIC,method",
            "rtx-4090,1,llama-3.1-8b,auto,vllm,1,512,128,DECODE_TOK_S,lora",
            "",
            "rtx-4090,4,llama-3.1-8b,,vllm,max,128,128,serving_output_tok_s,",
            "rtx-4090,1,llama-3.1-8b,fp16,vllm,-1,512,128,decode_tok_s,",
            ",,,,,,,,,",
        ]
    )
    code, out, _ = _invoke(tmp_path, text + "\n", "--json")
    document = json.loads(out)
    assert code == 1  # the row of batch -1; the comma-only row is blank, not a failed row
    assert document["calibration_version"] == current_calibration().version
    assert document["metrics"]["decode_tok_s"]["unit"] == "tok/s"
    assert document["metrics"]["serving_output_tok_s"]["prediction_model"].startswith("gpuatlas.")
    assert [row["line"] for row in document["rows"]] == [2, 4, 5]
    first, _, bad = document["rows"]
    assert first["value"] > 0  # weights 'auto' and the metric in capitals are read
    assert bad["error"] == "line 5: batch must not be negative, got -1"  # said once
    assert {"model": "llama-3.1-8b", "engine": "vllm", "weights": "fp16"}.items() <= document[
        "weights_assumed"
    ][0].items()
    assert "best layout" in document["layout_assumed"]
    assert document["unknown_columns"][0]["column"] == "method"
    assert "'variant'" in document["unknown_columns"][0]["hint"]


def test_the_csv_answer_numbers_its_errors_and_notes_on_stderr(tmp_path: Path) -> None:
    text = "\n".join(
        [
            ",".join(HEADER + ["method"]),
            "",
            "rtx-4090,1,llama-3.1-8b,bf16,pytorch,1,2048,0,train_tok_s,banana,lora",
            "rtx-4090,1,llama-3.1-8b,fp16,vllm,1,512,128,decode_tok_s,,",
            ",,,,,,,,,,",
        ]
    )
    code, out, err = _invoke(tmp_path, text + "\n")
    lines = out.splitlines()
    assert code == 1 and len(lines) == 3
    assert '"line 3: variant word' in lines[1] and lines[2].endswith(",")
    assert f"calibration {current_calibration().version}" in err
    assert "column 'method' is not read (the training method goes in 'variant'" in err


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "gpu,gpu_count,model,weights,engine,batch,input_tokens,output_tokens,metric,GPU\n"
            "rtx-4090,1,llama-3.1-8b,fp16,vllm,1,512,128,decode_tok_s,h100\n",
            "column 'gpu' is written 2 times (columns 1 and 10): keep one",
        ),
        (
            "gpu;gpu_count;model;weights;engine;batch;input_tokens;output_tokens;metric\n"
            "rtx-4090;1;llama-3.1-8b;fp16;vllm;1;512;128;decode_tok_s\n",
            "the file looks ';'-separated",
        ),
    ],
    ids=["repeated column", "semicolons"],
)
def test_a_header_that_cannot_be_read_is_refused(tmp_path: Path, text: str, message: str) -> None:
    code, out, err = _invoke(tmp_path, text)
    assert code == 2 and out == "" and message in err


def test_each_json_row_says_whether_its_prediction_is_extrapolated(tmp_path: Path) -> None:
    rows = [
        "rtx-4090,1,llama-3.1-8b,fp16,vllm,1,512,128,decode_tok_s,",
        "rtx-4090,4,llama-3.1-8b,fp16,vllm,max,512,128,serving_output_tok_s,",
        "rtx-3090,1,llama-3.1-70b,q4_k_m,llama.cpp,1,512,128,decode_tok_s,",
        "rtx-4090,1,llama-3.2-1b,bf16,pytorch,1,2048,,train_tok_s,",
        "rtx4090x,1,llama-3.1-8b,fp16,vllm,1,512,128,decode_tok_s,",
    ]
    code, out, _ = _invoke(tmp_path, "\n".join([",".join(HEADER), *rows]) + "\n", "--json")
    flags = [row["extrapolated"] for row in json.loads(out)["rows"]]
    expected = [
        predict_case(case_from_fields(dict(zip(HEADER, row.split(","), strict=True))))
        for row in rows[:4]
    ]
    assert code == 1 and flags == [estimate.extrapolated for estimate in expected] + [None]
    assert flags[2] is True and flags[0] is False  # a CPU split's range is the wide one


def test_fp8_training_on_a_gpu_without_fp8_cores_is_refused_as_predict_train_does() -> None:
    a100, h100 = _answers(
        [
            "a100-80gb-sxm,1,llama-3.1-8b,fp8,pytorch,1,2048,0,train_tok_s,lora",
            "h100-sxm,1,llama-3.1-8b,fp8,pytorch,1,2048,0,train_tok_s,lora",
        ]
    )
    assert a100[0] == "" and "fp8 training needs FP8 tensor cores" in a100[3]
    assert h100[3] == "" and float(h100[0]) > 0


def test_a_training_row_without_weights_trains_in_predict_trains_auto_precision(
    tmp_path: Path,
) -> None:
    """A blank weights cell on a training row trained in bf16 everywhere (noted as 'fp16'): on
    a T4, without bf16 tensor cores, that is fp32 math, 5x slower than the fp16 `predict train`
    picks there."""
    (blank, fp16, bf16) = _answers(
        [
            "t4,1,qwen2.5-0.5b,,pytorch,1,2048,0,train_tok_s,",
            "t4,1,qwen2.5-0.5b,fp16,pytorch,1,2048,0,train_tok_s,",
            "t4,1,qwen2.5-0.5b,bf16,pytorch,1,2048,0,train_tok_s,",
        ]
    )
    assert blank[:3] == fp16[:3] and float(bf16[0]) < float(fp16[0]) / 2
    single = api.predict_training("t4", "qwen2.5-0.5b", tokens=1e9, precision="fp16", micro_batch=1)
    assert float(blank[0]) == pytest.approx(single.tok_s.value, rel=1e-4)
    text = "gpu,gpu_count,model,weights,engine,batch,input_tokens,output_tokens,metric\n"
    _, _, stderr = _invoke(
        tmp_path, text + "h100-sxm,1,qwen2.5-0.5b,,pytorch,1,2048,0,train_tok_s\n"
    )
    assert "predicted as bf16 or fp16 (the training precision" in stderr
