"""The request rate is `rps` in plan and fleet requests and documents (as the `--rps` option);
`requests_per_s`, its name before gpuatlas.plan/2 and gpuatlas.fleet/2, is still read for one
version so saved links keep working, and giving both names is an error."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

PLAN = [("model", "llama-3.1-8b"), ("gpus", "rtx-4090"), ("top", "2")]
FLEET = [("models", "llama-3.1-8b=0.5"), ("models", "qwen2.5-7b=0.5"), ("gpus", "rtx-4090")]


def _json(client: TestClient, url: str, params: list[tuple[str, str]]) -> dict[str, Any]:
    reply = client.get(url, params=tuple(params))
    assert reply.status_code == 200, reply.text
    document = reply.json()
    assert isinstance(document, dict)
    return document


def test_a_saved_plan_link_with_the_old_name_gives_the_same_document(client: TestClient) -> None:
    new = _json(client, "/plan/plan.json", [*PLAN, ("rps", "2")])
    old = _json(client, "/plan/plan.json", [*PLAN, ("requests_per_s", "2")])
    assert old == new
    assert new["schema_version"] == "gpuatlas.plan/2"
    assert new["request"]["rps"] == 2.0 and "requests_per_s" not in new["request"]
    assert new["workload"]["rps"] == 2.0


def test_a_saved_fleet_link_with_the_old_name_gives_the_same_document(client: TestClient) -> None:
    new = _json(client, "/fleet.json", [*FLEET, ("rps", "2")])
    assert _json(client, "/fleet.json", [*FLEET, ("requests_per_s", "2")]) == new
    assert new["schema_version"] == "gpuatlas.fleet/2"
    assert {item["rps"] for item in new["mixed"]} == {1.0}


def test_both_names_at_once_are_refused(client: TestClient) -> None:
    reply = client.get("/plan/plan.json", params=[*PLAN, ("rps", "2"), ("requests_per_s", "3")])
    assert reply.status_code == 422
    assert reply.json()["problems"] == [
        "requests_per_s: the old name of rps, given beside it: give rps alone"
    ]


def test_the_planner_form_asks_for_rps(client: TestClient) -> None:
    page = client.get("/plan/plan", params=[*PLAN, ("requests_per_s", "2")])
    assert page.status_code == 200
    assert 'name="rps"' in page.text and 'name="requests_per_s"' not in page.text


def test_a_rate_too_small_to_plan_is_a_clear_422_not_a_server_error(client: TestClient) -> None:
    # 5e-324 req/s once divided by zero where the simulation drew its arrival gaps
    tiny = client.get("/fleet.json", params=[*FLEET, ("rps", "5e-324")])
    assert tiny.status_code == 422
    assert tiny.json()["problems"] == [
        "request rate must be ≥ 1e-06 req/s (one request in 11.6 days), got 4.94066e-324"
    ]
    shares = [("models", "llama-3.1-8b=0.999999"), ("models", "qwen2.5-7b=0.000001")]
    starved = client.get("/fleet.json", params=[*shares, ("gpus", "rtx-4090"), ("rps", "0.5")])
    assert starved.status_code == 422
    assert starved.json()["problems"] == [
        "qwen2.5-7b gets 5e-07 req/s of the traffic; a plan needs ≥ 1e-06"
    ]
    plan = client.get("/plan/plan.json", params=[*PLAN, ("rps", "1e-9")])
    assert plan.status_code == 422


def test_the_schema_documents_the_smallest_rate(client: TestClient) -> None:
    parameters = client.get("/openapi.json").json()["paths"]["/fleet.json"]["get"]["parameters"]
    [rps] = [p for p in parameters if p["name"] == "rps"]
    assert rps["required"] and rps["schema"]["minimum"] == 1e-6
