"""Sources table + covering indexes for the compare queries.

A result's source text is stored once in ``sources`` and referenced by ``results.source_id``,
so the compare query reads everything it needs (value, result id, source id) from one index
without touching the table rows.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "sources",
        sa.Column("id", ID, primary_key=True, autoincrement=True),
        sa.Column("text_sha256", sa.String(64), nullable=False, unique=True),
        sa.Column("text", sa.Text, nullable=False),
    )
    with op.batch_alter_table("results") as batch:
        batch.add_column(sa.Column("source_id", ID, nullable=True))
    _backfill_sources()
    op.drop_index("ix_results_compare", table_name="results")
    op.drop_index("ix_results_benchmark", table_name="results")
    op.create_index(
        "ix_results_compare_cover",
        "results",
        [
            "gpu_id",
            "gpu_count",
            "quarantined",
            "benchmark",
            "benchmark_version",
            "value",
            "result_id",
            "source_id",
        ],
    )
    op.create_index("ix_results_benchmark", "results", ["benchmark", "benchmark_version", "id"])


def _backfill_sources() -> None:
    connection = op.get_bind()
    texts = [row[0] for row in connection.execute(sa.text("SELECT DISTINCT source FROM results"))]
    import hashlib

    for text in texts:
        digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
        connection.execute(
            sa.text("INSERT INTO sources (text_sha256, text) VALUES (:d, :t)"),
            {"d": digest, "t": text},
        )
    connection.execute(
        sa.text(
            "UPDATE results SET source_id = (SELECT sources.id FROM sources "
            "WHERE sources.text = results.source)"
        )
    )


def downgrade() -> None:
    op.drop_index("ix_results_benchmark", table_name="results")
    op.drop_index("ix_results_compare_cover", table_name="results")
    op.create_index(
        "ix_results_compare",
        "results",
        ["gpu_id", "gpu_count", "quarantined", "benchmark", "benchmark_version", "value"],
    )
    op.create_index("ix_results_benchmark", "results", ["benchmark", "benchmark_version"])
    with op.batch_alter_table("results") as batch:
        batch.drop_column("source_id")
    op.drop_table("sources")
