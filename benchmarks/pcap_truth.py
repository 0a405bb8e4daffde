"""What happened on the wire, from a packet capture (tcpdump -w, nanosecond stamps): when each
request reached the server and when its first token left for the client, per TCP connection.

The truth for a TTFT check against a server we do not control: the stamps are the kernel's,
taken as each packet crossed the loopback interface, independent of client and server code.

- In the clear: requests and responses are parsed (HTTP/1.1, chunked SSE); a request's time
  is that of the packet carrying its last byte, its first token's that of the packet carrying
  the first ``data:`` event with non-empty text (``choices[0].text`` or ``delta.content``).
- Under TLS nothing can be read, so records are counted: a request is an application-data
  record of the client of at least `min_request_bytes`; its first token is found by where it
  sits among the server's writes (RecordCounts, known from a run in the clear against the
  same server: after the response head, and so many writes before the response's end).

Stdlib only. Loopback captures (Ethernet or Linux cooked link types), IPv4 and IPv6.
"""

from __future__ import annotations

import bisect
import json
import re
import struct
from dataclasses import dataclass, field
from pathlib import Path

PCAP_NANO_MAGIC = 0xA1B23C4D
PCAP_MICRO_MAGIC = 0xA1B2C3D4
LINK_HEADER_BYTES = {1: 14, 113: 16, 276: 20, 0: 4}  # Ethernet, SLL, SLL2, BSD loopback
TLS_APPLICATION_DATA = 0x17


@dataclass
class Stream:
    """One direction of a TCP connection: the bytes in order and when each packet came."""

    data: bytearray = field(default_factory=bytearray)
    starts: list[int] = field(default_factory=list)  # stream offset where each packet starts
    times_ns: list[int] = field(default_factory=list)
    gaps: int = 0  # packets missing from the capture (their bytes are not here)
    _next_seq: int | None = None

    def add(self, seq: int, payload: bytes, time_ns: int) -> None:
        """Append a packet's bytes; bytes already held (a retransmission) are dropped."""
        if self._next_seq is not None:
            behind = (self._next_seq - seq) % (1 << 32)
            if behind >= 1 << 31:  # ahead of what is held: packets missing from the capture
                self.gaps += 1
            elif behind >= len(payload):
                return
            else:
                payload, seq = payload[behind:], (seq + behind) % (1 << 32)
        self.starts.append(len(self.data))
        self.times_ns.append(time_ns)
        self.data += payload
        self._next_seq = (seq + len(payload)) % (1 << 32)

    def time_at(self, offset: int) -> int:
        """When the packet carrying stream byte `offset` was captured."""
        return self.times_ns[bisect.bisect_right(self.starts, offset) - 1]


@dataclass
class Connection:
    client_port: int
    to_server: Stream = field(default_factory=Stream)
    to_client: Stream = field(default_factory=Stream)


@dataclass(frozen=True)
class Exchange:
    """One request and its response as seen on the wire."""

    client_port: int
    request_ns: int  # the request's last byte reached the server
    first_token_ns: int | None  # the first token left for the client
    request_body: bytes = b""
    token_events: int = 0


def read_frames(path: Path) -> tuple[int, list[tuple[int, bytes]]]:
    """The link type and (time in ns, frame) of every packet of a pcap file."""
    raw = path.read_bytes()
    magic = struct.unpack_from("<I", raw)[0]
    order = "<" if magic in (PCAP_NANO_MAGIC, PCAP_MICRO_MAGIC) else ">"
    magic = struct.unpack_from(order + "I", raw)[0]
    if magic not in (PCAP_NANO_MAGIC, PCAP_MICRO_MAGIC):
        raise ValueError(f"{path}: not a pcap file")
    scale = 1 if magic == PCAP_NANO_MAGIC else 1000
    link_type = struct.unpack_from(order + "I", raw, 20)[0]
    frames, position, record = [], 24, struct.Struct(order + "IIII")
    while position + record.size <= len(raw):
        seconds, fraction, captured, _ = record.unpack_from(raw, position)
        position += record.size
        frames.append(
            (seconds * 1_000_000_000 + fraction * scale, raw[position : position + captured])
        )
        position += captured
    return link_type, frames


def connections(path: Path, server_port: int) -> dict[int, Connection]:
    """Every TCP connection to `server_port` in the capture, keyed by the client's port."""
    link_type, frames = read_frames(path)
    skip = LINK_HEADER_BYTES[link_type]
    found: dict[int, Connection] = {}
    seen: set[tuple[int, int, int, int]] = set()
    for time_ns, frame in frames:
        segment = _tcp_segment(frame[skip:])
        if segment is None:
            continue
        source, destination, seq, payload = segment
        if not payload or server_port not in (source, destination):
            continue
        key = (source, destination, seq, len(payload))
        if key in seen:  # the same packet captured twice (both ends of the loopback)
            continue
        seen.add(key)
        client = destination if source == server_port else source
        connection = found.setdefault(client, Connection(client))
        stream = connection.to_client if source == server_port else connection.to_server
        stream.add(seq, payload, time_ns)
    return found


def _tcp_segment(packet: bytes) -> tuple[int, int, int, bytes] | None:
    if not packet:
        return None
    version = packet[0] >> 4
    if version == 4:
        header, protocol, total = (
            (packet[0] & 0x0F) * 4,
            packet[9],
            struct.unpack_from("!H", packet, 2)[0],
        )
        packet = packet[:total]
    elif version == 6:
        header, protocol = 40, packet[6]
    else:
        return None
    if protocol != 6:
        return None
    source, destination, seq = struct.unpack_from("!HHI", packet, header)
    offset = (packet[header + 12] >> 4) * 4
    return source, destination, seq, bytes(packet[header + offset :])


