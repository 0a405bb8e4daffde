"""The page cache under ingest: fresh after a single push and after releases; under steady
ingest, cached pages are served while one background rebuild catches up (bounded lag)."""

from __future__ import annotations

import time

from gpuatlas.web.state import BUSY_PUSHES, RevisionCache


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _cache() -> tuple[RevisionCache, Clock, list[str]]:
    clock = Clock()
    return RevisionCache(stale_window_s=5.0, clock=clock), clock, []


def _value(calls: list[str], revision: str) -> str:
    calls.append(revision)
    return f"page@{revision}"


def test_a_single_push_is_shown_at_once() -> None:
    cache, _clock, calls = _cache()
    assert cache.get_or_compute("gpu", "10.0", lambda: _value(calls, "10.0")) == "page@10.0"
    cache.note_push()
    assert cache.get_or_compute("gpu", "11.0", lambda: _value(calls, "11.0")) == "page@11.0"
    assert calls == ["10.0", "11.0"]


def test_steady_ingest_serves_the_cached_page_and_rebuilds_it_once_in_the_background() -> None:
    cache, clock, calls = _cache()
    cache.get_or_compute("gpu", "10.0", lambda: _value(calls, "10.0"))
    for _ in range(BUSY_PUSHES):
        cache.note_push()
    assert cache.get_or_compute("gpu", "12.0", lambda: _value(calls, "12.0")) == "page@10.0"
    assert calls == ["10.0"], "within the window: no rebuild"
    clock.now += 6.0
    for _ in range(BUSY_PUSHES):
        cache.note_push()
    served = cache.get_or_compute("gpu", "15.0", lambda: _value(calls, "15.0"))
    assert served == "page@10.0"
    deadline = time.monotonic() + 10
    while calls == ["10.0"] and time.monotonic() < deadline:
        time.sleep(0.01)
    time.sleep(0.05)
    assert calls == ["10.0", "15.0"]
    assert cache.get_or_compute("gpu", "15.0", lambda: _value(calls, "x")) == "page@15.0"


def test_a_release_or_quarantine_is_shown_at_once_even_under_ingest() -> None:
    cache, _clock, calls = _cache()
    cache.get_or_compute("gpu", "10.0", lambda: _value(calls, "10.0"))
    for _ in range(BUSY_PUSHES):
        cache.note_push()
    assert cache.get_or_compute("gpu", "12.1", lambda: _value(calls, "12.1")) == "page@12.1"
