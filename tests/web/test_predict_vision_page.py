"""The predict page states a vision-language model's image tower, the tokens an image becomes
and that image encoding is not in the text-prompt figures; nothing of it for a text model."""

from __future__ import annotations

import html

from fastapi.testclient import TestClient

from gpuatlas.app.predict import PredictLlmRequest, predict_llm_document


def test_the_predict_page_states_the_image_encoder_of_a_vision_model(client: TestClient) -> None:
    page = client.get("/plan/predict", params={"system": "h100-sxm", "model": "qwen3-vl-8b"})
    assert page.status_code == 200
    text = html.unescape(page.text)
    assert 'id="predict-vision"' in text
    assert "the weights in memory include its image tower, 0.58B parameters" in text
    assert "768 image tokens per 1024×768 image" in text
    assert "image encoding time is not included" in text


def test_a_fixed_token_vision_model_states_its_tokens_per_image(client: TestClient) -> None:
    page = client.get("/plan/predict", params={"system": "rtx-4090", "model": "llava-1.5-7b"})
    text = html.unescape(page.text)
    assert "576 image tokens per image (fixed, 336 px)" in text
    assert "0.32B parameters (vision encoder + projector)" in text


def test_a_text_model_has_no_vision_note(client: TestClient) -> None:
    page = client.get("/plan/predict", params={"system": "rtx-4090", "model": "llama-3.1-8b"})
    assert page.status_code == 200
    assert 'id="predict-vision"' not in page.text


def test_the_document_states_the_encoder_not_timed() -> None:
    request = PredictLlmRequest(system="h100-sxm", model="qwen3-vl-8b")
    vision = predict_llm_document(request)["vision"]
    assert vision["image_encoding_included"] is False
    assert vision["encoder_in_memory"] is True
    assert vision["image_tokens_per_image"] == 768
    assert vision["encoder_params"] == 576_388_336.0
    assert vision["encoder_weights_gb"] == 1.153  # 16-bit
    text = predict_llm_document(PredictLlmRequest(system="h100-sxm", model="llama-3.1-8b"))
    assert "vision" not in text
