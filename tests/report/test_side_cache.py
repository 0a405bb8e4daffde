"""The per-system cache of modelled results: a build that reuses cached per-side work gives the
same document as one computed from scratch, whatever pairs filled the cache."""

from __future__ import annotations

import json
import threading
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from gpuatlas.report import build_comparison, comparison_dict, side_cache
from gpuatlas.report.side_cache import clear_side_cache, side_cache_stats, warm_side_cache
from gpuatlas.web import compare_page


def document_json(a: str, b: str, **options: Any) -> str:
    document = comparison_dict(build_comparison(a, b, **options))
    document.pop("generated_at")
    return json.dumps(document, sort_keys=True)


@pytest.mark.parametrize(
    ("a", "b", "options"),
    [
        ("a100-80gb-sxm", "rtx-4090", {}),
        ("4x rtx-4090", "2x a100-80gb-sxm", {"model": "llama-3-70b", "weights": "awq-int4"}),
    ],
)
def test_cached_build_equals_uncached_build(
    fresh_data_dir: Path, a: str, b: str, options: dict[str, Any]
) -> None:
    clear_side_cache()
    uncached = document_json(a, b, **options)
    clear_side_cache()
    # Fill the cache from other pairs (each side shown against someone else), then build.
    document_json(a, "t4", **options)
    document_json("l4", b, **options)
    before = side_cache_stats()
    cached = document_json(a, b, **options)
    after = side_cache_stats()
    assert after["misses"] == before["misses"]  # every per-side result came from the cache
    assert after["hits"] > before["hits"]
    assert cached == uncached


def test_options_a_computation_uses_are_part_of_its_key(fresh_data_dir: Path) -> None:
    clear_side_cache()
    default = document_json("h100-sxm", "l40s")
    focused = document_json("h100-sxm", "l40s", model="qwen3-32b", weights="fp8")
    cheap_power = document_json("h100-sxm", "l40s", electricity_usd_per_kwh=0.05, pue=1.1)
    assert len({default, focused, cheap_power}) == 3
    clear_side_cache()
    assert document_json("h100-sxm", "l40s", model="qwen3-32b", weights="fp8") == focused


def test_another_calibration_is_a_different_key(fresh_data_dir: Path) -> None:
    from gpuatlas.performance.calibration_table import current_calibration, using_calibration

    clear_side_cache()
    document_json("a10", "l4")
    misses = side_cache_stats()["misses"]
    with using_calibration(replace(current_calibration(), version="test-override")):
        document_json("a10", "l4")
    assert side_cache_stats()["misses"] > misses


def test_cache_is_bounded(fresh_data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(side_cache, "SIDE_CACHE_ENTRIES", 25)
    clear_side_cache()
    document_json("rtx-3090", "a40")
    assert side_cache_stats()["entries"] == 25


def test_serve_warm_up_fills_the_cache_for_the_listed_systems(
    fresh_data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(compare_page, "warmup_systems", lambda: ["rtx-4090", "a100-80gb-sxm"])
    monkeypatch.setenv(compare_page.WARM_CACHE_VARIABLE, "1")
    clear_side_cache()
    thread = compare_page.start_cache_warmup(threading.Event())
    assert thread is not None
    thread.join(timeout=300)
    misses = side_cache_stats()["misses"]
    assert misses > 0
    document_json("a100-80gb-sxm", "rtx-4090")
    assert side_cache_stats()["misses"] == misses


def test_warm_up_can_be_turned_off(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(compare_page.WARM_CACHE_VARIABLE, "0")
    assert compare_page.start_cache_warmup(threading.Event()) is None


def test_warm_side_cache_counts_systems(fresh_data_dir: Path) -> None:
    clear_side_cache()
    assert warm_side_cache(["l4", "2x l4"]) == 2
    assert side_cache_stats()["entries"] > 0
