"""What a stored result must not reveal: credentials in endpoints, secrets in settings, and a
host name that can be guessed back from an unsalted hash.

Applied on the write path (before a result is stored) and again when a document is served (for
rows stored before this existed).
"""

from __future__ import annotations

import hashlib
import hmac
import re
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from gpuatlas.records.result import BenchResult

REDACTED = "[redacted]"
HOST_ID_PREFIX = "k1:"  # a keyed host identifier (HMAC-SHA256 under the server's key)
SECRET_NAME = re.compile(
    r"(api[-_]?key|apikey|token|secret|passw(or)?d|pwd|auth|credential|signature|sig|"
    r"session|cookie|private[-_]?key|access[-_]?key|x-amz-)",
    re.IGNORECASE,
)


def safe_endpoint(endpoint: str | None) -> str | None:
    """The endpoint without user:password, secret query parameters or fragment."""
    if not endpoint:
        return endpoint
    try:
        parts = urlsplit(endpoint)
        host = parts.hostname or ""
        port = f":{parts.port}" if parts.port else ""
    except ValueError:
        return REDACTED
    if ":" in host:
        host = f"[{host}]"
    query = [
        (name, value if not SECRET_NAME.search(name) else REDACTED)
        for name, value in parse_qsl(parts.query, keep_blank_values=True)
    ]
    return urlunsplit((parts.scheme, host + port, parts.path, urlencode(query), ""))


def redact_secrets(value: Any) -> Any:
    """A copy of a JSON value with the values of secret-looking keys replaced (any depth)."""
    if isinstance(value, dict):
        return {
            key: REDACTED if SECRET_NAME.search(str(key)) else redact_secrets(item)
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [redact_secrets(item) for item in value]
    if isinstance(value, str) and "://" in value:
        return safe_endpoint(value)
    return value


def keyed_host_id(hostname_hash: str | None, key: bytes) -> str | None:
    """An identifier that groups one host's results but cannot be guessed from the host name
    without the server's key (already keyed identifiers are kept)."""
    if not hostname_hash or hostname_hash.startswith(HOST_ID_PREFIX):
        return hostname_hash
    digest = hmac.new(key, hostname_hash.encode("utf-8"), hashlib.sha256).hexdigest()
    return HOST_ID_PREFIX + digest[:24]


def sanitized_result(result: BenchResult, host_key: bytes) -> BenchResult:
    """The result as it may be stored and shown: no endpoint credentials, no secrets in
    settings, a keyed host identifier."""
    settings = result.settings.model_copy(
        update={
            "endpoint": safe_endpoint(result.settings.endpoint),
            "extra": redact_secrets(result.settings.extra),
        }
    )
    fingerprint = result.fingerprint.model_copy(
        update={"hostname_hash": keyed_host_id(result.fingerprint.hostname_hash, host_key)}
    )
    return result.model_copy(update={"settings": settings, "fingerprint": fingerprint})


def sanitized_document(document: dict[str, Any]) -> dict[str, Any]:
    """A stored document as the public pages may show it (older rows included: their
    unkeyed host hashes are left out)."""
    cleaned = dict(document)
    settings = document.get("settings")
    if isinstance(settings, dict):
        cleaned["settings"] = {**settings, "extra": redact_secrets(settings.get("extra") or {})}
        if isinstance(settings.get("endpoint"), str):
            cleaned["settings"]["endpoint"] = safe_endpoint(settings["endpoint"])
    fingerprint = document.get("fingerprint")
    if isinstance(fingerprint, dict) and fingerprint.get("hostname_hash"):
        keyed = str(fingerprint["hostname_hash"]).startswith(HOST_ID_PREFIX)
        cleaned["fingerprint"] = {
            **fingerprint,
            "hostname_hash": fingerprint["hostname_hash"] if keyed else None,
        }
    return cleaned
