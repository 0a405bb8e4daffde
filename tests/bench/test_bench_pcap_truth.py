"""The wire truth of benchmarks/harness_independent_reference.py: a capture built here packet by
packet (known stamps) gives back when each request arrived and its first token left."""

from __future__ import annotations

import importlib.util
import json
import struct
import sys
from pathlib import Path
from types import ModuleType

import pytest

SERVER, CLIENT = 8000, 40000
MS = 1_000_000


def _load_pcap_truth() -> ModuleType:
    path = Path(__file__).resolve().parents[2] / "benchmarks" / "pcap_truth.py"
    spec = importlib.util.spec_from_file_location("pcap_truth", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["pcap_truth"] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


pcap_truth = _load_pcap_truth()


def _frame(source: int, destination: int, seq: int, payload: bytes) -> bytes:
    tcp = struct.pack("!HHIIBBHHH", source, destination, seq, 0, 5 << 4, 0x18, 65535, 0, 0)
    total = 20 + len(tcp) + len(payload)
    ip = struct.pack(
        "!BBHHHBBH4s4s",
        0x45,
        0,
        total,
        0,
        0,
        64,
        6,
        0,
        bytes([127, 0, 0, 1]),
        bytes([127, 0, 0, 1]),
    )
    return b"\x00" * 12 + b"\x08\x00" + ip + tcp + payload


class _Capture:
    """Packets of one connection, each direction's sequence numbers kept here."""

    def __init__(self) -> None:
        self.packets: list[tuple[int, bytes]] = []
        self.seq = {True: 1000, False: 5000}  # to the server / to the client

    def send(self, time_ns: int, payload: bytes, to_server: bool, resend: bool = False) -> None:
        source, destination = (CLIENT, SERVER) if to_server else (SERVER, CLIENT)
        seq = self.seq[to_server] - (len(payload) if resend else 0)
        self.packets.append((time_ns, _frame(source, destination, seq, payload)))
        if not resend:
            self.seq[to_server] += len(payload)

    def write(self, path: Path) -> Path:
        header = struct.pack("<IHHiIII", 0xA1B23C4D, 2, 4, 0, 0, 65535, 1)
        records = b"".join(
            struct.pack("<IIII", t // 10**9, t % 10**9, len(f), len(f)) + f for t, f in self.packets
        )
        path.write_bytes(header + records)
        return path


def _event(text: str | None) -> bytes:
    choice = {"index": 0, "finish_reason": None} | ({} if text is None else {"text": text})
    return b"data: " + json.dumps({"choices": [choice]}).encode() + b"\n\n"


def _chunk(data: bytes) -> bytes:
    return b"%x\r\n%s\r\n" % (len(data), data)


def test_plain_exchange_times_come_from_the_packets(tmp_path: Path) -> None:
    capture = _Capture()
    body = b'{"prompt":"Request 7 tag x","max_tokens":2}'
    request = (
        b"POST /v1/completions HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n" % len(body) + body
    )
    capture.send(100 * MS, request[:30], to_server=True)
    capture.send(101 * MS, request[30:], to_server=True)  # the request is whole here
    capture.send(101 * MS + 5, request[30:], to_server=True, resend=True)  # a retransmission
    capture.send(
        102 * MS, b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", to_server=False
    )
    capture.send(110 * MS, _chunk(_event(None)), to_server=False)  # no text: not a token
    capture.send(121 * MS, _chunk(_event(" a")), to_server=False)
    capture.send(131 * MS, _chunk(_event(" b")) + b"0\r\n\r\n", to_server=False)
    flows = pcap_truth.connections(capture.write(tmp_path / "c.pcap"), SERVER)
    assert list(flows) == [CLIENT]
    (exchange,) = pcap_truth.plain_exchanges(flows[CLIENT])
    assert exchange.request_ns == 101 * MS and exchange.first_token_ns == 121 * MS
    assert exchange.token_events == 2 and exchange.request_body == body
    # the head and the no-text event came before the first token; it and one more to the end
    assert pcap_truth.record_counts(flows[CLIENT]) == [pcap_truth.RecordCounts(2, 2)]


def _record(size: int) -> bytes:
    return bytes([0x17, 3, 3]) + struct.pack("!H", size) + b"\x00" * size


def test_tls_first_token_is_found_by_counting_records(tmp_path: Path) -> None:
    capture = _Capture()
    capture.send(10 * MS, _record(60), to_server=True)  # the handshake's end: no request
    capture.send(20 * MS, _record(400), to_server=True)
    capture.send(20 * MS + 1, _record(250), to_server=False)  # a late TLS 1.3 session ticket
    capture.send(21 * MS, _record(150), to_server=False)  # response head
    capture.send(40 * MS, _record(120), to_server=False)  # first token
    capture.send(50 * MS, _record(120), to_server=False)
    capture.send(60 * MS, _record(400), to_server=True)  # the next request
    capture.send(61 * MS, _record(150), to_server=False)
    capture.send(85 * MS, _record(120), to_server=False)
    capture.send(95 * MS, _record(120), to_server=False)
    capture.send(99 * MS, _record(30), to_server=False)  # a closing alert
    flows = pcap_truth.connections(capture.write(tmp_path / "t.pcap"), SERVER)
    counts = pcap_truth.RecordCounts(before=1, from_end=2)
    exchanges = pcap_truth.tls_exchanges(flows[CLIENT], counts)
    assert [(e.request_ns, e.first_token_ns) for e in exchanges] == [
        (20 * MS, 40 * MS),
        (60 * MS, 85 * MS),
    ]


def test_not_a_capture_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "x.pcap"
    path.write_bytes(b"\x00" * 40)
    with pytest.raises(ValueError, match="not a pcap"):
        pcap_truth.read_frames(path)


def test_a_response_with_a_length_is_no_stream_and_keeps_the_order(tmp_path: Path) -> None:
    capture = _Capture()
    capture.send(1 * MS, b"GET /v1/models HTTP/1.1\r\nHost: x\r\n\r\n", to_server=True)
    capture.send(
        2 * MS, b"HTTP/1.1 404 Not Found\r\nContent-Length: 9\r\n\r\nnot found", to_server=False
    )
    capture.send(
        3 * MS, b"POST /v1/completions HTTP/1.1\r\nContent-Length: 2\r\n\r\n{}", to_server=True
    )
    capture.send(
        4 * MS,
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + _chunk(_event("x")),
        to_server=False,
    )
    capture.send(5 * MS, b"0\r\n\r\n", to_server=False)
    flows = pcap_truth.connections(capture.write(tmp_path / "g.pcap"), SERVER)
    first, second = pcap_truth.plain_exchanges(flows[CLIENT])
    assert first.first_token_ns is None and first.token_events == 0
    assert (second.request_ns, second.first_token_ns, second.token_events) == (3 * MS, 4 * MS, 1)
