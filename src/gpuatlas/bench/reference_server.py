"""A reference OpenAI-compatible streaming server with a known schedule, for accuracy tests.

Every request gets: (chat only) a role-only chunk at once, the first content chunk TTFT after
the request arrived, then one chunk every ITL carrying `tokens_per_chunk` tokens, until
`max_tokens` tokens (EOS is never emitted early), then a usage chunk and ``[DONE]``.
asyncio timers fire late, so the server does not claim it kept the schedule: it records the
monotonic time (``time.perf_counter_ns``, system-wide CLOCK_MONOTONIC on Linux) of the
moment it read each request (``received_ns``) and just before it wrote each chunk
(``writes_ns``), and serves them on ``GET /stats`` (``POST /stats/reset`` clears them).
Those times are the ground truth. On Linux each record also has ``arrived_ns``: the kernel's
receive timestamp (SO_TIMESTAMPNS) of the read that completed the request, moved onto the
same monotonic clock. On loopback the kernel stamps a segment inside the sender's send call,
so ``arrived_ns`` is when the client handed the request to the kernel, whatever the client
and however late the server got round to reading it (``received_ns - arrived_ns``).

Sockets are read with ``recvmsg`` (for that timestamp) and written with ``send``; chunks due
within ``--batch-window-ms`` of a timer tick go out in that tick (fewer wake-ups, so more CPU
left for the client under test), and a tick writes at most ``MAX_WRITES_PER_TICK`` chunks
before letting the event loop read requests.

Run: ``python -m gpuatlas.bench.reference_server --port 8411 --ttft-ms 20 --itl-ms 5``.
Loopback only.
"""

from __future__ import annotations

import argparse
import asyncio
import heapq
import itertools
import json
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from gpuatlas.bench.http_stream import enable_kernel_stamps, read_buffer, receive_stamped

MODEL_NAME = "reference-model"
MAX_WRITES_PER_TICK = 64
STREAM_PATHS = {
    "/v1/completions": "text",
    "/v1/chat/completions": "chat",
    "/api/generate": "ollama-generate",
    "/api/chat": "ollama-chat",
}


@dataclass(frozen=True)
class Schedule:
    ttft_ms: float = 20.0
    itl_ms: float = 5.0
    tokens_per_chunk: int = 1
    fail_every: int = 0  # every n-th request gets HTTP 500 (0: never)
    truncate_every: int = 0  # every n-th stream is cut (connection closed) halfway
    batch_window_ms: float = 0.5  # a tick also writes chunks due this much later
    # Ollama's own timings (eval_duration, prompt_eval_duration) report the schedule's rates
    # times this factor (2.0: a server claiming twice the speed the wire shows)
    server_rate_factor: float = 1.0


@dataclass(frozen=True)
class RequestTimes:
    received_ns: int  # when the server read the request's last byte
    arrived_ns: int | None  # kernel receive stamp of that read, on the same clock


@dataclass
class _Stream:
    transport: SocketTransport
    flavour: str  # "text" | "chat" | "ollama-generate" | "ollama-chat"
    truncate_at: int  # tokens left when the connection is cut; -1: never
    tokens_left: int
    prompt_tokens: int
    received_ns: int
    next_due_ns: int
    record: dict[str, Any] = field(default_factory=dict)


def _chunk(payload: bytes) -> bytes:
    return b"%x\r\n%s\r\n" % (len(payload), payload)


def _sse(event: dict[str, Any]) -> bytes:
    return _chunk(b"data: " + json.dumps(event, separators=(",", ":")).encode() + b"\n\n")


def _last_content(request: dict[str, Any]) -> Any:
    messages = request.get("messages") or [{}]
    return messages[-1].get("content", "")


def _prompt_text(request: dict[str, Any]) -> str:
    if "prompt" in request:
        return str(request["prompt"])
    content = _last_content(request)
    if isinstance(content, str):
        return content
    return " ".join(str(part.get("text", "")) for part in content if isinstance(part, dict))


def _image_count(request: dict[str, Any]) -> int:
    content = _last_content(request)
    if isinstance(content, str):
        return 0
    return sum(1 for part in content if isinstance(part, dict) and "image_url" in part)


def _ndjson(event: dict[str, Any]) -> bytes:
    return _chunk(json.dumps(event, separators=(",", ":")).encode() + b"\n")


