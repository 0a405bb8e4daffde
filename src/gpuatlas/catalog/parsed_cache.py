"""An on-disk cache of catalog data already parsed and validated, so a command does not parse
and validate the same TOML files on every start (the pure-Python TOML parser and the pydantic
checks are most of a catalog command's time).

An entry's file name is a hash of everything its value depends on: the cache format, the Python
version, the catalog's own source code (every ``gpuatlas/catalog/*.py``: a changed type or
validator is a new key) and the bytes of every data file read. Editing a data file therefore
changes the key and the next run parses afresh; entries of the same kind with another key are
deleted then. A missing, unreadable or corrupt entry is parsed again; a cache directory that
cannot be written (read-only home, sandbox) costs only the parse, never an error. A file that
fails validation is never cached, so its error is reported on every run.

Where: ``$GPUATLAS_CACHE_DIR``, else the user's cache directory (``platformdirs``) under
``gpuatlas/catalog``; ``GPUATLAS_NO_CACHE=1`` turns the cache off. Entries are pickles written
only by this module into the user's own cache directory; do not point ``GPUATLAS_CACHE_DIR`` at
a directory other users can write.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import sys
from collections.abc import Callable, Sequence
from contextlib import suppress
from functools import cache
from pathlib import Path
from typing import TypeVar, cast

import platformdirs

from gpuatlas.settings import CACHE_DIR, NO_CACHE, settings

CACHE_DIR_VARIABLE = CACHE_DIR.variable
NO_CACHE_VARIABLE = NO_CACHE.variable
CACHE_FORMAT = "1"
ENTRY_SUFFIX = ".pickle"

T = TypeVar("T")


def cache_folder() -> Path | None:
    """Where entries live; None when the cache is turned off."""
    if settings.no_cache:
        return None
    if settings.cache_dir is not None:
        return settings.cache_dir
    return Path(platformdirs.user_cache_dir("gpuatlas")) / "catalog"


@cache
def catalog_source_fingerprint() -> str:
    """A hash of the catalog package's source files (types and validators of cached values)."""
    digest = hashlib.sha256()
    for path in sorted(Path(__file__).parent.glob("*.py")):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def entry_key(kind: str, data_files: Sequence[Path]) -> str:
    """The key of one cached value: format, Python, catalog code and the data files' bytes."""
    digest = hashlib.sha256()
    for part in (CACHE_FORMAT, sys.version, kind, catalog_source_fingerprint()):
        digest.update(part.encode())
        digest.update(b"\0")
    for path in data_files:
        digest.update(path.name.encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()[:32]


def cached_parse(kind: str, data_files: Sequence[Path], parse: Callable[[], T]) -> T:
    """``parse()``'s value, from the cache when the data files and the catalog code are the
    ones it was computed from; else parsed, then stored for the next run (best effort).
    ``kind`` names the value ("gpus") and must be a plain word (no "-")."""
    if not kind.isidentifier():
        raise ValueError(f"cache kind must be a plain word, not {kind!r}")
    folder = cache_folder()
    if folder is None:
        return parse()
    entry = folder / f"{kind}-{entry_key(kind, data_files)}{ENTRY_SUFFIX}"
    found = read_entry(entry)
    if found is not None:
        return cast(T, found[0])  # the key pins the code and data it was parsed from
    value = parse()
    write_entry(entry, (value,))
    _remove_other_entries(folder, kind, keep=entry)
    return value


def read_entry(entry: Path) -> tuple[object] | None:
    """The stored 1-tuple, or None when missing or unusable (corrupt, written by other code)."""
    try:
        data = entry.read_bytes()
    except OSError:
        return None
    try:
        value = pickle.loads(data)
    except Exception:  # a truncated or foreign file is a cache miss, never an error
        return None
    return value if isinstance(value, tuple) and len(value) == 1 else None


def write_entry(entry: Path, value: tuple[object]) -> None:
    """Write atomically (a temporary file renamed over the entry); any OSError is ignored."""
    temporary = entry.with_name(f".{entry.name}.{os.getpid()}.tmp")
    try:
        entry.parent.mkdir(parents=True, exist_ok=True)
        temporary.write_bytes(pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))
        os.replace(temporary, entry)
    except OSError:
        _remove_quietly(temporary)


def _remove_other_entries(folder: Path, kind: str, keep: Path) -> None:
    """Entries of this kind for older data or code: they can never be read again."""
    try:
        stale = [path for path in folder.glob(f"{kind}-*{ENTRY_SUFFIX}") if path != keep]
    except OSError:
        return
    for path in stale:
        _remove_quietly(path)


def _remove_quietly(path: Path) -> None:
    with suppress(OSError):
        path.unlink(missing_ok=True)
