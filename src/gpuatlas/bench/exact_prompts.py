"""Prompts of an exact length in the served model's tokens.

Without a tokenizer a prompt of N "tokens" is N words, which a real tokenizer counts
differently (128 asked, 120 sent). With one, each prompt is built from the same unique-tag-
then-random-words recipe, word by word on the tokenizer's count of each word, then counted
whole and trimmed or extended until it has exactly N tokens (special tokens such as BOS not
included: they are the server's, not the prompt's).

Tokenizers, in the order ``--tokenizer auto`` tries them:
- ``server``: the endpoint's own tokenize route: ``POST /tokenize`` (llama.cpp server:
  ``content``; vLLM: ``prompt``; both sent) or ``POST /extras/tokenize`` (llama-cpp-python);
- a local ``tokenizer.json`` (Hugging Face ``tokenizers``) given as ``--tokenizer PATH``;
- ``none``: words (approximate), the method recorded as ``words``.
Prompts are built before the measured phase (the load generator prepares its bodies ahead),
so tokenize calls never overlap the measurement.
"""

from __future__ import annotations

import http.client
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import numpy as np

from gpuatlas.bench.access import EndpointAccess
from gpuatlas.bench.http_stream import Endpoint
from gpuatlas.bench.prompts import WORDS
from gpuatlas.bench.server_info import open_http
from gpuatlas.errors import InvalidRequestError

TOKENIZE_TIMEOUT_S = 10.0
FIX_UP_ROUNDS = 24
FILLERS = (" a", ".", " 7", "a", "7")  # tried in turn to close a gap smaller than a word
SERVER_ROUTES = (("/tokenize", "content"), ("/extras/tokenize", "input"))


class TokenCounter(Protocol):
    method: str

    def count(self, text: str) -> int: ...


@dataclass
class LocalTokenizer:
    """A Hugging Face tokenizer.json (special tokens not added)."""

    path: str
    method: str = "tokenizer.json"

    def __post_init__(self) -> None:
        try:
            from tokenizers import Tokenizer
        except ImportError:
            raise InvalidRequestError(
                ["--tokenizer FILE needs the `tokenizers` package (pip install tokenizers)"]
            ) from None
        try:
            self._tokenizer = Tokenizer.from_file(self.path)
        except Exception as error:  # noqa: BLE001 - its errors are plain Exceptions
            raise InvalidRequestError(
                [f"--tokenizer {self.path}: not a tokenizer.json ({error})"]
            ) from None
        self.method = f"tokenizer.json ({Path(self.path).name})"

    def count(self, text: str) -> int:
        return len(self._tokenizer.encode(text, add_special_tokens=False).ids)


@dataclass
class ServerTokenizer:
    """The endpoint's tokenize route; the count of "" (a BOS some servers add) is removed."""

    base_url: str
    model: str
    access: EndpointAccess = EndpointAccess()
    route: tuple[str, str] = SERVER_ROUTES[0]
    offset: int = 0
    method: str = "server"
    _connection: http.client.HTTPConnection | None = None

    def count(self, text: str) -> int:
        """The prompt's tokens on the server; a server that stops answering while the prompts
        are measured is a clear error (it was a traceback), as an unreachable one is."""
        try:
            return self._raw_count(text) - self.offset
        except (OSError, http.client.HTTPException, ValueError) as error:
            raise InvalidRequestError(
                [
                    f"the server at {self.base_url} stopped answering while the prompts were "
                    f"measured on its tokenize route ({type(error).__name__}: {error}); is it "
                    "still running? (--tokenizer none measures them in words instead)"
                ]
            ) from None

    def _raw_count(self, text: str) -> int:
        path, field_name = self.route
        # llama.cpp reads content/add_special, vLLM and SGLang prompt/add_special_tokens
        body = {
            field_name: text,
            "content": text,
            "prompt": text,
            "model": self.model,
            "add_special": False,
            "add_special_tokens": False,
        }
        document = self._post_json(path, body)
        tokens = document.get("tokens") if isinstance(document, dict) else None
        if not isinstance(tokens, list):
            raise OSError(f"{path}: no token list in the answer")
        return len(tokens)

    @classmethod
    def discover(cls, base_url: str, model: str, access: EndpointAccess) -> ServerTokenizer | None:
        for route in SERVER_ROUTES:
            candidate = cls(base_url, model, access, route, method=f"server {route[0]}")
            try:
                empty, word = candidate._raw_count(""), candidate._raw_count(" time")
            except (OSError, http.client.HTTPException, ValueError):
                continue
            if word > empty:
                candidate.offset = empty
                return candidate
        return None

    def _post_json(self, path: str, body: dict[str, object]) -> object:
        """POST on one kept-alive connection (a tokenize call per prompt piece: no new TCP
        or TLS handshake each time); reconnects once if the server dropped it."""
        endpoint = Endpoint.parse(self.base_url, self.access)
        payload = json.dumps(body).encode()
        headers = {"Content-Type": "application/json", **self.access.header_dict()}
        for attempt in range(2):
            if self._connection is None:
                self._connection = open_http(endpoint, TOKENIZE_TIMEOUT_S)
            try:
                self._connection.request("POST", endpoint.base_path + path, payload, headers)
                response = self._connection.getresponse()
                answer = response.read()
                break
            except (OSError, http.client.HTTPException):
                self._connection.close()
                self._connection = None
                if attempt:
                    raise
        if response.status != 200:
            raise OSError(f"{path}: HTTP {response.status}")
        return json.loads(answer)


