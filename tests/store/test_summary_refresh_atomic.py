"""Summaries are recomputed inside the write's own transaction: a failure while refreshing
rolls the write back (results, change log, quarantine state), so no crash between a write and
its refresh can leave a stale summary — on SQLite and on PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from conftest_pg import make_result
from gpuatlas.store import GroupSummary, GroupValues, Store, open_store, summary_refresh
from gpuatlas.store.convert import result_row
from gpuatlas.store.tables import summary_changes


class RefreshFailed(RuntimeError):
    pass


@pytest.fixture
def store(database_url: str) -> Iterator[Store]:
    opened = open_store(database_url, seed=False)
    yield opened
    opened.close()


def _logged_changes(store: Store) -> int:
    with store.engine.connect() as connection:
        return int(
            connection.execute(sa.select(sa.func.count()).select_from(summary_changes)).scalar_one()
        )


def _n(store: Store) -> int | None:
    found = store.group_summaries(["rtx-4090"])
    return found[0].n if found else None


def test_a_failed_refresh_rolls_the_ingest_back(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    store.add_results([make_result(headline_value=100.0)])
    assert (store.count_results(), _n(store)) == (1, 1)
    late = make_result(headline_value=104.0)
    with monkeypatch.context() as patch:
        patch.setattr(summary_refresh, "summarize_group", _raise)
        with pytest.raises(RefreshFailed):
            store.add_results([late])
    assert store.count_results() == 1 and store.get_document(late.result_id) is None
    assert _n(store) == 1 and _logged_changes(store) == 0
    assert store.refresh_summaries() == 0  # nothing half-done is left to catch up
    store.add_results([late])  # the same write, retried, lands whole
    assert (store.count_results(), _n(store)) == (2, 2)


def test_a_failed_refresh_rolls_a_quarantine_back(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    kept = make_result(headline_value=100.0)
    store.add_results([kept, make_result(headline_value=110.0)])
    with monkeypatch.context() as patch:
        patch.setattr(summary_refresh, "summarize_group", _raise)
        with pytest.raises(RefreshFailed):
            store.quarantine(kept.result_id, "admin: recheck")
    assert store.count_results(quarantined=True) == 0 and _n(store) == 2
    assert store.quarantine(kept.result_id, "admin: recheck")
    assert store.count_results(quarantined=True) == 1 and _n(store) == 1


def test_a_failed_refresh_rolls_a_public_data_swap_back(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    row = result_row(
        make_result(headline_value=100.0),
        origin="public",
        agent=None,
        received_at=datetime.now(UTC),
        quarantine_reasons=[],
    )
    with monkeypatch.context() as patch:
        patch.setattr(summary_refresh, "summarize_group", _raise)
        with pytest.raises(RefreshFailed):
            store.replace_public_data([row], "v1")
    assert store.count_results() == 0 and _n(store) is None
    assert store.replace_public_data([row], "v1")  # not recorded as loaded by the failed try
    assert _n(store) == 1


def _raise(values: GroupValues) -> GroupSummary:
    raise RefreshFailed(f"refresh of {values.key.benchmark} failed")
