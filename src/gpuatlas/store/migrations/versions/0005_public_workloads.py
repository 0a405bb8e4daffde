"""Public workloads: the structured identity of each public benchmark (engine, model, weights,
batch, lengths, image size, steps, KV cache, split, variant, metric) as columns. Filled when the
public data set is (re)loaded: the data set's key scheme changed with this revision, so every
existing default database reloads it on first use.

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "public_workloads",
        sa.Column("benchmark", sa.String(400), primary_key=True),
        sa.Column("engine", sa.String(100), nullable=False),
        sa.Column("backend", sa.String(40), nullable=True),
        sa.Column("model", sa.String(200), nullable=False),
        sa.Column("weights", sa.String(100), nullable=False),
        sa.Column("metric", sa.String(100), nullable=False),
        sa.Column("batch", sa.Integer, nullable=True),
        sa.Column("max_batch", sa.Boolean, nullable=False),
        sa.Column("input_tokens", sa.Integer, nullable=True),
        sa.Column("output_tokens", sa.Integer, nullable=True),
        sa.Column("image_width_px", sa.Integer, nullable=True),
        sa.Column("image_height_px", sa.Integer, nullable=True),
        sa.Column("steps", sa.Integer, nullable=True),
        sa.Column("kv_cache", sa.String(40), nullable=True),
        sa.Column("split", sa.String(40), nullable=True),
        sa.Column("variant", sa.String(100), nullable=True),
    )


def downgrade() -> None:
    op.drop_table("public_workloads")
