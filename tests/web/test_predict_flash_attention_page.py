"""The predict planner page takes llama.cpp's flash-attention choice, as `predict llm
--flash-attn` does, and states the attention path the prediction took."""

from __future__ import annotations

from fastapi.testclient import TestClient


def test_the_predict_page_takes_the_choice_and_states_the_path(client: TestClient) -> None:
    params = {
        "system": "rtx-4090",
        "model": "llama-3.1-8b",
        "weights": "q4_k_m",
        "engine": "llama.cpp b5000",
        "input_tokens": "16384",
        "flash_attention": "on",
    }
    page = client.get("/plan/predict", params=params)
    assert page.status_code == 200
    assert 'name="flash_attention"' in page.text
    assert "Flash attention on (as set)." in page.text


def test_the_predict_page_takes_a_depth_and_says_it(client: TestClient) -> None:
    params = {"system": "rtx-4090", "model": "llama-3.1-8b", "weights": "q4_0", "depth": "8192"}
    page = client.get("/plan/predict", params=params)
    assert page.status_code == 200
    assert 'name="depth"' in page.text
    assert "after 8,192 tokens already in the KV cache" in page.text
