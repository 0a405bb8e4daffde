"""The reference server's ground truth and the client's side of it: the kernel's arrival stamp
of each request lies inside the client's write, writes keep to the schedule within the
batching window, a slow reader still gets every byte, connections open before the timeline."""

from __future__ import annotations

import asyncio
import re
import socket
import subprocess
import time
from collections.abc import Callable

import httpx
import numpy as np
import pytest

from gpuatlas.bench.http_stream import HttpConnection
from gpuatlas.bench.loadgen import LoadSpec, PhaseProgress, open_connections, run_load

from .conftest import free_port

MODEL = "reference-model"
CLOCK_SLACK_NS = 200_000  # moving the kernel's CLOCK_REALTIME stamp onto CLOCK_MONOTONIC
Launcher = Callable[..., tuple[str, subprocess.Popen[bytes]]]


def _records_by_index(url: str) -> dict[int, dict[str, object]]:
    records = httpx.get(url + "/stats").json()["requests"]
    return {
        int(m.group(1)): r
        for r in records
        if (m := re.search(r"Request (\d+) tag", r["prompt_head"]))
    }


def _spec(url: str, **changes: object) -> LoadSpec:
    values: dict[str, object] = {
        "endpoint": url,
        "api": "openai-chat",
        "model": MODEL,
        "input_tokens": 20,
        "output_tokens": 5,
        "concurrency": 4,
        "requests": 16,
        "warmup_requests": 4,
    }
    values.update(changes)
    return LoadSpec(**values)  # type: ignore[arg-type]


def test_kernel_arrival_lies_inside_the_clients_write(reference_stats: str) -> None:
    outcome = asyncio.run(run_load(_spec(reference_stats)))
    truth = _records_by_index(reference_stats)
    assert len(outcome.records) == 20 and all(r.ok for r in outcome.records)
    for record in outcome.records:
        server = truth[record.index]
        arrived, received = server["arrived_ns"], server["received_ns"]
        if arrived is None:
            pytest.skip("no SO_TIMESTAMPNS on this platform")
        assert isinstance(arrived, int) and isinstance(received, int)
        assert record.sent_ns is not None and record.send_ns <= record.sent_ns
        # the kernel stamps a loopback segment inside the sender's send call ...
        assert record.send_ns - CLOCK_SLACK_NS <= arrived <= record.sent_ns + CLOCK_SLACK_NS
        # ... and the server can only read what has arrived
        assert arrived <= received + CLOCK_SLACK_NS


def test_writes_are_never_earlier_than_due_minus_the_batch_window(
    launch_reference_server: Launcher,
) -> None:
    url, _ = launch_reference_server("--ttft-ms", "10", "--itl-ms", "3", "--batch-window-ms", "2")
    asyncio.run(run_load(_spec(url, api="openai-completions", output_tokens=8, warmup_requests=0)))
    stats = httpx.get(url + "/stats").json()
    assert stats["schedule"]["batch_window_ms"] == 2.0
    for record in stats["requests"]:
        writes = np.asarray(record["writes_ns"])
        due = record["received_ns"] + (10 + 3 * np.arange(len(writes))) * 1_000_000
        assert len(writes) == 8
        assert np.all(writes >= due - 2_000_000)


def _read_until_done(client: socket.socket) -> bytes:
    received = bytearray()
    while not received.endswith(b"0\r\n\r\n"):
        piece = client.recv(1 << 16)
        assert piece, "the server closed the connection before the stream ended"
        received += piece
    return bytes(received)


def test_a_reader_that_falls_behind_still_gets_every_chunk(
    launch_reference_server: Launcher,
) -> None:
    """~13 MB written while the client does not read: far more than the socket buffers hold,
    so the server has to queue what the kernel refuses and send it later."""
    url, _ = launch_reference_server("--ttft-ms", "0", "--itl-ms", "0")
    port = int(url.rsplit(":", 1)[1])
    body = b'{"model": "%s", "prompt": "x", "max_tokens": 100000, "stream": true}' % (
        MODEL.encode()
    )
    with socket.create_connection(("127.0.0.1", port)) as client:
        client.sendall(
            b"POST /v1/completions HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n"
            b"\r\n%s" % (len(body), body)
        )
        time.sleep(1.0)  # not reading
        stream = _read_until_done(client)
    assert stream.count(b'"text":" tok"') == 100000
    assert b'"completion_tokens":100000' in stream and b"data: [DONE]" in stream


def test_connections_are_opened_before_the_timeline(reference_server: str) -> None:
    async def fill() -> list[HttpConnection]:
        pool: list[HttpConnection] = []
        await open_connections(pool, reference_server, 5, timeout_s=10)
        await open_connections(pool, reference_server, 3, timeout_s=10)  # already enough
        return pool

    pool = asyncio.run(fill())
    assert len(pool) == 5 and all(connection.is_open for connection in pool)


def test_connections_that_cannot_open_are_left_to_the_requests() -> None:
    closed = f"http://127.0.0.1:{free_port()}"
    pool: list[HttpConnection] = []
    asyncio.run(open_connections(pool, closed, 3, timeout_s=10))
    assert pool == []


def test_tokens_are_stamped_when_they_arrive_not_when_the_client_gets_to_them(
    launch_reference_server: Launcher,
) -> None:
    """Tokens every 100 ms; the whole client stalls from 150 to 450 ms, so the tokens written
    at about 200, 300 and 400 ms wait in the socket and are read together at 450 ms. The
    read carries the kernel's stamp of its last segment: the last token of every read is
    stamped when it arrived (a user-space stamp would be ~50 ms late), earlier tokens of the
    same read share that stamp (late, never early)."""
    url, _ = launch_reference_server("--ttft-ms", "0", "--itl-ms", "100")
    spec = _spec(
        url, api="openai-completions", output_tokens=6, requests=1, concurrency=1, warmup_requests=0
    )

    async def stall_once_sent(progress: PhaseProgress) -> None:
        while progress.sent < 1:
            await asyncio.sleep(0.005)
        await asyncio.sleep(0.15)
        time.sleep(0.3)  # blocks the event loop: the whole client stalls

    async def run_with_a_stall() -> list[int]:
        progress = PhaseProgress()
        staller = asyncio.create_task(stall_once_sent(progress))
        outcome = await run_load(spec, progress=progress)
        await staller
        return list(outcome.records[0].token_times_ns)

    token_times = np.asarray(asyncio.run(run_with_a_stall()))
    server = httpx.get(url + "/stats").json()["requests"][0]
    if server["arrived_ns"] is None:
        pytest.skip("no SO_TIMESTAMPNS on this platform")
    lag_ms = (token_times - np.asarray(server["writes_ns"])) / 1e6
    last_of_read = np.append(token_times[1:] != token_times[:-1], True)
    assert len(lag_ms) == 6 and lag_ms.min() >= 0
    assert not last_of_read.all()  # the stall did make the client read tokens together
    assert lag_ms[last_of_read].max() < 20
