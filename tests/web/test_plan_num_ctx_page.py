"""The plan and predict planner pages take Ollama's num_ctx, as `plan --num-ctx` and
`predict llm --num-ctx` do, and the plan page states where it applied."""

from __future__ import annotations

from fastapi.testclient import TestClient


def test_the_plan_page_takes_num_ctx_and_says_where_it_applied(client: TestClient) -> None:
    params = {
        "model": "qwen3:32b",
        "weights": "q4_k_m",
        "rps": "0.05",
        "gpus": "rtx-4090",
        "gpu_counts": "1",
        "num_ctx": "8192",
    }
    page = client.get("/plan/plan", params=params)
    assert page.status_code == 200
    assert 'name="num_ctx"' in page.text
    assert 'id="plan-engine-notes"' in page.text
    assert "num_ctx 8,192 tokens per sequence (--num-ctx) on ollama" in page.text
    # the engine the options run, as the CLI's title says it, not the request's 'auto'
    assert "served with ollama</p>" in page.text


def test_the_plan_page_refuses_a_num_ctx_shorter_than_a_request(client: TestClient) -> None:
    params = {"model": "qwen3:32b", "rps": "0.05", "gpus": "rtx-4090", "num_ctx": "100"}
    page = client.get("/plan/plan", params=params)
    assert "--num-ctx 100 is shorter than a request&#39;s prompt plus output" in page.text


def test_the_predict_page_has_a_num_ctx_field(client: TestClient) -> None:
    page = client.get("/plan/predict")
    assert page.status_code == 200
    assert 'name="num_ctx"' in page.text
