"""The predict planner page says what limits decode in words, from the prediction's `bound`:
a decode step whose mat-vec unpacking outlasts its weight bytes (an i-quant on an AMD card) is
not called memory-bandwidth-bound, as the page said of every step that was not compute-bound."""

from __future__ import annotations

from fastapi.testclient import TestClient

from gpuatlas.performance.llm.predict import MATVEC_ALU_BOUND
from gpuatlas.web.wording import BOUND_WORDS


def _decode_sentence(client: TestClient, system: str, weights: str) -> str:
    params = {"system": system, "model": "llama-3.1-8b", "weights": weights, "engine": "llama.cpp"}
    page = client.get("/plan/predict", params=params)
    assert page.status_code == 200
    start = page.text.index("Decode is ")
    return page.text[start : page.text.index(".", start)]


def test_an_alu_bound_step_is_said_so(client: TestClient) -> None:
    sentence = _decode_sentence(client, "rx-6700-xt", "iq2_xxs")
    assert sentence == "Decode is " + BOUND_WORDS[MATVEC_ALU_BOUND].replace("'", "&#39;")


def test_a_bytes_bound_step_stays_memory_bandwidth_bound(client: TestClient) -> None:
    assert _decode_sentence(client, "rtx-4090", "iq2_xxs") == "Decode is memory-bandwidth-bound"
