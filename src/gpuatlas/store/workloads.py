"""SQL for the public workloads table: each public benchmark's workload as columns, written with
the public data set and read back as ``Workload`` values."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import asdict, fields

import sqlalchemy as sa

from gpuatlas.records.workload import Workload
from gpuatlas.store.tables import public_workloads

NAMES_PER_QUERY = 500
WORKLOAD_FIELDS = tuple(field.name for field in fields(Workload))


def replace(connection: sa.Connection, workloads: Sequence[Workload]) -> None:
    connection.execute(sa.delete(public_workloads))
    rows = {workload.benchmark_name(): asdict(workload) for workload in workloads}
    if rows:
        connection.execute(
            sa.insert(public_workloads),
            [{"benchmark": name, **values} for name, values in rows.items()],
        )


def read(connection: sa.Connection, benchmarks: Collection[str]) -> dict[str, Workload]:
    names = sorted(benchmarks)
    found: dict[str, Workload] = {}
    for start in range(0, len(names), NAMES_PER_QUERY):
        query = sa.select(public_workloads).where(
            public_workloads.c.benchmark.in_(names[start : start + NAMES_PER_QUERY])
        )
        for row in connection.execute(query):
            values = row._mapping
            found[row.benchmark] = Workload(**{name: values[name] for name in WORKLOAD_FIELDS})
    return found
