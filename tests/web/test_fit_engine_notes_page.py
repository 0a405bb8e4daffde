"""The fit planner page shows the engine's notes: where Gemma 4 E4B's per-layer input table is
held (Ollama keeps it in host memory, so the GPU's weights leave it out)."""

from __future__ import annotations

from fastapi.testclient import TestClient

EXPECTED = (
    'id="fit-engine-notes"',
    "the per-layer input table (2.82B weights",
    "stays in host memory with ollama",
)


def test_the_fit_page_says_where_the_per_layer_table_is_held(client: TestClient) -> None:
    pages = {
        model: client.get("/plan/fit", params={"system": "rtx-4060", "model": model})
        for model in ("gemma4:e4b", "llama-3.2-3b")
    }
    assert all(page.status_code == 200 for page in pages.values())
    assert [part in pages["gemma4:e4b"].text for part in EXPECTED] == [True] * len(EXPECTED)
    assert "per-layer input table" not in pages["llama-3.2-3b"].text
