"""The serving-scenario table's cells keep a short reason (the whole one is in its notes once):
a memory sum and a missed latency target each read as a few words in the narrow column."""

from __future__ import annotations

from gpuatlas.report.sections.inference import _short_reason


def test_long_reasons_read_as_a_few_words() -> None:
    latency = "latency: even a lone request misses: p95 TTFT 1,552 ms > 1,000 ms"
    memory = "memory: per GPU: weights 65.2 GiB + overhead 0.7 GiB = 65.9 GiB > 21.6 GiB usable"
    assert _short_reason(latency) == "misses the latency targets"
    assert _short_reason(memory) == "does not fit in memory"
    assert _short_reason("no offer") == "no offer"
