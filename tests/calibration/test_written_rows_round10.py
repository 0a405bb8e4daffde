"""The fifth fresh held-out set (holdout/as_written_r10/): sources nothing else cites, every
kind covered, every row resolved or kept with its reason."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from gpuatlas.calibration.validation import source_key
from gpuatlas.calibration.written_rows import later_written_dirs, load_written, written_dir
from gpuatlas.catalog.measurements import load_holdout, load_measurements

ROUND_10 = "as_written_r10"
KIND_METRICS = {
    "decode": {"decode_tok_s"},
    "prefill": {"prefill_tok_s"},
    "serving": {"serving_output_tok_s"},
    "diffusion": {"image_s"},
    "training": {"train_tok_s"},
}


def _round_10_path() -> Path:
    return next(path for path in later_written_dirs() if path.name == ROUND_10)


def _sources(path: Path | None) -> set[str]:
    written = load_written(path)
    return {source_key(row.source) for row in (*written.rows, *written.unresolved)}


@pytest.mark.unit
def test_round_10_is_a_later_fresh_set_beside_as_written() -> None:
    assert _round_10_path().parent == written_dir().parent


@pytest.mark.unit
def test_round_10_keeps_every_row_and_labels_it_with_its_folder() -> None:
    path = _round_10_path()
    lines = sum(len(list(csv.DictReader(f.open(encoding="utf-8")))) for f in path.glob("*.csv"))
    written = load_written(path)
    assert written.total == lines >= 100
    assert all(row.file.startswith(f"{ROUND_10}/") for row in written.rows)
    assert all(row.reason for row in written.unresolved)


@pytest.mark.unit
def test_round_10_cites_twelve_publications_no_other_file_cites() -> None:
    fresh = _sources(_round_10_path())
    others = {source_key(row.source) for row in load_measurements() + load_holdout()}
    others |= _sources(None)
    for path in later_written_dirs():
        if path.name != ROUND_10:
            others |= _sources(path)
    assert len(fresh) >= 12
    assert fresh.isdisjoint(others), sorted(fresh & others)


@pytest.mark.unit
def test_round_10_spans_every_kind() -> None:
    written = load_written(_round_10_path())
    metrics = {row.metric for row in written.rows} | {row.metric for row in written.unresolved}
    assert all(metrics & wanted for wanted in KIND_METRICS.values())
