"""`predict vision` takes the weight format and the engine its refusals point to. A 72B
vision-language model on one RTX 4090 answered "try ... llama.cpp (--engine llama.cpp --weights
q4_k_m)" and an RTX 3060 "try a smaller format (awq-int4)", but the command had neither option
("No such option: --engine")."""

from __future__ import annotations

import os
import re

import pytest
from typer.testing import CliRunner

from gpuatlas.app.predict import PredictVisionRequest, predict_vision_document
from gpuatlas.cli.main import app

pytestmark = pytest.mark.unit
runner = CliRunner()


def _run(*arguments: str) -> str:
    result = runner.invoke(
        app, ["predict", "vision", *arguments], env={**os.environ, "COLUMNS": "80"}
    )
    assert "No such option" not in result.output
    return " ".join(result.output.split())


def test_the_options_a_refusal_names_are_the_commands_own() -> None:
    refused = _run("rtx-4090", "qwen2.5-vl-72b")
    suggested = re.search(r"\((--engine \S+ --weights \S+)\)", refused)
    assert suggested is not None, refused
    followed = _run("rtx-4090", "qwen2.5-vl-72b", *suggested.group(1).split())
    assert "(q4_k_m, llama.cpp)" in followed  # the suggestion was taken, and answers in turn


def test_a_smaller_format_runs_where_the_default_does_not_fit() -> None:
    assert "awq-int4" in _run("rtx-3060", "llava-1.5-13b")
    document = predict_vision_document(
        PredictVisionRequest(system="rtx-3060", model="llava-1.5-13b", weights="awq-int4")
    )
    assert document["weights"] == "awq-int4" and document["engine"] == "vllm"
    assert document["images_per_min"]["value"] > 0
