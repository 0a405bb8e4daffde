"""A minimal HTTP/1.1 client on asyncio, built for timing streamed responses.

Why not httpx/aiohttp: the hot path here is one callback per TCP read that stamps the arrival
time and appends the bytes; framing (chunked / Content-Length) is tracked incrementally and
everything else (de-chunking, SSE/NDJSON splitting, JSON decoding) happens after the response
has ended. That keeps the event loop free while streams are live, and the client light.

Arrival stamps: sockets are read with ``recvmsg`` and SO_TIMESTAMPNS, so each read carries
the kernel's receive timestamp, the moment its last segment reached this machine's socket,
moved onto the ``time.perf_counter_ns`` clock. A busy event loop or a client descheduled for
a few milliseconds then no longer adds that delay to TTFT and ITL. Bytes that arrive in
separate segments but are read together share the later segment's stamp (never earlier than
the truth). Where the kernel gives no stamp (not Linux), the read is stamped when it returns.
https:// endpoints decrypt on memory buffers over the same raw socket (bench/access.py), so a
decrypted byte keeps the stamp of the TCP read that carried it.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import socket
import struct
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import accumulate, islice, repeat
from operator import add, sub
from typing import cast
from urllib.parse import urlsplit

from gpuatlas.bench.access import EndpointAccess, TlsSession
from gpuatlas.errors import InvalidRequestError

HEADER_END = b"\r\n\r\n"
CHUNK_HEADER = re.compile(rb"([0-9a-fA-F]+)[^\r\n]*\r\n")
CHUNK_HEADER_START = re.compile(rb"[0-9a-fA-F]")
HEX_DIGITS = b"0123456789abcdefABCDEF"
SO_TIMESTAMPNS = getattr(socket, "SO_TIMESTAMPNS", 35)  # Linux; SCM_TIMESTAMPNS is the same
ANCILLARY_BYTES = socket.CMSG_SPACE(16) if hasattr(socket, "CMSG_SPACE") else 0
READ_BYTES = 1 << 18
WALK_EVERY_BYTES = 1 << 16  # chunk framing is checked at least this often (and at the end)


class _RealtimeOffset:
    """CLOCK_REALTIME minus the perf_counter_ns clock, from the tightest of a few paired
    reads; refreshed each second (it only moves when the wall clock is stepped)."""

    def __init__(self) -> None:
        self.value_ns = 0
        self.taken_ns: int | None = None

    def at(self, now_ns: int) -> int:
        if self.taken_ns is None or now_ns - self.taken_ns > 1_000_000_000:
            self.value_ns, self.taken_ns = self._measure(), now_ns
        return self.value_ns

    @staticmethod
    def _measure() -> int:
        pairs = []
        for _ in range(5):
            before, wall, after = time.perf_counter_ns(), time.time_ns(), time.perf_counter_ns()
            pairs.append((after - before, wall - (before + after) // 2))
        return min(pairs)[1]


REALTIME_OFFSET = _RealtimeOffset()


def enable_kernel_stamps(sock: socket.socket) -> None:
    """Ask for SO_TIMESTAMPNS on every read (set before data arrives; a no-op elsewhere)."""
    with contextlib.suppress(OSError):
        sock.setsockopt(socket.SOL_SOCKET, SO_TIMESTAMPNS, 1)


TIMESPEC = struct.Struct("qq")
_READ_BUFFERS = threading.local()


def kernel_stamp_ns(ancillary: list[tuple[int, int, bytes]], now_ns: int) -> int | None:
    """The SO_TIMESTAMPNS stamp of a read (CLOCK_REALTIME) on the perf_counter_ns clock."""
    for level, kind, data in ancillary:
        if level == socket.SOL_SOCKET and kind == SO_TIMESTAMPNS and len(data) >= 16:
            seconds, nanoseconds = TIMESPEC.unpack_from(data)
            return seconds * 1_000_000_000 + nanoseconds - REALTIME_OFFSET.at(now_ns)
    return None


def read_buffer() -> memoryview:
    """This thread's reusable read buffer (a fresh 256 KiB bytes object per read costs an
    mmap and page faults)."""
    view: memoryview | None = getattr(_READ_BUFFERS, "view", None)
    if view is None:
        view = _READ_BUFFERS.view = memoryview(bytearray(READ_BYTES))
    return view


def receive_stamped(sock: socket.socket, view: memoryview) -> tuple[int, int, int | None]:
    """Read into `view`: (bytes read, when the read returned, kernel stamp or None).
    Raises what ``recvmsg_into`` raises."""
    size, ancillary, _, _ = sock.recvmsg_into([view], ANCILLARY_BYTES)
    now = time.perf_counter_ns()
    return size, now, kernel_stamp_ns(ancillary, now) if ancillary else None


@dataclass
class RawResponse:
    """One response as received: bytes plus the arrival time of every TCP read."""

    t_send_ns: int  # just before the request was written
    t_sent_ns: int | None = None  # just after the write returned (bytes with the kernel)
    status: int = 0
    headers: dict[str, str] = field(default_factory=dict)
    raw: bytearray = field(default_factory=bytearray)
    read_times_ns: list[int] = field(default_factory=list)
    read_ends: list[int] = field(default_factory=list)  # raw offset after each read
    body_spans: list[tuple[int, int]] = field(default_factory=list)  # (raw start, length)
    t_end_ns: int | None = None
    complete: bool = False
    error: str | None = None  # set when the connection failed before the response ended

    @property
    def t_first_byte_ns(self) -> int | None:
        return self.read_times_ns[0] if self.read_times_ns else None

    def body(self) -> tuple[bytes, list[int], list[int]]:
        """The de-chunked body, with the body offset and raw offset where each span starts."""
        if not self.body_spans:
            return b"", [], []
        raw_starts, lengths = map(list, zip(*self.body_spans, strict=True))
        stops = list(map(min, map(add, raw_starts, lengths), repeat(len(self.raw))))
        with memoryview(self.raw) as view:
            joined = b"".join(map(view.__getitem__, map(slice, raw_starts, stops)))
        body_starts = list(accumulate(map(sub, stops, raw_starts), initial=0))
        del body_starts[-1]
        return joined, body_starts, raw_starts


class _ResponseProtocol(asyncio.Protocol):
    """Receives one response at a time on a kept-alive connection."""

    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self.response: RawResponse | None = None
        self.waiter: asyncio.Future[RawResponse] | None = None
        self.closed = False
        self.keep_alive = True
        self._header_end = -1
        self._framing = ""
        self._next_chunk = 0
        self._content_length = 0
        self._fast_chunks = True

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.Transport, transport)  # uvloop's is not a subclass

    def send(self, payload: bytes, waiter: asyncio.Future[RawResponse]) -> RawResponse:
        self._header_end, self._framing, self._next_chunk = -1, "", 0
        self._fast_chunks = True
        self.waiter = waiter
        self.response = response = RawResponse(t_send_ns=0)
        transport = self.transport
        assert transport is not None
        response.t_send_ns = time.perf_counter_ns()
        transport.write(payload)  # uvloop and asyncio send at once when nothing is queued
        response.t_sent_ns = time.perf_counter_ns()
        return response

    def data_received(self, data: bytes | memoryview, arrived_ns: int | None = None) -> None:
        now = time.perf_counter_ns() if arrived_ns is None else arrived_ns
        response = self.response
        if response is None or response.complete:
            return
        raw = response.raw
        raw += data
        response.read_times_ns.append(now)
        response.read_ends.append(len(raw))
        if self._header_end < 0 and not self._parse_head(response):
            return
        if (
            self._framing == "chunked"
            and not raw.endswith(HEADER_END)
            and len(raw) - self._next_chunk < WALK_EVERY_BYTES
        ):
            return  # not ended: a chunked body ends with CRLF CRLF (chunks walked later)
        if self._framing_done(response):
            response.t_end_ns = now
            self._finish(complete=response.error is None)

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        response = self.response
        if response is None or response.complete or self.waiter is None or self.waiter.done():
            return
        self.settle()
        if response.t_end_ns is not None:
            return
        if self._framing == "close":
            response.body_spans = [(self._header_end, len(response.raw) - self._header_end)]
            response.t_end_ns = time.perf_counter_ns()
            self._finish(complete=True)
            return
        response.error = "connection closed before the response ended"
        response.t_end_ns = time.perf_counter_ns()
        self._finish(complete=False)

    def _finish(self, complete: bool) -> None:
        assert self.response is not None
        self.response.complete = complete
        if self.waiter is not None and not self.waiter.done():
            self.waiter.set_result(self.response)

    def _parse_head(self, response: RawResponse) -> bool:
        end = response.raw.find(HEADER_END)
        if end < 0:
            return False
        lines = bytes(response.raw[:end]).decode("latin-1").split("\r\n")
        parts = lines[0].split(" ", 2)
        response.status = int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else 0
        for line in lines[1:]:
            name, _, value = line.partition(":")
            response.headers[name.strip().lower()] = value.strip()
        self._header_end = self._next_chunk = end + 4
        self._choose_framing(response)
        return True

    def _choose_framing(self, response: RawResponse) -> None:
        headers = response.headers
        self.keep_alive = headers.get("connection", "").lower() != "close"
        if "chunked" in headers.get("transfer-encoding", "").lower():
            self._framing = "chunked"
        elif "content-length" in headers:
            self._framing = "length"
            self._content_length = int(headers["content-length"])
            response.body_spans = [(self._header_end, self._content_length)]
        else:
            self._framing, self.keep_alive = "close", False

    def _framing_done(self, response: RawResponse) -> bool:
        if self._framing == "length":
            return len(response.raw) - self._header_end >= self._content_length
        if self._framing != "chunked":
            return False
        return self._walk_all_chunks(response)

    def settle(self) -> None:
        """Walk the chunks not yet walked, before a response is given up: its body spans are
        then known, and it ends if it had ended (bytes after its end) or was malformed."""
        response = self.response
        if response is None or self._framing != "chunked" or response.t_end_ns is not None:
            return
        if self._walk_all_chunks(response):
            response.t_end_ns = response.read_times_ns[-1]
            self._finish(complete=response.error is None)

    def _walk_all_chunks(self, response: RawResponse) -> bool:
        if self._fast_chunks:
            done = self._walk_chunks_fast(response)
            if done is not None:
                return done
            self._fast_chunks = False  # this stream's chunks hold CRLF, extensions or trailers
        return self._walk_chunks(response)

    def _walk_chunks_fast(self, response: RawResponse) -> bool | None:
        """Walk the complete chunks read so far with C-level splitting (no Python loop per
        chunk), then the partial rest with the exact walker: whether the last chunk has come;
        None when the bytes are not plain ``size CRLF data CRLF`` chunks (then the exact
        walker takes over from here)."""
        start = self._next_chunk
        pieces = response.raw[start:].split(b"\r\n")
        del pieces[-1]  # not yet ended by CRLF
        del pieces[len(pieces) & ~1 :]  # a chunk whose data is not yet ended
        heads, datas = pieces[0::2], pieces[1::2]
        if b"".join(heads).translate(None, HEX_DIGITS) or b"" in heads:
            return None
        sizes = list(map(int, heads, repeat(16)))
        if sizes != list(map(len, datas)):
            return None
        ends = list(accumulate(map(len, pieces), initial=start))  # piece starts, less CRLFs
        data_starts = map(add, ends[1::2], range(2, 4 * len(heads) + 2, 4))
        last = sizes.index(0) if 0 in sizes else None  # the last chunk, without trailers
        response.body_spans.extend(islice(zip(data_starts, sizes, strict=True), last))
        self._next_chunk = ends[-1] + 2 * len(pieces)
        return True if last is not None else self._walk_chunks(response)  # the partial rest

    def _walk_chunks(self, response: RawResponse) -> bool:
        raw, spans, position = response.raw, response.body_spans, self._next_chunk
        try:
            while (header := CHUNK_HEADER.match(raw, position)) is not None:
                size = int(header.group(1), 16)
                if size == 0:
                    return raw.find(HEADER_END, header.start()) >= 0
                spans.append((header.end(), size))
                position = header.end() + size + 2
        finally:
            self._next_chunk = position
        if len(raw) - position >= 2 and CHUNK_HEADER_START.match(raw, position) is None:
            response.error = "malformed chunked framing"
            self.keep_alive = False
            return True
        return False


class StampedTransport:
    """The transport `_ResponseProtocol` needs, on a raw non-blocking socket read with
    ``recvmsg``, so every read comes with its kernel receive stamp."""

    def __init__(self, sock: socket.socket, protocol: _ResponseProtocol) -> None:
        self.sock, self.fd, self.protocol = sock, sock.fileno(), protocol
        self.loop = asyncio.get_running_loop()
        self._unsent = bytearray()
        self._waiting_to_write = False
        self._view = read_buffer()
        self._buffers = [self._view]
        self._receive = sock.recvmsg_into
        self._deliver: Callable[[memoryview, int], None] = protocol.data_received  # TLS: decrypts
        self.loop.add_reader(self.fd, self._readable)
        protocol.connection_made(cast(asyncio.BaseTransport, self))

    def _readable(self) -> None:  # the hot path: receive_stamped, inlined
        try:
            size, ancillary, _, _ = self._receive(self._buffers, ANCILLARY_BYTES)
        except (BlockingIOError, InterruptedError):
            return
        except OSError as error:
            self._lost(error)
            return
        now = time.perf_counter_ns()
        if not size:
            self._lost(None)
            return
        stamp = kernel_stamp_ns(ancillary, now) if ancillary else None
        self._deliver(self._view[:size], now if stamp is None else min(stamp, now))

    def write(self, data: bytes) -> None:
        if self.fd < 0:
            return
        if self._unsent:
            self._unsent += data
            return
        self._send(memoryview(data))

    def _send(self, data: memoryview | bytearray) -> None:
        try:
            sent = self.sock.send(data)
        except (BlockingIOError, InterruptedError):
            sent = 0
        except OSError as error:
            self._lost(error)
            return
        if data is self._unsent:
            del self._unsent[:sent]
        elif sent < len(data):
            self._unsent += data[sent:]
        if self._unsent and not self._waiting_to_write:
            self.loop.add_writer(self.fd, self._send, self._unsent)
        elif not self._unsent and self._waiting_to_write:
            self.loop.remove_writer(self.fd)
        self._waiting_to_write = bool(self._unsent)

    def is_closing(self) -> bool:
        return self.fd < 0

    def close(self) -> None:
        self._lost(None)

    def _lost(self, error: Exception | None) -> None:
        if self.fd < 0:
            return
        self.loop.remove_reader(self.fd)
        self.loop.remove_writer(self.fd)
        self.sock.close()
        self.fd = -1
        self.protocol.connection_lost(error)


class TlsStampedTransport(StampedTransport):
    """StampedTransport for https://: ciphertext is read with its kernel stamp, then
    decrypted; the plaintext is handed on with that stamp."""

    def __init__(
        self, sock: socket.socket, protocol: _ResponseProtocol, session: TlsSession
    ) -> None:
        self.session = session
        super().__init__(sock, protocol)
        self._deliver = self._decrypt_and_deliver

    def _decrypt_and_deliver(self, ciphertext: memoryview, arrived_ns: int) -> None:
        try:
            plaintext, closed = self.session.decrypt(ciphertext)
        except OSError as error:  # ssl.SSLError: a corrupt or refused record
            self._lost(error)
            return
        reply = self.session.pending_output()
        if reply:
            super().write(reply)
        if plaintext:
            self.protocol.data_received(plaintext, arrived_ns)
        if closed:
            self._lost(None)

    def write(self, data: bytes) -> None:
        if self.fd >= 0:
            super().write(self.session.encrypt(data))


async def _open_socket(host: str, port: int) -> socket.socket:
    """A connected non-blocking socket with kernel stamps on, trying each address in turn."""
    loop = asyncio.get_running_loop()
    last_error: OSError = OSError(f"no address for {host}")
    for family, kind, proto, _, address in await loop.getaddrinfo(
        host, port, type=socket.SOCK_STREAM
    ):
        sock = socket.socket(family, kind, proto)
        try:
            sock.setblocking(False)
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            enable_kernel_stamps(sock)
            await loop.sock_connect(sock, address)
            return sock
        except OSError as error:
            sock.close()
            last_error = error
        except BaseException:
            sock.close()
            raise
    raise last_error


DEFAULT_PORTS = {"http": 80, "https": 443}


@dataclass(frozen=True)
class Endpoint:
    host: str
    port: int
    base_path: str  # without a trailing /v1: API paths carry it (/v1/completions)
    scheme: str = "http"
    access: EndpointAccess = EndpointAccess()

    @classmethod
    def parse(cls, url: str, access: EndpointAccess | None = None) -> Endpoint:
        """``http://host:port``, ``https://host/prefix`` or the OpenAI-style ``.../v1``."""
        parts = urlsplit(url if "://" in url else f"http://{url}")
        if parts.scheme not in DEFAULT_PORTS:
            problem = f"endpoint {url!r}: the URL must start with http:// or https://"
            raise InvalidRequestError([problem])
        if not parts.hostname:
            raise InvalidRequestError([f"endpoint {url!r}: no host name"])
        path = parts.path.rstrip("/")
        path = path.removesuffix("/v1")
        return cls(
            parts.hostname,
            parts.port or DEFAULT_PORTS[parts.scheme],
            path,
            parts.scheme,
            access or EndpointAccess(),
        )

    @property
    def is_tls(self) -> bool:
        return self.scheme == "https"


