"""How to connect to the database (where it is: store/location.py): SQLite (WAL) by default,
PostgreSQL by URL.

Durability: SQLite runs in WAL mode with ``synchronous=FULL``, so the WAL is fsynced at every
commit and a result the server acknowledged survives a power cut as well as a process kill
(NORMAL would survive a process kill but could lose the last commits on power loss). The
database file (and the WAL and shared-memory files SQLite creates beside it with the same
permissions) is created readable by its owner only (0600), in a folder only its owner can list
(0700) when GPU Atlas creates the folder.
"""

from __future__ import annotations

import os
import sqlite3
import time
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.pool import NullPool

from gpuatlas.settings import DATA_DIR, DATABASE_URL
from gpuatlas.store.location import is_sqlite

DATABASE_URL_VARIABLE = DATABASE_URL.variable
DATA_DIR_VARIABLE = DATA_DIR.variable
SQLITE_BUSY_TIMEOUT_S = 60
WAL_SWITCH_RETRY_S = 0.05
SQLITE_SYNCHRONOUS = "FULL"
PRIVATE_FILE_MODE = 0o600
PRIVATE_DIR_MODE = 0o700


def create_database_engine(url: str) -> Engine:
    """An engine with the settings each backend needs for concurrent use."""
    if is_sqlite(url):
        return _sqlite_engine(url)
    return sa.create_engine(url, pool_pre_ping=True, pool_size=8, max_overflow=16)


def _sqlite_engine(url: str) -> Engine:
    database = sa.engine.make_url(url).database
    if database and database != ":memory:" and not database.startswith("file:"):
        create_private_file(Path(database))
    engine = sa.create_engine(
        url,
        connect_args={"timeout": SQLITE_BUSY_TIMEOUT_S, "check_same_thread": False},
        poolclass=NullPool if database in (None, "", ":memory:") else None,
    )
    sa.event.listen(engine, "connect", _configure_sqlite_connection)
    sa.event.listen(engine, "begin", _begin_sqlite_transaction)
    return engine


def create_private_file(path: Path) -> None:
    """Create ``path`` (and missing folders, 0700) as an empty 0600 file if it is absent."""
    if not path.parent.exists():
        path.parent.mkdir(parents=True, mode=PRIVATE_DIR_MODE, exist_ok=True)
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE_MODE)
    except FileExistsError:
        return
    os.close(descriptor)


def _configure_sqlite_connection(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.isolation_level = None  # we issue BEGIN ourselves (see below)
    cursor = dbapi_connection.cursor()
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_S * 1000}")
    _switch_to_wal(cursor)
    cursor.execute(f"PRAGMA synchronous={SQLITE_SYNCHRONOUS}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def _switch_to_wal(cursor: Any) -> None:
    """Put the database in WAL mode. A database already in WAL needs no lock (the usual open).
    Leaving the rollback journal needs the database to itself, and SQLite answers "database is
    locked" at once, without its busy handler, while another connection holds a lock: two
    commands started together on a fresh install did so. So the switch is retried until the
    busy timeout, as any other locked write waits."""
    if str(cursor.execute("PRAGMA journal_mode").fetchone()[0]).lower() == "wal":
        return
    deadline = time.monotonic() + SQLITE_BUSY_TIMEOUT_S
    while True:
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as error:
            if "locked" not in str(error) or time.monotonic() >= deadline:
                raise
            time.sleep(WAL_SWITCH_RETRY_S)


def _begin_sqlite_transaction(connection: sa.Connection) -> None:
    """Writers take the write lock up front (BEGIN IMMEDIATE), so they wait instead of failing."""
    if connection.get_execution_options().get("sqlite_write", False):
        connection.exec_driver_sql("BEGIN IMMEDIATE")
    else:
        connection.exec_driver_sql("BEGIN")
