"""Store keys and source strings as words a reader understands (for the pages only; the .json
twins keep the keys and URLs)."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from markupsafe import Markup, escape

from gpuatlas.numbers import shorten_text
from gpuatlas.performance.llm.predict import HOST_MEMORY_BOUND, MATVEC_ALU_BOUND

METRIC_WORDS = {
    "serving_output_tok_s": "serving throughput",
    "decode_tok_s": "generation speed",
    "prefill_tok_s": "prompt processing",
    "prefill_decode_tok_s": "prompt and generation together",
    "image_s": "time per image",
    "ttft_ms": "time to first token",
    "tpot_ms": "time per output token",
    "train_tok_s": "training throughput",
    "images_per_min": "images per minute",
}
# An LLM prediction's `bound` (what limits its decode step) as a sentence's predicate.
BOUND_WORDS = {
    "compute": "compute-bound",
    "memory": "memory-bandwidth-bound",
    MATVEC_ALU_BOUND: "bound by the mat-vec's unpacking work, which outlasts its weight bytes here",
    HOST_MEMORY_BOUND: "bound by the CPU memory it reads weights from",
}
SHAPE_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"^b(\d+)$"), "batch {0}"),
    (re.compile(r"^bmax$"), "largest batch"),
    (re.compile(r"^b\?$"), "batch not stated"),
    (re.compile(r"^tg(\d+)$"), "{0} generated tokens"),
    (re.compile(r"^pp(\d+)$"), "{0}-token prompt"),
    (re.compile(r"^in(\d+)$"), "{0} tokens in"),
    (re.compile(r"^out(\d+)$"), "{0} out"),
    (re.compile(r"^(\d+)x(\d+)$"), "{0}×{1} px"),
    (re.compile(r"^(\d+)steps$"), "{0} steps"),
)
CATEGORY_WORDS = {
    "llm-single": "LLM, single stream",
    "llm-serving": "LLM serving",
    "image": "Image generation",
    "vision": "Vision",
    "ocr": "OCR",
    "gpu-micro": "GPU micro-benchmark",
    "system": "System",
}
SOURCE_TEXT_CHARACTERS = 70
REPOSITORY_HOSTS = ("github.com", "huggingface.co", "gitlab.com")


def words(key: str) -> str:
    """'p95_ttft_ms' → 'p95 ttft ms': a key with its separators as spaces."""
    return key.replace("_", " ").replace("-", " ")


def when(timestamp: str | None) -> str:
    """'2026-12-01T23:48:25.208909+00:00' → '2026-12-01 23:48 UTC' (dates stay dates)."""
    if not timestamp:
        return "—"
    text = str(timestamp)
    day, _, time = text.partition("T")
    if not time:
        return day
    utc = time.endswith(("Z", "+00:00"))
    return f"{day} {time[:5]}{' UTC' if utc else ''}"


def benchmark_words(key: str) -> str:
    """'public/llama.cpp/meta-llama/Meta-Llama-3-8B/q4_k_m/b1-tg128-kv-f16/decode_tok_s' →
    'Meta-Llama-3-8B q4_k_m on llama.cpp: generation speed (batch 1, 128 generated tokens,
    KV f16)'; a suite key 'llm-single-llama3.1-8b' → 'LLM, single stream: llama3.1-8b'."""
    parts = key.removeprefix("public/").split("/")
    if len(parts) < 6:
        return _suite_words(key)
    engine, model, weights, shape, metric = parts[0], parts[2], parts[3], parts[4], parts[5]
    metric_text = METRIC_WORDS.get(metric, words(metric))
    return f"{model} {weights} on {engine}: {metric_text} ({_shape_words(shape)})"


def _suite_words(key: str) -> str:
    """'llm-single-llama3.1-8b' → 'LLM, single stream: llama3.1-8b'."""
    for prefix, text in CATEGORY_WORDS.items():
        if key.startswith(prefix + "-"):
            return f"{text}: {key.removeprefix(prefix + '-')}"
    return key


def _shape_words(shape: str) -> str:
    """'b1-tg128-kv-f16-layer-split' → 'batch 1, 128 generated tokens, KV cache f16, layer
    split': known tokens become phrases, runs of other tokens stay words of one phrase."""
    phrases: list[str] = []
    loose: list[str] = []
    tokens = iter(shape.split("-"))
    for token in tokens:
        phrase = f"KV cache {next(tokens, '')}".strip() if token == "kv" else _token_words(token)
        if phrase is None:
            loose.append(token.replace("+", " + "))
            continue
        if loose:
            phrases.append(" ".join(loose))
            loose = []
        phrases.append(phrase)
    if loose:
        phrases.append(" ".join(loose))
    return ", ".join(phrases)


def _token_words(token: str) -> str | None:
    for pattern, template in SHAPE_PATTERNS:
        match = pattern.match(token)
        if match:
            return template.format(*match.groups())
    return None


def source_link(source: str) -> Markup:
    """A source as a short link: 'github.com/ggml-org/llama.cpp — PR …' to its URL; a source
    without a URL as its (shortened) text."""
    text = source.strip()
    url, _, rest = text.partition(" ")
    if not url.startswith(("https://", "http://")):
        return Markup(f'<span title="{escape(text)}">{escape(_shorten(text))}</span>')
    parts = urlsplit(url)
    host = parts.netloc.removeprefix("www.")
    path = [piece for piece in parts.path.split("/") if piece]
    where = "/".join([host, *path[:2]]) if host in REPOSITORY_HOSTS else host
    detail = rest.strip().removeprefix("(").removesuffix(")")
    label = f"{where} — {_shorten(detail)}" if detail else where
    return Markup(
        f'<a href="{escape(url)}" rel="noopener nofollow" title="{escape(text)}">'
        f"{escape(label)}</a>"
    )


def _shorten(text: str) -> str:
    return shorten_text(text, SOURCE_TEXT_CHARACTERS)
