"""Per-system profiles: each side's profile is computed once per build, through the build's own
cache; a longer-lived cache (the server's) gives the same document as a fresh build whatever
pairs filled it, is keyed by everything a profile depends on, and stays within its bound."""

from __future__ import annotations

import json
import threading
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from gpuatlas.performance.calibration_table import current_calibration, using_calibration
from gpuatlas.report import build_comparison, comparison_dict
from gpuatlas.report.document import Text
from gpuatlas.report.profiles import ProfileCache, SideProfile
from gpuatlas.report.profiles import side as side_module
from gpuatlas.report.profiles.once import computed_once
from gpuatlas.web import compare_page


def document_json(a: str, b: str, profiles: ProfileCache | None = None, **options: Any) -> str:
    document = comparison_dict(build_comparison(a, b, profiles=profiles, **options))
    document.pop("generated_at")
    return json.dumps(document, sort_keys=True)


# Every computation a profile part makes, by module (counted to show nothing is recomputed).
PART_FUNCTIONS = {
    side_module.fit_model: ("compute_fit", "loads_awq", "usual_formats"),
    side_module.llm: (
        "serving_at",
        "offer_costs",
        "compute_curve",
        "measured_serving_points",
        "two_bit_decode",
    ),
    side_module.media: ("diffusion", "vision_throughput", "ocr_throughput"),
    side_module.training: ("memory_fit", "budget", "gradient_sync", "sharded_inference"),
}


@pytest.fixture
def counted(monkeypatch: pytest.MonkeyPatch) -> dict[str, list[str]]:
    """Counts profiles made and speed computations, by system label, and every other part's
    computations, by function."""
    calls: dict[str, list[str]] = {"profiles": [], "speed": [], "parts": []}
    make, speed = SideProfile.__init__, side_module.llm.compute_speed

    def counting_init(self: SideProfile, *args: Any, **kwargs: Any) -> None:
        make(self, *args, **kwargs)
        calls["profiles"].append(self.label)

    def counting_speed(system: Any, *args: Any) -> Any:
        calls["speed"].append(system.label)
        return speed(system, *args)

    def counting(name: str, function: Any) -> Any:
        def counted_call(*args: Any, **kwargs: Any) -> Any:
            calls["parts"].append(name)
            return function(*args, **kwargs)

        return counted_call

    monkeypatch.setattr(SideProfile, "__init__", counting_init)
    monkeypatch.setattr(side_module.llm, "compute_speed", counting_speed)
    for module, names in PART_FUNCTIONS.items():
        for name in names:
            monkeypatch.setattr(module, name, counting(name, getattr(module, name)))
    return calls


def test_each_side_is_profiled_once_per_build(
    fresh_data_dir: Path, counted: dict[str, list[str]]
) -> None:
    build_comparison("a100-80gb-sxm", "rtx-4090")
    # inference, power and guidance all read the speed: computed once per side
    assert sorted(counted["profiles"]) == sorted(counted["speed"]) == ["A100 80GB SXM4", "RTX 4090"]
    build_comparison("a100-80gb-sxm", "rtx-4090")  # a new build: its own cache
    assert len(counted["profiles"]) == 4


def test_a_system_against_itself_is_profiled_once(
    fresh_data_dir: Path, counted: dict[str, list[str]]
) -> None:
    build_comparison("l4", "l4")
    assert counted["profiles"] == counted["speed"] == ["L4"]


@pytest.mark.parametrize(
    ("a", "b", "options"),
    [
        ("a100-80gb-sxm", "rtx-4090", {}),
        ("4x rtx-4090", "2x a100-80gb-sxm", {"model": "llama-3-70b", "weights": "awq-int4"}),
    ],
)
def test_a_shared_cache_gives_the_document_of_a_fresh_build(
    fresh_data_dir: Path, a: str, b: str, options: dict[str, Any]
) -> None:
    fresh = document_json(a, b, **options)
    shared = ProfileCache(max_entries=16)
    # Fill the cache from other pairs (each side shown against someone else), then build.
    document_json(a, "t4", shared, **options)
    document_json("l4", b, shared, **options)
    made = shared.stats()["built"]
    assert document_json(a, b, shared, **options) == fresh
    assert shared.stats()["built"] == made  # both profiles came from the cache


