"""The fit planner page states an Instruct checkpoint's shipped context and YaRN's, as the CLI."""

from __future__ import annotations

from fastapi.testclient import TestClient


def test_the_fit_page_names_the_instruct_checkpoints_default_context(client: TestClient) -> None:
    params = {"system": "rtx-4090", "model": "Qwen/Qwen2.5-32B-Instruct"}
    page = client.get("/plan/fit", params=params)
    assert page.status_code == 200
    assert 'id="fit-context-notes"' in page.text
    assert "ships max_position_embeddings 32,768" in page.text
    assert "extends it to 131,072 tokens" in page.text
    base = client.get("/plan/fit", params={"system": "rtx-4090", "model": "Qwen/Qwen2.5-32B"})
    assert 'id="fit-context-notes"' not in base.text
