"""The Alembic migrations create exactly the schema declared in store/tables.py, on SQLite and
on PostgreSQL: a column, index or table added to one and not the other fails here."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from gpuatlas.store.migrate import upgrade_to_head
from gpuatlas.store.tables import metadata


def schema_differences(url: str) -> list[Any]:
    engine = sa.create_engine(url)
    try:
        upgrade_to_head(engine)
        with engine.connect() as connection:
            context = MigrationContext.configure(
                connection, opts={"compare_type": True, "compare_server_default": False}
            )
            differences = compare_metadata(context, metadata)
    finally:
        engine.dispose()
    return [d for d in differences if not _is_alembic_bookkeeping(d)]


def _is_alembic_bookkeeping(difference: Any) -> bool:
    return isinstance(difference, tuple) and "alembic_version" in repr(difference)


def test_migrated_database_has_exactly_the_declared_tables(database_url: str) -> None:
    assert schema_differences(database_url) == []


def test_a_table_missing_from_the_migrations_is_detected(tmp_path: Any) -> None:
    extra = sa.Table("not_migrated", metadata, sa.Column("id", sa.Integer, primary_key=True))
    try:
        differences = schema_differences(f"sqlite:///{tmp_path / 'store.db'}")
    finally:
        metadata.remove(extra)
    assert any("not_migrated" in repr(difference) for difference in differences)
