"""An SSE body split into its `data:` payloads, and its token events told apart without a JSON
decode of each.

A streamed completion is hundreds of events that differ only in their token's text, e.g.
``{"id":"cmpl-1",...,"choices":[{"index":0,"text":" the","finish_reason":null}]}``. The first
plain token event (one choice, non-empty text, no finish reason, usage, timings or error) is
decoded in full; the bytes before and after its text value become a template when a probe
string put in that slot decodes to the same event with only that text changed. Any payload
made of exactly those bytes around a valid, non-empty JSON string is then that same event with
another text: one answer token, known without ``json.loads``. Every other event (a role chunk,
the finish and usage events, errors, an event whose other fields changed) is decoded in full.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from itertools import accumulate, compress, repeat
from operator import and_, getitem
from typing import Any, cast

DATA_LINE = re.compile(rb"^data: ?([^\r\n]*)", re.MULTILINE)
DONE = b"[DONE]"
# the body of a valid JSON string (at least one character), as bytes of UTF-8 text
STRING_BODY = re.compile(rb'(?:[^"\\\x00-\x1f]|\\["\\/bfnrt]|\\u[0-9a-fA-F]{4})+')
PLAIN_BYTES = bytes(b for b in range(0x20, 256) if b not in b'"\\')  # never need a check
TEXT_SLOTS = {False: re.compile(rb'"text"\s*:\s*"'), True: re.compile(rb'"content"\s*:\s*"')}
PROBE_TEXT = 'probe "\u00e9"\n\\'
PROBE_BYTES = json.dumps(PROBE_TEXT).encode()[1:-1]
TEMPLATE_SEARCH_EVENTS = 8  # a stream whose first events hold no plain token is decoded in full
_PLUS_ONE = (1).__add__
_SLICE = cast(Callable[[bytes, slice], bytes], getitem)  # bytes[slice], for map


def sse_data_lines(body: bytes) -> tuple[list[bytes], list[int]]:
    """The payload of every ``data:`` line, and where its line starts in `body`."""
    if b"\r" in body:  # CR or CRLF line ends: the general (slower) way
        matches = list(DATA_LINE.finditer(body))
        return [m.group(1) for m in matches], [m.start() for m in matches]
    lines = body.split(b"\n")
    is_data = list(map(bytes.startswith, lines, repeat(b"data:")))
    data_lines = list(compress(lines, is_data))
    starts = list(compress(accumulate(map(_PLUS_ONE, map(len, lines)), initial=0), is_data))
    if all(map(bytes.startswith, data_lines, repeat(b"data: "))):
        return list(map(_SLICE, data_lines, repeat(slice(6, None)))), starts
    return [line[6:] if line[5:6] == b" " else line[5:] for line in data_lines], starts


def is_plain_answer(event: Any, chat: bool) -> bool:
    """An event whose whole effect is one answer token: a single choice with non-empty text
    (``text``, or ``delta.content`` in chat), no finish reason, usage, timings or error."""
    if not isinstance(event, dict) or "error" in event or event.get("usage") \
            or "timings" in event:
        return False
    choices = event.get("choices")
    if not isinstance(choices, list) or len(choices) != 1 or not isinstance(choices[0], dict):
        return False
    choice = choices[0]
    if choice.get("finish_reason"):
        return False
    holder = _text_holder(choice, chat)
    text = None if holder is None else holder.get("content" if chat else "text")
    return isinstance(text, str) and bool(text)


def _text_holder(choice: dict[str, Any], chat: bool) -> dict[str, Any] | None:
    if not chat:
        return choice
    delta = choice.get("delta")
    return delta if isinstance(delta, dict) else None


@dataclass(frozen=True)
class TokenTemplate:
    """The bytes of a plain token event before its text value (up to the opening quote) and
    after it (from the closing quote)."""

    prefix: bytes
    suffix: bytes

    def fits(self, payload: bytes, chat: bool) -> bool:
        """Whether a probe text in the slot decodes to `payload`'s event with that text."""
        try:
            probe = json.loads(self.prefix + PROBE_BYTES + self.suffix)
        except ValueError:
            return False
        expected = json.loads(payload)
        holder = _text_holder(expected["choices"][0], chat)
        if holder is None:
            return False
        holder["content" if chat else "text"] = PROBE_TEXT
        return bool(probe == expected)

    def matches(self, payloads: list[bytes]) -> list[bool]:
        """For each payload: is it this template around a valid, non-empty JSON string."""
        prefix, suffix = self.prefix, self.suffix
        flags = list(map(and_, map(bytes.startswith, payloads, repeat(prefix)),
                         map(bytes.endswith, payloads, repeat(suffix))))
        texts = list(map(_SLICE, compress(payloads, flags),
                         repeat(slice(len(prefix), -len(suffix)))))
        if all(texts) and not b"".join(texts).translate(None, PLAIN_BYTES):
            return flags  # no quote, backslash or control byte in any text: all valid
        for index, text in zip(compress(range(len(payloads)), flags), texts, strict=True):
            if STRING_BODY.fullmatch(text) is None:
                flags[index] = False
        return flags


def template_of(payload: bytes, chat: bool) -> TokenTemplate | None:
    """The template of a plain token event's payload, if its text slot can be found."""
    for slot in TEXT_SLOTS[chat].finditer(payload):
        text = STRING_BODY.match(payload, slot.end())
        end = slot.end() if text is None else text.end()
        if payload[end:end + 1] != b'"':
            continue
        template = TokenTemplate(payload[:slot.end()], payload[end:])
        if template.fits(payload, chat):
            return template
    return None


def find_template(payloads: list[bytes], chat: bool) -> TokenTemplate | None:
    """The template of the first plain token event among the first few payloads."""
    for payload in payloads[:TEMPLATE_SEARCH_EVENTS]:
        try:
            event = json.loads(payload)
        except ValueError:
            return None  # the full decode reports it
        if is_plain_answer(event, chat):
            return template_of(payload, chat)
    return None


def token_event_flags(payloads: list[bytes], chat: bool) -> list[bool]:
    """True for each payload known, without decoding it, to be one answer token."""
    template = find_template(payloads, chat)
    return template.matches(payloads) if template else [False] * len(payloads)
