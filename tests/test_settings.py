"""The settings object: each GPUATLAS_* variable declared once, read lazily, documented."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from gpuatlas.settings import ENVIRONMENT_VARIABLES, settings

ROOT = Path(__file__).resolve().parents[1]
VARIABLE_PATTERN = re.compile(r"\bGPUATLAS_[A-Z_]+\b")


def test_properties_read_the_environment_when_called(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GPUATLAS_DATA_DIR", raising=False)
    assert settings.data_dir is None
    monkeypatch.setenv("GPUATLAS_DATA_DIR", "/tmp/atlas-data")
    assert settings.data_dir == Path("/tmp/atlas-data")
    monkeypatch.setenv("GPUATLAS_DATABASE_URL", "  ")
    assert settings.database_url is None


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, True),
        ("", True),
        ("0", False),
        ("off", False),
        ("No", False),
        ("1", True),
        ("maybe", True),
    ],
)
def test_warm_cache_is_on_unless_turned_off(
    monkeypatch: pytest.MonkeyPatch, value: str | None, expected: bool
) -> None:
    if value is None:
        monkeypatch.delenv("GPUATLAS_WARM_CACHE", raising=False)
    else:
        monkeypatch.setenv("GPUATLAS_WARM_CACHE", value)
    assert settings.warm_cache is expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, False),
        ("1", True),
        ("TRUE", True),
        ("on", True),
        ("0", False),
        ("x", False),
    ],
)
def test_offline_and_no_cache_are_off_unless_turned_on(
    monkeypatch: pytest.MonkeyPatch, value: str | None, expected: bool
) -> None:
    for name in ("GPUATLAS_OFFLINE", "GPUATLAS_NO_CACHE"):
        if value is None:
            monkeypatch.delenv(name, raising=False)
        else:
            monkeypatch.setenv(name, value)
    assert settings.offline is expected
    assert settings.no_cache is expected


def test_price_files_split_on_the_path_separator(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GPUATLAS_PRICE_FILES", os.pathsep.join(["a.csv", " ", "b/c.csv"]))
    assert settings.price_files == [Path("a.csv"), Path("b/c.csv")]
    monkeypatch.delenv("GPUATLAS_PRICE_FILES")
    assert settings.price_files == []


def test_every_variable_the_package_names_is_declared_and_documented() -> None:
    declared = {setting.variable for setting in ENVIRONMENT_VARIABLES}
    named = {
        match
        for path in (ROOT / "src" / "gpuatlas").rglob("*.py")
        for match in VARIABLE_PATTERN.findall(path.read_text(encoding="utf-8"))
    }
    assert named <= declared, f"undeclared in gpuatlas/settings.py: {sorted(named - declared)}"
    section = (
        (ROOT / "docs" / "architecture.md")
        .read_text(encoding="utf-8")
        .split("## Settings read from the environment", 1)[1]
        .split("\n## ", 1)[0]
    )
    documented = set(re.findall(r"^\| `(GPUATLAS_[A-Z_]+)` \|", section, re.MULTILINE))
    assert documented == declared
    for setting in ENVIRONMENT_VARIABLES:
        assert setting.meaning and setting.default, setting.variable


def test_only_the_settings_module_reads_a_variable_by_its_name() -> None:
    reads = re.compile(r"""(environ\.get\(|environ\[|getenv\(|envvar=\[?)\s*["']GPUATLAS_""")
    readers = sorted(
        str(path.relative_to(ROOT))
        for path in (ROOT / "src").rglob("*.py")
        if reads.search(path.read_text(encoding="utf-8"))
    )
    assert readers == []
