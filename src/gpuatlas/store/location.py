"""Where the results database is: its URL and, for a SQLite file, the file itself.

Pure path logic (no SQLAlchemy), so a command can tell which database it would read, and
whether that file changed, without importing the database layer.
"""

from __future__ import annotations

from pathlib import Path

import platformdirs

from gpuatlas.settings import settings

SQLITE_FILE_PREFIX = "sqlite:///"


def default_database_path() -> Path:
    """The embedded database file: ``<user data dir>/gpuatlas/gpuatlas.db``."""
    folder = settings.data_dir or Path(platformdirs.user_data_dir("gpuatlas"))
    return folder / "gpuatlas.db"


def default_database_url() -> str:
    return f"{SQLITE_FILE_PREFIX}{default_database_path()}"


def resolve_database_url(url: str | None = None) -> tuple[str, bool]:
    """The URL to use and whether it is the default embedded database."""
    if url:
        return normalise_url(url), False
    configured = settings.database_url
    if configured:
        return normalise_url(configured), False
    return default_database_url(), True


def normalise_url(url: str) -> str:
    """Accept plain ``postgresql://`` URLs and use psycopg 3 for them; a bare path is SQLite."""
    if url.startswith(("postgresql://", "postgres://")):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    if "://" not in url:
        return f"{SQLITE_FILE_PREFIX}{Path(url).expanduser().resolve()}"
    return url


def is_sqlite(url: str) -> bool:
    return url.startswith("sqlite")


def sqlite_file(url: str) -> Path | None:
    """The database file of a plain ``sqlite:///path`` URL; None for an in-memory database, a
    URL with query options or driver, or any other backend."""
    if not url.startswith(SQLITE_FILE_PREFIX):
        return None
    database = url.removeprefix(SQLITE_FILE_PREFIX)
    if not database or database == ":memory:" or database.startswith("file:") or "?" in database:
        return None
    return Path(database)
