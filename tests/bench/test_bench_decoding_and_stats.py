"""Stream decoding (fed through the real protocol in pieces), metric definitions, statistics."""

from __future__ import annotations

import asyncio
import json

import numpy as np
import pytest

from gpuatlas.bench.apis import decode_response
from gpuatlas.bench.http_stream import RawResponse, _ResponseProtocol
from gpuatlas.bench.metrics import (
    RequestRecord,
    Slo,
    itl_values_and_weights,
    request_metrics,
    run_level_metrics,
    steady_state_window,
)
from gpuatlas.bench.run_summaries import summarize
from gpuatlas.statistics import Distribution, weighted_quantile


class _Transport(asyncio.Transport):
    def write(self, data: bytes | bytearray | memoryview) -> None:
        return None


def _sse(*events: dict[str, object]) -> list[bytes]:
    return [b"data: " + json.dumps(e).encode() + b"\n\n" for e in events] + [b"data: [DONE]\n\n"]


def _chunked(pieces: list[bytes]) -> bytes:
    head = (
        b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n"
    )
    body = b"".join(b"%x\r\n%s\r\n" % (len(p), p) for p in pieces)
    return head + body + b"0\r\n\r\n"


def _receive(wire: bytes, cut_every: int) -> RawResponse:
    """Feed the bytes through the protocol in reads of `cut_every` bytes, 1 ms apart."""
    protocol = _ResponseProtocol()
    protocol.connection_made(_Transport())
    loop = asyncio.new_event_loop()
    try:
        waiter = loop.create_future()
        response = protocol.send(b"", waiter)
        clock = [response.t_send_ns]

        for start in range(0, len(wire), cut_every):
            protocol.data_received(wire[start : start + cut_every])
            clock.append(clock[-1] + 1_000_000)
            response.read_times_ns[-1] = clock[-1]
        return response
    finally:
        loop.close()


CHAT_EVENTS = (
    {"choices": [{"index": 0, "delta": {"role": "assistant"}}]},
    {"choices": [{"index": 0, "delta": {"reasoning_content": "hmm"}}]},
    {"choices": [{"index": 0, "delta": {"content": "Hello"}}]},
    {"choices": [{"index": 0, "delta": {"content": " world"}, "finish_reason": "length"}]},
    {"choices": [], "usage": {"prompt_tokens": 7, "completion_tokens": 5}},
)


@pytest.mark.parametrize("cut_every", [1, 7, 64, 100_000])
def test_chat_stream_decodes_the_same_however_it_is_split(cut_every: int) -> None:
    response = _receive(_chunked(_sse(*CHAT_EVENTS)), cut_every)
    assert response.complete
    decoded = decode_response("openai-chat", response)
    assert decoded.error_kind is None
    assert len(decoded.token_times_ns) == 3  # role-only chunk is not a token
    assert len(decoded.answer_times_ns) == 2  # reasoning is not an answer token
    assert decoded.output_tokens == 5 and decoded.token_count_source == "usage"
    assert decoded.finish_reason == "length"
    # each event is stamped with the read that carried its first byte
    assert decoded.token_times_ns == sorted(decoded.token_times_ns)


def test_stream_without_done_is_truncated_and_error_events_are_server_errors() -> None:
    pieces = _sse(*CHAT_EVENTS)[:-1]  # no [DONE]
    decoded = decode_response("openai-chat", _receive(_chunked(pieces), 50))
    assert decoded.error_kind == "truncated"
    errored = _chunked(_sse({"error": {"message": "out of memory"}}))
    assert decode_response("openai-chat", _receive(errored, 50)).error_kind == "server_error"
    malformed = _chunked([b"data: {not json\n\n"])
    assert decode_response("openai-chat", _receive(malformed, 50)).error_kind == "malformed"


def test_http_errors_keep_their_status_and_text() -> None:
    body = b'{"error":"model not found"}'
    wire = (b"HTTP/1.1 404 Not Found\r\nContent-Length: %d\r\n\r\n" % len(body)) + body
    decoded = decode_response("openai-completions", _receive(wire, 10))
    assert decoded.error_kind == "http_404"
    assert "model not found" in (decoded.error or "")


def _record(
    send: int, times: list[int], tokens: int, end: int, index: int = 0, warmup: bool = False
) -> RequestRecord:
    return RequestRecord(
        index=index,
        warmup=warmup,
        scheduled_ns=send,
        send_ns=send,
        end_ns=end,
        token_times_ns=tuple(times),
        output_tokens=tokens,
    )


def test_request_metrics_follow_the_definitions() -> None:
    ms = 1_000_000
    record = _record(0, [100 * ms, 110 * ms, 130 * ms], tokens=6, end=131 * ms)
    metrics = request_metrics(record)
    assert metrics.ttft_ms == 100
    assert metrics.e2e_ms == 131
    # 6 tokens over 3 events = 2 per event; TPOT = 30 ms / (6 - 2)
    assert metrics.tpot_ms == pytest.approx(7.5)
    values, weights = itl_values_and_weights([record])
    assert list(values) == [5.0, 10.0] and list(weights) == [2.0, 2.0]


