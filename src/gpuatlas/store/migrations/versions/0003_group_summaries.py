"""Group summaries: precomputed statistics per (system, benchmark version), and the change log
that says which groups to recompute.

Every existing group is logged as changed, so the first read after the upgrade computes its
summary.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
GROUP_COLUMNS = ("gpu_id", "gpu_count", "benchmark", "benchmark_version")


def upgrade() -> None:
    op.create_table(
        "group_summaries",
        sa.Column("gpu_id", sa.String(100), primary_key=True),
        sa.Column("gpu_count", sa.Integer, primary_key=True),
        sa.Column("benchmark", sa.String(400), primary_key=True),
        sa.Column("benchmark_version", sa.Integer, primary_key=True),
        sa.Column("category", sa.String(40), nullable=False),
        sa.Column("metric", sa.String(100), nullable=False),
        sa.Column("unit", sa.String(40), nullable=False),
        sa.Column("higher_is_better", sa.Boolean, nullable=False),
        sa.Column("n", sa.Integer, nullable=False),
        sa.Column("median", sa.Float, nullable=False),
        sa.Column("ci_low", sa.Float, nullable=True),
        sa.Column("ci_high", sa.Float, nullable=True),
        sa.Column("method", sa.String(100), nullable=False),
        sa.Column("result_ids", sa.Text, nullable=False),
        sa.Column("sources", sa.Text, nullable=False),
        sa.Column("replicates", sa.LargeBinary, nullable=True),
    )
    op.create_table(
        "summary_changes",
        sa.Column("id", ID, primary_key=True, autoincrement=True),
        sa.Column("gpu_id", sa.String(100), nullable=False),
        sa.Column("gpu_count", sa.Integer, nullable=False),
        sa.Column("benchmark", sa.String(400), nullable=False),
        sa.Column("benchmark_version", sa.Integer, nullable=False),
    )
    columns = ", ".join(GROUP_COLUMNS)
    op.execute(
        f"INSERT INTO summary_changes ({columns}) "
        f"SELECT DISTINCT {columns} FROM results WHERE gpu_id IS NOT NULL"
    )


def downgrade() -> None:
    op.drop_table("summary_changes")
    op.drop_table("group_summaries")
