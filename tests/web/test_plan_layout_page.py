"""The plan page says how each multi-GPU system serves the model, as the CLI does: for
'2x rtx-4090' and llama-3.1-8b, `gpuatlas cost` and `gpuatlas plan` name the layout '2 replicas
of 1 GPU each'; the page shows that layout on every option (it was only in the explanation
below the table), shows the batch column that explanation refers to, and its form shows the
GPUs the answer was restricted to (they were taken from the query but had no field)."""

from __future__ import annotations

from fastapi.testclient import TestClient

from gpuatlas.web.rendering import templates

PARAMS = {"model": "llama-3.1-8b", "rps": "1", "gpus": "2x rtx-4090", "top": "2"}


def test_the_plan_page_names_each_options_serving_layout(client: TestClient) -> None:
    options = client.get("/plan/plan.json", params=PARAMS).json()["options"]
    assert options and all(o["layout"] == "2 replicas of 1 GPU each" for o in options)
    page = client.get("/plan/plan", params=PARAMS)
    assert page.status_code == 200
    table = page.text.split('id="plan-options"')[1].split("</table>")[0]
    assert table.count("served as 2 replicas of 1 GPU each") == len(options)
    assert "Utilisation, mean batch" in table
    mean_batch = templates.env.filters["num"](options[0]["mean_batch"])
    assert f"batch {mean_batch}</span>" in table


def test_the_plan_form_shows_the_gpus_it_was_restricted_to(client: TestClient) -> None:
    page = client.get("/plan/plan", params=PARAMS).text
    assert 'name="gpus"' in page and 'value="2x rtx-4090"' in page
    assert 'name="gpu_counts"' in page
    empty = client.get("/plan/plan", params={**PARAMS, "gpus": "", "gpu_counts": "1, 2, 4, 8"})
    assert empty.status_code == 200  # the form's empty field means every catalog GPU


def test_the_explanation_shows_commands_as_code_not_backticks(client: TestClient) -> None:
    lines = client.get("/plan/plan.json", params=PARAMS).json()["explanation"]["lines"]
    assert any("`gpuatlas compare`" in line for line in lines)  # the CLI's sentence
    page = client.get("/plan/plan", params=PARAMS).text
    shown = page.split('id="plan-options"')[1]
    assert "<code>gpuatlas compare</code>" in shown and "`" not in shown
    code_spans = templates.env.filters["code_spans"]
    assert str(code_spans("<b> `a<b` ")) == "&lt;b&gt; <code>a&lt;b</code> "  # still escaped


def test_submitting_a_planner_form_lands_on_its_answer(client: TestClient) -> None:
    """On a phone a submitted form's answer comes above the form (10-26 fields; style.css
    orders .has-answer first) and the form's action carries the answer's anchor, so the browser
    lands on it after submitting."""
    for path in ("/plan/fit", "/plan/predict", "/plan/plan", "/cost"):
        page = client.get(path).text
        assert f'action="{path}#planner-result"' in page
        assert 'id="planner-result"' in page
