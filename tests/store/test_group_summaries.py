"""Group summaries: precomputed per (system, benchmark version) by the store as part of every
write, recomputed for exactly the groups the write touched, quarantined results left out — on
SQLite and on PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest
import sqlalchemy as sa

from conftest_pg import make_result
from gpuatlas.catalog.measurements import all_measurements
from gpuatlas.compare import BenchmarkInfo, BenchmarkSamples
from gpuatlas.compare.group_summaries import bootstrap_of
from gpuatlas.store import GroupKey, GroupSummary, GroupValues, Store, open_store, summary_refresh
from gpuatlas.store.convert import result_row
from gpuatlas.store.public_data import public_rows
from gpuatlas.store.tables import store_meta


@pytest.fixture
def store(database_url: str) -> Iterator[Store]:
    opened = open_store(database_url)
    yield opened
    opened.close()


def _only(store: Store, system: str = "rtx-4090") -> GroupSummary:
    """The system's one summary as stored (no refresh here: the writes did it)."""
    [summary] = store.group_summaries([system])
    return summary


def test_summary_holds_n_median_interval_and_provenance(store: Store) -> None:
    results = [make_result(headline_value=v) for v in (130.0, 100.0, 110.0)]
    store.add_results(results)
    summary = _only(store)
    assert (summary.n, summary.median) == (3, 110.0)
    by_value = sorted(results, key=lambda r: r.headline.value)
    assert summary.result_ids == tuple(r.result_id for r in by_value)
    assert summary.sources == ("gpuatlas bench (test)",)
    assert summary.ci_low is not None and summary.ci_high is not None
    assert 100.0 <= summary.ci_low <= 110.0 <= summary.ci_high <= 130.0
    assert summary.description.unit == "tok/s" and summary.description.higher_is_better


def test_quarantine_and_release_change_the_summary(store: Store) -> None:
    store.add_results([make_result(headline_value=v) for v in (100.0, 110.0, 130.0)])
    impossible = make_result(headline_value=5000.0)  # beyond the 4090's bandwidth: held
    outcome = store.add_results([impossible])
    assert outcome.quarantined
    assert _only(store).n == 3
    store.release(impossible.result_id)
    released = _only(store)
    assert (released.n, released.median) == (4, 120.0)  # even n: mean of 110 and 130
    store.quarantine(impossible.result_id, "admin: recheck")
    assert _only(store).n == 3


