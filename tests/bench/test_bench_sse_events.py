"""Token events recognised without a JSON decode of each (bench/sse_events.py) give exactly what
decoding every event in full gives, whatever the token text holds."""

from __future__ import annotations

import asyncio
import json
import random
from typing import Any

import pytest

from gpuatlas.bench.apis import DecodedStream, _apply_openai_event, arrival_times, decode_response
from gpuatlas.bench.http_stream import RawResponse, _ResponseProtocol
from gpuatlas.bench.sse_events import (
    DATA_LINE,
    DataLines,
    find_template,
    sse_data_lines,
    token_event_flags,
)

# texts that need escapes, look like JSON structure, or are not ASCII
NASTY_TEXTS = [
    " the",
    "\n",
    '"',
    "\\",
    '\\"',
    '","finish_reason":"stop',
    "caf\u00e9",
    "\u4f60",
    "\U0001f600",
    "\t",
    "a\\",
    "\u0000",
    "/",
    "\\u0041",
    "}]}",
    " data: x",
]


class _Transport(asyncio.Transport):
    def write(self, data: bytes | bytearray | memoryview) -> None:
        return None


def _receive(payloads: list[bytes], cut_every: int = 37) -> RawResponse:
    events = b"".join(b"data: " + p + b"\n\n" for p in payloads) + b"data: [DONE]\n\n"
    chunks = [events[i : i + 50] for i in range(0, len(events), 50)]
    wire = (
        b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n"
        b"Transfer-Encoding: chunked\r\n\r\n"
        + b"".join(b"%x\r\n%s\r\n" % (len(c), c) for c in chunks)
        + b"0\r\n\r\n"
    )
    protocol = _ResponseProtocol()
    protocol.connection_made(_Transport())
    loop = asyncio.new_event_loop()
    try:
        response = protocol.send(b"", loop.create_future())
        for number, start in enumerate(range(0, len(wire), cut_every)):
            protocol.data_received(wire[start : start + cut_every], 1_000_000 * (number + 1))
        return response
    finally:
        loop.close()


def _decoded_in_full(payloads: list[bytes], response: RawResponse, chat: bool) -> DecodedStream:
    """The reference: every event decoded and applied one by one."""
    out = DecodedStream()
    stamps = _event_times(response)
    for payload, arrival in zip(payloads, stamps, strict=True):
        _apply_openai_event(json.loads(payload), arrival, out, chat)
        if out.error_kind:
            break
    return out


def _event_times(response: RawResponse) -> list[int]:
    """Arrival of the read that carried each event's first byte ([DONE] left out)."""
    body, body_starts, raw_starts = response.body()
    offsets = [m.start() for m in DATA_LINE.finditer(body)][:-1]
    return arrival_times(response, offsets, body_starts, raw_starts)


def _lines(payloads: list[bytes]) -> DataLines:
    return sse_data_lines(b"".join(b"data: " + p + b"\n\n" for p in payloads))


def _completion(text: str, **extra: Any) -> bytes:
    choice = {"index": 0, "text": text, "logprobs": None, "finish_reason": None, **extra}
    event = {
        "id": "cmpl-7",
        "object": "text_completion",
        "created": 17,
        "model": "m",
        "choices": [choice],
        "usage": None,
    }
    return json.dumps(event, ensure_ascii=random.random() < 0.5).encode()


def _chat(text: str, key: str = "content") -> bytes:
    return json.dumps(
        {"id": "c", "choices": [{"index": 0, "delta": {key: text}, "finish_reason": None}]}
    ).encode()


def _same(fast: DecodedStream, full: DecodedStream) -> None:
    assert fast.error_kind is None
    assert fast.token_times_ns == full.token_times_ns
    assert fast.answer_times_ns == full.answer_times_ns
    assert (fast.output_tokens, fast.prompt_tokens, fast.finish_reason) == (
        full.output_tokens,
        full.prompt_tokens,
        full.finish_reason,
    )


