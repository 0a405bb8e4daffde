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


def test_the_fit_page_says_how_ollama_splits_a_model_too_big_for_the_gpu(
    client: TestClient,
) -> None:
    """As `gpuatlas fit` says it: qwen3:32b on an RTX 4090 under the newest Ollama (32,768
    tokens of num_ctx) runs with some layers on the CPU, not only "needs 2 GPUs"."""
    page = client.get("/plan/fit", params={"system": "rtx-4090", "model": "qwen3:32b"})
    assert page.status_code == 200
    assert 'id="fit-offload"' in page.text
    assert "of 64 layers on the GPU (the rest on the CPU" in page.text
    whole = client.get("/plan/fit", params={"system": "rtx-4090", "model": "qwen3:8b"})
    assert 'id="fit-offload"' not in whole.text
