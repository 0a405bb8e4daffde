"""A reference OpenAI-compatible streaming server with a known schedule, for accuracy tests.

Every request gets: (chat only) a role-only chunk at once, the first content chunk TTFT after
the request arrived, then one chunk every ITL carrying `tokens_per_chunk` tokens, until
`max_tokens` tokens (EOS is never emitted early), then a usage chunk and ``[DONE]``.
asyncio timers fire late, so the server does not claim it kept the schedule: it records the
monotonic time (``time.perf_counter_ns``, system-wide CLOCK_MONOTONIC on Linux) of the
moment it read each request and just before it wrote each chunk, and serves them on
``GET /stats`` (``POST /stats/reset`` clears them). Those times are the ground truth.

Run: ``python -m gpuatlas.bench.reference_server --port 8411 --ttft-ms 20 --itl-ms 5``.
Loopback only.
"""

from __future__ import annotations

import argparse
import asyncio
import heapq
import itertools
import json
import time
from dataclasses import dataclass, field
from typing import Any

MODEL_NAME = "reference-model"


@dataclass(frozen=True)
class Schedule:
    ttft_ms: float = 20.0
    itl_ms: float = 5.0
    tokens_per_chunk: int = 1


@dataclass
class _Stream:
    transport: asyncio.Transport
    chat: bool
    tokens_left: int
    prompt_tokens: int
    received_ns: int
    next_due_ns: int
    record: dict[str, Any] = field(default_factory=dict)


def _chunk(payload: bytes) -> bytes:
    return b"%x\r\n%s\r\n" % (len(payload), payload)


def _sse(event: dict[str, Any]) -> bytes:
    return _chunk(b"data: " + json.dumps(event, separators=(",", ":")).encode() + b"\n\n")


class ReferenceServer:
    def __init__(self, schedule: Schedule) -> None:
        self.schedule = schedule
        self.records: list[dict[str, Any]] = []
        self._heap: list[tuple[int, int, _Stream]] = []
        self._order = itertools.count()
        self._wakeup = asyncio.Event()
        self._text_chunk = self._content_chunk(chat=False)
        self._chat_chunk = self._content_chunk(chat=True)

    def _content_chunk(self, chat: bool) -> bytes:
        text = " tok" * self.schedule.tokens_per_chunk
        choice: dict[str, Any] = {"index": 0, "finish_reason": None}
        if chat:
            choice["delta"] = {"content": text}
        else:
            choice["text"] = text
        kind = "chat.completion.chunk" if chat else "text_completion"
        return _sse({"id": "ref", "object": kind, "model": MODEL_NAME, "choices": [choice]})

    def start_stream(self, transport: asyncio.Transport, request: dict[str, Any],
                     chat: bool, received_ns: int) -> None:
        transport.write(b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n"
                        b"Transfer-Encoding: chunked\r\nConnection: keep-alive\r\n\r\n")
        if chat:
            role = {"index": 0, "delta": {"role": "assistant"}, "finish_reason": None}
            transport.write(_sse({"id": "ref", "object": "chat.completion.chunk",
                                  "choices": [role]}))
        prompt = request.get("prompt") or json.dumps(request.get("messages", ""))
        stream = _Stream(transport, chat, int(request.get("max_tokens") or 16),
                         max(1, len(str(prompt).split())), received_ns,
                         received_ns + int(self.schedule.ttft_ms * 1e6))
        stream.record = {"received_ns": received_ns, "writes_ns": [], "tokens": []}
        self.records.append(stream.record)
        heapq.heappush(self._heap, (stream.next_due_ns, next(self._order), stream))
        self._wakeup.set()

    def _emit(self, stream: _Stream) -> None:
        tokens = min(self.schedule.tokens_per_chunk, stream.tokens_left)
        payload = self._chat_chunk if stream.chat else self._text_chunk
        if tokens != self.schedule.tokens_per_chunk:
            payload = self._content_chunk_for(tokens, stream.chat)
        stream.record["writes_ns"].append(time.perf_counter_ns())
        stream.record["tokens"].append(tokens)
        stream.transport.write(payload)
        stream.tokens_left -= tokens
        if stream.tokens_left <= 0:
            self._finish(stream)
            return
        stream.next_due_ns += int(self.schedule.itl_ms * 1e6)
        heapq.heappush(self._heap, (stream.next_due_ns, next(self._order), stream))

    def _content_chunk_for(self, tokens: int, chat: bool) -> bytes:
        saved = self.schedule
        self.schedule = Schedule(saved.ttft_ms, saved.itl_ms, tokens)
        try:
            return self._content_chunk(chat)
        finally:
            self.schedule = saved

    def _finish(self, stream: _Stream) -> None:
        completion = sum(stream.record["tokens"])
        kind = "chat.completion.chunk" if stream.chat else "text_completion"
        final_choice: dict[str, Any] = {"index": 0, "finish_reason": "length"}
        final_choice["delta" if stream.chat else "text"] = {} if stream.chat else ""
        usage = {"prompt_tokens": stream.prompt_tokens, "completion_tokens": completion,
                 "total_tokens": stream.prompt_tokens + completion}
        stream.transport.write(_sse({"id": "ref", "object": kind, "choices": [final_choice]})
                               + _sse({"id": "ref", "object": kind, "choices": [],
                                       "usage": usage})
                               + _chunk(b"data: [DONE]\n\n") + b"0\r\n\r\n")

    async def ticker(self) -> None:
        while True:
            if not self._heap:
                self._wakeup.clear()
                await self._wakeup.wait()
                continue
            now = time.perf_counter_ns()
            while self._heap and self._heap[0][0] <= now:
                _, _, stream = heapq.heappop(self._heap)
                if not stream.transport.is_closing():
                    self._emit(stream)
            if self._heap:
                delay = (self._heap[0][0] - time.perf_counter_ns()) / 1e9
                self._wakeup.clear()
                if delay > 0:
                    try:
                        await asyncio.wait_for(self._wakeup.wait(), delay)
                    except TimeoutError:
                        pass


