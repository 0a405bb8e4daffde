"""Held-out measurement files: valid rows, kept apart from the calibrated set."""

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


def test_the_calibrated_set_never_reads_holdout_rows() -> None:
    files = {row.file for row in load_measurements()}
    held = {path.name for path in holdout_dir().glob("*.csv")}
    assert held and not files & held


def test_holdout_rows_load_and_name_their_backend_only_from_the_known_list() -> None:
    rows = load_holdout()
    assert rows
    assert all(row.backend is None or row.backend in BACKENDS for row in rows)


def test_backend_column_is_checked(tmp_path: Path) -> None:
    header = (
        "gpu,gpu_count,engine,engine_version,model,weights,kv_cache,batch,input_tokens,"
        "output_tokens,resolution,steps,metric,value,unit,source,source_date,notes,backend"
    )
    row = (
        "rtx-4090,1,llama.cpp,b4426,meta-llama/Llama-2-7b-hf,q4_0,f16,1,0,128,,,"
        "decode_tok_s,180.0,tok/s,https://example.org/bench,2025-01,a note,{backend}"
    )
    good = tmp_path / "good.csv"
    good.write_text(f"{header}\n{row.format(backend='vulkan')}\n", encoding="utf-8")
    assert load_measurements(good)[0].backend == "vulkan"
    bad = tmp_path / "bad.csv"
    bad.write_text(f"{header}\n{row.format(backend='opengl')}\n", encoding="utf-8")
    with pytest.raises(DataFileError, match="unknown backend 'opengl'"):
        load_measurements(bad)


def test_workload_key_keeps_backends_apart(tmp_path: Path) -> None:
    header = (
        "gpu,gpu_count,engine,engine_version,model,weights,kv_cache,batch,input_tokens,"
        "output_tokens,resolution,steps,metric,value,unit,source,source_date,notes,backend"
    )
    line = (
        "rtx-4090,1,llama.cpp,b4426,meta-llama/Llama-2-7b-hf,q4_0,f16,1,0,128,,,"
        "decode_tok_s,{value},tok/s,https://example.org/bench,2025-01,a note,{backend}"
    )
    path = tmp_path / "two.csv"
    path.write_text(
        "\n".join(
            [
                header,
                line.format(value=180, backend="cuda"),
                line.format(value=170, backend="vulkan"),
            ]
        )
        + "\n",
        encoding="utf-8",
    )
    cuda, vulkan = load_measurements(path)
    assert cuda.workload_key != vulkan.workload_key


def test_the_data_sets_readme_lists_every_calibrated_file_with_its_row_count() -> None:
    """The README's file table is how a reader finds a row's source: every calibrated file is
    in it, with the number of rows it holds."""
    readme = (measurements_dir() / "README.md").read_text(encoding="utf-8")
    rows_per_file: dict[str, int] = {}
    for row in load_measurements():
        rows_per_file[row.file] = rows_per_file.get(row.file, 0) + 1
    listed = {
        cells[1].strip("` "): cells[2].strip()
        for line in readme.splitlines()
        if line.startswith("| `") and len(cells := line.split("|")) > 3
    }
    missing = sorted(name for name in rows_per_file if name not in listed)
    assert not missing, f"files missing from the README's table: {missing}"
    wrong = {
        name: (listed[name], count)
        for name, count in rows_per_file.items()
        if listed[name].isdigit() and int(listed[name]) != count
    }
    assert not wrong, f"row counts in the README (listed, loaded): {wrong}"
