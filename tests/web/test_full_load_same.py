"""The web app's cost and compare documents give the same full-load serving rate for the same
system, model and request lengths (economics.full_load.full_load_serving, as the CLI)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from gpuatlas.catalog.systems import resolve_system
from gpuatlas.economics.full_load import full_load_serving


@pytest.mark.unit
def test_cost_json_and_compare_json_share_the_full_load_rate(client: TestClient) -> None:
    cost = client.get(
        "/cost.json",
        params=[("model", "llama-3.1-8b"), ("workload", "llm"), ("gpus", "rtx-4090")],
    )
    assert cost.status_code == 200, cost.text
    compared = client.get("/compare/rtx-4090/l40s.json", params={"model": "llama-3.1-8b"})
    assert compared.status_code == 200, compared.text
    expected = full_load_serving(
        resolve_system("rtx-4090"),
        "llama-3.1-8b",
        "bf16",
        "vllm",
        input_tokens=512,
        output_tokens=256,
    ).output_tok_s.value
    assert cost.json()["serving"][0]["sustained"]["full_load_tok_s"] == pytest.approx(expected)
    speed = next(
        table
        for section in compared.json()["sections"]
        for table in section["tables"]
        if table["id"] == "llm-speed"
    )
    row = next(r for r in speed["rows"] if r[0]["text"].startswith("Serving throughput"))
    assert row[1]["value"] == pytest.approx(expected)