def test_the_focus_is_part_of_the_key_and_cost_assumptions_are_not(fresh_data_dir: Path) -> None:
    shared = ProfileCache(max_entries=16)
    default = document_json("h100-sxm", "l40s", shared)
    assert shared.stats()["built"] == 2
    focused = document_json("h100-sxm", "l40s", shared, model="qwen3-32b", weights="fp8")
    assert shared.stats()["built"] == 4
    cheap_power = document_json("h100-sxm", "l40s", shared, electricity_usd_per_kwh=0.05, pue=1.1)
    assert shared.stats()["built"] == 4  # electricity and PUE apply to the pair, not a profile
    assert len({default, focused, cheap_power}) == 3
    assert document_json("h100-sxm", "l40s", model="qwen3-32b", weights="fp8") == focused


def test_another_calibration_is_a_different_key(fresh_data_dir: Path) -> None:
    shared = ProfileCache(max_entries=16)
    document_json("a10", "l4", shared)
    with using_calibration(replace(current_calibration(), version="test-override")):
        document_json("a10", "l4", shared)
    assert shared.stats()["built"] == 4


def test_memory_configurations_of_one_chip_are_different_profiles(fresh_data_dir: Path) -> None:
    shared = ProfileCache(max_entries=16)
    comparison = build_comparison(
        "Mac Studio M2 Ultra 64GB", "Mac Studio M2 Ultra 192GB", profiles=shared
    )
    assert shared.stats()["built"] == 2
    fit = comparison.section("memory-fit").tables[0]
    texts = [tuple(cell.text if isinstance(cell, Text) else "" for cell in row) for row in fit.rows]
    seventy_b = next(row for row in texts if row[0].startswith("70B") and row[1] == "FP16")
    assert seventy_b[3].startswith("no") and seventy_b[4].startswith("yes")  # 64 GB vs 192 GB


def test_the_cache_is_bounded(fresh_data_dir: Path) -> None:
    shared = ProfileCache(max_entries=3)
    document_json("rtx-3090", "a40", shared)
    document_json("l4", "t4", shared)
    assert shared.stats() == {"entries": 3, "built": 4}


def test_serve_warm_up_fills_the_servers_cache_for_the_listed_systems(
    fresh_data_dir: Path, monkeypatch: pytest.MonkeyPatch, counted: dict[str, list[str]]
) -> None:
    monkeypatch.setattr(compare_page, "warmup_systems", lambda: ["rtx-4090", "a100-80gb-sxm"])
    monkeypatch.setattr(compare_page, "PROFILES", ProfileCache(max_entries=16))
    monkeypatch.setenv(compare_page.WARM_CACHE_VARIABLE, "1")
    thread = compare_page.start_cache_warmup(threading.Event())
    assert thread is not None
    thread.join(timeout=300)
    assert compare_page.warmup_progress()["finished"]
    assert sorted(counted["speed"]) == ["A100 80GB SXM4", "RTX 4090"]
    warmed, parts = compare_page.PROFILES.stats()["built"], len(counted["parts"])
    assert parts > 0
    document_json("a100-80gb-sxm", "rtx-4090", compare_page.PROFILES)
    assert compare_page.PROFILES.stats()["built"] == warmed
    assert len(counted["speed"]) == 2 and counted["parts"][parts:] == []  # nothing recomputed


def test_warm_up_can_be_turned_off(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(compare_page.WARM_CACHE_VARIABLE, "0")
    assert compare_page.start_cache_warmup(threading.Event()) is None


def test_warm_counts_systems(fresh_data_dir: Path) -> None:
    shared = ProfileCache(max_entries=16)
    assert shared.warm(["l4", "2x l4"]) == 2
    assert shared.stats() == {"entries": 2, "built": 2}


def test_a_part_is_computed_once_per_instance_and_never_shared() -> None:
    computed: list[int] = []

    class Holder:
        def __init__(self, value: int) -> None:
            self.value = value

        @computed_once
        def doubled(self) -> int:
            computed.append(self.value)
            return self.value * 2

    first, second = Holder(1), Holder(2)
    assert (first.doubled, first.doubled, second.doubled) == (2, 2, 4)
    assert computed == [1, 2]


def test_the_measured_sections_stand_ins_come_from_the_profiles(
    fresh_data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    predicted: list[str] = []
    predict = side_module.predict_suite_benchmark

    def counting(benchmark: Any, system: Any) -> Any:
        predicted.append(system.label)
        return predict(benchmark, system)

    monkeypatch.setattr(side_module, "predict_suite_benchmark", counting)
    shared = ProfileCache(max_entries=16)
    first = document_json("l40s", "a10", shared)
    assert predicted  # some suite benchmarks have no measurement on a side
    made = len(predicted)
    assert document_json("l40s", "a10", shared) == first
    assert len(predicted) == made  # a second build of the same sides predicts nothing again
