"""The agent's on-disk spool: a result is written here before it is pushed, and deleted only
after the server acknowledged it. Writes are atomic (temp file + fsync + rename), so a kill at
any moment leaves either the whole file or none."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import platformdirs

from gpuatlas.bench.result import BenchResult, result_to_json


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

    def ensure(self) -> Spool:
        self.pending_dir.mkdir(parents=True, exist_ok=True)
        self.rejected_dir.mkdir(parents=True, exist_ok=True)
        return self

    def put(self, result: BenchResult) -> Path:
        """Spool one result (idempotent: the file is named by its result id)."""
        return _atomic_write(self.pending_dir / _file_name(result.result_id),
                             result_to_json(result))

    def pending(self) -> list[Path]:
        """Spooled files, oldest first."""
        files = self.pending_dir.glob("*.json")
        return sorted(files, key=lambda path: (path.stat().st_mtime_ns, path.name))

    def acknowledge(self, result_ids: set[str]) -> int:
        removed = 0
        for result_id in result_ids:
            path = self.pending_dir / _file_name(result_id)
            if path.exists():
                path.unlink()
                removed += 1
        return removed

    def reject(self, path: Path, problems: list[str]) -> Path:
        """Move a result the server refused as invalid aside, with the server's reasons."""
        target = self.rejected_dir / path.name
        os.replace(path, target)
        _atomic_write(target.with_suffix(".problems.json"), json.dumps(problems, indent=2))
        return target


def _file_name(result_id: str) -> str:
    safe = "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in result_id)
    return f"{safe}.json"


def _atomic_write(path: Path, text: str) -> Path:
    temporary = path.with_name(f".{path.name}.tmp")
    with open(temporary, "w", encoding="utf-8") as handle:
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


def read_document(path: Path) -> dict[str, Any]:
    loaded = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(loaded, dict):
        raise ValueError(f"{path}: not a JSON object")
    return loaded
