"""SQL for the group summaries: the change log every write appends to, reading a group's values
to recompute its summary, and reading/writing the summaries themselves.

Why a change log and not a watermark on ``results.id``: on PostgreSQL ids are handed out
before commit, so a transaction can commit a lower id after a reader saw a higher one. A log
entry commits with the results it describes; the refresh deletes exactly the entries it read,
so an entry committed later survives until the next refresh.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from gpuatlas.store.records import (
    BenchmarkDescription,
    GroupKey,
    GroupRuns,
    GroupSummary,
    GroupValues,
    PendingSummaries,
    StoredRun,
)
from gpuatlas.store.tables import group_summaries, results, sources, store_meta, summary_changes

SUMMARY_METHOD_KEY = "summary_method"
# The advisory lock key that serialises summary refreshes on PostgreSQL: any fixed 64-bit
# number no other code of the database uses ("gpuatlas" in ASCII).
SUMMARY_REFRESH_LOCK = int.from_bytes(b"gpuatlas", "big") & 0x7FFF_FFFF_FFFF_FFFF
DELETE_CHUNK = 500
_GROUP_COLUMNS = ("gpu_id", "gpu_count", "benchmark", "benchmark_version", "identity_key")


def groups_of_rows(rows: Iterable[dict[str, Any]]) -> set[GroupKey]:
    """The groups that rows (results table rows) belong to; rows without a GPU belong to none."""
    return {
        GroupKey(
            row["gpu_id"],
            row["gpu_count"],
            row["benchmark"],
            row["benchmark_version"],
            row.get("identity_key") or "",
        )
        for row in rows
        if row.get("gpu_id") is not None
    }


def log_changes(connection: sa.Connection, groups: Iterable[GroupKey]) -> None:
    """Record, in the writer's transaction, that these groups' summaries are out of date."""
    entries = [group._asdict() for group in sorted(set(groups))]
    if entries:
        connection.execute(sa.insert(summary_changes), entries)


def log_changes_where(connection: sa.Connection, condition: Any) -> None:
    """Log the groups of the results matching ``condition`` (before an update or delete)."""
    columns = [results.c[name] for name in _GROUP_COLUMNS]
    query = sa.select(*columns).where(condition, results.c.gpu_id.is_not(None)).distinct()
    log_changes(connection, [GroupKey(*row) for row in connection.execute(query)])


def lock_for_refresh(connection: sa.Connection) -> None:
    """Wait until no other transaction is refreshing summaries, and hold that until this one
    ends (PostgreSQL: a transaction-scoped advisory lock; SQLite writers already hold the
    database's write lock from BEGIN IMMEDIATE)."""
    if connection.dialect.name == "postgresql":
        connection.execute(sa.select(sa.func.pg_advisory_xact_lock(SUMMARY_REFRESH_LOCK)))


def pending(connection: sa.Connection, method: str) -> PendingSummaries:
    """The logged groups; every group (stored or summarised) when the method has changed."""
    rows = connection.execute(sa.select(summary_changes)).all()
    groups = {
        GroupKey(r.gpu_id, r.gpu_count, r.benchmark, r.benchmark_version, r.identity_key)
        for r in rows
    }
    if _stored_method(connection) != method:
        groups |= _all_groups(connection)
    return PendingSummaries(tuple(sorted(groups)), tuple(row.id for row in rows))


def _stored_method(connection: sa.Connection) -> str | None:
    query = sa.select(store_meta.c.value).where(store_meta.c.key == SUMMARY_METHOD_KEY)
    return connection.execute(query).scalar()


def _all_groups(connection: sa.Connection) -> set[GroupKey]:
    found: set[GroupKey] = set()
    for table in (results, group_summaries):
        columns = [table.c[name] for name in _GROUP_COLUMNS]
        query = sa.select(*columns).distinct()
        if table is results:
            query = query.where(results.c.gpu_id.is_not(None))
        found |= {GroupKey(*row) for row in connection.execute(query)}
    return found


def group_values(connection: sa.Connection, groups: Sequence[GroupKey]) -> list[GroupValues]:
    """Each group's comparable values in (value, result id) order; empty groups are left out."""
    described: dict[tuple[str, int], BenchmarkDescription] = {}
    found = []
    for group in groups:
        rows = connection.execute(_VALUES_QUERY, group._asdict()).all()
        if not rows:
            continue
        key = (group.benchmark, group.benchmark_version)
        if key not in described:
            described[key] = _description(connection, *key)
        found.append((group, rows))
    texts = _source_texts(connection, {row.source_id for _, rows in found for row in rows})
    return [_group_values(group, described, rows, texts) for group, rows in found]


_GROUP_CONDITIONS = (
    results.c.gpu_id == sa.bindparam("gpu_id"),
    results.c.gpu_count == sa.bindparam("gpu_count"),
    results.c.quarantined.is_(False),
    results.c.benchmark == sa.bindparam("benchmark"),
    results.c.benchmark_version == sa.bindparam("benchmark_version"),
    results.c.identity_key == sa.bindparam("identity_key"),
    results.c.value.is_not(None),
    results.c.value > 0,  # comparisons divide by values: non-positive ones never enter
)
_VALUES_QUERY = (
    sa.select(results.c.value, results.c.result_id, results.c.source_id)
    .where(*_GROUP_CONDITIONS)
    .order_by(results.c.value, results.c.result_id)
)


_RUNS_QUERY = (
    sa.select(
        results.c.value,
        results.c.result_id,
        results.c.source_id,
        results.c.settings,
        results.c.source_date,
    )
    .where(*_GROUP_CONDITIONS)
    .order_by(results.c.value, results.c.result_id)
)


def group_runs(connection: sa.Connection, groups: Sequence[GroupKey]) -> list[GroupRuns]:
    """Each group's comparable results one by one, with source, stated build and date (what
    pairs them with another GPU's results of one run set); empty groups are left out."""
    found = [(group, connection.execute(_RUNS_QUERY, group._asdict()).all()) for group in groups]
    texts = _source_texts(connection, {row.source_id for _, rows in found for row in rows})
    return [
        GroupRuns(group, tuple(_stored_run(row, texts) for row in rows))
        for group, rows in found
        if rows
    ]


_ALL_RUNS_QUERY = sa.select(
    *[results.c[name] for name in _GROUP_COLUMNS],
    results.c.value,
    results.c.result_id,
    results.c.source_id,
    results.c.settings,
    results.c.source_date,
).where(
    results.c.gpu_id.is_not(None),
    results.c.quarantined.is_(False),
    results.c.value.is_not(None),
    results.c.value > 0,
)


def all_group_runs(connection: sa.Connection) -> list[GroupRuns]:
    """Every group's comparable results one by one (one query), as ``group_runs`` gives them."""
    rows = connection.execute(_ALL_RUNS_QUERY).all()
    texts = _source_texts(connection, {row.source_id for row in rows})
    grouped: dict[GroupKey, list[Any]] = {}
    for row in rows:
        key = GroupKey(*(row._mapping[name] for name in _GROUP_COLUMNS))
        grouped.setdefault(key, []).append(row)
    return [
        GroupRuns(key, tuple(_stored_run(row, texts) for row in _by_value(members)))
        for key, members in sorted(grouped.items())
    ]


def _by_value(rows: Sequence[Any]) -> list[Any]:
    return sorted(rows, key=lambda row: (row.value, row.result_id))


def _stored_run(row: Any, texts: dict[Any, str]) -> StoredRun:
    settings = row.settings if isinstance(row.settings, dict) else {}
    build = settings.get("engine_version")
    return StoredRun(
        value=row.value,
        result_id=row.result_id,
        source=texts[row.source_id],
        build=str(build) if build else "",
        date=row.source_date or "",
    )


def _group_values(
    group: GroupKey,
    described: dict[tuple[str, int], BenchmarkDescription],
    rows: Sequence[Any],
    texts: dict[Any, str],
) -> GroupValues:
    return GroupValues(
        key=group,
        description=described[(group.benchmark, group.benchmark_version)],
        values=tuple(row.value for row in rows),
        result_ids=tuple(row.result_id for row in rows),
        sources=tuple(sorted({texts[row.source_id] for row in rows})),
    )


def _description(connection: sa.Connection, benchmark: str, version: int) -> BenchmarkDescription:
    """From one of the benchmark version's rows (an index seek, not a scan)."""
    query = (
        sa.select(results.c.category, results.c.metric, results.c.unit, results.c.higher_is_better)
        .where(results.c.benchmark == benchmark, results.c.benchmark_version == version)
        .limit(1)
    )
    row = connection.execute(query).one()
    return BenchmarkDescription(row.category, row.metric, row.unit, row.higher_is_better)


def _source_texts(connection: sa.Connection, source_ids: set[Any]) -> dict[Any, str]:
    wanted = [source_id for source_id in source_ids if source_id is not None]
    texts: dict[Any, str] = {None: "unknown source"}
    for start in range(0, len(wanted), DELETE_CHUNK):
        query = sa.select(sources.c.id, sources.c.text).where(
            sources.c.id.in_(wanted[start : start + DELETE_CHUNK])
        )
        texts.update({source_id: text for source_id, text in connection.execute(query)})
    return texts


def save(
    connection: sa.Connection, summaries: Sequence[GroupSummary], removed: Sequence[GroupKey]
) -> None:
    """Upsert the summaries; delete the summaries of groups that no longer have values."""
    for group in removed:
        connection.execute(sa.delete(group_summaries).where(*_key_condition(group)))
    if summaries:
        connection.execute(_upsert(connection), [_summary_row(s) for s in summaries])


def _upsert(connection: sa.Connection) -> Any:
    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    statement = dialect.insert(group_summaries)
    updated = {c.name: statement.excluded[c.name] for c in group_summaries.c if not c.primary_key}
    return statement.on_conflict_do_update(index_elements=list(_GROUP_COLUMNS), set_=updated)


def _key_condition(group: GroupKey) -> list[Any]:
    return [group_summaries.c[name] == value for name, value in group._asdict().items()]


def _summary_row(summary: GroupSummary) -> dict[str, Any]:
    return {
        **summary.key._asdict(),
        "category": summary.description.category,
        "metric": summary.description.metric,
        "unit": summary.description.unit,
        "higher_is_better": summary.description.higher_is_better,
        "n": summary.n,
        "median": summary.median,
        "ci_low": summary.ci_low,
        "ci_high": summary.ci_high,
        "method": summary.method,
        "result_ids": json.dumps(summary.result_ids),
        "sources": json.dumps(summary.sources),
        "replicates": summary.replicates,
    }


def finish(connection: sa.Connection, change_ids: Sequence[int], method: str) -> None:
    """Drop the change-log entries that were processed; remember the method used."""
    ids = list(change_ids)
    for start in range(0, len(ids), DELETE_CHUNK):
        chunk = ids[start : start + DELETE_CHUNK]
        connection.execute(sa.delete(summary_changes).where(summary_changes.c.id.in_(chunk)))
    if _stored_method(connection) != method:
        connection.execute(sa.delete(store_meta).where(store_meta.c.key == SUMMARY_METHOD_KEY))
        connection.execute(sa.insert(store_meta).values(key=SUMMARY_METHOD_KEY, value=method))


def read(
    connection: sa.Connection, systems: Sequence[tuple[str, int]] | None
) -> list[GroupSummary]:
    """The stored summaries of these (gpu id, count) systems; all of them for None."""
    query = sa.select(group_summaries)
    if systems is not None:
        if not systems:
            return []
        query = query.where(
            sa.or_(
                *[
                    sa.and_(
                        group_summaries.c.gpu_id == gpu_id, group_summaries.c.gpu_count == count
                    )
                    for gpu_id, count in systems
                ]
            )
        )
    # sorted here: an ORDER BY would copy every row, blobs included, into a temporary b-tree
    rows = connection.execute(query).all()
    return sorted((_summary(row) for row in rows), key=lambda summary: summary.key)


def _summary(row: Any) -> GroupSummary:
    return GroupSummary(
        key=GroupKey(
            row.gpu_id, row.gpu_count, row.benchmark, row.benchmark_version, row.identity_key
        ),
        description=BenchmarkDescription(row.category, row.metric, row.unit, row.higher_is_better),
        n=row.n,
        median=row.median,
        ci_low=row.ci_low,
        ci_high=row.ci_high,
        method=row.method,
        result_ids=tuple(json.loads(row.result_ids)),
        sources=tuple(json.loads(row.sources)),
        replicates=bytes(row.replicates) if row.replicates is not None else None,
    )
