"""The plan page takes Ollama/llama.cpp request slots (`plan --parallel`): with Ollama's one
slot per replica (0.10+) one req/s of qwen3:8b needs more RTX 4090 replicas than with 4 slots,
and the page shows what the .json route answers for the same request."""

from __future__ import annotations

from fastapi.testclient import TestClient

PARAMS = {"model": "qwen3:8b", "rps": "1", "gpus": "rtx-4090", "gpu_counts": "1", "top": "1"}


def test_the_plan_page_takes_request_slots(client: TestClient) -> None:
    assert 'name="parallel"' in client.get("/plan/plan").text
    one_slot = client.get("/plan/plan.json", params=PARAMS).json()["options"][0]
    four = client.get("/plan/plan.json", params={**PARAMS, "parallel": "4"}).json()["options"][0]
    assert four["replicas"] < one_slot["replicas"]  # 4 requests at a time per replica, not 1
    page = client.get("/plan/plan", params={**PARAMS, "parallel": "4"})
    assert page.status_code == 200
    assert 'name="parallel"' in page.text and 'value="4"' in page.text
    replicas = f"{four['replicas']} replicas of" if four["replicas"] > 1 else "RTX 4090"
    assert replicas in page.text
