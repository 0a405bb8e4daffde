"""Initial schema: results (with raw samples, fingerprint, settings), tokens, store_meta.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(JSONB(), "postgresql")
ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
TIMESTAMP = sa.DateTime(timezone=True)


def upgrade() -> None:
    _create_results()
    _create_tokens()
    op.create_table(
        "store_meta",
        sa.Column("key", sa.String(100), primary_key=True),
        sa.Column("value", sa.Text, nullable=False),
    )


def _create_results() -> None:
    op.create_table(
        "results",
        sa.Column("id", ID, primary_key=True, autoincrement=True),
        sa.Column("result_id", sa.String(128), nullable=False, unique=True),
        sa.Column("schema_version", sa.String(40), nullable=False),
        sa.Column("benchmark", sa.String(400), nullable=False),
        sa.Column("benchmark_version", sa.Integer, nullable=False),
        sa.Column("category", sa.String(40), nullable=False),
        sa.Column("gpu_id", sa.String(100), nullable=True),
        sa.Column("gpu_count", sa.Integer, nullable=False),
        sa.Column("gpu_name", sa.String(200), nullable=True),
        sa.Column("metric", sa.String(100), nullable=False),
        sa.Column("unit", sa.String(40), nullable=False),
        sa.Column("higher_is_better", sa.Boolean, nullable=False),
        sa.Column("value", sa.Float, nullable=True),
        sa.Column("ci_low", sa.Float, nullable=True),
        sa.Column("ci_high", sa.Float, nullable=True),
        sa.Column("created_at", sa.String(40), nullable=False),
        sa.Column("source", sa.Text, nullable=False),
        sa.Column("source_date", sa.String(20), nullable=True),
        sa.Column("origin", sa.String(20), nullable=False),
        sa.Column("agent", sa.String(100), nullable=True),
        sa.Column("received_at", TIMESTAMP, nullable=False),
        sa.Column("quarantined", sa.Boolean, nullable=False),
        sa.Column("quarantine_reasons", JSON, nullable=False),
        sa.Column("released_at", TIMESTAMP, nullable=True),
        sa.Column("fingerprint", JSON, nullable=False),
        sa.Column("settings", JSON, nullable=False),
        sa.Column("metrics", JSON, nullable=False),
        sa.Column("samples", JSON, nullable=False),
        sa.Column("details", JSON, nullable=False),
    )
    op.create_index(
        "ix_results_compare",
        "results",
        ["gpu_id", "gpu_count", "quarantined", "benchmark", "benchmark_version", "value"],
    )
    op.create_index("ix_results_benchmark", "results", ["benchmark", "benchmark_version"])
    op.create_index("ix_results_origin", "results", ["origin"])


def _create_tokens() -> None:
    op.create_table(
        "tokens",
        sa.Column("id", ID, primary_key=True, autoincrement=True),
        sa.Column("name", sa.String(100), nullable=False, unique=True),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("scope", sa.String(20), nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("revoked_at", TIMESTAMP, nullable=True),
        sa.Column("last_used_at", TIMESTAMP, nullable=True),
    )


def downgrade() -> None:
    op.drop_table("store_meta")
    op.drop_table("tokens")
    op.drop_index("ix_results_origin", table_name="results")
    op.drop_index("ix_results_benchmark", table_name="results")
    op.drop_index("ix_results_compare", table_name="results")
    op.drop_table("results")
