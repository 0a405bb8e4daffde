"""Every page renders, has a .json twin with the same data, and escapes what agents send."""

from __future__ import annotations

import html as html_text
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
    ("/cost", "/cost.json"),
]


@pytest.mark.parametrize(("page", "twin"), PAGES_WITH_TWINS)
def test_each_page_links_its_json_twin(client: TestClient, page: str, twin: str) -> None:
    html = client.get(page)
    assert html.status_code == 200
    assert html.headers["content-type"].startswith("text/html")
    linked = html_text.unescape(re.findall(r'class="json-link" href="([^"]+)"', html.text)[0])
    # an empty planner form (or the cost page's) links the document of the example it shows
    example = page.startswith(("/plan/", "/cost"))
    assert linked == twin or (example and linked.startswith(twin + "?"))
    data = client.get(linked)
    assert data.status_code == 200 and data.json()["schema_version"].startswith("gpuatlas.")


def test_pages_load_nothing_from_other_hosts(client: TestClient) -> None:
    for page, _ in PAGES_WITH_TWINS + [("/docs", ""), ("/gpu/rtx-3090", "")]:
        html = client.get(page).text
        loaded = re.findall(r'src="([^"]+)"', html) + re.findall(r'<link[^>]*href="([^"]+)"', html)
        assert [s for s in loaded if s.startswith(("http:", "https:", "//"))] == [], page


def test_home_lists_every_catalog_gpu_with_scores(client: TestClient) -> None:
    data = client.get("/index.json").json()
    assert [gpu["id"] for gpu in data["gpus"]] == [gpu.id for gpu in all_gpus()]
    # the reference GPU scores 100 (it need not be among the top ten)
    reference = next(gpu for gpu in data["gpus"] if gpu["id"] == "rtx-3090")
    assert reference["atlas_score"]["value"] == pytest.approx(100.0)
    top = [row["value"] for row in data["top_scores"]]
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
    document = client.get(
        "/compare/4x%20rtx-4090/2x%20a100-80gb-sxm.json",
        params={"model": "llama-3.1-70b", "pue": "1.3"},
    ).json()
    assert document["a"]["gpu_count"] == 4 and document["b"]["gpu_count"] == 2
    assert document["options"]["pue"] == 1.3
    assert client.get("/compare/rtx-4090/rtx-3090.json", params={"pue": "high"}).status_code == 422


def test_unknown_gpus_get_404_with_close_matches(client: TestClient) -> None:
    response = client.get("/gpu/rtx-4091.json")
    assert response.status_code == 404
    error = response.json()  # the CLI's error document (gpuatlas.error/1)
    assert error["schema_version"] == "gpuatlas.error/1"
    assert "rtx-4090" in error["error"] and "rtx-4090" in error["candidates"]
    assert error["problems"] == [error["error"]]
    assert client.get("/gpu/rtx-4091").status_code == 404
    bad_pair = client.get("/compare/rtx-4090/not-a-gpu")
    assert bad_pair.status_code == 404
    assert "not-a-gpu" in bad_pair.text
    both_bad = client.get("/compare/rtx-4091/not-a-gpu.json")
    assert both_bad.status_code == 404
    both = both_bad.json()["error"]
    assert "rtx-4091" in both and "not-a-gpu" in both
    assert "rtx-4090" in both  # the close match of rtx-4091
    bad_option = client.get("/compare/rtx-4090/rtx-3090.json", params={"pue": "high"})
    assert bad_option.status_code == 422


def test_fit_planner_answers_from_the_estimator(client: TestClient) -> None:
    # 8B parameters in FP16 are ~16 GB: they fit a 24 GB card; 70B (~140 GB) cannot.
    small = client.get(
        "/plan/fit.json", params={"system": "rtx-4090", "model": "llama-3.1-8b", "weights": "fp16"}
    ).json()
    large = client.get(
        "/plan/fit.json", params={"system": "rtx-4090", "model": "llama-3.1-70b", "weights": "fp16"}
    ).json()
    assert small["schema_version"] == "gpuatlas.fit/1"
    assert small["fits"] is True and large["fits"] is False
    assert large["min_gpus_needed"] > 1
    bad = client.get(
        "/plan/fit.json",
        params={"system": "rtx-4090", "context_tokens": "-3", "concurrency": "many"},
    )
    assert bad.status_code == 422
    problems = bad.json()["problems"]
    assert len(problems) == 3  # model missing, context below 1, concurrency not a number
    assert {p.split(":")[0] for p in problems} == {"model", "context_tokens", "concurrency"}


def test_planner_refuses_file_paths_as_model_names(client: TestClient) -> None:
    for name in ("/etc/passwd.json", "../config.json", "~/model"):
        response = client.get("/plan/fit.json", params={"system": "rtx-4090", "model": name})
        assert response.status_code == 422, name
        assert "file path" in response.json()["error"]


def test_planner_pages_show_labels_and_units_not_keys(client: TestClient) -> None:
    fit = client.get("/plan/fit", params={"system": "rtx-4090", "model": "llama-3.1-8b"}).text
    assert "KV cache" in fit and "kv_cache_gb" not in fit and " GiB" in fit
    assert "RTX 4090" in fit  # the product name, not only the id
    predict = client.get(
        "/plan/predict", params={"system": "rtx-4090", "model": "llama-3.1-8b"}
    ).text
    assert "Time to first token" in predict and "ttft_ms" not in predict.replace(
        'id="predict-ttft_ms"', ""
    )
    assert " ms" in predict and " tok/s" in predict
    # 70B does not fit one RTX 4090: that candidate is rejected, with its reason
    plan = client.get(
        "/plan/plan",
        params={"model": "llama-3.1-70b", "rps": "2", "gpus": "rtx-4090, a100-80gb-sxm"},
    ).text
    assert "Why the other setups were rejected" in plan
    table = plan[
        plan.index('id="plan-options"') : plan.index("</table>", plan.index("plan-options"))
    ]
    rejected = plan[plan.index('class="rejected"') : plan.index("</details>")]
    assert "RTX 4090" in rejected and "rtx-4090" not in rejected
    assert "rtx-" not in table and "a100-" not in table