def test_a_write_recomputes_exactly_the_groups_it_changed(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    store.add_results(
        [
            make_result(headline_value=100.0),
            make_result(
                gpu_id="rtx-3090",
                headline_value=60.0,
                fingerprint={"gpus": [{"index": 0, "name": "NVIDIA GeForce RTX 3090"}]},
            ),
        ]
    )
    assert store.refresh_summaries() == 0  # the write already did
    recomputed: list[GroupKey] = []
    summarize = summary_refresh.summarize_group

    def recording(values: GroupValues) -> GroupSummary:
        recomputed.append(values.key)
        return summarize(values)

    monkeypatch.setattr(summary_refresh, "summarize_group", recording)
    store.add_results([make_result(headline_value=104.0)])
    assert [key.gpu_id for key in recomputed] == ["rtx-4090"]
    assert _only(store).n == 2 and _only(store, "rtx-3090").n == 1


def test_a_bulk_load_can_leave_the_refresh_to_one_call_at_its_end(store: Store) -> None:
    received = datetime.now(UTC)
    rows = [
        result_row(
            make_result(headline_value=v),
            origin="import",
            agent=None,
            received_at=received,
            quarantine_reasons=[],
        )
        for v in (100.0, 104.0)
    ]
    store.bulk_insert_rows(rows[:1], refresh=False)
    store.bulk_insert_rows(rows[1:], refresh=False)
    assert store.group_summaries(["rtx-4090"]) == []
    assert store.refresh_summaries() == 1
    assert _only(store).n == 2


def test_stored_replicates_are_the_bootstrap_of_the_values(store: Store) -> None:
    values = [118.0, 121.5, 119.0, 125.0, 120.5, 122.0, 117.5]
    store.add_results([make_result(headline_value=v) for v in values])
    stored = bootstrap_of(_only(store))
    info = BenchmarkInfo("llm-single-llama3.1-8b", "llm-single", "tok/s", True)
    direct = BenchmarkSamples(info, "rtx-4090", tuple(values)).bootstrap
    assert stored.replicates is not None and direct.replicates is not None
    assert stored.replicates.dtype == np.float32 and stored.replicates.size == 10_000
    np.testing.assert_allclose(stored.replicates, direct.replicates, rtol=1e-6)
    assert stored.summary() == direct.summary()


def test_a_group_that_loses_all_results_loses_its_summary(store: Store) -> None:
    received = datetime.now(UTC)
    row = result_row(
        make_result(gpu_id="l4", fingerprint={"gpus": []}),
        origin="public",
        agent=None,
        received_at=received,
        quarantine_reasons=[],
    )
    store.replace_public_data([row], "v1")
    assert _only(store, "l4").n == 1
    store.replace_public_data([], "v2")
    assert store.group_summaries(["l4"]) == []


def test_a_new_summary_method_recomputes_every_group(store: Store) -> None:
    store.add_results([make_result(headline_value=100.0), make_result(headline_value=90.0)])
    with store.engine.begin() as connection:
        connection.execute(
            sa.update(store_meta)
            .where(store_meta.c.key == "summary_method")
            .values(value="an older method")
        )
    assert store.refresh_summaries() == 1
    assert store.refresh_summaries() == 0


def test_upgrading_a_database_summarises_its_existing_results(tmp_path: Path) -> None:
    import alembic.command

    from gpuatlas.store.migrate import alembic_config

    url = f"sqlite:///{tmp_path / 'old.db'}"
    old = open_store(url, migrate=False)
    config = alembic_config()
    with old.engine.begin() as connection:
        config.attributes["connection"] = connection
        alembic.command.upgrade(config, "0002")
        for index, value in enumerate((100.0, 102.0)):
            connection.exec_driver_sql(
                "INSERT INTO results (result_id, schema_version, benchmark, benchmark_version, "
                "category, gpu_id, gpu_count, metric, unit, higher_is_better, value, "
                "created_at, source, origin, received_at, quarantined, quarantine_reasons, "
                "fingerprint, settings, metrics, samples, details) VALUES (?, "
                "'gpuatlas.result/1', 'llm-single-llama3.1-8b', 1, 'llm-single', 'rtx-4090', "
                "1, 'decode_tok_s', 'tok/s', 1, ?, '2026-01-01', 'old', 'import', "
                "'2026-01-01', 0, '[]', '{}', '{}', '{}', '[]', '{}')",
                (f"old-{index}", value),
            )
    old.close()
    upgraded = open_store(url)
    summary = _only(upgraded)
    assert (summary.n, summary.median) == (2, 101.0)
    upgraded.close()


def test_group_runs_give_each_result_with_its_source_build_and_date(store: Store) -> None:
    [row] = [
        r
        for r in all_measurements()
        if r.file.endswith("diffusion_sdxl_lcm_lora_blog.csv") and r.gpu == "rtx-4090"
    ]
    store.add_rows(public_rows(rows=[row]))
    [summary] = store.group_summaries(["rtx-4090"])
    [group] = store.group_runs([summary.key])
    [run] = group.runs
    assert (run.value, run.build, run.date) == (3.4, "0.23 (LCM release, 2023-11)", "2023-11-09")
    assert run.source == row.source and run.result_id == summary.result_ids[0]


def test_all_group_runs_are_each_groups_runs_in_one_query(store: Store) -> None:
    rows = [r for r in all_measurements() if r.file.endswith("diffusion_sdxl_lcm_lora_blog.csv")]
    store.add_rows(public_rows(rows=rows))
    keys = [summary.key for summary in store.group_summaries(None)]
    assert len(keys) == len(rows) == 5
    assert store.all_group_runs() == store.group_runs(keys)
