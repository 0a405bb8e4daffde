"""`predict --cases` rows read a checkpoint as the single command does: an empty `weights` is
the format the checkpoint's name fixes, and a server checkpoint on a Mac with no engine named
gets the same pointer to its GGUF / MLX builds as `gpuatlas predict llm` without --engine."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from typer.testing import CliRunner

from gpuatlas.app.predict import PredictLlmRequest, predict_llm_document
from gpuatlas.catalog.gpus import gpu_by_id
from gpuatlas.catalog.model_names import resolve_model_reference
from gpuatlas.catalog.systems import resolve_system
from gpuatlas.cli.main import app
from gpuatlas.errors import InvalidRequestError
from gpuatlas.performance.apple_builds import apple_build_problem

pytestmark = pytest.mark.unit

HEADER = "gpu,gpu_count,model,weights,engine,metric,batch,input_tokens,output_tokens"


def _answer(tmp_path: Path, rows: list[str]) -> list[dict[str, str]]:
    cases = tmp_path / "cases.csv"
    cases.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["predict", "--cases", str(cases)])
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    failed = any(row["error"] for row in rows)
    assert result.exit_code == (1 if failed else 0), result.output  # 1: rows without one
    for line, row in enumerate(rows, start=2):  # each error names its input line
        if row["error"]:
            assert row["error"].startswith(f"line {line}: ")
            row["error"] = row["error"].removeprefix(f"line {line}: ")
    return rows


def test_empty_weights_read_the_checkpoint_names_format(tmp_path: Path) -> None:
    rows = _answer(
        tmp_path,
        [
            "rtx-4090,1,Qwen/Qwen3-32B-AWQ,,,decode_tok_s,1,512,256",
            "rtx-4090,1,Qwen/Qwen3-32B-AWQ,awq-int4,vllm,decode_tok_s,1,512,256",
            "rtx-4090,1,llama-3.1-8b,,,decode_tok_s,1,512,256",
            "rtx-4090,1,llama-3.1-8b,fp16,vllm,decode_tok_s,1,512,256",
        ],
    )
    assert rows[0]["error"] == "" and rows[0]["value"] == rows[1]["value"]
    assert rows[2]["value"] == rows[3]["value"]  # a base model keeps the fp16 default


@pytest.mark.parametrize(
    ("gpu", "model", "weights", "engine"),
    [
        ("M3 Ultra", "Qwen/Qwen3-32B-AWQ", "", ""),
        ("apple-m3-ultra-80c", "Qwen/Qwen3-32B-AWQ", "awq-int4", "auto"),
        ("apple-m4-max-40c", "Qwen/Qwen3-8B-FP8", "", ""),
    ],
)
def test_a_server_checkpoint_on_a_mac_gets_the_single_commands_pointer(
    tmp_path: Path, gpu: str, model: str, weights: str, engine: str
) -> None:
    row = _answer(tmp_path, [f"{gpu},1,{model},{weights},{engine},decode_tok_s,1,512,256"])[0]
    system = resolve_system(gpu_by_id("apple-m3-ultra-80c" if "3" in gpu else gpu).id)
    expected = apple_build_problem(
        system, resolve_model_reference(model), [], "auto", "predict llm"
    )
    assert expected is not None and row["error"] == " ".join(expected.split())
    assert "--weights q" in row["error"] and "--engine mlx-lm" in row["error"]
    request = PredictLlmRequest(system=system.id, model=model, input_tokens=512, output_tokens=256)
    with pytest.raises(InvalidRequestError) as raised:  # the single command says the same
        predict_llm_document(request)
    assert expected in str(raised.value)


def test_a_named_engine_keeps_its_own_error(tmp_path: Path) -> None:
    row = _answer(
        tmp_path, ["apple-m3-ultra-80c,1,Qwen/Qwen3-32B-AWQ,,vllm,decode_tok_s,1,512,256"]
    )[0]
    assert row["error"].startswith("engine vllm is not modelled on Apple apple-m3-ultra-80c")