CONTENT_LENGTH = re.compile(rb"(?im)^content-length:\s*(\d+)")
CHUNK_SIZE = re.compile(rb"([0-9a-fA-F]+)[^\r\n]*\r\n")
DATA_LINE = re.compile(rb"(?m)^data: ?([^\r\n]*)")


def plain_exchanges(connection: Connection) -> list[Exchange]:
    """The requests and responses of a connection in the clear, in order."""
    requests = _requests(connection.to_server)
    responses = _first_tokens(connection.to_client)
    return [
        Exchange(connection.client_port, end_ns, first, body, events)
        for (end_ns, body), (first, events) in zip(requests, responses, strict=False)
    ]


def _requests(stream: Stream) -> list[tuple[int, bytes]]:
    data, found, position = bytes(stream.data), [], 0
    while (head_end := data.find(b"\r\n\r\n", position)) >= 0:
        length = CONTENT_LENGTH.search(data, position, head_end)
        end = head_end + 4 + (int(length.group(1)) if length else 0)
        if end > len(data):
            break
        found.append((stream.time_at(end - 1), data[head_end + 4 : end]))
        position = end
    return found


def _first_tokens(stream: Stream) -> list[tuple[int | None, int]]:
    """(when the first token left, token events) for each chunked SSE response."""
    data, found, position = bytes(stream.data), [], 0
    while (head_end := data.find(b"\r\n\r\n", position)) >= 0:
        first, events, length_header = None, 0, CONTENT_LENGTH.search(data, position, head_end)
        position = head_end + 4
        if length_header is not None:  # not a stream (an error, a model list): no token
            position += int(length_header.group(1))
            found.append((first, events))
            continue
        while (size := CHUNK_SIZE.match(data, position)) is not None:
            length = int(size.group(1), 16)
            start = size.end()
            position = start + length + 2
            if length == 0:
                position = data.find(b"\r\n\r\n", start - 2) + 4
                break
            for line in DATA_LINE.finditer(data, start, start + length):
                if _has_token(line.group(1)):
                    events += 1
                    if first is None:
                        first = stream.time_at(line.start())
        found.append((first, events))
    return found


def _has_token(payload: bytes) -> bool:
    try:
        event = json.loads(payload)
        choice = event["choices"][0]
    except (ValueError, KeyError, IndexError, TypeError):
        return False
    text = choice.get("text") or (choice.get("delta") or {}).get("content")
    return bool(text)


def tls_records(stream: Stream) -> list[tuple[int, int, int]]:
    """(content type, length, stream offset) of each TLS record."""
    data, records, position = stream.data, [], 0
    while position + 5 <= len(data):
        kind, length = data[position], struct.unpack_from("!H", data, position + 3)[0]
        records.append((kind, length, position))
        position += 5 + length
    return records


@dataclass(frozen=True)
class RecordCounts:
    """Where a response's first token sits among the server's writes, from a run in the
    clear: `before` writes precede it (the response head), and it is the `from_end`-th write
    from the response's end (tokens, usage, [DONE], the last chunk)."""

    before: int = 1
    from_end: int | None = None


def tls_exchanges(
    connection: Connection, counts: RecordCounts, min_request_bytes: int = 200
) -> list[Exchange]:
    """Requests and first tokens of a TLS connection, by counting records. The first
    response of a connection is counted from its end (TLS 1.3 session tickets may come
    between the request and its head), the others from their start (the last one may be
    followed by a closing alert)."""
    requests = [
        connection.to_server.time_at(offset + 5 + length - 1)
        for kind, length, offset in tls_records(connection.to_server)
        if kind == TLS_APPLICATION_DATA and length >= min_request_bytes
    ]
    replies = [
        connection.to_client.time_at(offset)
        for kind, _, offset in tls_records(connection.to_client)
        if kind == TLS_APPLICATION_DATA
    ]
    exchanges = []
    for number, request_ns in enumerate(requests):
        until = requests[number + 1] if number + 1 < len(requests) else None
        answer = [t for t in replies if t >= request_ns and (until is None or t < until)]
        exchanges.append(
            Exchange(
                connection.client_port, request_ns, _first_token_record(answer, counts, number == 0)
            )
        )
    return exchanges


def _first_token_record(answer: list[int], counts: RecordCounts, first: bool) -> int | None:
    if first and counts.from_end is not None and len(answer) >= counts.from_end > 0:
        return answer[-counts.from_end]
    return answer[counts.before] if len(answer) > counts.before else None


def record_counts(connection: Connection) -> list[RecordCounts]:
    """For each response in the clear: how many packets the server sent before the one
    carrying its first token, and that packet's place from the response's end."""
    found = []
    exchanges = plain_exchanges(connection)
    times = connection.to_client.times_ns
    for number, exchange in enumerate(exchanges):
        if exchange.first_token_ns is None:
            continue
        until = exchanges[number + 1].request_ns if number + 1 < len(exchanges) else None
        answer = [t for t in times if t >= exchange.request_ns and (until is None or t < until)]
        before = sum(1 for t in answer if t < exchange.first_token_ns)
        found.append(RecordCounts(before, len(answer) - before))
    return found
