"""A measured-data file's columns are the `MeasuredRow` declaration: the header, the schema
and its checks come from its fields; where a row is (file, line) is set by the loader."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from gpuatlas.catalog.measurements import (
    COLUMNS,
    OPTIONAL_COLUMNS,
    MeasuredRow,
    load_measurements,
    row_file_schema,
)
from gpuatlas.errors import DataFileError

ROW = (
    "rtx-4090,1,llama.cpp,b2837,meta-llama/Meta-Llama-3-8B,Q4_K_M,f16,1,0,128,,,"
    "decode_tok_s,130.5,tok/s,https://example.org/bench,2024-05-10,a note"
)


def measured_file(tmp_path: Path, row: str, extra_columns: str = "") -> Path:
    path = tmp_path / "rows.csv"
    path.write_text(f"{','.join(COLUMNS)}{extra_columns}\n{row}\n", encoding="utf-8")
    return path


def test_the_header_is_the_declared_fields_but_file_and_line() -> None:
    declared = [f.name for f in dataclasses.fields(MeasuredRow)]
    assert [*COLUMNS, *OPTIONAL_COLUMNS] == [n for n in declared if n not in ("file", "line")]
    assert OPTIONAL_COLUMNS == (
        "parallelism",
        "variant",
        "backend",
        "unusable_for_calibration",
        "gpu_layers",
        "host_bandwidth_gb_s",
        "requests",
        "mean_output_tokens",
        "lengths",
        "server_slots",
        "gradient_accumulation",
        "num_ctx",
        "depth",
    )
    assert set(row_file_schema().model_fields) == set(COLUMNS) | set(OPTIONAL_COLUMNS)


def test_a_row_is_built_with_its_place_and_derived_parallelism(tmp_path: Path) -> None:
    [row] = load_measurements(measured_file(tmp_path, ROW))
    assert (row.file, row.line, row.row_id) == ("rows.csv", 2, "rows.csv:2")
    assert row.weights == "q4_k_m"  # the catalog id of the name written
    assert row.parallelism == "none"  # one GPU, not stated


@pytest.mark.parametrize(
    ("old", "new", "field"),
    [
        ("130.5", "inf", "value"),  # declared allow_inf_nan=False
        (",1,llama.cpp", ",0,llama.cpp", "gpu_count"),  # declared ge=1
        ("https://example.org/bench", "ab", "source"),  # declared min_length=3
        ("Q4_K_M", "Q4_K_X", "weights"),  # must name a catalog format
    ],
)
def test_a_bad_cell_names_the_file_the_line_and_the_field(
    tmp_path: Path, old: str, new: str, field: str
) -> None:
    with pytest.raises(DataFileError) as caught:
        load_measurements(measured_file(tmp_path, ROW.replace(old, new, 1)))
    [problem] = caught.value.problems
    assert problem.startswith(f"rows.csv: line 2, field {field}: ")


def test_a_file_cannot_write_where_a_row_is(tmp_path: Path) -> None:
    with pytest.raises(DataFileError, match="unexpected column 'line'"):
        load_measurements(measured_file(tmp_path, ROW + ",7", extra_columns=",line"))
