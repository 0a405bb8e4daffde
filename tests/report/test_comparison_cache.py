"""The on-disk cache of whole comparisons: a hit is the document a fresh build gives (only
`generated_at` differs), any change of code, data, price files or database builds afresh, and
what cannot be watched or failed for a passing reason is never stored."""

from __future__ import annotations

import dataclasses
import os
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

import gpuatlas
from gpuatlas.catalog.parsed_cache import CACHE_DIR_VARIABLE, NO_CACHE_VARIABLE
from gpuatlas.report import Comparison, build_comparison, comparison_dict
from gpuatlas.report import comparison_cache as cache_module
from gpuatlas.report.comparison_cache import (
    ENTRY_PREFIX,
    STORE_UNREADABLE,
    cached_comparison,
    comparison_key,
)
from gpuatlas.report.document import Section
from gpuatlas.settings import DATABASE_URL, PRICE_FILES
from gpuatlas.store import open_store

DEFAULT_OPTIONS: dict[str, object] = {
    "model": None,
    "weights": None,
    "context_tokens": 4096,
    "provider": None,
    "electricity_usd_per_kwh": 0.15,
    "pue": 1.3,
    "engine": None,
}


class CountingBuild:
    """build_comparison for one request, counting how often it really ran."""

    def __init__(self, a: str, b: str, options: dict[str, object]) -> None:
        self.a, self.b, self.options = a, b, options
        self.calls = 0

    def __call__(self) -> Comparison:
        self.calls += 1
        return build_comparison(self.a, self.b, **self.options)


@pytest.fixture
def cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv(CACHE_DIR_VARIABLE, str(folder))
    monkeypatch.delenv(NO_CACHE_VARIABLE, raising=False)
    monkeypatch.delenv(PRICE_FILES.variable, raising=False)
    return folder


@pytest.fixture(autouse=True)
def existing_database(fresh_data_dir: Path) -> None:
    """The session's database, created and seeded before a test (a build that creates the
    database stores nothing: the database changed while it was built)."""
    open_store().close()


