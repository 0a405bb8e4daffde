"""A planner or cost form's number inputs carry the limits the server checks (from each request
model's JSON schema): every input said min="0", so a browser let through a concurrency, prompt
length or step count of 0 that the server then refused, and refused nothing above a maximum."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from gpuatlas.web.planner import input_limits

GOOD = {
    "/plan/fit": {"system": "rtx-4090", "model": "llama-3.1-8b"},
    "/plan/predict": {"system": "rtx-4090", "model": "llama-3.1-8b"},
    "/cost": {"gpus": "rtx-4090", "model": "llama-3.1-8b", "workload": "llm"},
}
CASES = [  # the page, the field, the HTML minimum it must carry, an extra setting it needs
    ("/plan/fit", "concurrency", "1", {}),
    ("/plan/fit", "context_tokens", "1", {}),
    ("/plan/predict", "batch", "1", {}),
    ("/plan/predict", "output_tokens", "1", {}),
    ("/cost", "input_tokens", "1", {}),
    ("/cost", "output_tokens", "1", {}),
    ("/cost", "steps", "1", {"workload": "image", "model": "sdxl"}),
    ("/cost", "resolution", "64", {"workload": "image", "model": "sdxl"}),
]


def _input_tag(page: str, name: str) -> str:
    found = re.search(rf'<input name="{name}" type="number"[^>]*>', page)
    assert found, name
    return found.group(0)


@pytest.mark.parametrize(("path", "name", "minimum", "extra"), CASES)
def test_the_html_minimum_is_the_least_value_the_server_takes(
    client: TestClient, path: str, name: str, minimum: str, extra: dict[str, str]
) -> None:
    assert f'min="{minimum}"' in _input_tag(client.get(path).text, name)
    request = {**GOOD[path], **extra}
    below = str(int(minimum) - 1)
    refused = client.get(f"{path}.json", params={**request, name: below})
    assert refused.status_code == 422, refused.text
    taken = client.get(f"{path}.json", params={**request, name: minimum})
    assert taken.status_code != 422 or name not in " ".join(taken.json()["problems"])


def test_a_schema_maximum_and_an_exclusive_bound_reach_the_inputs() -> None:
    cost = input_limits("cost")
    assert cost["utilization"] == {"min": "0", "max": "1"}  # (0, 1]: the server refuses 0
    assert input_limits("fit")["concurrency"] == {"min": "1", "max": "100000"}
    assert input_limits("predict")["depth"]["min"] == "0"  # a cold cache is allowed
    assert "min" not in cost["train_tokens"]  # no bound checked: none declared
