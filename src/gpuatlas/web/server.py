"""``gpuatlas serve``: uvicorn with one or several worker processes, HTTPS when given a
certificate, and a warning when plain HTTP would carry tokens over a network."""

from __future__ import annotations

import ipaddress
import os
from pathlib import Path
from typing import Any

import uvicorn

from gpuatlas.store import open_store
from gpuatlas.store.engine import DATABASE_URL_VARIABLE
from gpuatlas.web.app import create_app

LOOPBACK_NAMES = frozenset({"localhost", "localhost.localdomain", "ip6-localhost"})


def is_loopback(host: str) -> bool:
    if host.strip().lower() in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def transport_warning(host: str, tls: bool) -> str | None:
    """What to tell the operator when plain HTTP is served beyond this machine."""
    if tls or is_loopback(host):
        return None
    return (
        f"warning: serving plain HTTP on {host}: agents' bearer tokens and all pages cross "
        "the network unencrypted. Add --ssl-certfile CERT.pem --ssl-keyfile KEY.pem, or "
        "keep --host 127.0.0.1 behind a TLS reverse proxy (Caddy, nginx; see the README's "
        "'Serving over a network' section)."
    )


def serve(
    host: str,
    port: int,
    workers: int,
    database_url: str | None = None,
    ssl_certfile: Path | None = None,
    ssl_keyfile: Path | None = None,
) -> None:
    """Migrate (and seed the default database) once, then start the workers."""
    store = open_store(database_url)
    if database_url or not store.is_default:
        os.environ[DATABASE_URL_VARIABLE] = store.url
    store.close()
    options: dict[str, Any] = {
        "host": host,
        "port": port,
        "log_level": "info",
        "proxy_headers": True,
        "server_header": False,
    }
    if ssl_certfile is not None:
        options.update(ssl_certfile=str(ssl_certfile), ssl_keyfile=str(ssl_keyfile))
    if workers > 1:
        uvicorn.run("gpuatlas.web.asgi:app", workers=workers, **options)
        return
    uvicorn.run(create_app(), **options)
