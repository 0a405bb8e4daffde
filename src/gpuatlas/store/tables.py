"""The database schema (SQLAlchemy Core). Migrations in ``migrations/`` create exactly this."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB

metadata = sa.MetaData()

JsonColumn = sa.JSON().with_variant(JSONB(), "postgresql")
IdColumn = sa.BigInteger().with_variant(sa.Integer(), "sqlite")

results = sa.Table(
    "results",
    metadata,
    sa.Column("id", IdColumn, primary_key=True, autoincrement=True),
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
    sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("quarantined", sa.Boolean, nullable=False, default=False),
    sa.Column("quarantine_reasons", JsonColumn, nullable=False),
    sa.Column("released_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("fingerprint", JsonColumn, nullable=False),
    sa.Column("settings", JsonColumn, nullable=False),
    sa.Column("metrics", JsonColumn, nullable=False),
    sa.Column("samples", JsonColumn, nullable=False),
    sa.Column("details", JsonColumn, nullable=False),
    sa.Column("source_id", IdColumn, nullable=True),
    # What the measurement depends on beyond (benchmark, version): engine, weights, and a digest
    # of settings that contradict the suite's definition (records/identity.py). Never pooled
    # across keys. "" when nothing more is known.
    sa.Column("identity_key", sa.String(64), nullable=False, default=""),
    # False for a run that is not valid for comparison (no success, too many failures,
    # interrupted: records/validity.py). Such a result is also quarantined and cannot be released.
    sa.Column("comparable", sa.Boolean, nullable=False, default=True),
    sa.Index(
        "ix_results_compare_cover",
        "gpu_id",
        "gpu_count",
        "quarantined",
        "benchmark",
        "benchmark_version",
        "identity_key",
        "value",
        "result_id",
        "source_id",
    ),
    sa.Index("ix_results_benchmark", "benchmark", "benchmark_version", "id"),
    sa.Index("ix_results_origin", "origin"),
)

sources = sa.Table(
    "sources",
    metadata,
    sa.Column("id", IdColumn, primary_key=True, autoincrement=True),
    sa.Column("text_sha256", sa.String(64), nullable=False, unique=True),
    sa.Column("text", sa.Text, nullable=False),
)

tokens = sa.Table(
    "tokens",
    metadata,
    sa.Column("id", IdColumn, primary_key=True, autoincrement=True),
    sa.Column("name", sa.String(100), nullable=False, unique=True),
    sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
    sa.Column("scope", sa.String(20), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
)

store_meta = sa.Table(
    "store_meta",
    metadata,
    sa.Column("key", sa.String(100), primary_key=True),
    sa.Column("value", sa.Text, nullable=False),
)

# Precomputed statistics per (system, benchmark version, identity) group: n, median, interval, the
# bootstrap replicates (float32 bytes, summary_refresh.py) and the provenance the report lists.
# Rows are recomputed from ``results`` for the groups named in ``summary_changes``.
group_summaries = sa.Table(
    "group_summaries",
    metadata,
    sa.Column("gpu_id", sa.String(100), primary_key=True),
    sa.Column("gpu_count", sa.Integer, primary_key=True),
    sa.Column("benchmark", sa.String(400), primary_key=True),
    sa.Column("benchmark_version", sa.Integer, primary_key=True),
    sa.Column("identity_key", sa.String(64), primary_key=True),
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

# The workload of each public benchmark as values (records/workload.py): what the report's
# titles and modelled stand-ins read, never parsed from the benchmark's name. Replaced with the
# public data set.
public_workloads = sa.Table(
    "public_workloads",
    metadata,
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

# Groups whose results changed since their summary was computed (appended by every write in
# the writing transaction; consumed, by id, by the summary refresh).
summary_changes = sa.Table(
    "summary_changes",
    metadata,
    sa.Column("id", IdColumn, primary_key=True, autoincrement=True),
    sa.Column("gpu_id", sa.String(100), nullable=False),
    sa.Column("gpu_count", sa.Integer, nullable=False),
    sa.Column("benchmark", sa.String(400), nullable=False),
    sa.Column("benchmark_version", sa.Integer, nullable=False),
    sa.Column("identity_key", sa.String(64), nullable=False),
)
