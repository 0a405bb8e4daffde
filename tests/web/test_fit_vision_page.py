"""The fit planner page says a multimodal checkpoint's weights include its image tower."""

from __future__ import annotations

from fastapi.testclient import TestClient


def test_the_fit_page_says_the_weights_include_the_image_tower(client: TestClient) -> None:
    page = client.get("/plan/fit", params={"system": "rtx-3090", "model": "llava-1.5-7b"})
    assert page.status_code == 200
    assert 'id="fit-vision"' in page.text
    assert "The weights include the image tower: 0.32B parameters" in page.text
    text_only = client.get("/plan/fit", params={"system": "rtx-3090", "model": "llama-3.1-8b"})
    assert 'id="fit-vision"' not in text_only.text
