"""`--gpu` at import labels a file, never relabels it (issue 11): a file naming another GPU is
refused naming both, one naming the same GPU keeps its own strings, one naming no catalog GPU
gets the catalog's name with the file's string in the note; and a stored run's label names
the model, its type and the engine build."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from gpuatlas.bench.importers import import_file, with_gpu
from gpuatlas.errors import DataFileError
from gpuatlas.records.run_label import engine_words, model_words, run_label


def imported(tmp_path: Path, gpu_info: str) -> list[Any]:
    test = {
        "build_number": 6500,
        "gpu_info": gpu_info,
        "model_filename": "/models/Llama-3.2-3B-Instruct-Q4_K_M.gguf",
        "model_type": "llama 3B Q4_K - Medium",
        "model_size": 2_019_377_664,
        "model_n_params": 3_212_749_888,
        "n_prompt": 0,
        "n_gen": 128,
        "avg_ts": 256.0,
        "samples_ts": [256.0],
    }
    path = tmp_path / "lb.json"
    path.write_text(json.dumps([test]), encoding="utf-8")
    return import_file(path)


def test_a_gpu_contradicting_the_file_is_refused_naming_both(tmp_path: Path) -> None:
    results = imported(tmp_path, "NVIDIA GeForce RTX 4090")
    with pytest.raises(DataFileError) as raised:
        with_gpu(results, "rtx-3090")
    assert raised.value.problems == [
        "--gpu rtx-3090 (rtx-3090) contradicts the file's own GPU 'NVIDIA GeForce RTX 4090' "
        "(rtx-4090); leave --gpu out to keep the file's GPU, or import the file measured on "
        "rtx-3090"
    ]


def test_the_same_gpu_keeps_the_files_own_strings(tmp_path: Path) -> None:
    (result,) = with_gpu(imported(tmp_path, "NVIDIA GeForce RTX 4090"), "rtx-4090")
    assert result.gpu_id == "rtx-4090"
    assert [gpu.name for gpu in result.fingerprint.gpus] == ["NVIDIA GeForce RTX 4090"]
    assert result.fingerprint.gpu_note is None


def test_a_name_the_catalog_does_not_know_is_kept_in_the_note(tmp_path: Path) -> None:
    (result,) = with_gpu(imported(tmp_path, "NVIDIA Graphics Device"), "rtx-4090", count=2)
    assert (result.gpu_id, result.gpu_count) == ("rtx-4090", 2)
    assert [gpu.name for gpu in result.fingerprint.gpus] == ["GeForce RTX 4090"] * 2  # catalog
    assert result.fingerprint.gpu_note == (
        "GPU given with --gpu at import (the file's own 'NVIDIA Graphics Device' is no catalog "
        "GPU name)"
    )


def test_llama_bench_model_facts_are_kept_with_their_units(tmp_path: Path) -> None:
    (result,) = imported(tmp_path, "NVIDIA GeForce RTX 4090")
    assert result.settings.extra["model_size_bytes"] == 2_019_377_664
    assert result.settings.extra["model_params"] == 3_212_749_888


def test_a_run_label_names_model_type_and_engine_build() -> None:
    settings = {
        "model": "/models/Qwen3-8B-Q4_K_M.gguf",
        "extra": {"model_type": "qwen3 8B Q4_K - Medium"},
    }
    fingerprint = {"engine": {"name": "llama.cpp", "version": "6500"}}
    assert run_label(settings, fingerprint) == (
        "Qwen3-8B-Q4_K_M (qwen3 8B Q4_K - Medium) · llama.cpp b6500"
    )
    assert run_label({}, {}) is None
    assert model_words("Qwen/Qwen3-4B") == "Qwen3-4B"
    assert engine_words({"name": "vLLM", "version": "0.11.0"}) == "vLLM 0.11.0"
