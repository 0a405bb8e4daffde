"""A planner form (or the cost page's) that cannot be answered comes back as the form, with the
values as typed and every problem beside it (the same problems as the .json route), under the
error's status: it was the bare error page, and on a phone the visitor retyped the form from the
start."""

from __future__ import annotations

import html

import pytest
from fastapi.testclient import TestClient

BAD = {"system": "4090x", "model": "qwen3:8bb", "concurrency": "0", "weights": "q4km"}
# the cost page's: the workload, the number, the GPU and the model
BAD_COST = {"gpus": "4090x", "model": "llama-3.1-8bb", "workload": "llmm", "input_tokens": "-1"}


@pytest.mark.parametrize(("path", "bad"), [("/plan/fit", BAD), ("/cost", BAD_COST)])
def test_the_form_keeps_what_was_typed_and_lists_every_problem(
    client: TestClient, path: str, bad: dict[str, str]
) -> None:
    page = client.get(path, params=bad)
    document = client.get(f"{path}.json", params=bad)
    assert page.status_code == document.status_code == 422
    problems = document.json()["problems"]
    assert len(problems) == 4  # every bad field and every unknown name, at once
    assert 'id="planner-problems"' in page.text and 'id="planner-form"' in page.text
    assert f'action="{path}#planner-result"' in page.text and "has-problems" in page.text
    shown = html.unescape(page.text)
    for problem in problems:
        assert problem in shown
    for name, value in bad.items():
        assert f'name="{name}"' in page.text and f'value="{value}"' in page.text


def test_an_unknown_name_alone_keeps_its_404_and_a_good_request_answers(
    client: TestClient,
) -> None:
    unknown = client.get("/plan/predict", params={"system": "rtx-4090", "model": "qwen3:8bb"})
    assert unknown.status_code == 404
    assert "unknown model 'qwen3:8bb'" in html.unescape(unknown.text)
    assert 'id="planner-form"' in unknown.text
    good = client.get("/plan/fit", params={"system": "rtx-4090", "model": "qwen3:8b"})
    assert good.status_code == 200 and 'id="planner-problems"' not in good.text
