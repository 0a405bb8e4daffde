"""Agent tokens: random, shown once, stored only as a SHA-256 hash."""

from __future__ import annotations

import hashlib
import os
import re
import secrets
from pathlib import Path

TOKEN_PREFIX = "gpa_"
TOKEN_SCOPES = ("ingest", "admin")
TOKEN_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._\-]{0,99}$")


def new_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    """Tokens carry 256 random bits, so a plain (unsalted) SHA-256 is enough to store them."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def token_name_problem(name: str) -> str | None:
    if TOKEN_NAME.match(name):
        return None
    return (
        f"token name {name!r}: use 1-100 letters, digits, '.', '_' or '-' "
        "(starting with a letter or digit)"
    )


def write_private_text(path: Path, text: str) -> None:
    """Create ``path`` readable by its owner only (0600) and write ``text`` (never overwrites)."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with open(descriptor, "w", encoding="utf-8") as handle:
        handle.write(text)
