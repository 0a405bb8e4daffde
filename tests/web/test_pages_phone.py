"""Every page but the comparison report, in a real headless Chromium on a phone (390×844) and a
desktop (1366×900): a full-page screenshot of each under test-artifacts/browser/, and no element
that sticks out of its container, scrolls sideways or shows chart text below 10 px."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from test_browser import ARTIFACTS, browser, pytestmark, server  # noqa: F401  (fixtures)
from web_support import auth

from conftest_pg import result_document

VIEWPORTS = {"phone": (390, 844), "desktop": (1366, 900)}
PAGES = {
    "home": "/",
    "gpu": "/gpu/rtx-4090",
    "gpu-apple": "/gpu/apple-m2-ultra-76c",
    "leaderboard": "/leaderboard",
    "planner-fit-form": "/plan/fit",
    "planner-fit": "/plan/fit?system=rtx-4090&model=llama-3.1-70b&weights=fp16",
    "planner-predict": "/plan/predict?system=rtx-4090&model=llama-3.1-8b",
    "planner-plan": "/plan/plan?model=llama-3.1-8b&rps=2&p95_ttft_ms=1000"
    "&p95_tpot_ms=100&gpus=rtx-4090,a100-80gb-sxm,l40s",
    "planner-plan-layout": "/plan/plan?model=llama-3.1-8b&rps=1&gpus=2x+rtx-4090",
    "cost-form": "/cost",
    "cost-llm": "/cost?gpus=rtx-4090,2x+rtx-4090&model=llama-3.1-8b&workload=llm",
    "cost-rent": "/cost?gpus=h100-sxm",
    "cost-problems": "/cost?gpus=4090x&model=llama-3.1-8bb&workload=llmm",
    "prices": "/prices",
    "prices-one-gpu": "/prices?gpu=h100-sxm",
    "compare-pick": "/compare",
    "docs": "/docs",
    "not-found": "/gpu/rtx-4091",
}

# Every visible element: inside its parent's box, not scrolling sideways; SVG chart text at
# 10 px or more once the chart is scaled to its box.
LAYOUT_PROBLEMS = """() => {
  const problems = [];
  const root = document.documentElement;
  if (root.scrollWidth > root.clientWidth + 1) {
    problems.push(`the page scrolls sideways: ${root.scrollWidth} > ${root.clientWidth} px`);
  }
  const name = (el) => el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") +
    (typeof el.className === "string" && el.className.trim()
      ? "." + el.className.trim().split(/\\s+/).join(".") : "") +
    (el.tagName === "text" ? ` "${el.textContent.slice(0, 40)}"` : "");
  for (const el of document.querySelectorAll("body *")) {
    if (el.getClientRects().length === 0) continue;
    const style = getComputedStyle(el);
    if (style.visibility === "hidden" || style.position === "fixed") continue;
    if (["auto", "scroll"].includes(style.overflowX) && el.scrollWidth > el.clientWidth + 1) {
      problems.push(`${name(el)} scrolls sideways: ${el.scrollWidth} > ${el.clientWidth} px`);
    }
    const parent = el.parentElement;
    if (!parent || parent === document.body) continue;
    const box = el.getBoundingClientRect(), outer = parent.getBoundingClientRect();
    if (box.width === 0 || box.height === 0) continue;
    const past = Math.max(box.right - outer.right, outer.left - box.left);
    if (past > 1) {
      problems.push(`${name(el)} sticks out of ${name(parent)} by ${Math.round(past)} px`);
    }
  }
  for (const svg of document.querySelectorAll("svg.chart-svg")) {
    if (svg.getClientRects().length === 0 || !svg.viewBox.baseVal) continue;
    const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
    for (const text of svg.querySelectorAll("text")) {
      const size = parseFloat(getComputedStyle(text).fontSize) * scale;
      if (size < 10) problems.push(`chart text "${text.textContent}" at ${size.toFixed(1)} px`);
    }
  }
  return problems.slice(0, 25);
}"""


@pytest.fixture(scope="module")
def pushed_result(server: tuple) -> str:  # noqa: F811
    """A result an agent pushed, for the result page."""
    process, token = server
    document = result_document()
    reply = httpx.post(
        process.url + "/api/v1/results", json=document, headers=auth(token), timeout=60
    )
    assert reply.status_code == 200, reply.text
    return str(document["result_id"])


def _check(browser: Any, url: str, name: str) -> dict[str, list[str]]:  # noqa: F811
    found = {}
    for viewport, (width, height) in VIEWPORTS.items():
        page = browser.new_page(viewport={"width": width, "height": height})
        page.goto(url, wait_until="load")
        page.screenshot(path=str(ARTIFACTS / f"page-{name}-{viewport}.png"), full_page=True)
        found[viewport] = page.evaluate(LAYOUT_PROBLEMS)
        page.close()
    return found


def _listed(problems: dict[str, list[str]]) -> str:
    return "\n".join(
        f"{viewport}: {problem}" for viewport, found in problems.items() for problem in found
    )


@pytest.mark.parametrize("name", list(PAGES))
def test_page_fits_phone_and_desktop(browser: Any, server: tuple, name: str) -> None:  # noqa: F811
    process, _token = server
    problems = _check(browser, process.url + PAGES[name], name)
    assert not any(problems.values()), _listed(problems)


def test_result_page_fits_phone_and_desktop(
    browser: Any,  # noqa: F811
    server: tuple,  # noqa: F811
    pushed_result: str,
) -> None:
    process, _token = server
    problems = _check(browser, f"{process.url}/results/{pushed_result}", "result")
    assert not any(problems.values()), _listed(problems)


def test_planner_problems_come_before_the_form_on_a_phone(
    browser: Any,  # noqa: F811
    server: tuple,  # noqa: F811
) -> None:
    """On a phone the form and the answer stack; a request with problems listed them under
    17 form fields, so the visitor saw the form unchanged after submitting. The problems come
    first there; on a desktop they stay beside the form."""
    process, _token = server
    url = process.url + "/plan/predict?system=rtx-4009&model=llama-3.1-8bb&batch=-1"
    tops = {}
    for viewport, (width, height) in VIEWPORTS.items():
        page = browser.new_page(viewport={"width": width, "height": height})
        page.goto(url, wait_until="load")
        problems = page.locator("#planner-problems").bounding_box()
        form = page.locator("#planner-form").bounding_box()
        assert problems is not None and form is not None
        tops[viewport] = (problems["y"], form["y"])
        page.close()
    problems_top, form_top = tops["phone"]
    assert problems_top < form_top and problems_top < VIEWPORTS["phone"][1]  # seen at once
    problems_top, form_top = tops["desktop"]
    assert abs(problems_top - form_top) < 150  # side by side
