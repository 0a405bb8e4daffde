"""The plan page of an Ollama tag shows the cheaper server-engine plan the CLI prints, and its
latencies in the CLI's wording (a queue's wait in minutes, not 81,139 ms)."""

from __future__ import annotations

from fastapi.testclient import TestClient

from gpuatlas.app.economics_requests import PlanRequest, run_plan
from gpuatlas.economics.slo import Slo
from gpuatlas.numbers import format_wait_ms


def test_the_plan_page_of_an_ollama_tag_names_the_vllm_plan(client: TestClient) -> None:
    params = {"model": "llama3.3:70b", "rps": "5", "gpus": "h100-sxm", "gpu_counts": "2"}
    page = client.get("/plan/plan", params=params)
    assert page.status_code == 200
    plan = run_plan(
        PlanRequest("llama3.3:70b", ("auto",), 5.0, 512, 256, Slo(), gpus=("h100-sxm",),
                    gpu_counts=(2,))
    )  # fmt: skip
    server_line = next(line for line in plan.engine_notes if "server engine" in line)
    assert server_line.split(":")[0] in page.text
    assert "--model llama-3.3-70b" in page.text
    assert f"TTFT {format_wait_ms(plan.options[0].p95_ttft_ms)}" in page.text


def test_the_plan_page_words_a_minutes_long_queue_in_minutes(client: TestClient) -> None:
    params = {
        "model": "llama3.3:70b",
        "rps": "10",
        "output_tokens": "2048",
        "gpus": "rtx-pro-6000-blackwell-server",
        "p95_ttft_ms": "3600000",  # an hour: without it the plan is sized for the default 2 s
    }
    page = client.get("/plan/plan", params=params)
    assert page.status_code == 200
    plan = run_plan(
        PlanRequest("llama3.3:70b", ("auto",), 10.0, 512, 2048, Slo(p95_ttft_ms=3_600_000),
                    gpus=("rtx-pro-6000-blackwell-server",))
    )  # fmt: skip
    wait_ms = plan.options[0].p95_ttft_ms
    assert wait_ms > 60_000  # Ollama serves one request at a time: minutes of queue
    assert f"TTFT {format_wait_ms(wait_ms)}" in page.text and " min</span>" in page.text


def test_the_plan_page_names_the_model_and_calibration_of_its_latencies(
    client: TestClient,
) -> None:
    """The cheapest-setup page showed predicted TTFT and TPOT with no model or calibration
    (its .json twin has them; the predict and cost pages show them)."""
    page = client.get("/plan/plan", params={"model": "llama-3.1-8b", "rps": "5"})
    document = client.get("/plan/plan.json", params={"model": "llama-3.1-8b", "rps": "5"})
    assert page.status_code == document.status_code == 200
    provenance = document.json()["provenance"]
    assert f"calibration {provenance['calibration_version']}" in page.text
    assert provenance["step_times"] in page.text
