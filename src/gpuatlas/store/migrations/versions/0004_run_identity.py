"""Run identity and validity: results are grouped by (system, benchmark, version, identity) —
the identity names the engine, the weights and a digest of settings that contradict the suite's
definition — and a result not valid for comparison is flagged (``comparable``).

Existing results get their identity computed from their stored settings and fingerprint (rows
of the public data set keep "": their benchmark key already names their workload). The group
summaries are a cache: they are rebuilt with the new key (every group logged as changed).

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import warnings
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

GROUP_COLUMNS = ("gpu_id", "gpu_count", "benchmark", "benchmark_version", "identity_key")
BACKFILL_CHUNK = 1000
COVER_COLUMNS = (
    "gpu_id",
    "gpu_count",
    "quarantined",
    "benchmark",
    "benchmark_version",
    "identity_key",
    "value",
    "result_id",
    "source_id",
)


def _replace_cover_index(columns: tuple[str, ...]) -> None:
    """The covering index of comparison reads, with or without the identity column."""
    op.drop_index("ix_results_compare_cover", table_name="results")
    op.create_index("ix_results_compare_cover", "results", list(columns))


def upgrade() -> None:
    with op.batch_alter_table("results") as batch:
        batch.add_column(
            sa.Column("identity_key", sa.String(64), nullable=False, server_default="")
        )
        batch.add_column(
            sa.Column("comparable", sa.Boolean, nullable=False, server_default=sa.true())
        )
    _replace_cover_index(COVER_COLUMNS)
    _backfill_identity()
    _key_summaries_by_identity()
    _log_every_group(GROUP_COLUMNS)


def _backfill_identity() -> None:
    connection = op.get_bind()
    table = sa.table(
        "results",
        sa.column("id"),
        sa.column("benchmark"),
        sa.column("settings", sa.JSON),
        sa.column("fingerprint", sa.JSON),
        sa.column("origin"),
        sa.column("identity_key"),
    )
    rows = connection.execute(
        sa.select(table.c.id, table.c.benchmark, table.c.settings, table.c.fingerprint).where(
            table.c.origin != "public"
        )
    ).all()
    updates = [
        {"row_id": row.id, "key": key}
        for row in rows
        if (key := _identity(row.benchmark, row.settings, row.fingerprint))
    ]
    statement = (
        table.update()
        .where(table.c.id == sa.bindparam("row_id"))
        .values(identity_key=sa.bindparam("key"))
    )
    for start in range(0, len(updates), BACKFILL_CHUNK):
        connection.execute(statement, updates[start : start + BACKFILL_CHUNK])


def _identity(benchmark: str, settings: Any, fingerprint: Any) -> str:
    from pydantic import ValidationError

    from gpuatlas.records.identity import identity_key_of
    from gpuatlas.records.result import Settings

    try:
        parsed = Settings.model_validate(settings or {})
    except ValidationError:
        return ""
    engine = (fingerprint or {}).get("engine") if isinstance(fingerprint, dict) else None
    name = engine.get("name") if isinstance(engine, dict) else None
    return identity_key_of(benchmark, name if isinstance(name, str) else None, parsed)


def _key_summaries_by_identity(with_identity: bool = True) -> None:
    """The summary cache keyed with (or, going down, without) identity_key. Its rows are
    dropped (recomputed from results on the next read)."""
    op.execute("DELETE FROM group_summaries")
    op.execute("DELETE FROM summary_changes")
    columns = list(GROUP_COLUMNS if with_identity else GROUP_COLUMNS[:-1])
    is_postgresql = op.get_bind().dialect.name == "postgresql"
    if is_postgresql:
        op.drop_constraint("group_summaries_pkey", "group_summaries", type_="primary")
    with warnings.catch_warnings():
        # SQLite rebuilds the table with the new primary key; SQLAlchemy warns that the copy's
        # key differs from the reflected one, which is the point of this step.
        warnings.filterwarnings(
            "ignore", message=r"Table '_alembic_tmp_group_summaries'", category=sa.exc.SAWarning
        )
        with op.batch_alter_table("group_summaries", recreate="auto") as batch:
            if with_identity:
                batch.add_column(
                    sa.Column("identity_key", sa.String(64), nullable=False, server_default="")
                )
            else:
                batch.drop_column("identity_key")
            if not is_postgresql:
                batch.create_primary_key("pk_group_summaries", columns)
    if is_postgresql:
        op.create_primary_key("group_summaries_pkey", "group_summaries", columns)
    with op.batch_alter_table("summary_changes") as batch:
        if with_identity:
            batch.add_column(
                sa.Column("identity_key", sa.String(64), nullable=False, server_default="")
            )
        else:
            batch.drop_column("identity_key")


def _log_every_group(columns: tuple[str, ...]) -> None:
    names = ", ".join(columns)
    op.execute(
        f"INSERT INTO summary_changes ({names}) "
        f"SELECT DISTINCT {names} FROM results WHERE gpu_id IS NOT NULL"
    )


def downgrade() -> None:
    _key_summaries_by_identity(with_identity=False)
    _replace_cover_index(tuple(c for c in COVER_COLUMNS if c != "identity_key"))
    with op.batch_alter_table("results") as batch:
        batch.drop_column("comparable")
        batch.drop_column("identity_key")
    _log_every_group(GROUP_COLUMNS[:-1])
