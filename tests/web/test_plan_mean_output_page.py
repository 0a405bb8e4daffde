"""The plan page takes requests that stop at end-of-sequence (`plan --mean-output-tokens`):
the .json route serves them at the mean length (more requests per replica) and the page states
the mean beside the cap, with the note the CLI prints."""

from __future__ import annotations

from fastapi.testclient import TestClient

PARAMS = {
    "model": "llama-3.1-8b",
    "weights": "fp8",
    "rps": "5",
    "gpus": "rtx-4090",
    "gpu_counts": "1",
    "output_tokens": "256",
    "top": "1",
}


def test_the_plan_page_takes_a_mean_output_length(client: TestClient) -> None:
    assert 'name="mean_output_tokens"' in client.get("/plan/plan").text
    full = client.get("/plan/plan.json", params=PARAMS).json()
    early = {**PARAMS, "mean_output_tokens": "128"}
    half = client.get("/plan/plan.json", params=early).json()
    capacity = [d["options"][0]["per_replica_capacity_rps"] for d in (full, half)]
    assert capacity[1] > 1.3 * capacity[0]
    page = client.get("/plan/plan", params=early)
    assert page.status_code == 200
    assert "128 output tokens on average (at most 256: requests stop at end-of-sequence)" in (
        page.text
    )
    assert "128 of 256 output tokens on average" in page.text