def _content_event(flavour: str, text: str) -> bytes:
    if flavour == "ollama-generate":
        return _ndjson({"model": MODEL_NAME, "response": text, "done": False})
    if flavour == "ollama-chat":
        return _ndjson(
            {"model": MODEL_NAME, "message": {"role": "assistant", "content": text}, "done": False}
        )
    choice: dict[str, Any] = {"index": 0, "finish_reason": None}
    if flavour == "chat":
        choice["delta"] = {"content": text}
    else:
        choice["text"] = text
    kind = "chat.completion.chunk" if flavour == "chat" else "text_completion"
    return _sse({"id": "ref", "object": kind, "model": MODEL_NAME, "choices": [choice]})


def _final_events(flavour: str, prompt_tokens: int, completion: int, schedule: Schedule) -> bytes:
    if flavour.startswith("ollama"):
        # the first token ends the prompt evaluation; eval counts the rest's ITL each
        per_ns = 1e6 / schedule.server_rate_factor
        final = {
            "model": MODEL_NAME,
            "done": True,
            "done_reason": "length",
            "prompt_eval_count": prompt_tokens,
            "eval_count": completion,
            "prompt_eval_duration": int(schedule.ttft_ms * per_ns),
            "eval_duration": int(completion * schedule.itl_ms * per_ns),
        }
        if flavour == "ollama-chat":
            final["message"] = {"role": "assistant", "content": ""}
        else:
            final["response"] = ""
        return _ndjson(final) + b"0\r\n\r\n"
    chat = flavour == "chat"
    kind = "chat.completion.chunk" if chat else "text_completion"
    final_choice: dict[str, Any] = {"index": 0, "finish_reason": "length"}
    final_choice["delta" if chat else "text"] = {} if chat else ""
    usage = {
        "prompt_tokens": prompt_tokens,
        "completion_tokens": completion,
        "total_tokens": prompt_tokens + completion,
    }
    return (
        _sse({"id": "ref", "object": kind, "choices": [final_choice]})
        + _sse({"id": "ref", "object": kind, "choices": [], "usage": usage})
        + _chunk(b"data: [DONE]\n\n")
        + b"0\r\n\r\n"
    )


class ReferenceServer:
    def __init__(self, schedule: Schedule) -> None:
        self.schedule = schedule
        self.records: list[dict[str, Any]] = []
        self._heap: list[tuple[int, int, _Stream]] = []
        self._order = itertools.count()
        self._timer: asyncio.TimerHandle | None = None
        self._timer_due_ns = 0
        self._requests_seen = 0
        self._chunks: dict[tuple[str, int], bytes] = {}

    def reset(self) -> None:
        self.records.clear()
        self._requests_seen = 0

    def content_chunk(self, flavour: str, tokens: int) -> bytes:
        key = (flavour, tokens)
        if key not in self._chunks:
            self._chunks[key] = _content_event(flavour, " tok" * tokens)
        return self._chunks[key]

    def next_request_fate(self) -> str:
        """ "fail", "truncate" or "serve", from the request's position in arrival order."""
        self._requests_seen += 1
        number, schedule = self._requests_seen, self.schedule
        if schedule.fail_every and number % schedule.fail_every == 0:
            return "fail"
        if schedule.truncate_every and number % schedule.truncate_every == 0:
            return "truncate"
        return "serve"

    def start_stream(
        self,
        transport: SocketTransport,
        request: dict[str, Any],
        flavour: str,
        times: RequestTimes,
        truncate: bool,
    ) -> None:
        content_type = (
            b"application/x-ndjson" if flavour.startswith("ollama") else (b"text/event-stream")
        )
        transport.write(
            b"HTTP/1.1 200 OK\r\nContent-Type: " + content_type + b"\r\n"
            b"Transfer-Encoding: chunked\r\nConnection: keep-alive\r\n\r\n"
        )
        if flavour == "chat":
            role = {"index": 0, "delta": {"role": "assistant"}, "finish_reason": None}
            transport.write(
                _sse({"id": "ref", "object": "chat.completion.chunk", "choices": [role]})
            )
        prompt = _prompt_text(request)
        wanted = int(
            request.get("max_tokens") or (request.get("options") or {}).get("num_predict") or 16
        )
        received_ns = times.received_ns
        stream = _Stream(
            transport,
            flavour,
            wanted // 2 if truncate else -1,
            wanted,
            max(1, len(prompt.split())),
            received_ns,
            received_ns + int(self.schedule.ttft_ms * 1e6),
        )
        stream.record = {
            "received_ns": received_ns,
            "arrived_ns": times.arrived_ns,
            "writes_ns": [],
            "tokens": [],
            "prompt_head": prompt[:40],
            "truncated": truncate,
            "images": _image_count(request),
        }
        self.records.append(stream.record)
        heapq.heappush(self._heap, (stream.next_due_ns, next(self._order), stream))
        self._arm_timer()

    def _emit(self, stream: _Stream) -> None:
        if stream.tokens_left == stream.truncate_at:
            stream.transport.close()
            return
        tokens = min(self.schedule.tokens_per_chunk, stream.tokens_left)
        payload = self.content_chunk(stream.flavour, tokens)
        stream.record["writes_ns"].append(time.perf_counter_ns())
        stream.record["tokens"].append(tokens)
        stream.transport.write(payload)
        stream.tokens_left -= tokens
        if stream.tokens_left <= 0:
            stream.transport.write(
                _final_events(
                    stream.flavour,
                    stream.prompt_tokens,
                    sum(stream.record["tokens"]),
                    self.schedule,
                )
            )
            return
        stream.next_due_ns += int(self.schedule.itl_ms * 1e6)
        heapq.heappush(self._heap, (stream.next_due_ns, next(self._order), stream))

    def _arm_timer(self) -> None:
        """A timer for the earliest chunk due (a callback, so reads run between ticks)."""
        if not self._heap:
            return
        due_ns = self._heap[0][0]
        if self._timer is not None:
            if self._timer_due_ns <= due_ns:
                return
            self._timer.cancel()
        delay_s = max(0.0, (due_ns - time.perf_counter_ns()) / 1e9)
        self._timer_due_ns = due_ns
        self._timer = asyncio.get_running_loop().call_later(delay_s, self._tick)

    def _tick(self) -> None:
        self._timer = None
        horizon_ns = time.perf_counter_ns() + int(self.schedule.batch_window_ms * 1e6)
        heap, written = self._heap, 0
        while heap and heap[0][0] <= horizon_ns and written < MAX_WRITES_PER_TICK:
            _, _, stream = heapq.heappop(heap)
            if not stream.transport.is_closing():
                self._emit(stream)
                written += 1
        self._arm_timer()


