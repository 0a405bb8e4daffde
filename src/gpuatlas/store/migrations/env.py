"""Alembic environment: always run programmatically with a connection (see store.migrate)."""

from __future__ import annotations

from alembic import context

from gpuatlas.store.tables import metadata

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations through gpuatlas.store.migrate (gpuatlas db upgrade)")
context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
