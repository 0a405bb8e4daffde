"""The fit planner page states the verdict as `gpuatlas fit` does: a model that does not fit in
its native format names the smaller format that fits one GPU (the page said only "Needs 4 GPUs"
and left the format to the table below it)."""

from __future__ import annotations

from fastapi.testclient import TestClient


def test_the_fit_page_names_the_format_that_fits_one_gpu(client: TestClient) -> None:
    params = {"system": "rtx-4060-ti-16gb", "model": "google/gemma-3-12b-it"}
    document = client.get("/plan/fit.json", params=params).json()
    assert not document["fits"] and not document["offload"]
    best = next(row for row in document["formats"] if row["fits"])
    assert f"; fits in {best['format_id']} (" in document["verdict_text"]
    page = client.get("/plan/fit", params=params)
    assert page.status_code == 200
    assert 'id="fit-verdict"' in page.text
    assert f"fits in {best['format_id']} (" in page.text
    fitting = client.get("/plan/fit", params={"system": "rtx-4090", "model": "llama-3.1-8b"})
    assert 'id="fit-verdict"' not in fitting.text
