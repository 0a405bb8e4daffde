"""Batch mode and the CLI, end to end through the real `gpuatlas` Typer app."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from typer.testing import CliRunner

from gpuatlas.calibration.case_files import predict_rows
from gpuatlas.cli.main import app

runner = CliRunner()
HEADER = "gpu,gpu_count,model,weights,engine,batch,input_tokens,output_tokens,metric\n"
ROWS = [
    "RTX 4090,1,meta-llama/Meta-Llama-3-8B,Q4_K_M,llama.cpp,1,0,512,decode_tok_s",
    "A100 80GB SXM4,1,meta-llama/Meta-Llama-3-8B,fp16,vLLM,max,128,128,serving_output_tok_s",
    "RTX 4090,1,no-such-model,fp16,vllm,1,10,10,decode_tok_s",
    "H100 SXM,1,llama-3-8b,Q4_K_M,TensorRT-LLM,1,10,10,decode_tok_s",
    "rtx-4090,1,llama-3-8b,fp16,vllm,abc,10,10,decode_tok_s",
    "H100 SXM,2,llama-3.1-70b,fp8,TensorRT-LLM,8,512,256,prefill_tok_s",
]


def _cases_file(tmp_path: Path) -> Path:
    path = tmp_path / "cases.csv"
    path.write_text(HEADER + "\n".join(ROWS) + "\n", encoding="utf-8")
    return path


def test_batch_rows_come_out_in_order_with_errors_per_row() -> None:
    reader = csv.DictReader(io.StringIO(HEADER + "\n".join(ROWS)))
    results = list(predict_rows(reader))
    assert [r["gpu"] for r in results] == [row.split(",")[0] for row in ROWS]
    ok = [r for r in results if not r["error"]]
    assert len(ok) == 3
    for row in ok:
        assert float(row["low"]) < float(row["value"]) < float(row["high"])
    assert "unknown model" in results[2]["error"]
    assert "does not load q4_k_m" in results[3]["error"]
    assert "not a number" in results[4]["error"]


def test_cli_cases_csv(tmp_path: Path) -> None:
    result = runner.invoke(app, ["predict", "--cases", str(_cases_file(tmp_path))])
    assert result.exit_code == 1, result.output  # three rows have no prediction
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert len(rows) == len(ROWS)
    assert list(rows[0])[-4:] == ["value", "low", "high", "error"]


def test_cli_cases_json_and_output_file(tmp_path: Path) -> None:
    target = tmp_path / "out.json"
    result = runner.invoke(
        app, ["predict", "--cases", str(_cases_file(tmp_path)), "--json", "-o", str(target)]
    )
    assert result.exit_code == 1, result.output  # rows without a prediction
    document = json.loads(target.read_text())
    assert document["schema_version"] == "gpuatlas.predict-cases/1"
    assert document["request"] == {"cases": str(_cases_file(tmp_path))}
    rows = document["rows"]
    assert isinstance(rows[0]["value"], float) and rows[0]["error"] is None
    assert rows[2]["value"] is None and rows[2]["error"]


def test_cli_cases_missing_column_is_a_clean_error(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("gpu,model\nrtx-4090,llama-3-8b\n")
    result = runner.invoke(app, ["predict", "--cases", str(path)])
    assert result.exit_code == 2
    assert "missing column" in result.output


def test_cli_predict_llm_json_numbers_are_ranges() -> None:
    result = runner.invoke(
        app,
        [
            "predict",
            "llm",
            "h100-sxm",
            "llama-3-8b",
            "-w",
            "fp8",
            "-e",
            "vllm",
            "--batch",
            "4",
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    for key in ("ttft_ms", "tpot_ms", "decode_tok_s", "mbu"):
        assert document[key]["low"] < document[key]["value"] < document[key]["high"]


def test_cli_fit_and_unknown_model() -> None:
    result = runner.invoke(app, ["fit", "rtx-4090", "llama-2-7b", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["fits"] is True
    bad = runner.invoke(app, ["fit", "rtx-4090", "no-such-model-xyz", "--json"])
    assert bad.exit_code == 2


def test_cli_other_predictors_run() -> None:
    for arguments in (
        ["predict", "diffusion", "rtx-4090", "sdxl", "--steps", "30", "--json"],
        # micro-batch 2: at 4 the LoRA step needs 25.4 GB of a 25.8 GB card (no 5 % margin)
        [
            "predict",
            "train",
            "4x rtx-4090",
            "llama-3.2-1b",
            "--method",
            "lora",
            "--micro-batch",
            "2",
            "--json",
        ],
        ["predict", "vision", "a100-80gb-sxm", "llava-1.5-7b", "--json"],
        ["predict", "ocr", "t4", "trocr-base", "--json"],
    ):
        result = runner.invoke(app, arguments)
        assert result.exit_code == 0, (arguments, result.output)
        json.loads(result.stdout)
