"""Which results store a report reads: the one a web app hands it for the request it serves
(`reading_from`), else the configured one (GPUATLAS_DATABASE_URL, or the default database).

A context variable, not the process environment: an app over its own store (a test's, an
embedded server's) does not change what the rest of the process reads."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TYPE_CHECKING

from gpuatlas.store.location import resolve_database_url

if TYPE_CHECKING:  # a cached report's path imports no database driver (comparison_cache)
    from gpuatlas.store import Store

_GIVEN: ContextVar[Store | None] = ContextVar("gpuatlas_report_store", default=None)


@contextmanager
def reading_from(store: Store) -> Iterator[None]:
    """Reports built inside (this task, and the threads it hands work to with its context)
    read `store`."""
    token = _GIVEN.set(store)
    try:
        yield
    finally:
        _GIVEN.reset(token)


def given_store() -> Store | None:
    """The store handed to the reports being built here, None for the configured one."""
    return _GIVEN.get()


def reading_database_url() -> str:
    """The URL of the store the reports built here read."""
    given = _GIVEN.get()
    return given.url if given is not None else resolve_database_url()[0]
