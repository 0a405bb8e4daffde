"""The comparison report inside the compare page, on a phone (390×844) in headless Chromium
(issue 10): its own document never scrolls sideways. Wide tables scroll inside their wrappers;
a long source cited in a statement ('reddit.com/r/LocalLLaMA/comments/1ghvwsj/llamacpp_…')
wraps. Before, the report of the RTX 4090 against the RTX 5090 scrolled sideways by 227 px
(591 px of content in a 364 px frame) because of the measured-benchmarks statements."""

from __future__ import annotations

from typing import Any

import pytest
from test_browser import ARTIFACTS, browser, pytestmark, server  # noqa: F401  (fixtures)

SIDEWAYS = "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"


@pytest.mark.parametrize("pair", ["rtx-4090/rtx-5090", "apple-m4-max-40c/rtx-4090"])
def test_report_stays_in_a_phone_screen(browser: Any, server: tuple, pair: str) -> None:  # noqa: F811
    process, _token = server
    page = browser.new_page(viewport={"width": 390, "height": 844})
    page.goto(f"{process.url}/compare/{pair}", wait_until="load")
    report = next(frame for frame in page.frames if frame != page.main_frame)
    overflow = report.evaluate(SIDEWAYS)
    page.screenshot(path=str(ARTIFACTS / f"compare-report-phone-{pair.replace('/', '-')}.png"))
    page.close()
    assert overflow <= 1, f"the report scrolls sideways by {overflow}px on a phone"
