"""Held-out and pending measurement files: valid rows, kept apart from the calibrated set."""

from __future__ import annotations

from pathlib import Path

import pytest

from gpuatlas.catalog.measurements import (
    BACKENDS,
    holdout_dir,
    load_holdout,
    load_measurements,
    measurements_dir,
)
from gpuatlas.errors import DataFileError

PENDING = sorted((measurements_dir() / "pending").glob("*.csv"))


@pytest.mark.parametrize("path", PENDING, ids=[p.name for p in PENDING])
def test_pending_files_fail_only_on_gpu_ids_not_in_the_catalog_yet(path: Path) -> None:
    try:
        rows = load_measurements(path)
    except DataFileError as error:
        assert error.problems
        assert all("unknown GPU id" in problem for problem in error.problems), error.problems[:3]
        return
    assert rows  # every id has landed: the file can move up into the calibrated set


def test_the_calibrated_set_reads_neither_holdout_nor_pending_rows() -> None:
    files = {row.file for row in load_measurements()}
    held = {path.name for path in holdout_dir().glob("*.csv")}
    pending = {path.name for path in PENDING}
    assert not files & (held | pending)


def test_holdout_rows_load_and_name_their_backend_only_from_the_known_list() -> None:
    if not any(holdout_dir().glob("*.csv")):
        pytest.skip("no held-out rows packaged")
    rows = load_holdout()
    assert rows
    assert all(row.backend is None or row.backend in BACKENDS for row in rows)


def test_backend_column_is_checked(tmp_path: Path) -> None:
    header = ("gpu,gpu_count,engine,engine_version,model,weights,kv_cache,batch,input_tokens,"
              "output_tokens,resolution,steps,metric,value,unit,source,source_date,notes,backend")
    row = ("rtx-4090,1,llama.cpp,b4426,meta-llama/Llama-2-7b-hf,q4_0,f16,1,0,128,,,"
           "decode_tok_s,180.0,tok/s,https://example.org/bench,2025-01,a note,{backend}")
    good = tmp_path / "good.csv"
    good.write_text(f"{header}\n{row.format(backend='vulkan')}\n", encoding="utf-8")
    assert load_measurements(good)[0].backend == "vulkan"
    bad = tmp_path / "bad.csv"
    bad.write_text(f"{header}\n{row.format(backend='opengl')}\n", encoding="utf-8")
    with pytest.raises(DataFileError, match="unknown backend 'opengl'"):
        load_measurements(bad)


def test_workload_key_keeps_backends_apart(tmp_path: Path) -> None:
    header = ("gpu,gpu_count,engine,engine_version,model,weights,kv_cache,batch,input_tokens,"
              "output_tokens,resolution,steps,metric,value,unit,source,source_date,notes,backend")
    line = ("rtx-4090,1,llama.cpp,b4426,meta-llama/Llama-2-7b-hf,q4_0,f16,1,0,128,,,"
            "decode_tok_s,{value},tok/s,https://example.org/bench,2025-01,a note,{backend}")
    path = tmp_path / "two.csv"
    path.write_text("\n".join([header, line.format(value=180, backend="cuda"),
                               line.format(value=170, backend="vulkan")]) + "\n",
                    encoding="utf-8")
    cuda, vulkan = load_measurements(path)
    assert cuda.workload_key != vulkan.workload_key
