"""The four streaming APIs the load generator speaks: request bodies and stream decoding.

- ``openai-completions``: POST /v1/completions, SSE, ``choices[0].text``
- ``openai-chat``: POST /v1/chat/completions, SSE, ``choices[0].delta.{content,reasoning_content,
  reasoning,tool_calls}`` (a role-only first chunk is not a token)
- ``ollama-generate``: POST /api/generate, NDJSON, ``response`` / ``thinking``
- ``ollama-chat``: POST /api/chat, NDJSON, ``message.content`` / ``message.thinking``

Decoding happens after a response has ended (see http_stream): every event keeps the arrival
time of the TCP read that carried its first byte.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from itertools import compress
from operator import not_
from typing import Any

import numpy as np

from gpuatlas.bench.http_stream import RawResponse
from gpuatlas.bench.sse_events import sse_data_lines, token_event_flags

API_PATHS = {
    "openai-completions": "/v1/completions",
    "openai-chat": "/v1/chat/completions",
    "ollama-generate": "/api/generate",
    "ollama-chat": "/api/chat",
}
NDJSON_LINE = re.compile(rb"[^\r\n]+")


@dataclass(frozen=True)
class RequestSpec:
    """What one request asks for (the prompt is unique per request)."""

    api: str
    model: str
    prompt: str
    output_tokens: int
    ignore_eos: bool = True
    seed: int = 0
    image_data_urls: tuple[str, ...] = ()


@dataclass
class DecodedStream:
    """What a streamed response said, with arrival times of the token-bearing events."""

    token_times_ns: list[int] = field(default_factory=list)
    answer_times_ns: list[int] = field(default_factory=list)  # non-reasoning content only
    prompt_tokens: int | None = None
    output_tokens: int | None = None
    token_count_source: str = "stream-events"
    empty_token_events: int = 0  # chunks with an empty text delta and no finish_reason
    finish_reason: str | None = None
    ended: bool = False
    error_kind: str | None = None
    error: str | None = None
    server_timings: dict[str, float] = field(default_factory=dict)


def request_body(spec: RequestSpec) -> bytes:
    builders = {
        "openai-completions": _openai_completions_body,
        "openai-chat": _openai_chat_body,
        "ollama-generate": _ollama_generate_body,
        "ollama-chat": _ollama_chat_body,
    }
    return json.dumps(builders[spec.api](spec), separators=(",", ":")).encode()


def _openai_common(spec: RequestSpec) -> dict[str, Any]:
    body: dict[str, Any] = {
        "model": spec.model,
        "max_tokens": spec.output_tokens,
        "temperature": 0.0,
        "seed": spec.seed,
        "stream": True,
        "stream_options": {"include_usage": True},
    }
    if spec.ignore_eos:
        body["ignore_eos"] = True
        body["min_tokens"] = spec.output_tokens
    return body


def _openai_completions_body(spec: RequestSpec) -> dict[str, Any]:
    return {**_openai_common(spec), "prompt": spec.prompt}


def _user_content(spec: RequestSpec) -> Any:
    if not spec.image_data_urls:
        return spec.prompt
    images = [{"type": "image_url", "image_url": {"url": url}} for url in spec.image_data_urls]
    return [{"type": "text", "text": spec.prompt}, *images]


def _openai_chat_body(spec: RequestSpec) -> dict[str, Any]:
    messages = [{"role": "user", "content": _user_content(spec)}]
    return {**_openai_common(spec), "messages": messages}


def _ollama_options(spec: RequestSpec) -> dict[str, Any]:
    return {"num_predict": spec.output_tokens, "temperature": 0.0, "seed": spec.seed}


def _ollama_generate_body(spec: RequestSpec) -> dict[str, Any]:
    return {
        "model": spec.model,
        "prompt": spec.prompt,
        "stream": True,
        "options": _ollama_options(spec),
    }


def _ollama_chat_body(spec: RequestSpec) -> dict[str, Any]:
    messages = [{"role": "user", "content": spec.prompt}]
    return {
        "model": spec.model,
        "messages": messages,
        "stream": True,
        "options": _ollama_options(spec),
    }


def decode_response(api: str, response: RawResponse) -> DecodedStream:
    """Turn a raw response into token events, counts and an error kind (None when fine)."""
    decoded = DecodedStream()
    if response.error == "timeout":
        decoded.error_kind, decoded.error = "timeout", "no complete response before the timeout"
    elif response.status == 0 and not response.raw:
        decoded.error_kind, decoded.error = "connect_error", response.error or "no response"
    elif response.status != 200:
        decoded.error_kind = f"http_{response.status}"
        decoded.error = _error_text(response)
        return decoded
    try:
        if api.startswith("openai"):
            _decode_sse(response, decoded, chat=api == "openai-chat")
        else:
            _decode_ndjson(response, decoded, chat=api == "ollama-chat")
    except (ValueError, KeyError, TypeError, IndexError, AttributeError) as error:
        decoded.error_kind, decoded.error = "malformed", f"undecodable stream event: {error}"
        return decoded
    _classify_end(response, decoded)
    if decoded.output_tokens is None and decoded.empty_token_events:
        decoded.output_tokens = len(decoded.token_times_ns) + decoded.empty_token_events
        decoded.token_count_source = "stream-chunks"
    return decoded


def _classify_end(response: RawResponse, decoded: DecodedStream) -> None:
    if decoded.error_kind is not None:
        return
    if not response.complete:
        decoded.error_kind = "truncated"
        decoded.error = response.error or "the response ended early"
    elif not decoded.ended:
        decoded.error_kind, decoded.error = "truncated", "the stream ended without its last event"


def _error_text(response: RawResponse) -> str:
    body, _, _ = response.body()
    text = body.decode("utf-8", "replace").strip()
    return f"HTTP {response.status}: {text[:300]}"


def _decode_sse(response: RawResponse, decoded: DecodedStream, chat: bool) -> None:
    body, body_starts, raw_starts = response.body()
    if not body.isascii():
        body.decode("utf-8")  # a stream that is not UTF-8 is malformed (as json.loads finds)
    data, decoded.ended = sse_data_lines(body).without_done()
    times = arrival_times(response, data.starts, body_starts, raw_starts)
    others = list(compress(range(len(data.lines)), map(not_, token_event_flags(data, chat))))
    parsed = _parse_json_payloads([data.payload(i) for i in others])
    _collect_openai_events(others, parsed, times, decoded, chat)


def _collect_openai_events(
    others: list[int], parsed: list[Any], times: list[int], out: DecodedStream, chat: bool
) -> None:
    """Events between those decoded in full (`others`, at those indices) are answer tokens."""
    token_times, answer_times, start = out.token_times_ns, out.answer_times_ns, 0
    for index, event in zip(others, parsed, strict=True):
        token_times += times[start:index]
        answer_times += times[start:index]
        _apply_openai_event(event, times[index], out, chat)
        if out.error_kind:
            return
        start = index + 1
    token_times += times[start:]
    answer_times += times[start:]


def _parse_json_payloads(payloads: list[bytes]) -> list[Any]:
    """All events in one json.loads call (much cheaper than one call per event); on a
    malformed event, per-event parsing raises for the culprit."""
    try:
        parsed = json.loads(b"[" + b",".join(payloads) + b"]")
    except ValueError:
        parsed = [json.loads(payload) for payload in payloads]
    if len(parsed) != len(payloads):  # a payload that held several values, e.g. "1,2"
        raise ValueError("an event holds more than one JSON value")
    return list(parsed)


def arrival_times(
    response: RawResponse,
    body_offsets: list[int] | np.ndarray,
    body_starts: list[int],
    raw_starts: list[int],
) -> list[int]:
    """Arrival time of the TCP read that carried each body offset (vectorised)."""
    if len(body_offsets) == 0:
        return []
    offsets = np.asarray(body_offsets, dtype=np.int64)
    span = np.searchsorted(np.asarray(body_starts, dtype=np.int64), offsets, side="right") - 1
    raw = (
        np.asarray(raw_starts, dtype=np.int64)[span]
        + offsets
        - np.asarray(body_starts, dtype=np.int64)[span]
    )
    read = np.searchsorted(np.asarray(response.read_ends, dtype=np.int64), raw, side="right")
    read = np.minimum(read, len(response.read_times_ns) - 1)
    times: list[int] = np.asarray(response.read_times_ns, dtype=np.int64)[read].tolist()
    return times


def _apply_openai_event(
    event: dict[str, Any], arrival: int, out: DecodedStream, chat: bool
) -> None:
    if "error" in event:
        out.error_kind, out.error = "server_error", str(event["error"])[:300]
        return
    usage = event.get("usage")
    if usage:
        out.prompt_tokens = usage.get("prompt_tokens")
        out.output_tokens = usage.get("completion_tokens")
        out.token_count_source = "usage"
    if "timings" in event:  # llama.cpp server
        out.server_timings = {
            k: float(v) for k, v in event["timings"].items() if isinstance(v, int | float)
        }
    for choice in event.get("choices") or []:
        if choice.get("finish_reason"):
            out.finish_reason = choice["finish_reason"]
        answer, reasoning = _openai_choice_text(choice, chat)
        if answer or reasoning:
            out.token_times_ns.append(arrival)
        elif not choice.get("finish_reason") and not _role_only(choice):
            out.empty_token_events += 1  # e.g. a partial UTF-8 character held back
        if answer:
            out.answer_times_ns.append(arrival)


def _role_only(choice: dict[str, Any]) -> bool:
    delta = choice.get("delta")
    return isinstance(delta, dict) and "role" in delta and not delta.get("content")


def _openai_choice_text(choice: dict[str, Any], chat: bool) -> tuple[bool, bool]:
    if not chat:
        return bool(choice.get("text")), False
    delta = choice.get("delta") or {}
    answer = bool(delta.get("content")) or bool(delta.get("tool_calls"))
    reasoning = bool(delta.get("reasoning_content")) or bool(delta.get("reasoning"))
    return answer, reasoning


def _decode_ndjson(response: RawResponse, decoded: DecodedStream, chat: bool) -> None:
    body, body_starts, raw_starts = response.body()
    lines = list(NDJSON_LINE.finditer(body))
    parsed = _parse_json_payloads([m.group(0) for m in lines])
    times = arrival_times(response, [m.start() for m in lines], body_starts, raw_starts)
    for event, arrival in zip(parsed, times, strict=True):
        _apply_ollama_event(event, arrival, decoded, chat)
        if decoded.error_kind:
            return


def _apply_ollama_event(
    event: dict[str, Any], arrival: int, out: DecodedStream, chat: bool
) -> None:
    if "error" in event:
        out.error_kind, out.error = "server_error", str(event["error"])[:300]
        return
    part = (event.get("message") or {}) if chat else event
    answer = bool(part.get("content" if chat else "response"))
    if answer or part.get("thinking"):
        out.token_times_ns.append(arrival)
    if answer:
        out.answer_times_ns.append(arrival)
    if event.get("done"):
        out.ended = True
        out.finish_reason = event.get("done_reason")
        _apply_ollama_counts(event, out)


def _apply_ollama_counts(event: dict[str, Any], out: DecodedStream) -> None:
    if "eval_count" in event:
        out.output_tokens = int(event["eval_count"])
        out.token_count_source = "ollama-eval-count"
    if "prompt_eval_count" in event:
        out.prompt_tokens = int(event["prompt_eval_count"])
    for name in ("total_duration", "load_duration", "prompt_eval_duration", "eval_duration"):
        if name in event:
            out.server_timings[name.replace("duration", "ms")] = event[name] / 1e6
