"""Loading the default data (public data set + the project's own runs) into a store."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from gpuatlas.records.result import load_result
from gpuatlas.store.convert import result_row
from gpuatlas.store.plausibility import plausibility_problems
from gpuatlas.store.public_data import (
    data_set_fingerprint,
    project_result_files,
    public_rows,
    public_workloads,
)
from gpuatlas.store.store import PUBLIC_DATA_SET, Store


def load_default_data(store: Store, force: bool = False) -> bool:
    """Load (or refresh) the packaged data; a no-op when the store already has this version."""
    fingerprint = data_set_fingerprint()
    if not force and store.meta(PUBLIC_DATA_SET) == fingerprint:
        return False
    rows = public_rows() + project_rows()
    return store.replace_public_data(rows, fingerprint, public_workloads())


def project_rows() -> list[dict[str, Any]]:
    received_at = datetime.now(UTC)
    rows = []
    for path in project_result_files():
        result = load_result(path)
        rows.append(
            result_row(
                result,
                origin="project",
                agent=None,
                received_at=received_at,
                quarantine_reasons=plausibility_problems(result),
            )
        )
    return rows