class HttpConnection:
    """One kept-alive connection; reconnects when the server closes it."""

    def __init__(self, endpoint: Endpoint) -> None:
        self.endpoint = endpoint
        self._protocol: _ResponseProtocol | None = None

    async def _ensure(self) -> _ResponseProtocol:
        protocol = self._protocol
        if protocol is None or protocol.closed or not protocol.keep_alive:
            self.close()
            endpoint = self.endpoint
            sock = await _open_socket(endpoint.host, endpoint.port)
            protocol = _ResponseProtocol()
            if endpoint.is_tls:
                session = TlsSession(endpoint.access.ssl_context(), endpoint.host)
                try:
                    await session.handshake(sock)
                except BaseException:
                    sock.close()
                    raise
                TlsStampedTransport(sock, protocol, session)
            else:
                StampedTransport(sock, protocol)
            self._protocol = protocol
        return protocol

    @property
    def is_open(self) -> bool:
        protocol = self._protocol
        return protocol is not None and not protocol.closed and protocol.keep_alive

    async def connect(self) -> None:
        """Open the connection now (before a timeline starts), if it is not open."""
        await self._ensure()

    def request_bytes(self, method: str, path: str, body: bytes) -> bytes:
        head = (
            f"{method} {self.endpoint.base_path}{path} HTTP/1.1\r\n"
            f"Host: {self.endpoint.host}:{self.endpoint.port}\r\n"
            "Content-Type: application/json\r\nAccept: text/event-stream, application/json\r\n"
            f"Content-Length: {len(body)}\r\nConnection: keep-alive\r\n"
            f"{self.endpoint.access.header_lines()}\r\n"
        )
        return head.encode("latin-1") + body

    async def post(self, path: str, body: bytes, timeout_s: float) -> RawResponse:
        """Send one POST; returns the response, complete or not (never raises on HTTP status).

        A kept-alive connection the server closed while idle (cpp-httplib, behind llama.cpp's
        server, closes after a few requests or seconds) can take the request and then end
        with not one byte back: the server never saw it, so it is sent again, once, on a
        fresh connection (its send time is the new one; its scheduled time stays)."""
        reused = self.is_open
        response = await self._post_once(path, body, timeout_s)
        if reused and response.error and not response.raw and response.error != "timeout":
            self.close()
            response = await self._post_once(path, body, timeout_s)
        return response

    async def _post_once(self, path: str, body: bytes, timeout_s: float) -> RawResponse:
        protocol = await self._ensure()
        waiter: asyncio.Future[RawResponse] = asyncio.get_running_loop().create_future()
        response = protocol.send(self.request_bytes("POST", path, body), waiter)
        try:
            return await asyncio.wait_for(waiter, timeout_s)
        except TimeoutError:
            protocol.settle()
            if response.t_end_ns is not None:  # it had ended after all
                return response
            response.error = "timeout"
            response.t_end_ns = time.perf_counter_ns()
            self.close()
            return response

    def close(self) -> None:
        if self._protocol is not None and self._protocol.transport is not None:
            self._protocol.transport.close()
        self._protocol = None
