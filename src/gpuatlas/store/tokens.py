"""Agent tokens: random, shown once, stored only as a SHA-256 hash."""

from __future__ import annotations

import hashlib
import re
import secrets

TOKEN_PREFIX = "gpa_"
TOKEN_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._\-]{0,99}$")


def new_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    """Tokens carry 256 random bits, so a plain (unsalted) SHA-256 is enough to store them."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def token_name_problem(name: str) -> str | None:
    if TOKEN_NAME.match(name):
        return None
    return (f"token name {name!r}: use 1-100 letters, digits, '.', '_' or '-' "
            "(starting with a letter or digit)")
