"""Opening a store: connect, migrate, catch up on summaries and load the default data.

Above both the Store and the seed loader (which writes through a Store), so neither imports the
other's module at run time. A database that cannot be opened (a closed port, a missing
database, a scheme without a driver here) is a DatabaseOpenError: one line naming the URL
(password hidden) and the cause, never a traceback.
"""

from __future__ import annotations

import sqlalchemy as sa

from gpuatlas.errors import GpuAtlasError
from gpuatlas.store.engine import create_database_engine
from gpuatlas.store.location import resolve_database_url, sqlite_file
from gpuatlas.store.seed import load_default_data
from gpuatlas.store.store import Store

SUPPORTED_URLS = (
    "sqlite:///PATH (or a plain path), postgresql://USER:PASSWORD@HOST:PORT/DATABASE (psycopg 3)"
)
SUPPORTED_PREFIXES = ("sqlite://", "sqlite+pysqlite://", "postgresql+psycopg://")
# What connecting or migrating raises when the database is not there or not reachable
OPEN_ERRORS = (
    sa.exc.OperationalError,
    sa.exc.InterfaceError,
    sa.exc.ArgumentError,
    sa.exc.NoSuchModuleError,
    ModuleNotFoundError,
    OSError,
)


class DatabaseOpenError(GpuAtlasError):
    """The database at a URL cannot be opened (exit code 2, one line)."""


def shown_url(url: str) -> str:
    """A database URL with its password hidden."""
    try:
        return sa.engine.make_url(url).render_as_string(hide_password=True)
    except sa.exc.ArgumentError:
        return url.split("@", 1)[-1] if "@" in url else url


def open_store(
    url: str | None = None,
    *,
    migrate: bool = True,
    seed: bool | None = None,
    must_exist: bool = False,
) -> Store:
    """Open (and by default migrate) the store at ``url``, ``$GPUATLAS_DATABASE_URL`` or the
    default embedded database. The default database is loaded with the public measured data
    set on first use (``seed``: force on/off). ``must_exist``: a SQLite file that is not there
    is an error instead of a new empty database (commands that only read)."""
    resolved, is_default = resolve_database_url(url)
    _check_url(resolved, must_exist)
    try:
        store = Store(create_database_engine(resolved), resolved, is_default)
        if migrate:
            store.upgrade()
            store.refresh_summaries()  # catch up after an interrupted writer (usually no-op)
    except OPEN_ERRORS as error:
        raise DatabaseOpenError(
            f"cannot open the database {shown_url(resolved)}: {_cause(error)}"
        ) from None
    if seed if seed is not None else is_default:
        load_default_data(store)
    return store


def _check_url(url: str, must_exist: bool) -> None:
    if not url.startswith(SUPPORTED_PREFIXES):
        scheme = url.split("://", 1)[0]
        raise DatabaseOpenError(
            f"cannot open the database {shown_url(url)}: the scheme {scheme!r} is not "
            f"supported (supported: {SUPPORTED_URLS})"
        )
    path = sqlite_file(url)
    if must_exist and path is not None and not path.is_file():
        raise DatabaseOpenError(
            f"no database at {path}: `gpuatlas db init --url {url}` creates one "
            "(this command only reads)"
        )


def _cause(error: BaseException) -> str:
    """The driver's own words, first line (psycopg: 'connection ... failed: Connection
    refused'; SQLite: 'unable to open database file')."""
    original = getattr(error, "orig", None) or error
    lines = [line.strip() for line in str(original).splitlines() if line.strip()]
    return lines[0] if lines else type(original).__name__
