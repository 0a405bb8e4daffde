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
from itertools import compress, repeat
from operator import and_, getitem, ne
from typing import Any, cast

import numpy as np

DATA_LINE = re.compile(rb"^data: ?([^\r\n]*)", re.MULTILINE)
DONE = b"[DONE]"
# the body of a valid JSON string (at least one character), as bytes of UTF-8 text
STRING_BODY = re.compile(rb'(?:[^"\\\x00-\x1f]|\\["\\/bfnrt]|\\u[0-9a-fA-F]{4})+')
PLAIN_BYTES = bytes(b for b in range(0x20, 256) if b not in b'"\\')  # never need a check
TEXT_SLOTS = {False: re.compile(rb'"text"\s*:\s*"'), True: re.compile(rb'"content"\s*:\s*"')}
PROBE_TEXT = 'probe "\u00e9"\n\\'
PROBE_BYTES = json.dumps(PROBE_TEXT).encode()[1:-1]
TEMPLATE_SEARCH_EVENTS = 8  # a stream whose first events hold no plain token is decoded in full
_SLICE = cast(Callable[[bytes, slice], bytes], getitem)  # bytes[slice], for map


@dataclass(frozen=True)
class DataLines:
    """The ``data:`` lines of an SSE body: the payload of line i is ``lines[i][skip:]``."""

    lines: list[bytes]
    skip: int
    starts: np.ndarray  # where each line starts in the body

    def payload(self, index: int) -> bytes:
        return self.lines[index][self.skip :]

    def without_done(self) -> tuple[DataLines, bool]:
        """These lines less the ``[DONE]`` markers, and whether there was one."""
        marker = b"data: " + DONE if self.skip == 6 else DONE
        if marker not in self.lines:
            return self, False
        keep = list(map(ne, self.lines, repeat(marker)))
        kept = DataLines(
            list(compress(self.lines, keep)), self.skip, self.starts[np.array(keep, dtype=bool)]
        )
        return kept, True


def sse_data_lines(body: bytes) -> DataLines:
    """Every ``data:`` line of `body` and where it starts."""
    if b"\r" in body:  # CR or CRLF line ends: the general (slower) way
        matches = list(DATA_LINE.finditer(body))
        return DataLines(
            [m.group(1) for m in matches], 0, np.array([m.start() for m in matches], dtype=np.int64)
        )
    lines = body.split(b"\n")
    is_data = list(map(bytes.startswith, lines, repeat(b"data:")))
    sizes = np.fromiter(map(len, lines), dtype=np.int64, count=len(lines)) + 1
    starts = (np.cumsum(sizes) - sizes)[np.array(is_data, dtype=bool)]
    data_lines = list(compress(lines, is_data))
    if all(map(bytes.startswith, data_lines, repeat(b"data: "))):
        return DataLines(data_lines, 6, starts)
    return DataLines(
        [line[6:] if line[5:6] == b" " else line[5:] for line in data_lines], 0, starts
    )


def is_plain_answer(event: Any, chat: bool) -> bool:
    """An event whose whole effect is one answer token: a single choice with non-empty text
    (``text``, or ``delta.content`` in chat), no finish reason, usage, timings or error."""
    if not isinstance(event, dict) or "error" in event or event.get("usage") or "timings" in event:
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

    def matches(self, data: DataLines) -> list[bool]:
        """For each line: is its payload this template around a valid, non-empty JSON
        string."""
        prefix, suffix, lines = self.prefix, self.suffix, data.lines
        flags = list(
            map(
                and_,
                map(bytes.startswith, lines, repeat(prefix), repeat(data.skip)),
                map(bytes.endswith, lines, repeat(suffix)),
            )
        )
        texts = list(
            map(
                _SLICE, compress(lines, flags), repeat(slice(data.skip + len(prefix), -len(suffix)))
            )
        )
        if all(texts) and not b"".join(texts).translate(None, PLAIN_BYTES):
            return flags  # no quote, backslash or control byte in any text: all valid
        for index, text in zip(compress(range(len(lines)), flags), texts, strict=True):
            if STRING_BODY.fullmatch(text) is None:
                flags[index] = False
        return flags


def template_of(payload: bytes, chat: bool) -> TokenTemplate | None:
    """The template of a plain token event's payload, if its text slot can be found."""
    for slot in TEXT_SLOTS[chat].finditer(payload):
        text = STRING_BODY.match(payload, slot.end())
        end = slot.end() if text is None else text.end()
        if payload[end : end + 1] != b'"':
            continue
        template = TokenTemplate(payload[: slot.end()], payload[end:])
        if template.fits(payload, chat):
            return template
    return None


def find_template(data: DataLines, chat: bool) -> TokenTemplate | None:
    """The template of the first plain token event among the first few payloads."""
    for index in range(min(TEMPLATE_SEARCH_EVENTS, len(data.lines))):
        payload = data.payload(index)
        try:
            event = json.loads(payload)
        except ValueError:
            return None  # the full decode reports it
        if is_plain_answer(event, chat):
            return template_of(payload, chat)
    return None


def token_event_flags(data: DataLines, chat: bool) -> list[bool]:
    """True for each line known, without decoding it, to be one answer token."""
    template = find_template(data, chat)
    return template.matches(data) if template else [False] * len(data.lines)
