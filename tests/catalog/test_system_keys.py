"""The catalog owns how a system is keyed where results are kept: 'gpu-id' or 'Nx gpu-id'."""

from __future__ import annotations

import pytest

from gpuatlas.catalog.system_keys import parse_system_key, system_key
from gpuatlas.catalog.systems import resolve_system


def test_one_gpu_is_its_id_and_several_are_counted() -> None:
    assert system_key("rtx-4090", 1) == "rtx-4090"
    assert system_key("h100-sxm", 8) == "8x h100-sxm"


@pytest.mark.parametrize(
    ("key", "parsed"),
    [
        ("rtx-4090", ("rtx-4090", 1)),
        ("4x rtx-4090", ("rtx-4090", 4)),
        (" 2 × a100-80gb-sxm ", ("a100-80gb-sxm", 2)),
    ],
)
def test_keys_parse_back(key: str, parsed: tuple[str, int]) -> None:
    assert parse_system_key(key) == parsed
    assert parse_system_key(system_key(*parsed)) == parsed


def test_a_bad_key_names_the_expected_form() -> None:
    with pytest.raises(ValueError, match="'gpu-id' or 'Nx gpu-id'"):
        parse_system_key("4x rtx 4090")


def test_a_system_knows_its_results_key() -> None:
    assert resolve_system("4x rtx-4090").results_key == "4x rtx-4090"
    assert resolve_system("rtx-4090").results_key == "rtx-4090"


def test_the_key_is_defined_once() -> None:
    from pathlib import Path

    source = Path(__file__).resolve().parents[2] / "src" / "gpuatlas"
    defined = [
        str(path.relative_to(source))
        for path in source.rglob("*.py")
        if "def system_key(" in path.read_text(encoding="utf-8")
    ]
    assert defined == ["catalog/system_keys.py"]