class SocketTransport:
    """The part of an asyncio transport the server needs, on a raw non-blocking socket: reads
    go through ``recvmsg`` so each comes with the kernel's receive timestamp."""

    def __init__(
        self, connection: socket.socket, on_data: Callable[[memoryview, RequestTimes], None]
    ) -> None:
        self.sock, self.fd, self.on_data = connection, connection.fileno(), on_data
        self.loop = asyncio.get_running_loop()
        self._unsent = bytearray()
        self._closing = False
        self.loop.add_reader(self.fd, self._readable)

    def _readable(self) -> None:
        view = read_buffer()
        try:
            size, read_ns, arrived_ns = receive_stamped(self.sock, view)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            size, read_ns, arrived_ns = 0, 0, None
        if not size:
            self._unsent.clear()
            self.close()
            return
        self.on_data(view[:size], RequestTimes(read_ns, arrived_ns))

    def write(self, data: bytes) -> None:
        if self._closing and not self._unsent:
            return
        if self._unsent:
            self._unsent += data
            return
        try:
            sent = self.sock.send(data)
        except (BlockingIOError, InterruptedError):
            sent = 0
        except OSError:
            self._shut()
            return
        if sent < len(data):
            self._unsent += data[sent:]
            self.loop.add_writer(self.fd, self._writable)

    def _writable(self) -> None:
        try:
            sent = self.sock.send(self._unsent)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            self._shut()
            return
        del self._unsent[:sent]
        if not self._unsent:
            self.loop.remove_writer(self.fd)
            if self._closing:
                self._shut()

    def is_closing(self) -> bool:
        return self._closing

    def close(self) -> None:
        """Close once what was written has been sent (as asyncio transports do)."""
        self._closing = True
        if not self._unsent:
            self._shut()

    def _shut(self) -> None:
        self._closing = True
        if self.fd < 0:
            return
        self.loop.remove_reader(self.fd)
        self.loop.remove_writer(self.fd)
        self.sock.close()
        self.fd = -1


