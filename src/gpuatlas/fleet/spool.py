"""The agent's on-disk spool: a result is written here before it is pushed, and deleted only
after the server acknowledged it. Writes are atomic (temp file + fsync + rename), so a kill at
any moment leaves either the whole file or none.

Layout: ``pending/`` (to push, oldest first), ``rejected/`` (refused for good by the server or
unreadable here: each with a ``.problems.json`` beside it saying why), ``raw/`` (full results
whose samples were left out of the pushed copy because it exceeded the server's size cap).
File names are ``<readable part of the id>-<sha256 of the id>.json``: distinct ids never share
a file. Folders are 0700 and files 0600 (results can name endpoints and hosts).
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import platformdirs

from gpuatlas.records.result import BenchResult, result_to_json


def default_spool_dir() -> Path:
    return Path(platformdirs.user_data_dir("gpuatlas")) / "agent-spool"


@dataclass(frozen=True)
class Spool:
    root: Path

    @property
    def pending_dir(self) -> Path:
        return self.root / "pending"

    @property
    def rejected_dir(self) -> Path:
        return self.root / "rejected"

    @property
    def raw_dir(self) -> Path:
        return self.root / "raw"

    def ensure(self) -> Spool:
        for folder in (self.root, self.pending_dir, self.rejected_dir, self.raw_dir):
            folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        return self

    def put(self, result: BenchResult) -> Path:
        """Spool one result (idempotent: the file is named by its result id)."""
        return _atomic_write(
            self.pending_dir / spool_file_name(result.result_id), result_to_json(result)
        )

    def pending(self) -> list[Path]:
        """Spooled files, oldest first."""
        return sorted(self.pending_dir.glob("*.json"), key=_age_key)

    def acknowledge(self, result_ids: set[str]) -> int:
        removed = 0
        for result_id in result_ids:
            path = self.pending_dir / spool_file_name(result_id)
            if path.exists():
                path.unlink()
                removed += 1
        return removed

    def acknowledge_files(self, paths: list[Path]) -> int:
        """Delete pushed files the server acknowledged (whatever their names)."""
        removed = 0
        for path in paths:
            if path.exists():
                path.unlink()
                removed += 1
        return removed

    def reject(self, path: Path, problems: list[str]) -> Path:
        """Move a result refused for good aside (kept, never pushed again), with the reasons."""
        target = self.rejected_dir / path.name
        os.replace(path, target)
        _atomic_write(_problems_path(target), json.dumps(problems, indent=2))
        return target

    def reject_copy(self, source: Path, problems: list[str]) -> Path:
        """Set aside a copy of a file that could not be read as a result (`agent --push`: the
        file is the user's, so it stays where it is), with the reasons."""
        digest = hashlib.sha256(str(source.resolve()).encode()).hexdigest()[:12]
        target = self.rejected_dir / f"push-{digest}-{source.stem[:64]}.json"
        try:
            content = source.read_bytes().decode("utf-8", errors="replace")
        except OSError as error:
            content = f"(could not be read: {error.strerror})"
        _atomic_write(target, content)
        _atomic_write(_problems_path(target), json.dumps(problems, indent=2))
        return target

    def keep_raw(self, path: Path, summarised: str) -> Path:
        """Keep the full file in ``raw/`` and put the summarised copy in its place."""
        target = self.raw_dir / path.name
        _atomic_write(target, path.read_text(encoding="utf-8", errors="surrogateescape"))
        _atomic_write(path, summarised)
        return target

    def rejected(self) -> list[tuple[Path, list[str]]]:
        """Rejected files with the reasons recorded beside them."""
        found = []
        for path in sorted(self.rejected_dir.glob("*.json")):
            if path.name.endswith(PROBLEMS_SUFFIX):
                continue
            try:
                reasons = json.loads(_problems_path(path).read_text(encoding="utf-8"))
            except (OSError, ValueError):
                reasons = ["(no reason recorded)"]
            found.append((path, [str(reason) for reason in reasons]))
        return found


PROBLEMS_SUFFIX = ".problems.json"


def _problems_path(path: Path) -> Path:
    return path.with_name(path.name.removesuffix(".json") + PROBLEMS_SUFFIX)


def spool_file_name(result_id: str) -> str:
    """A readable prefix of the id plus its hash: distinct ids never map to one file."""
    readable = "".join(
        ch if ch.isascii() and (ch.isalnum() or ch in "-_.") else "_" for ch in result_id[:48]
    ).lstrip(".")
    digest = hashlib.sha256(result_id.encode("utf-8", "surrogatepass")).hexdigest()[:20]
    return f"{readable or 'result'}-{digest}.json"


def _atomic_write(path: Path, text: str) -> Path:
    temporary = path.with_name(f".{path.name}.tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with open(descriptor, "w", encoding="utf-8", errors="surrogateescape") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)
    _fsync_dir(path.parent)
    return path


def _fsync_dir(folder: Path) -> None:
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _age_key(path: Path) -> tuple[int, str]:
    try:
        return path.stat().st_mtime_ns, path.name
    except OSError:  # removed meanwhile (another agent process acknowledged it)
        return 0, path.name


def read_document(path: Path) -> dict[str, Any]:
    loaded = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(loaded, dict):
        raise ValueError(f"{path}: not a JSON object")
    return loaded