def test_steady_state_window_and_throughput() -> None:
    s = 1_000_000_000
    # two slots; all four requests of 1 s; slot load reached at t=0.5 s, last send at 2.0 s
    records = [
        _record(0, [int(0.5 * s), s], 10, s, 0),
        _record(int(0.5 * s), [s, int(1.5 * s)], 10, int(1.5 * s), 1),
        _record(s, [int(1.5 * s), 2 * s], 10, 2 * s, 2),
        _record(2 * s, [int(2.5 * s), 3 * s], 10, 3 * s, 3),
    ]
    window = steady_state_window(records, target_in_flight=2)
    assert window is not None
    assert (window.start_ns, window.end_ns) == (int(0.5 * s), 2 * s)
    values, warnings = run_level_metrics(records, 2, Slo(ttft_ms=600))
    # token events inside [0.5 s, 2 s]: 0.5, 1, 1, 1.5, 1.5, 2 -> 6 events x 5 tokens
    assert values["output_tok_s"] == pytest.approx(30 / 1.5)
    assert values["output_tok_s_whole_run"] == pytest.approx(40 / 3)
    assert values["goodput_request_s"] == pytest.approx(4 / 3)
    assert warnings == []


def test_weighted_quantile_equals_the_expanded_sample() -> None:
    values = np.array([1.0, 2.0, 3.0, 10.0])
    weights = np.array([1.0, 3.0, 2.0, 2.0])
    expanded = np.repeat(values, weights.astype(int))
    for q in (0.0, 0.1, 0.5, 0.9, 0.99, 1.0):  # the one percentile definition, on the repeats
        assert weighted_quantile(values, weights, q) == pytest.approx(np.quantile(expanded, q))
    assert weighted_quantile(values, np.ones(4), 0.5) == pytest.approx(2.5)


def test_bootstrap_interval_is_seeded_and_brackets_the_median() -> None:
    sample = np.random.default_rng(1).lognormal(3, 0.3, 500)
    first = summarize(Distribution(sample), "ms", seed=7)
    again = summarize(Distribution(sample), "ms", seed=7)
    assert first == again
    assert first.ci_low is not None and first.ci_high is not None
    assert first.ci_low <= first.median <= first.ci_high  # type: ignore[operator]
    assert first.n == 500 and first.p99_sufficient is False
    assert first.p90 == pytest.approx(float(np.quantile(sample, 0.9)))
    empty = summarize(Distribution(np.empty(0)))
    assert empty.n == 0 and empty.median is None


def test_synthetic_prompts_and_images_are_unique_per_request() -> None:
    from gpuatlas.bench.prompts import image_data_url, synthetic_prompt

    prompts = {synthetic_prompt(i, 50, seed=0) for i in range(200)}
    assert len(prompts) == 200
    assert len({p.split(".")[0] for p in prompts}) == 200  # unique from the first words
    assert image_data_url(0, 32, 32, 0) != image_data_url(1, 32, 32, 0)
    assert image_data_url(3, 32, 32, 0).startswith("data:image/png;base64,iVBOR")


CHUNK_PAYLOADS = [b"data: 1\r\n\r\n", b"ab", b"0\r\n\r\n", b"data: {}\n\n" * 40]


@pytest.mark.parametrize("cut_every", [1, 5, 33, 100_000])
@pytest.mark.parametrize("extension,trailers", [(b"", b""), (b";x=1", b""), (b"", b"X-T: 1\r\n")])
def test_chunked_framing_de_chunks_any_payload(
    cut_every: int, extension: bytes, trailers: bytes
) -> None:
    # payloads holding CRLF, a fake last chunk, chunk extensions and trailers (RFC 9112 §7.1)
    head = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
    body = b"".join(b"%x%s\r\n%s\r\n" % (len(p), extension, p) for p in CHUNK_PAYLOADS)
    response = _receive(head + body + b"0\r\n" + trailers + b"\r\n", cut_every)
    assert response.complete and response.error is None
    assert response.body()[0] == b"".join(CHUNK_PAYLOADS)


@pytest.mark.parametrize("cut_every", [1, 7, 100_000])
def test_malformed_chunked_framing_is_reported_when_the_server_closes(cut_every: int) -> None:
    # chunks are walked at a possible end (a read ending CRLF CRLF), every 64 KiB, and before
    # a response is given up: the server closing here
    head = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
    protocol = _ResponseProtocol()
    protocol.connection_made(_Transport())
    loop = asyncio.new_event_loop()
    try:
        response = protocol.send(b"", loop.create_future())
        wire = head + b"2\r\nab\r\nzz\r\nmore\r\n"
        for start in range(0, len(wire), cut_every):
            protocol.data_received(wire[start : start + cut_every])
        protocol.connection_lost(None)
    finally:
        loop.close()
    assert not response.complete
    assert response.error == "malformed chunked framing"
    assert response.body()[0] == b"ab"