class _Connection:
    def __init__(self, server: ReferenceServer, connection: socket.socket) -> None:
        self.server = server
        self.buffer = bytearray()
        self.transport = SocketTransport(connection, self.data_received)

    def data_received(self, data: memoryview, times: RequestTimes) -> None:
        self.buffer += data
        while not self.transport.is_closing():
            head_end = self.buffer.find(b"\r\n\r\n")
            if head_end < 0:
                return
            head = bytes(self.buffer[:head_end]).decode("latin-1")
            length = _content_length(head)
            if len(self.buffer) < head_end + 4 + length:
                return
            body = bytes(self.buffer[head_end + 4 : head_end + 4 + length])
            del self.buffer[: head_end + 4 + length]
            self._handle(head.split(" ")[0], head.split(" ")[1], body, times)

    def _handle(self, method: str, path: str, body: bytes, times: RequestTimes) -> None:
        if method == "POST" and path in STREAM_PATHS:
            self._stream(STREAM_PATHS[path], json.loads(body or b"{}"), times)
        elif path == "/api/tags":
            self._json(200, {"models": [{"name": MODEL_NAME, "model": MODEL_NAME}]})
        elif path == "/api/version":
            self._json(200, {"version": "reference-1"})
        elif path == "/v1/models":
            self._json(200, {"object": "list", "data": [{"id": MODEL_NAME, "object": "model"}]})
        elif path == "/stats" and method == "GET":
            self._json(
                200, {"schedule": self.server.schedule.__dict__, "requests": self.server.records}
            )
        elif path == "/stats/reset":
            self.server.reset()
            self._json(200, {"ok": True})
        elif path == "/version":
            self._json(200, {"version": "reference-1"})
        else:
            self._json(404, {"error": "not found"})

    def _stream(self, flavour: str, request: dict[str, Any], times: RequestTimes) -> None:
        if request.get("model") not in (MODEL_NAME, None):
            message = f"model {request.get('model')!r} does not exist"
            self._json(404, {"error": {"message": message}})
            return
        fate = self.server.next_request_fate()
        if fate == "fail":
            self._json(500, {"error": {"message": "injected failure"}})
            return
        self.server.start_stream(
            self.transport, request, flavour, times, truncate=fate == "truncate"
        )

    def _json(self, status: int, payload: dict[str, Any]) -> None:
        body = json.dumps(payload).encode()
        reason = {200: "OK", 404: "Not Found", 500: "Internal Server Error"}[status]
        self.transport.write(
            f"HTTP/1.1 {status} {reason}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\n\r\n".encode()
            + body
        )


def _content_length(head: str) -> int:
    for line in head.split("\r\n")[1:]:
        name, _, value = line.partition(":")
        if name.strip().lower() == "content-length":
            return int(value.strip())
    return 0


def _accept_all(listener: socket.socket, server: ReferenceServer) -> None:
    while True:
        try:
            connection, _ = listener.accept()
        except (BlockingIOError, InterruptedError):
            return
        connection.setblocking(False)
        connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        enable_kernel_stamps(connection)  # without kernel stamps, arrived_ns is None
        _Connection(server, connection)


async def serve(port: int, schedule: Schedule, ready: asyncio.Event | None = None) -> None:
    server = ReferenceServer(schedule)
    loop = asyncio.get_running_loop()
    listener = socket.create_server(("127.0.0.1", port), backlog=4096)
    listener.setblocking(False)
    enable_kernel_stamps(listener)  # inherited on accept, so even a first request is stamped
    loop.add_reader(listener.fileno(), _accept_all, listener, server)
    if ready is not None:
        ready.set()
    try:
        await loop.create_future()  # until cancelled
    finally:
        loop.remove_reader(listener.fileno())
        listener.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8411)
    parser.add_argument("--ttft-ms", type=float, default=20.0)
    parser.add_argument("--itl-ms", type=float, default=5.0)
    parser.add_argument("--tokens-per-chunk", type=int, default=1)
    parser.add_argument("--fail-every", type=int, default=0)
    parser.add_argument("--truncate-every", type=int, default=0)
    parser.add_argument(
        "--server-rate-factor",
        type=float,
        default=1.0,
        help="Ollama timings claim the schedule's rates times this",
    )
    parser.add_argument(
        "--batch-window-ms",
        type=float,
        default=Schedule.batch_window_ms,
        help="a timer tick also writes chunks due within this many ms",
    )
    args = parser.parse_args()
    schedule = Schedule(
        args.ttft_ms,
        args.itl_ms,
        args.tokens_per_chunk,
        args.fail_every,
        args.truncate_every,
        args.batch_window_ms,
        args.server_rate_factor,
    )
    print(f"reference server on http://127.0.0.1:{args.port} {schedule}", flush=True)
    try:
        import uvloop  # the less time the server spends per write, the closer it keeps time
    except ImportError:
        asyncio.run(serve(args.port, schedule))
    else:
        uvloop.run(serve(args.port, schedule))


if __name__ == "__main__":
    main()
