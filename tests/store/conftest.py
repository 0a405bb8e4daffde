"""Fixtures of the store tests (the PostgreSQL cluster lives in tests/conftest_pg.py)."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from conftest_pg import database_url, postgres_cluster  # noqa: E402,F401