@pytest.mark.parametrize("seed", range(6))
def test_completions_with_any_text_decode_as_in_full(seed: int) -> None:
    random.seed(seed)
    texts = [random.choice(NASTY_TEXTS) for _ in range(120)]
    payloads = [_completion(t) for t in texts]
    payloads.insert(60, _completion("", finish_reason=None))  # an empty text is no token
    payloads.append(_completion("", finish_reason="length"))
    payloads.append(
        json.dumps(
            {"choices": [], "usage": {"prompt_tokens": 3, "completion_tokens": 120}}
        ).encode()
    )
    response = _receive(payloads)
    fast = decode_response("openai-completions", response)
    _same(fast, _decoded_in_full(payloads, response, chat=False))
    assert len(fast.token_times_ns) == 120 and fast.output_tokens == 120 and fast.ended


def test_chat_role_reasoning_and_content_decode_as_in_full() -> None:
    random.seed(9)
    payloads = [
        json.dumps(
            {
                "id": "c",
                "choices": [{"index": 0, "delta": {"role": "assistant"}, "finish_reason": None}],
            }
        ).encode()
    ]
    payloads += [
        _chat(random.choice(NASTY_TEXTS), random.choice(["content", "reasoning_content"]))
        for _ in range(80)
    ]
    response = _receive(payloads)
    fast = decode_response("openai-chat", response)
    _same(fast, _decoded_in_full(payloads, response, chat=True))
    reasoning = sum(b"reasoning_content" in p for p in payloads)
    assert len(fast.token_times_ns) == 80 and len(fast.answer_times_ns) == 80 - reasoning


def test_an_event_that_only_looks_like_the_template_is_decoded_in_full() -> None:
    """Same bytes before and after the text, but an unescaped quote inside changes the event:
    here it ends the stream with an empty text (no token) and a finish reason."""
    plain = b'{"choices":[{"index":0,"finish_reason":null,"text":"a"}]}'
    forged = (
        b'{"choices":[{"index":0,"finish_reason":null,"text":"b","finish_reason":"length",'
        b'"text":""}]}'
    )
    payloads = [plain, plain, forged]
    assert token_event_flags(_lines(payloads), chat=False) == [True, True, False]
    decoded = decode_response("openai-completions", _receive(payloads))
    assert len(decoded.token_times_ns) == 2 and decoded.finish_reason == "length"


@pytest.mark.parametrize("bad_text", [b"a\\", b"\x01", b"\\x", b"\\u12", b"\xff\xfe"])
def test_invalid_text_in_a_template_event_is_malformed(bad_text: bytes) -> None:
    plain = b'{"choices":[{"index":0,"finish_reason":null,"text":"a"}]}'
    bad = plain.replace(b'"text":"a"', b'"text":"' + bad_text + b'"')
    decoded = decode_response("openai-completions", _receive([plain, bad, plain]))
    assert decoded.error_kind == "malformed"


def test_events_whose_other_fields_change_are_decoded_in_full() -> None:
    payloads = [
        _completion("x"),
        _completion("y", logprobs={"tokens": ["y"]}),
        _completion("z"),
        _completion("w").replace(b'"created": 17', b'"created": 18'),
    ]
    assert token_event_flags(_lines(payloads), chat=False) == [True, False, True, False]
    response = _receive(payloads)
    _same(
        decode_response("openai-completions", response),
        _decoded_in_full(payloads, response, chat=False),
    )


def test_no_template_without_a_plain_token_event_early() -> None:
    usage = json.dumps({"choices": [], "usage": {"completion_tokens": 1}}).encode()
    assert find_template(_lines([usage] * 9 + [_completion("a")]), chat=False) is None
    assert find_template(_lines([_completion("a")]), chat=True) is None  # chat: delta.content
    assert find_template(_lines([usage, _completion("a")]), chat=False) is not None


def test_data_lines_with_any_line_end_and_no_space() -> None:
    body = b'data:{"a":1}\n\nevent: x\ndata: [DONE]\n\n'
    crlf = body.replace(b"\n", b"\r\n")
    for text in (body, crlf):
        data = sse_data_lines(text)
        assert [data.payload(i) for i in range(2)] == [b'{"a":1}', b"[DONE]"]
        assert data.starts.tolist() == [0, text.index(b"data: [")]
        kept, done = data.without_done()
        assert done and kept.starts.tolist() == [0] and kept.payload(0) == b'{"a":1}'
