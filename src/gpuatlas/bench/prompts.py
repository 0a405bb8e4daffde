"""Unique synthetic prompts (no shared prefix, so no prefix-cache inflation) and test images."""

from __future__ import annotations

import base64
import struct
import zlib

import numpy as np

_WORDS_TEXT = (
    "time year people way day man thing woman life child world school state family student "
    "group country problem hand part place case week company system program question work "
    "government number night point home water room mother area money story fact month lot "
    "right study book eye job word business issue side kind head house service friend father "
    "power hour game line end member law car city community name president team minute idea "
    "kid body information back parent face others level office door health person art war "
    "history party result change morning reason research girl guy moment air teacher force "
    "education foot boy age policy music market sense nation plan college interest death "
    "experience effect class control care field development role effort rate heart drug show "
    "leader light voice wife police mind price report decision son view relationship town road "
    "river garden window table paper letter summer winter morning island bridge forest market"
)
WORDS = tuple(_WORDS_TEXT.split())


def synthetic_prompt(index: int, input_tokens: int, seed: int) -> str:
    """About `input_tokens` tokens of English words; starts with a request-unique tag."""
    rng = np.random.default_rng([seed, index])
    tag = f"Request {index} tag {rng.integers(0, 2**48):012x}."
    word_count = max(1, input_tokens - 12)
    picks = rng.integers(0, len(WORDS), size=word_count)
    return tag + " " + " ".join(WORDS[pick] for pick in picks)


def png_bytes(pixels: np.ndarray) -> bytes:
    """Encode an (height, width, 3) uint8 array as a PNG (stdlib only)."""
    height, width, _ = pixels.shape
    rows = b"".join(b"\x00" + pixels[row].tobytes() for row in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows, 6))
        + chunk(b"IEND", b"")
    )


def synthetic_image(index: int, width: int, height: int, seed: int) -> np.ndarray:
    """A unique, compressible picture: smooth colour fields plus a few rectangles."""
    rng = np.random.default_rng([seed, index, 7])
    y, x = np.mgrid[0:height, 0:width]
    base = rng.uniform(0, 255, size=3)
    pixels = np.stack(
        [(base[c] + 80 * np.sin((x * (c + 1) + y) / 60.0)) % 256 for c in range(3)], axis=-1
    )
    for _ in range(6):
        top, left = rng.integers(0, height // 2), rng.integers(0, width // 2)
        pixels[top : top + height // 4, left : left + width // 4] = rng.uniform(0, 255, 3)
    return pixels.astype(np.uint8)


def image_data_url(index: int, width: int, height: int, seed: int) -> str:
    encoded = base64.b64encode(png_bytes(synthetic_image(index, width, height, seed)))
    return "data:image/png;base64," + encoded.decode()
