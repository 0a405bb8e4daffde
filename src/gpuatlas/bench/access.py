"""How to reach a deployed endpoint: TLS (certificate checks, a custom CA, or none with
``--insecure``), an API key, extra headers.

TLS runs over the same raw socket the load generator reads with ``recvmsg`` (an
``ssl.SSLObject`` on memory buffers, not an ``ssl.SSLSocket``), so every decrypted byte keeps
the kernel receive stamp of the TCP read that carried it: timing under TLS is as accurate as
in the clear (decryption happens after the stamp).
"""

from __future__ import annotations

import asyncio
import os
import socket
import ssl
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from gpuatlas.errors import InvalidRequestError

API_KEY_VARIABLE = "OPENAI_API_KEY"
TLS_READ_BYTES = 1 << 18
HEADER_NAME_CHARS = frozenset(
    "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
)


@dataclass(frozen=True)
class EndpointAccess:
    api_key: str | None = None
    headers: tuple[tuple[str, str], ...] = ()
    insecure: bool = False  # skip certificate and host name checks
    ca_cert: str | None = None  # a PEM file of trusted CAs (in addition to none: only these)

    @classmethod
    def from_options(
        cls, api_key: str | None, headers: list[str] | None, insecure: bool, ca_cert: str | None
    ) -> EndpointAccess:
        """From command-line values; the key falls back to $OPENAI_API_KEY."""
        problems, parsed = [], []
        for header in headers or []:
            name, separator, value = header.partition(":")
            if not separator or not name.strip() or set(name.strip()) - HEADER_NAME_CHARS:
                problems.append(f"--header {header!r}: expected 'Name: value'")
            elif "\r" in value or "\n" in value:
                problems.append(f"--header {name.strip()}: the value has a line break")
            else:
                parsed.append((name.strip(), value.strip()))
        if ca_cert is not None and not Path(ca_cert).is_file():
            problems.append(f"--ca-cert {ca_cert}: no such file")
        if problems:
            raise InvalidRequestError(problems)
        key = api_key or os.environ.get(API_KEY_VARIABLE) or None
        return cls(key, tuple(parsed), insecure, ca_cert)

    def header_lines(self) -> str:
        """Extra request header lines, each ending in CRLF."""
        lines = [f"Authorization: Bearer {self.api_key}\r\n"] if self.api_key else []
        lines += [f"{name}: {value}\r\n" for name, value in self.headers]
        return "".join(lines)

    def header_dict(self) -> dict[str, str]:
        found = {"Authorization": f"Bearer {self.api_key}"} if self.api_key else {}
        found.update(dict(self.headers))
        return found

    def ssl_context(self) -> ssl.SSLContext:
        return _context(self.insecure, self.ca_cert)


@cache
def _context(insecure: bool, ca_cert: str | None) -> ssl.SSLContext:
    context = ssl.create_default_context(cafile=ca_cert)
    if insecure:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    context.set_alpn_protocols(["http/1.1"])
    return context


class TlsSession:
    """TLS on memory buffers: ciphertext in and out through the caller's own socket reads."""

    def __init__(self, context: ssl.SSLContext, host: str) -> None:
        self.incoming, self.outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
        self.tls = context.wrap_bio(self.incoming, self.outgoing, server_hostname=host)

    async def handshake(self, sock: socket.socket) -> None:
        """Complete the handshake on a connected non-blocking socket (certificate checks
        included: ``ssl.SSLCertVerificationError`` when they fail)."""
        loop = asyncio.get_running_loop()
        while True:
            try:
                self.tls.do_handshake()
                break
            except ssl.SSLWantReadError:
                await self._flush(sock)
                data = await loop.sock_recv(sock, TLS_READ_BYTES)
                if not data:
                    raise ConnectionResetError(
                        "the server closed the connection during the "
                        "TLS handshake (is it speaking TLS?)"
                    ) from None
                self.incoming.write(data)
        await self._flush(sock)

    async def _flush(self, sock: socket.socket) -> None:
        pending = self.outgoing.read()
        if pending:
            await asyncio.get_running_loop().sock_sendall(sock, pending)

    def encrypt(self, data: bytes | memoryview) -> bytes:
        self.tls.write(data)
        return self.outgoing.read()

    def decrypt(self, ciphertext: bytes | memoryview) -> tuple[bytes, bool]:
        """The plaintext now readable, and whether the peer closed the TLS session."""
        self.incoming.write(ciphertext)
        pieces: list[bytes] = []
        while True:
            try:
                piece = self.tls.read(TLS_READ_BYTES)
            except ssl.SSLWantReadError:
                return b"".join(pieces), False
            except ssl.SSLZeroReturnError:
                return b"".join(pieces), True
            if not piece:
                return b"".join(pieces), True
            pieces.append(piece)

    def pending_output(self) -> bytes:
        """Records TLS itself wants to send (e.g. a key update reply)."""
        return self.outgoing.read()
