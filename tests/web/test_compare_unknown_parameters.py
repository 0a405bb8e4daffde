"""A misspelt option of a comparison is refused with its close match, beside every other
problem: `/compare/rtx-4090/a100.json?contextt=5&foo=bar` answered 200 at the default context,
so a typo changed the answer without a word."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

pytestmark = pytest.mark.unit


def test_an_unknown_parameter_is_refused_with_its_close_match(client: TestClient) -> None:
    answer = client.get("/compare/rtx-4090/a100-80gb-sxm.json?contextt=5&foo=bar&pue=0.5")
    assert answer.status_code == 422
    text = answer.text
    assert "contextt: not a parameter of this request (did you mean context_tokens?)" in text
    assert "foo: not a parameter" in text and "pue" in text


def test_the_pick_forms_fields_may_ride_along(client: TestClient) -> None:
    answer = client.get("/compare/rtx-4090/rtx-3090.json?a=rtx-4090&b=rtx-3090")
    assert answer.status_code == 200


def test_a_path_with_no_page_gets_the_error_page_listing_the_pages(client: TestClient) -> None:
    page = client.get("/compare/a100/80gb/rtx-4090", headers={"Accept": "text/html"})
    assert page.status_code == 404 and page.headers["content-type"].startswith("text/html")
    assert "no page at /compare/a100/80gb/rtx-4090" in page.text
    assert "write a name without" in page.text and "not a100/80gb" in page.text
    assert client.get("/nonexistent.json").json()["problems"][0].startswith("no page at")


def test_the_pick_form_reads_a_slash_in_a_name_as_a_space(client: TestClient) -> None:
    answer = client.get("/compare?a=a100/80gb&b=rtx-4090", follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"] == "/compare/a100%2080gb/rtx-4090"
