"""Opening a store: connect, migrate, catch up on summaries and load the default data.

Above both the Store and the seed loader (which writes through a Store), so neither imports the
other's module at run time.
"""

from __future__ import annotations

from gpuatlas.store.engine import create_database_engine
from gpuatlas.store.location import resolve_database_url
from gpuatlas.store.seed import load_default_data
from gpuatlas.store.store import Store


def open_store(url: str | None = None, *, migrate: bool = True, seed: bool | None = None) -> Store:
    """Open (and by default migrate) the store at ``url``, ``$GPUATLAS_DATABASE_URL`` or the
    default embedded database. The default database is loaded with the public measured data
    set on first use (``seed``: force on/off)."""
    resolved, is_default = resolve_database_url(url)
    store = Store(create_database_engine(resolved), resolved, is_default)
    if migrate:
        store.upgrade()
        store.refresh_summaries()  # catch up after an interrupted writer (usually no-op reads)
    if seed if seed is not None else is_default:
        load_default_data(store)
    return store
