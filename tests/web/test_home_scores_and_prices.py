"""The home page's GPU table: a score on too few benchmarks to rank says 'unranked' under it,
with its interval and coverage in the title (H200 SXM showed a bare 373 on 1 benchmark), and
the 'from' column says its tier."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

pytestmark = pytest.mark.unit


def test_an_unranked_score_is_marked_on_the_home_page(client: TestClient) -> None:
    page = client.get("/").text
    row = re.search(r'<a href="/gpu/apple-m1-7c">.*?</tr>', page, re.S)
    assert row is not None and '<div class="muted small">unranked</div>' in row.group(0)
    assert "on 4 of 44 benchmarks" in row.group(0)  # the coverage, in the score's title
    ranked = re.search(r'<a href="/gpu/rtx-4090">.*?</tr>', page, re.S)
    assert ranked is not None and "unranked" not in ranked.group(0)
    assert "95% interval" in ranked.group(0)
    assert '<div class="muted small">on-demand</div>' in page
