"""The server's own decode and prefill rates, beside the ones measured on the wire.

- Ollama: ``eval_count / eval_duration`` (decode) and ``prompt_eval_count /
  prompt_eval_duration`` (prefill), from the final chunk of each response;
- llama.cpp server: ``timings.predicted_per_second`` and ``timings.prompt_per_second``.

A server whose own figure differs from the wire's by more than ``DISAGREEMENT`` (20 %) is
flagged: one of the two is not measuring what it says (a clock, a cache, tokens counted
differently); the wire's figure stays the headline.
"""

from __future__ import annotations

from gpuatlas.bench.metrics import RequestRecord

DISAGREEMENT = 0.20


def _ollama_rates(record: RequestRecord) -> tuple[float | None, float | None]:
    timings = record.server_timings
    decode = prefill = None
    eval_ms, prompt_ms = timings.get("eval_ms"), timings.get("prompt_eval_ms")
    if eval_ms and record.output_tokens:
        decode = record.output_tokens / (eval_ms / 1000.0)
    if prompt_ms and record.prompt_tokens:
        prefill = record.prompt_tokens / (prompt_ms / 1000.0)
    return decode, prefill


def server_rates(records: list[RequestRecord]) -> dict[str, list[float]]:
    """Per successful measured request: server_decode_tok_s and server_prefill_tok_s."""
    found: dict[str, list[float]] = {"server_decode_tok_s": [], "server_prefill_tok_s": []}
    for record in records:
        if record.warmup or not record.ok:
            continue
        timings = record.server_timings
        decode, prefill = _ollama_rates(record)
        decode = decode or timings.get("predicted_per_second")
        prefill = prefill or timings.get("prompt_per_second")
        if decode:
            found["server_decode_tok_s"].append(decode)
        if prefill:
            found["server_prefill_tok_s"].append(prefill)
    return {name: values for name, values in found.items() if values}


def disagreement_warning(server_median: float | None, wire_median: float | None) -> str | None:
    if not server_median or not wire_median:
        return None
    ratio = server_median / wire_median
    if abs(ratio - 1.0) <= DISAGREEMENT:
        return None
    return (
        f"the server reports decode at {server_median:,.1f} tok/s but the wire showed "
        f"{wire_median:,.1f} tok/s ({ratio:.2f}x): they disagree by more than "
        f"{DISAGREEMENT:.0%}; the wire's figure is the headline"
    )
