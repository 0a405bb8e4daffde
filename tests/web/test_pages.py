"""Every page renders, has a .json twin with the same data, and escapes what agents send."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from web_support import auth

from conftest_pg import result_document
from gpuatlas.catalog.gpus import all_gpus

PAGES_WITH_TWINS = [
    ("/", "/index.json"),
    ("/compare", "/compare.json"),
    ("/gpu/rtx-4090", "/gpu/rtx-4090.json"),
    ("/compare/a100-80gb-sxm/rtx-4090", "/compare/a100-80gb-sxm/rtx-4090.json"),
    ("/leaderboard", "/leaderboard.json"),
    ("/plan/fit", "/plan/fit.json"),
    ("/plan/predict", "/plan/predict.json"),
    ("/plan/plan", "/plan/plan.json"),
    ("/prices", "/prices.json"),
]


@pytest.mark.parametrize(("page", "twin"), PAGES_WITH_TWINS)
def test_each_page_links_its_json_twin(client: TestClient, page: str, twin: str) -> None:
    html = client.get(page)
    assert html.status_code == 200
    assert html.headers["content-type"].startswith("text/html")
    assert f'href="{twin}"' in html.text
    data = client.get(twin)
    assert data.status_code == 200 and isinstance(data.json(), dict)


def test_pages_load_nothing_from_other_hosts(client: TestClient) -> None:
    for page, _ in PAGES_WITH_TWINS + [("/docs", "")]:
        html = client.get(page).text
        sources = re.findall(r'(?:src|href)="([^"]+)"', html)
        assert [s for s in sources if s.startswith(("http:", "https:", "//"))] == [], page


def test_home_lists_every_catalog_gpu_with_scores(client: TestClient) -> None:
    data = client.get("/index.json").json()
    assert [gpu["id"] for gpu in data["gpus"]] == [gpu.id for gpu in all_gpus()]
    # the reference GPU scores 100 (it need not be among the top ten)
    reference = next(gpu for gpu in data["gpus"] if gpu["id"] == "rtx-3090")
    assert reference["atlas_score"]["value"] == pytest.approx(100.0)
    top = [row["score"]["value"] for row in data["top_scores"]]
    assert top == sorted(top, reverse=True) and len(top) <= 10


def test_compare_json_is_the_comparison_document(client: TestClient) -> None:
    document = client.get("/compare/a100-80gb-sxm/rtx-4090.json").json()
    assert document["schema_version"].startswith("gpuatlas.comparison/")
    assert document["a"]["gpu_id"] == "a100-80gb-sxm" and document["b"]["gpu_id"] == "rtx-4090"
    assert {"id", "title"} <= set(document["sections"][0])
    assert {"a", "b"} <= set(document["scores"])
    measured_both = [e for e in document["benchmarks"] if e["a"] and e["b"]]
    assert measured_both, "the default data set has benchmarks measured on both"
    html = client.get("/compare/a100-80gb-sxm/rtx-4090").text
    assert document["a"]["label"] in html
    report = client.get("/compare/a100-80gb-sxm/rtx-4090/report.html")
    assert "default-src 'none'" in report.headers["content-security-policy"]
    assert 'src="/compare/a100-80gb-sxm/rtx-4090/report.html"' in html
    for section in document["sections"]:
        assert section["title"] in report.text


def test_compare_accepts_systems_and_report_options(client: TestClient) -> None:
    document = client.get("/compare/4x%20rtx-4090/2x%20a100-80gb-sxm.json",
                          params={"model": "llama-3.1-70b", "pue": "1.3"}).json()
    assert document["a"]["gpu_count"] == 4 and document["b"]["gpu_count"] == 2
    assert document["options"]["pue"] == 1.3
    assert client.get("/compare/rtx-4090/rtx-3090.json", params={"pue": "high"}
                      ).status_code == 422


def test_unknown_gpus_get_404_with_close_matches(client: TestClient) -> None:
    response = client.get("/gpu/rtx-4091.json")
    assert response.status_code == 404
    assert "rtx-4090" in response.json()["detail"]
    assert client.get("/gpu/rtx-4091").status_code == 404
    bad_pair = client.get("/compare/rtx-4090/not-a-gpu")
    assert bad_pair.status_code == 404
    assert "not-a-gpu" in bad_pair.text
    both_bad = client.get("/compare/rtx-4091/not-a-gpu.json")
    assert both_bad.status_code == 404
    assert "rtx-4091" in both_bad.json()["detail"] and "not-a-gpu" in both_bad.json()["detail"]
    assert "rtx-4090" in both_bad.json()["detail"]  # the close match of rtx-4091
    bad_option = client.get("/compare/rtx-4090/rtx-3090.json", params={"pue": "high"})
    assert bad_option.status_code == 422


def test_fit_planner_answers_from_the_estimator(client: TestClient) -> None:
    # 8B parameters in FP16 are ~16 GB: they fit a 24 GB card; 70B (~140 GB) cannot.
    small = client.get("/plan/fit.json", params={"gpu": "rtx-4090", "model": "llama-3.1-8b",
                                                 "weights": "fp16"}).json()
    large = client.get("/plan/fit.json", params={"gpu": "rtx-4090", "model": "llama-3.1-70b",
                                                 "weights": "fp16"}).json()
    assert small["result"]["fits"] is True and large["result"]["fits"] is False
    bad = client.get("/plan/fit.json", params={"gpu": "rtx-4090", "context_tokens": "-3",
                                               "concurrency": "many"})
    assert bad.status_code == 422
    assert len(bad.json()["problems"]) == 2


def test_prices_page_has_history_charts(client: TestClient) -> None:
    data = client.get("/prices.json").json()
    assert data["current"] and data["history"]
    html = client.get("/prices").text
    assert "<svg" in html


def test_script_in_agent_supplied_text_is_shown_escaped(
    client: TestClient, token: str
) -> None:
    payload = "<script>alert('owned')</script>"
    document = result_document(
        benchmark=f"llm-single-{payload}",
        fingerprint={"gpus": [{"name": f"{payload} RTX 4090"}]},
        settings={"model": payload},
    )
    assert client.post("/api/v1/results", json=document, headers=auth(token)).status_code == 200
    for page in ("/gpu/rtx-4090", f"/results/{document['result_id']}"):
        html = client.get(page).text
        assert payload not in html, page
        assert "&lt;script&gt;alert(" in html, page


def test_docs_page_lists_the_ingest_endpoint_offline(client: TestClient) -> None:
    html = client.get("/docs").text
    assert "/api/v1/results" in html and "cdn" not in html.lower()
    schema = client.get("/openapi.json").json()
    assert "BenchResultDocument" in schema["components"]["schemas"]