def test_fit_page_writes_every_memory_size_in_gib(client: TestClient) -> None:
    # One unit, as the CLI: the usable memory line agrees with the "... GiB usable" reason.
    page = client.get("/plan/fit", params={"system": "rtx-4090", "model": "llama-3.1-8b"}).text
    tables = re.findall(r'<table[^>]*id="fit-(?:memory|formats)".*?</table>', page, re.S)
    assert len(tables) == 2
    assert all(re.search(r"\d GB\b", table) is None for table in tables)
    assert all(" GiB" in table for table in tables)
    document = client.get(
        "/plan/fit.json", params={"system": "rtx-4090", "model": "llama-3.1-8b"}
    ).json()
    usable_gib = document["usable_gb"]["value"] * 1e9 / 2**30
    assert f"{usable_gib:,.1f} GiB of" in page


def test_prices_page_has_history_charts(client: TestClient) -> None:
    data = client.get("/prices.json").json()
    assert data["schema_version"] == "gpuatlas.prices/1" and data["prices"]
    html = client.get("/prices").text
    assert "<svg" in html
    # GPUs by product name, sources as short links, not raw URLs as text
    assert data["prices"][0]["gpu_name"] in html
    raw_urls = re.findall(r">\s*https?://", html)
    assert raw_urls == []


def test_script_in_agent_supplied_text_is_shown_escaped(client: TestClient, token: str) -> None:
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


def test_gpu_page_names_benchmarks_and_sources_in_words(client: TestClient) -> None:
    data = client.get("/gpu/rtx-4090.json").json()
    keys = [m["benchmark"] for m in data["measured"] if m["benchmark"].startswith("public/")]
    assert keys, "the public data set has measurements of the RTX 4090"
    html = client.get("/gpu/rtx-4090").text
    cells = re.findall(r'card-title wide"[^>]*>([^<]+)<', html)
    assert cells and not any(cell.startswith("public/") for cell in cells)
    assert any(": generation speed (batch 1" in cell for cell in cells)
    assert re.findall(r">\s*https?://", html) == []


def _operation(schema: dict, path: str) -> dict:
    return schema["paths"][path]["get"]


def test_openapi_documents_what_the_pages_return(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    gpu_json = _operation(schema, "/gpu/{gpu}.json")["responses"]
    assert gpu_json["404"]["content"]["application/json"]["schema"]["$ref"].endswith("/Problem")
    gpu_page = _operation(schema, "/gpu/{gpu}")["responses"]
    assert set(gpu_page["200"]["content"]) == {"text/html"}
    assert set(gpu_page["404"]["content"]) == {"text/html"}
    pages = [methods["get"] for methods in schema["paths"].values() if "get" in methods]
    assert "HTTPValidationError" not in str(pages)  # pages answer 422 with a Problem
    fit = _operation(schema, "/plan/fit.json")
    required = {p["name"] for p in fit["parameters"] if p["required"]}
    assert required == {"system", "model"}
    plan = _operation(schema, "/plan/plan.json")
    assert {p["name"] for p in plan["parameters"] if p["required"]} == {"model", "rps"}
    assert "303" in _operation(schema, "/plan")["responses"]


@pytest.mark.parametrize(
    ("path", "url", "status"),
    [
        ("/gpu/{gpu}.json", "/gpu/rtx-4091.json", 404),
        ("/gpu/{gpu}", "/gpu/rtx-4091", 404),
        ("/results/{result_id}.json", "/results/nope.json", 404),
        ("/results/{result_id}", "/results/nope", 404),
        ("/plan/fit.json", "/plan/fit.json?model=llama-3.1-8b", 422),
        ("/plan/fit.json", "/plan/fit.json?system=rtx-4091&model=llama-3.1-8b", 404),
        ("/plan/fit", "/plan/fit?system=rtx-4090&context_tokens=x", 422),
        ("/prices.json", "/prices.json?gpu=nope-9000", 404),
        ("/leaderboard", "/leaderboard", 200),
        ("/plan/predict.json", "/plan/predict.json?system=rtx-4090&model=llama-3.1-8b", 200),
        ("/plan/fit.json", "/plan/fit.json?system=rtx-4090&model=llama-3.1-8b", 200),
        ("/prices.json", "/prices.json?gpu=h100-sxm&tier=spot", 200),
        ("/prices.json", "/prices.json?tier=cheap", 422),
        ("/leaderboard.json", "/leaderboard.json", 200),
        ("/gpu/{gpu}.json", "/gpu/rtx-4090.json", 200),
    ],
)
def test_each_answer_has_a_documented_status_and_media_type(
    client: TestClient, path: str, url: str, status: int
) -> None:
    responses = _operation(client.get("/openapi.json").json(), path)["responses"]
    reply = client.get(url)
    assert reply.status_code == status
    documented = responses[str(status)]
    media = reply.headers["content-type"].split(";")[0]
    assert media in documented.get("content", {}), (url, media, documented)
    schema = documented["content"][media].get("schema", {})
    if "const" in schema.get("properties", {}).get("schema_version", {}):
        assert reply.json()["schema_version"] == schema["properties"]["schema_version"]["const"]
