"""The default embedded database: created on first use and loaded with the public data set."""

from __future__ import annotations

from pathlib import Path

import pytest

from gpuatlas.catalog.measurements import all_measurements
from gpuatlas.store import open_store
from gpuatlas.store.public_data import public_benchmark_key


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("GPUATLAS_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("GPUATLAS_DATABASE_URL", raising=False)
    return tmp_path


def test_first_use_creates_a_wal_sqlite_file_with_the_public_data_set(data_dir: Path) -> None:
    store = open_store()
    assert store.is_default and (data_dir / "gpuatlas.db").exists()
    with store.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
    public = [
        doc
        for doc in store.export_documents(include_public=True)
        if doc["store"]["origin"] == "public"
    ]
    assert len(public) == len(all_measurements())
    reopened = open_store()
    assert reopened.count_results() == store.count_results()


def test_public_rows_keep_their_source_date_and_configuration(data_dir: Path) -> None:
    row = next(r for r in all_measurements() if r.metric == "decode_tok_s" and r.batch == 1)
    store = open_store()
    found = store.measurements_for(
        [row.gpu if row.gpu_count == 1 else f"{row.gpu_count}x {row.gpu}"]
    )
    by_key = {benchmark.benchmark: benchmark for benchmark in found}
    key = public_benchmark_key(row)
    assert key.startswith(f"public/{row.engine}/{row.model}/{row.weights}/")
    assert key.endswith("/decode_tok_s")
    stored = by_key[key].by_system[row.gpu]
    assert row.value in [measurement.value for measurement in stored]
    assert {measurement.source for measurement in stored} >= {row.source}
    assert by_key[key].category == "llm-single"


def test_common_pairs_have_measured_benchmarks_in_common(data_dir: Path) -> None:
    store = open_store()
    shared = [
        b
        for b in store.measurements_for(["rtx-4090", "rtx-3090"])
        if {"rtx-4090", "rtx-3090"} <= set(b.by_system)
    ]
    assert len(shared) >= 5


def test_rows_differing_only_in_notes_get_separate_keys() -> None:
    rows = [r for r in all_measurements() if r.file.startswith("diffusers")]
    if not rows:
        pytest.skip("no diffusers rows in the data set")
    from gpuatlas.store.public_data import public_rows

    # Several sources may measure one workload on one GPU (that is what pooling is for); one
    # source's rows that differ only in their notes' settings must not share a key.
    diffusers = [r for r in public_rows() if r["benchmark"].startswith("public/diffusers/")]
    per_key_gpu_source = {(r["benchmark"], r["gpu_id"], r["source"]) for r in diffusers}
    assert len(per_key_gpu_source) == len(diffusers)
