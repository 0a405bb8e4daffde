"""The fit planner page shows the engine's notes: where Gemma 4 E4B's per-layer input table is
held (Ollama keeps it in host memory, so the GPU's weights leave it out)."""

from __future__ import annotations

from fastapi.testclient import TestClient


def test_the_fit_page_says_where_the_per_layer_table_is_held(client: TestClient) -> None:
    page = client.get("/plan/fit", params={"system": "rtx-4060", "model": "gemma4:e4b"})
    assert page.status_code == 200
    assert 'id="fit-engine-notes"' in page.text
    assert "the per-layer input table (2.82B weights" in page.text
    assert "stays in host memory with ollama" in page.text
    plain = client.get("/plan/fit", params={"system": "rtx-4060", "model": "llama-3.2-3b"})
    assert "per-layer input table" not in plain.text
