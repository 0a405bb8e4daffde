"""`gpuatlas fit` says where its numbers come from, as `predict` names its model and
calibration: the GPU's memory from the catalog with the record's date, each format's bytes per
weight from the catalog's formats, the runtime and activation memory from the engine profile.
Its JSON carries the GPU record's source and date."""

from __future__ import annotations

import os

import pytest
from typer.testing import CliRunner

from gpuatlas.app.fit import FitRequest, fit_answer, fit_document, fit_sources
from gpuatlas.catalog.systems import resolve_system
from gpuatlas.cli.main import app

pytestmark = pytest.mark.unit


def test_the_fit_names_its_sources() -> None:
    answer = fit_answer(FitRequest(system="rtx-4090", model="llama-3.1-8b"))
    gpu = resolve_system("rtx-4090").gpu
    text = fit_sources(answer)
    assert f"RTX 4090's memory from the catalog (as of {gpu.as_of})" in text
    assert "bytes per weight of each format from the catalog's formats" in text
    assert "from the vllm engine profile (engines.toml)" in text


def test_the_terminal_answer_ends_with_them_and_the_json_has_the_gpu_record() -> None:
    result = CliRunner().invoke(
        app, ["fit", "gtx-1080", "llama-3.1-8b"], env={**os.environ, "COLUMNS": "80"}
    )
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    assert "from the llama.cpp engine profile (engines.toml)" in text
    document = fit_document(FitRequest(system="gtx-1080", model="llama-3.1-8b"))
    gpu = resolve_system("gtx-1080").gpu
    assert document["gpu_facts"] == {"source": gpu.source, "as_of": gpu.as_of}