@pytest.fixture
def package_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The package's files pinned to one stand-in file, so that other edits of the checkout
    while a test runs do not change the key (tests edit the stand-in instead)."""
    path = tmp_path / "package" / "calibration.json"
    path.parent.mkdir()
    path.write_text('{"version": 1}', encoding="utf-8")
    monkeypatch.setattr(cache_module, "package_files", lambda: [path])
    return path


def entries(folder: Path) -> list[Path]:
    return sorted(folder.glob(f"{ENTRY_PREFIX}*"))


def without_generated_at(comparison: Comparison) -> dict[str, object]:
    document = comparison_dict(comparison)
    document.pop("generated_at")
    return document


def twice(a: str, b: str, options: dict[str, object]) -> tuple[Comparison, Comparison, int]:
    build = CountingBuild(a, b, options)
    first = cached_comparison(a, b, options, build)
    second = cached_comparison(a, b, options, build)
    return first, second, build.calls


PAIRS = [
    ("a100-80gb-sxm", "rtx-4090", DEFAULT_OPTIONS),
    (
        "rtx-3090",
        "rtx-4090",
        {
            **DEFAULT_OPTIONS,
            "model": "qwen3-8b",
            "weights": "Q4_K_M",
            "provider": "RunPod",
            "pue": 1.5,
        },
    ),
    ("2x h100-sxm", "mi300x", {**DEFAULT_OPTIONS, "context_tokens": 8192}),
]


@pytest.mark.parametrize(("a", "b", "options"), PAIRS)
def test_a_cached_comparison_is_the_document_a_fresh_build_gives(
    a: str, b: str, options: dict[str, object], cache_dir: Path, package_file: Path
) -> None:
    first, second, calls = twice(a, b, options)
    assert calls == 1
    assert len(entries(cache_dir)) == 1
    fresh = build_comparison(a, b, **options)
    assert without_generated_at(second) == without_generated_at(fresh)
    assert dataclasses.replace(second, generated_at="") == dataclasses.replace(
        fresh, generated_at=""
    )
    assert second.generated_at >= first.generated_at


def test_another_request_is_another_entry(cache_dir: Path, package_file: Path) -> None:
    first_key = comparison_key("rtx-4090", "l40s", DEFAULT_OPTIONS)
    assert first_key != comparison_key("l40s", "rtx-4090", DEFAULT_OPTIONS)
    assert first_key != comparison_key("rtx-4090", "l40s", {**DEFAULT_OPTIONS, "pue": 1.4})


def test_a_changed_package_file_builds_afresh(cache_dir: Path, package_file: Path) -> None:
    build = CountingBuild("rtx-4090", "l40s", DEFAULT_OPTIONS)
    cached_comparison("rtx-4090", "l40s", DEFAULT_OPTIONS, build)
    package_file.write_text('{"version": 2}', encoding="utf-8")
    cached_comparison("rtx-4090", "l40s", DEFAULT_OPTIONS, build)
    cached_comparison("rtx-4090", "l40s", DEFAULT_OPTIONS, build)
    assert build.calls == 2


def test_a_written_database_builds_afresh(
    cache_dir: Path, package_file: Path, fresh_data_dir: Path
) -> None:
    build = CountingBuild("rtx-4090", "l40s", DEFAULT_OPTIONS)
    cached_comparison("rtx-4090", "l40s", DEFAULT_OPTIONS, build)
    with sqlite3.connect(fresh_data_dir / "gpuatlas.db") as connection:
        connection.execute("CREATE TABLE IF NOT EXISTS cache_probe (x INTEGER)")
        connection.execute("DROP TABLE cache_probe")
    cached_comparison("rtx-4090", "l40s", DEFAULT_OPTIONS, build)
    assert build.calls == 2


def test_a_new_user_price_file_builds_afresh(
    cache_dir: Path, package_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    prices = tmp_path / "prices.csv"
    monkeypatch.setenv(PRICE_FILES.variable, str(prices))
    before = comparison_key("rtx-4090", "l40s", DEFAULT_OPTIONS)
    prices.write_text("provider,gpu\n", encoding="utf-8")
    assert comparison_key("rtx-4090", "l40s", DEFAULT_OPTIONS) != before


def test_another_numpy_builds_afresh(
    cache_dir: Path, package_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    version = tmp_path / "numpy" / "version.py"
    version.parent.mkdir()
    version.write_text('version = "2.2.0"\n', encoding="utf-8")
    monkeypatch.setattr(cache_module, "dependency_files", lambda: [version])
    before = comparison_key("rtx-4090", "l40s", DEFAULT_OPTIONS)
    version.write_text('version = "2.3.10"\n', encoding="utf-8")
    assert comparison_key("rtx-4090", "l40s", DEFAULT_OPTIONS) != before


def test_numpy_is_found_without_importing_it() -> None:
    files = cache_module.dependency_files()
    assert [path.name for path in files] == ["__init__.py", "version.py"]
    assert all(path.is_file() and path.parent.name == "numpy" for path in files)


def test_the_package_files_cover_code_and_data() -> None:
    root = Path(gpuatlas.__file__).parent
    names = {path.relative_to(root).as_posix() for path in cache_module.package_files()}
    assert {
        "performance/data/calibration.json",
        "performance/data/engines.toml",
        "catalog/data/gpus.toml",
        "report/build.py",
    } <= names
    assert not any("__pycache__" in name for name in names)


def test_a_database_that_is_not_a_sqlite_file_is_never_cached(
    cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(DATABASE_URL.variable, "postgresql://user@db.example/gpuatlas")
    assert comparison_key("rtx-4090", "l40s", DEFAULT_OPTIONS) is None


def test_a_model_given_as_a_config_path_is_never_cached(cache_dir: Path, tmp_path: Path) -> None:
    options = {**DEFAULT_OPTIONS, "model": str(tmp_path / "config.json")}
    assert comparison_key("rtx-4090", "l40s", options) is None
    assert comparison_key("rtx-4090", "l40s", {**DEFAULT_OPTIONS, "model": str(tmp_path)}) is None


def test_the_cache_can_be_turned_off(
    cache_dir: Path, package_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(NO_CACHE_VARIABLE, "1")
    _, _, calls = twice("rtx-4090", "l40s", DEFAULT_OPTIONS)
    assert calls == 2
    assert not cache_dir.exists() or not entries(cache_dir)


def omitting_measured(build: Callable[[], Comparison], reason: str) -> Callable[[], Comparison]:
    def broken() -> Comparison:
        comparison = build()
        sections = tuple(
            Section(id=s.id, title=s.title, omitted=reason) if s.id == "measured" else s
            for s in comparison.sections
        )
        return dataclasses.replace(comparison, sections=sections)

    return broken


def test_a_document_with_an_unreadable_store_is_not_stored(
    cache_dir: Path, package_file: Path
) -> None:
    build = CountingBuild("rtx-4090", "l40s", DEFAULT_OPTIONS)
    broken = omitting_measured(build, f"{STORE_UNREADABLE}OperationalError: locked)")
    cached_comparison("rtx-4090", "l40s", DEFAULT_OPTIONS, broken)
    cached_comparison("rtx-4090", "l40s", DEFAULT_OPTIONS, build)
    assert build.calls == 2
    assert len(entries(cache_dir)) == 1


def test_a_corrupt_entry_is_built_again(cache_dir: Path, package_file: Path) -> None:
    build = CountingBuild("rtx-4090", "l40s", DEFAULT_OPTIONS)
    cached_comparison("rtx-4090", "l40s", DEFAULT_OPTIONS, build)
    (entry,) = entries(cache_dir)
    entry.write_bytes(b"not a pickle")
    again = cached_comparison("rtx-4090", "l40s", DEFAULT_OPTIONS, build)
    assert build.calls == 2 and again.a.id == "rtx-4090"


def test_only_the_newest_entries_are_kept(cache_dir: Path, package_file: Path) -> None:
    cache_dir.mkdir(parents=True)
    for index in range(5):
        stale = cache_dir / f"{ENTRY_PREFIX}{index:032d}.pickle"
        stale.write_bytes(b"x")
        os.utime(stale, ns=(index, index))
    cache_module.remove_oldest_entries(cache_dir, keep=2)
    assert entries(cache_dir) == [
        cache_dir / f"{ENTRY_PREFIX}{index:032d}.pickle" for index in (3, 4)
    ]