def choose_counter(
    choice: str | None, base_url: str, model: str, access: EndpointAccess
) -> TokenCounter | None:
    """``auto`` (default): the server's route if it has one; ``server``: it must; ``none``;
    anything else is a tokenizer.json path. None: approximate (words)."""
    if choice in (None, "auto", "server"):
        found = ServerTokenizer.discover(base_url, model, access)
        if found is None and choice == "server":
            raise InvalidRequestError(
                [
                    f"{base_url} has no tokenize route (/tokenize, "
                    "/extras/tokenize); pass --tokenizer tokenizer.json"
                ]
            )
        return found
    if choice == "none":
        return None
    return LocalTokenizer(choice)


@dataclass
class ExactPrompts:
    """prompt(seed, index) of exactly `input_tokens` tokens (cached; built before use)."""

    counter: TokenCounter
    input_tokens: int
    misses: int = 0  # prompts that could not be brought to the exact length
    _costs: dict[str, int] = field(default_factory=dict)
    _cache: dict[tuple[int, int], str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._costs = {word: self.counter.count(f" {word}") for word in WORDS}
        lowest = min(self._costs.values())
        self._cheapest = [word for word, cost in self._costs.items() if cost == lowest][:4]

    def __call__(self, seed: int, index: int, length: int | None = None) -> str:
        """The request's prompt, of `length` tokens (default: input_tokens)."""
        key = (seed, index)
        if key not in self._cache:
            self._cache[key] = self._build(seed, index, length or self.input_tokens)
        return self._cache[key]

    def _build(self, seed: int, index: int, target: int) -> str:
        rng = np.random.default_rng([seed, index])
        tag = f"Request {index} tag {rng.integers(0, 2**48):012x}."
        pieces: list[str] = []
        total = self.counter.count(tag)
        while True:
            fitting = [w for w in self._words(rng) if total + self._costs[w] <= target]
            if not fitting:
                break
            pieces.append(f" {fitting[0]}")
            total += self._costs[fitting[0]]
        return self._fix_up(tag, pieces, rng, target)

    def _words(self, rng: np.random.Generator) -> list[str]:
        """A few random words, to try in turn."""
        return [WORDS[int(i)] for i in rng.integers(0, len(WORDS), size=4)] + self._cheapest

    def _fix_up(self, tag: str, pieces: list[str], rng: np.random.Generator, target: int) -> str:
        """Count the whole prompt; drop pieces while too long, add a word (or, for a gap
        smaller than any word, a filler character) while too short."""
        text = tag + "".join(pieces)
        for _ in range(FIX_UP_ROUNDS):
            counted = self.counter.count(text)
            if counted == target:
                return text
            if counted > target and pieces:
                pieces.pop()
            else:
                piece = self._gap_filler(text, target - counted, rng)
                if piece is None:
                    break
                pieces.append(piece)
            text = tag + "".join(pieces)
        self.misses += 1
        return text

    def _gap_filler(self, text: str, gap: int, rng: np.random.Generator) -> str | None:
        fitting = [w for w in self._words(rng) if self._costs[w] <= gap]
        if fitting:
            return f" {fitting[0]}"
        before = self.counter.count(text)
        for filler in FILLERS:
            if 1 <= self.counter.count(text + filler) - before <= gap:
                return filler
        return None
