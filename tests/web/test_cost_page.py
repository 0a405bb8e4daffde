"""The cost page (/cost): the form of /cost.json's request and its answer, built as the planner
pages are. It shows the numbers /cost.json gives for the same request (the winner's price per
1M output tokens and per hour, the offer, tier and price date it used, the full-load
throughput, a multi-GPU system's layout) with their provenance; a bad request comes back as the
form, as typed, with every problem (tests/web/test_planner_problems_page.py); an unknown GPU
lists its close matches."""

from __future__ import annotations

import html
import re

from fastapi.testclient import TestClient

from gpuatlas.web.rendering import templates

LLM = {"gpus": "rtx-4090, 2x rtx-4090", "model": "llama-3.1-8b", "workload": "llm"}


def _filter(name: str, value: object) -> str:
    return str(templates.env.filters[name](value))


def _section(page: str, element_id: str) -> str:
    start = page.index(f'id="{element_id}"')
    return html.unescape(page[start : page.index("</table>", start)])


def test_the_page_shows_the_answer_json_gives_for_the_same_request(client: TestClient) -> None:
    document = client.get("/cost.json", params=LLM).json()
    page = client.get("/cost", params=LLM)
    assert page.status_code == 200 and 'id="planner-problems"' not in page.text
    assert "has-answer" in page.text  # on a phone, above the form (style.css)
    winner = document["winner"]
    offer = winner["best_offer"]
    row = next(
        s
        for s in document["serving"]
        if s["system_id"] == winner["system_id"] and s["price"] == offer
    )
    sustained = row["sustained"]
    assert winner["system_id"] == "2x rtx-4090" and sustained["layout"]
    heading = html.unescape(page.text.split('id="cost-winner">')[1].split("</h2>")[0])
    price = _filter("usd", winner["best"]["value"])
    assert heading == f"Cheapest: 2× RTX 4090 at {price} per 1M output tokens"
    detail = _section(page.text, "cost-winner-detail")
    for shown in (
        _filter("usd_range", winner["best"]),
        winner["best"]["model"],
        winner["best"]["calibration_version"],
        offer["provider"],
        f"{offer['tier']}, {offer['observed_date']}",
        _filter("usd", offer["usd_per_hour"]),
        f"{_filter('usd', offer['usd_per_gpu_hour'])}/GPU-h",
        sustained["layout"],
        f"{_filter('num', sustained['output_tok_s'])} output tok/s at "
        f"{_filter('rps', sustained['rps'])}",
        f"{_filter('num', sustained['full_load_tok_s'])}</strong> output tok/s",
        _filter("usd", row["usd_per_million_output_tokens_at_saturation"]),
        sustained["band"]["model"],
        sustained["basis"],
    ):
        assert shown in detail, shown
    ranking = _section(page.text, "cost-ranking")
    assert ranking.count("<tr>") == len(document["ranking"]) + 1  # the header and one a system
    assert "served as 2 replicas of 1 GPU each" in ranking
    notes = html.unescape(page.text)
    for note in document["layout_notes"] + [document["volume_note"]]:
        assert re.sub(r"`([^`]+)`", r"<code>\1</code>", note) in notes
    assert all(str(value) in notes for value in document["provenance"].values())
    linked = re.findall(r'class="json-link" href="([^"]+)"', page.text)[0]
    assert client.get(html.unescape(linked)).json() == document  # its .json twin


def test_renting_lists_every_offer_with_its_date_and_source(client: TestClient) -> None:
    params = {"gpus": "h100-sxm", "hours": "10"}
    document = client.get("/cost.json", params=params).json()
    page = client.get("/cost", params=params).text
    rentals = _section(page, "cost-rentals")
    assert rentals.count("<tr>") == len(document["rentals"]) + 1
    for rental in document["rentals"]:
        assert rental["price"]["provider"] in rentals
        assert f"{rental['price']['tier']}, {rental['price']['observed_date']}" in rentals
        assert _filter("usd", rental["usd_for_hours"]) in rentals
    assert '<th class="num">10 h</th>' in rentals


def test_an_unknown_gpu_lists_its_close_matches(client: TestClient) -> None:
    params = {**LLM, "gpus": "rtx-4091"}
    page = client.get("/cost", params=params)
    assert page.status_code == client.get("/cost.json", params=params).status_code
    shown = html.unescape(page.text)
    assert "unknown GPU 'rtx-4091'; close matches: rtx-4090" in shown
    assert 'id="planner-form"' in page.text


def test_the_empty_form_shows_an_example_and_the_site_links_the_page(client: TestClient) -> None:
    page = client.get("/cost")
    assert page.status_code == 200 and 'id="planner-form"' in page.text
    assert "has-answer" not in page.text
    assert 'value="rtx-4090, 2x rtx-4090"' in page.text and 'value="llama-3.1-8b"' in page.text
    assert 'href="/cost" class="active"' in page.text  # in the site navigation
    assert 'href="/cost"' in client.get("/").text
    linked = html.unescape(re.findall(r'class="json-link" href="([^"]+)"', page.text)[0])
    assert linked.startswith("/cost.json?")
    assert client.get(linked).json()["winner"]["system_id"] == "2x rtx-4090"


def test_a_rate_of_one_is_one_request(client: TestClient) -> None:
    rps = templates.env.filters["rps"]
    assert rps(1) == rps(1.0) == "1 request/s"
    assert rps(2.5) == f"{_filter('num', 2.5)} requests/s" and rps(0.5).endswith(" requests/s")
    plan = client.get(
        "/plan/plan", params={"model": "llama-3.1-8b", "rps": "1", "gpus": "rtx-4090", "top": "1"}
    ).text
    assert "at 1 request/s," in plan and "1 requests/s" not in plan
