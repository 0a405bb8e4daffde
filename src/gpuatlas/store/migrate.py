"""Alembic migrations, run programmatically (no alembic.ini needed).

Opening a store that is already at the newest migration (every open but the first after an
upgrade) does not import alembic: the newest revision is read from the migration scripts once
and kept in the parsed-data cache (keyed by the scripts' bytes), the stored one with one query.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy import Connection, text
from sqlalchemy.engine import Engine

from gpuatlas.catalog.parsed_cache import cached_parse

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
MIGRATION_LOCK_KEY = 741_852_963


def alembic_config() -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return config


@cache
def head_revision() -> str:
    """The newest migration (read once per process: the scripts ship with the package)."""
    scripts = sorted((MIGRATIONS_DIR / "versions").glob("*.py"))
    return cached_parse("migration_head", scripts, scripts_head_revision)


def scripts_head_revision() -> str:
    """The newest migration as alembic reads it from the scripts."""
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    if head is None:
        raise RuntimeError("no migrations found")
    return head


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def stored_revision(engine: Engine) -> str | None:
    """The one revision the database records (alembic's table, read without alembic); None
    when it records none or several (then alembic itself decides)."""
    with engine.connect() as connection:
        if not sa.inspect(connection).has_table("alembic_version"):
            return None
        rows = connection.execute(text("SELECT version_num FROM alembic_version")).all()
    return str(rows[0][0]) if len(rows) == 1 else None


def upgrade_to_head(engine: Engine) -> tuple[str | None, str]:
    """Apply every pending migration; returns (revision before, revision after)."""
    head = head_revision()
    if stored_revision(engine) == head:
        return head, head
    before = current_revision(engine)
    if before == head:
        return before, head
    from alembic import command

    config = alembic_config()
    with engine.connect().execution_options(sqlite_write=True) as connection, connection.begin():
        _lock_against_concurrent_upgrades(connection)
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
    return before, head


def _lock_against_concurrent_upgrades(connection: Connection) -> None:
    """Several app workers may start at once: one migrates, the others wait, then see head."""
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK_KEY})