class _Connection(asyncio.Protocol):
    def __init__(self, server: ReferenceServer) -> None:
        self.server = server
        self.buffer = bytearray()
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while True:
            head_end = self.buffer.find(b"\r\n\r\n")
            if head_end < 0:
                return
            head = bytes(self.buffer[:head_end]).decode("latin-1")
            length = _content_length(head)
            if len(self.buffer) < head_end + 4 + length:
                return
            body = bytes(self.buffer[head_end + 4 : head_end + 4 + length])
            del self.buffer[: head_end + 4 + length]
            self._handle(head.split(" ")[0], head.split(" ")[1], body, time.perf_counter_ns())

    def _handle(self, method: str, path: str, body: bytes, received_ns: int) -> None:
        assert self.transport is not None
        if method == "POST" and path in ("/v1/completions", "/v1/chat/completions"):
            request = json.loads(body or b"{}")
            if request.get("model") not in (MODEL_NAME, None):
                self._json(404, {"error": {"message": f"model {request.get('model')!r} "
                                           "does not exist"}})
                return
            chat = path.endswith("chat/completions")
            self.server.start_stream(self.transport, request, chat, received_ns)
        elif path == "/v1/models":
            self._json(200, {"object": "list", "data": [{"id": MODEL_NAME, "object": "model"}]})
        elif path == "/stats" and method == "GET":
            self._json(200, {"schedule": self.server.schedule.__dict__,
                             "requests": self.server.records})
        elif path == "/stats/reset":
            self.server.records.clear()
            self._json(200, {"ok": True})
        elif path == "/version":
            self._json(200, {"version": "reference-1"})
        else:
            self._json(404, {"error": "not found"})

    def _json(self, status: int, payload: dict[str, Any]) -> None:
        assert self.transport is not None
        body = json.dumps(payload).encode()
        reason = "OK" if status == 200 else "Not Found"
        self.transport.write(f"HTTP/1.1 {status} {reason}\r\nContent-Type: application/json\r\n"
                             f"Content-Length: {len(body)}\r\n\r\n".encode() + body)


def _content_length(head: str) -> int:
    for line in head.split("\r\n")[1:]:
        name, _, value = line.partition(":")
        if name.strip().lower() == "content-length":
            return int(value.strip())
    return 0


async def serve(port: int, schedule: Schedule, ready: asyncio.Event | None = None) -> None:
    server = ReferenceServer(schedule)
    loop = asyncio.get_running_loop()
    listener = await loop.create_server(lambda: _Connection(server), "127.0.0.1", port,
                                        backlog=4096)
    ticker = asyncio.create_task(server.ticker())
    if ready is not None:
        ready.set()
    try:
        await listener.serve_forever()
    finally:
        ticker.cancel()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8411)
    parser.add_argument("--ttft-ms", type=float, default=20.0)
    parser.add_argument("--itl-ms", type=float, default=5.0)
    parser.add_argument("--tokens-per-chunk", type=int, default=1)
    args = parser.parse_args()
    schedule = Schedule(args.ttft_ms, args.itl_ms, args.tokens_per_chunk)
    print(f"reference server on http://127.0.0.1:{args.port} {schedule}", flush=True)
    asyncio.run(serve(args.port, schedule))


if __name__ == "__main__":
    main()
