"""The fresh held-out set: names as their sources write them, resolved as a user's are."""

from __future__ import annotations

import csv

import pytest

from gpuatlas.calibration.validation import source_key
from gpuatlas.calibration.written_rows import (
    UnresolvedRow,
    load_written,
    resolve_written_row,
    written_dir,
)
from gpuatlas.catalog.measurements import MeasuredRow, load_holdout, load_measurements
from gpuatlas.catalog.model_names import resolve_model_reference
from gpuatlas.catalog.systems import resolve_system

ROW = {
    "gpu": "Nvidia RTX 3060 12GB",
    "gpu_count": "1",
    "engine": "llama.cpp",
    "engine_version": "b4426",
    "model": "Llama-3.2-3B-Instruct-Q4_K_M.gguf",
    "weights": "",
    "kv_cache": "",
    "batch": "1",
    "input_tokens": "0",
    "output_tokens": "128",
    "resolution": "",
    "steps": "",
    "metric": "decode_tok_s",
    "value": "122.85",
    "unit": "tok/s",
    "source": "https://example.org/bench",
    "source_date": "2025-12",
    "notes": "",
    "parallelism": "",
    "backend": "vulkan",
    "variant": "",
}


def test_every_written_row_is_resolved_or_kept_with_its_reason() -> None:
    files = sorted(written_dir().glob("*.csv"))
    lines = sum(len(list(csv.DictReader(path.open(encoding="utf-8")))) for path in files)
    written = load_written()
    assert files and written.total == lines
    assert all(row.reason for row in written.unresolved)


def test_the_fresh_set_shares_no_source_with_the_packaged_rows() -> None:
    used = {source_key(row.source) for row in load_measurements() + load_holdout()}
    written = load_written()
    fresh = {source_key(row.source) for row in written.rows}
    fresh |= {source_key(row.source) for row in written.unresolved}
    assert len(fresh) >= 8
    assert not fresh & used


@pytest.mark.parametrize(
    ("written", "gpu_id", "gpu_count"),
    [
        ("DGX-H100", "h100-sxm", 8),
        ("DGX H100", "h100-sxm", 8),
        ("Nvidia RTX 3060 12GB", "rtx-3060-12gb", 1),
        ("AMD Radeon AI Pro R9700", "radeon-ai-pro-r9700", 1),
        ("M1 Ultra (64 GPU Core)", "apple-m1-ultra-64c", 1),
        ("RTX 4060 ti 16GB", "rtx-4060-ti-16gb", 1),
        ("H100 NVL", "h100-nvl", 1),
        ("Dell Pro Max with GB10 (Nvidia Spark)", "dgx-spark-gb10", 1),
        ("Mac mini M4 Pro 64GB", "apple-m4-pro-20c", 1),
    ],
)
def test_gpu_and_system_names_as_sources_write_them_resolve(
    written: str, gpu_id: str, gpu_count: int
) -> None:
    system = resolve_system(written)
    assert (system.gpu.id, system.gpu_count) == (gpu_id, gpu_count)


@pytest.mark.parametrize(
    ("written", "model_id", "format_id"),
    [
        ("DeepSeek-R1-Distill-Qwen-14B-Q4_K_M.gguf", "deepseek-r1-distill-qwen-14b", "q4_k_m"),
        ("gpt-oss-20b-Q4_K_M.gguf", "gpt-oss-20b", "q4_k_m"),
        ("nvidia/Llama-3.1-405B-Instruct-FP8", "llama-3.1-405b", "fp8"),
        ("Llama-3.2-3B-Instruct-Q4_K_M.gguf", "llama-3.2-3b", "q4_k_m"),
    ],
)
def test_model_files_and_checkpoints_as_written_resolve_with_their_format(
    written: str, model_id: str, format_id: str
) -> None:
    reference = resolve_model_reference(written, allow_hub=False)
    assert (reference.model.id, reference.format_id) == (model_id, format_id)


def test_a_written_row_takes_catalog_ids_and_the_format_its_model_name_carries() -> None:
    row = resolve_written_row(ROW, "file.csv", 2)
    assert isinstance(row, MeasuredRow)
    assert (row.gpu, row.engine, row.engine_version) == ("rtx-3060-12gb", "llama.cpp", "b4426")
    assert (row.model, row.weights, row.backend) == ("llama-3.2-3b", "q4_k_m", "vulkan")
    assert row.file == "as_written/file.csv" and row.line == 2


def test_a_gpu_that_does_not_resolve_is_kept_with_the_close_matches() -> None:
    row = resolve_written_row({**ROW, "gpu": "RTX 3060 Tii"}, "file.csv", 3)
    assert isinstance(row, UnresolvedRow)
    assert row.field == "GPU" and row.written == "RTX 3060 Tii"
    assert "rtx-3060" in row.reason


def test_an_engine_that_does_not_parse_is_kept_with_the_parser_s_reason() -> None:
    row = resolve_written_row({**ROW, "engine": "NoSuchEngine"}, "file.csv", 4)
    assert isinstance(row, UnresolvedRow)
    assert row.field == "engine" and "unknown engine" in row.reason


def test_a_training_row_needs_no_engine_name() -> None:
    training = {**ROW, "engine": "NeMo", "engine_version": "24.07", "metric": "train_tok_s"}
    training.update(gpu="DGX-H100", gpu_count="8", weights="FP8", model="LLAMA3-8B")
    row = resolve_written_row(training, "file.csv", 5)
    assert isinstance(row, MeasuredRow)
    assert (row.gpu, row.gpu_count, row.model, row.weights) == ("h100-sxm", 8, "llama-3-8b", "fp8")
