"""The plan page takes a budget as `plan --max-usd-per-hour/--max-usd-per-month` do: a budget
no setup meets names the cheapest that meets the targets, and a budget <= 0 is listed with the
request's other problems."""

from __future__ import annotations

from fastapi.testclient import TestClient

PARAMS = {"model": "llama-3.1-8b", "rps": "1", "gpus": "rtx-4090", "gpu_counts": "1"}


def test_the_plan_page_has_budget_fields(client: TestClient) -> None:
    page = client.get("/plan/plan")
    assert page.status_code == 200
    assert 'name="max_usd_per_hour"' in page.text
    assert 'name="max_usd_per_month"' in page.text


def test_a_budget_below_every_setup_names_the_cheapest(client: TestClient) -> None:
    page = client.get("/plan/plan", params={**PARAMS, "max_usd_per_month": "10"})
    assert page.status_code == 200
    assert "No setup within $0.01/h ($10/month); the cheapest that meets the targets is" in (
        page.text
    )
    answer = client.get("/plan/plan.json", params={**PARAMS, "max_usd_per_month": "10"}).json()
    assert answer["within_budget"] is False
    assert len(answer["options"]) == 1


def test_a_budget_of_zero_is_a_request_problem(client: TestClient) -> None:
    page = client.get("/plan/plan", params={**PARAMS, "rps": "-1", "max_usd_per_hour": "0"})
    assert "max USD per hour must be &gt; 0, got 0" in page.text
    assert "request rate must be &gt; 0" in page.text


def test_the_plan_page_states_its_budget_and_a_request_without_targets(client: TestClient) -> None:
    params = {**PARAMS, "max_usd_per_month": "100000"}
    page = client.get("/plan/plan", params=params)
    assert page.status_code == 200
    # no target named: the plan is sized for the default p95 TTFT, and the heading says so
    assert "Cheapest setups meeting p95 TTFT ≤ 2,000 ms</h2>" in page.text
    assert "Default target: MLPerf Inference" in page.text
    assert "--p95-ttft-ms" not in page.text  # a CLI option means nothing on the page
    assert "meeting no latency target" not in page.text
    note = "Budget $136.99/h ($100,000/month): every setup listed is within it."
    assert note in page.text
    assert client.get("/plan/plan.json", params=params).json()["budget_note"] == note
    targeted = client.get("/plan/plan", params={**PARAMS, "p95_tpot_ms": "100"})
    # a TPOT target alone does not bound the queue: the default TTFT is added beside it
    assert "Cheapest setups meeting p95 TTFT ≤ 2,000 ms, p95 TPOT ≤ 100 ms" in targeted.text
