"""A kept-alive connection the server drops while idle (llama.cpp's server does after a few
requests) takes the next request and ends with no byte back: the client sends it again on a
fresh connection instead of counting a failure."""

from __future__ import annotations

import asyncio

from gpuatlas.bench.http_stream import Endpoint, HttpConnection

RESPONSE = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: keep-alive\r\n\r\nok"


async def _one_request_per_connection(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter
) -> None:
    """Answers the first request of a connection; a second one is met with a close."""
    answered = False
    while True:
        try:
            head = await reader.readuntil(b"\r\n\r\n")
        except (asyncio.IncompleteReadError, ConnectionError):
            break
        length = int(
            next(
                (
                    line.split(b":")[1]
                    for line in head.split(b"\r\n")
                    if line.lower().startswith(b"content-length")
                ),
                b"0",
            )
        )
        await reader.readexactly(length)
        if answered:
            break
        writer.write(RESPONSE)
        await writer.drain()
        answered = True
    writer.close()


def test_a_request_on_a_silently_closed_kept_alive_connection_is_sent_again() -> None:
    async def scenario() -> list[tuple[int, str | None, bytes]]:
        server = await asyncio.start_server(_one_request_per_connection, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        connection = HttpConnection(Endpoint.parse(f"http://127.0.0.1:{port}"))
        found = []
        for _ in range(3):
            response = await connection.post("/v1/completions", b"{}", 5.0)
            found.append((response.status, response.error, response.body()[0]))
        connection.close()
        server.close()
        return found

    assert asyncio.run(scenario()) == [(200, None, b"ok")] * 3
