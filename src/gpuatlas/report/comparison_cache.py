"""A warm on-disk cache of whole comparisons, so `gpuatlas compare A B` asked again with the
same inputs is rendered from the stored document instead of rebuilt (imports of the models
and the database layer, the serving simulations, the measured pairs: most of its time).

An entry's key is a hash of everything the document is computed from:

- the request: both sides as written and every option's value;
- the gpuatlas package itself, code and data alike (the catalog, the measured data set, the
  calibration, the engine profiles): the path, size and modification time of every file;
- the user's price files (the config folder's and ``GPUATLAS_PRICE_FILES``), the same way;
- the results database: the SQLite file and its write-ahead log, the same way;
- NumPy, which computes the statistics and the models' arrays: its installed files' stamps
  (an upgrade writes new files), found without importing it.

Anything else is not cached: a database that is not a plain SQLite file (PostgreSQL changes
without a file to watch), a ``--model`` given as a config.json path or folder, and a document
in which a section failed for a reason other than the request (the store could not be read,
an unexpected error), so the failure is not repeated from the cache. The document is stored
only when the database did not change while it was built (a first run, which creates and
seeds the database, stores nothing). A hit is the stored document with a new
``generated_at``. Entries live beside the parsed catalog's (``GPUATLAS_CACHE_DIR``,
``GPUATLAS_NO_CACHE``: catalog/parsed_cache.py); the newest ``MAX_ENTRIES`` are kept.
"""

from __future__ import annotations

import dataclasses
import hashlib
import importlib.util
import os
import sys
from collections.abc import Callable, Iterable, Mapping
from contextlib import suppress
from datetime import UTC, datetime
from pathlib import Path

import gpuatlas
from gpuatlas.catalog.parsed_cache import cache_folder, read_entry, write_entry
from gpuatlas.catalog.prices import user_price_files
from gpuatlas.report.document import Comparison
from gpuatlas.report.reading_store import reading_database_url
from gpuatlas.store.location import sqlite_file

CACHE_FORMAT = "1"
ENTRY_PREFIX = "comparison-"
ENTRY_SUFFIX = ".pickle"
MAX_ENTRIES = 64
GENERATED_AT_FORMAT = "%Y-%m-%dT%H:%M:%SZ"

# The omission reasons of sections that failed for a reason other than the request
# (report/build.py writes them): such a document is never stored.
UNEXPECTED_FAILURE = "could not be computed ("
STORE_UNREADABLE = "the results store could not be read ("

Options = Mapping[str, object]


def generated_at_now() -> str:
    """A comparison's ``generated_at``: now, UTC, to the second."""
    return datetime.now(UTC).strftime(GENERATED_AT_FORMAT)


def cached_comparison(
    a: str, b: str, options: Options, build: Callable[[], Comparison]
) -> Comparison:
    """The comparison of A and B with these options: from the cache when every input is the
    one it was built from (with a new ``generated_at``), else ``build()``, stored for the
    next run when it can be."""
    folder = cache_folder()
    key = comparison_key(a, b, options)
    if folder is None or key is None:
        return build()
    entry = folder / f"{ENTRY_PREFIX}{key}{ENTRY_SUFFIX}"
    found = read_entry(entry)
    if found is not None and isinstance(found[0], Comparison):
        return dataclasses.replace(found[0], generated_at=generated_at_now())
    comparison = build()
    if is_reproducible(comparison) and comparison_key(a, b, options) == key:
        write_entry(entry, (comparison,))
        remove_oldest_entries(folder, MAX_ENTRIES)
    return comparison


def comparison_key(a: str, b: str, options: Options) -> str | None:
    """The hash of the request and of every input's identity; None when an input cannot be
    watched (the comparison is then never cached)."""
    store = store_identity()
    if store is None or model_is_a_path(options.get("model")):
        return None
    digest = hashlib.sha256()
    for part in (CACHE_FORMAT, sys.version, repr(a), repr(b), repr(sorted(options.items()))):
        digest.update(part.encode())
        digest.update(b"\0")
    digest.update(files_identity(package_files()).encode())
    digest.update(files_identity(user_price_files()).encode())
    digest.update(files_identity(dependency_files()).encode())
    digest.update(store.encode())
    return digest.hexdigest()[:32]


def package_files() -> list[Path]:
    """Every file of the installed gpuatlas package (code and data; bytecode aside)."""
    root = Path(gpuatlas.__file__).parent
    found = []
    for folder, subfolders, files in os.walk(root):
        subfolders[:] = sorted(name for name in subfolders if name != "__pycache__")
        found += [Path(folder) / name for name in sorted(files)]
    return found


def dependency_files() -> list[Path]:
    """The installed files that say which NumPy computes the numbers (none if it is absent)."""
    spec = importlib.util.find_spec("numpy")
    if spec is None or spec.origin is None:
        return []
    package = Path(spec.origin).parent
    return [package / "__init__.py", package / "version.py"]


def files_identity(paths: Iterable[Path]) -> str:
    """Each file's path, size and modification time (``-`` for a missing file), one a line."""
    return "\n".join(f"{path}\t{file_stamp(path)}" for path in paths)


def file_stamp(path: Path) -> str:
    try:
        status = path.stat()
    except OSError:
        return "-"
    return f"{status.st_size}:{status.st_mtime_ns}:{status.st_ino}"


def store_identity() -> str | None:
    """The results database's file and write-ahead log as stamps (an empty log, as an open
    connection leaves it, holds nothing: the same as none); None unless the database is a
    plain SQLite file."""
    url = reading_database_url()
    database = sqlite_file(url)
    if database is None:
        return None
    log = Path(f"{database}-wal")
    log_stamp = file_stamp(log) if log.exists() and log.stat().st_size else "-"
    return f"{url}\n{files_identity([database])}\n{log}\t{log_stamp}"


def model_is_a_path(model: object) -> bool:
    """A ``--model`` naming a config.json file or a model folder (its contents can change)."""
    if not isinstance(model, str):
        return False
    return model.endswith(".json") or Path(model).is_dir()


def is_reproducible(comparison: Comparison) -> bool:
    """No section was left out for a failure the same request might not meet again."""
    return not any(
        section.omitted and section.omitted.startswith((UNEXPECTED_FAILURE, STORE_UNREADABLE))
        for section in comparison.sections
    )


def failed_sections(comparison: Comparison) -> list[str]:
    """The titles of the sections a defect left out (not the request, not a missing store):
    `compare` exits 1 on them (it exited 0 with 'section hardware failed … NameError')."""
    return [
        section.title
        for section in comparison.sections
        if section.omitted and section.omitted.startswith(UNEXPECTED_FAILURE)
    ]


def remove_oldest_entries(folder: Path, keep: int) -> None:
    """Delete all but the `keep` most recently written comparison entries (best effort)."""
    try:
        entries = sorted(
            folder.glob(f"{ENTRY_PREFIX}*{ENTRY_SUFFIX}"),
            key=lambda path: path.stat().st_mtime_ns,
            reverse=True,
        )
    except OSError:
        return
    for path in entries[keep:]:
        with suppress(OSError):
            path.unlink(missing_ok=True)
