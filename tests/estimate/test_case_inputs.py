"""Case inputs the calibration keys on: llama.cpp generations, image variants, UNet FLOPs."""

from __future__ import annotations

import pytest

from gpuatlas.estimate.calibration import group_keys
from gpuatlas.estimate.engines import engine_for_version, resolve_engine


@pytest.mark.parametrize(
    ("version", "date", "expected"),
    [
        ("builds of Dec 2023 (~b1680)", None, "llama.cpp-2023"),
        ("b1786 (32d9f7d9)", None, "llama.cpp-2023"),
        ("PR #4766 branch (Jan 2024)", None, "llama.cpp-2023"),
        ("b2833 (d46dbc76)", None, "llama.cpp-2024"),
        ("builds of May 2024 (b28xx)", None, "llama.cpp-2024"),
        ("b4500", None, "llama.cpp"),
        ("build 8cf6b42", "2025-08", "llama.cpp"),
        ("build 8cf6b42", "2023-11", "llama.cpp-2023"),
        (None, None, "llama.cpp"),
    ],
)
def test_llama_cpp_generation_from_build_month_or_source_date(
    version: str | None, date: str | None, expected: str
) -> None:
    assert engine_for_version("llama.cpp", version, date) == expected
    assert resolve_engine(expected).formats == resolve_engine("llama.cpp").formats


def test_older_llama_cpp_refines_the_current_keys() -> None:
    keys = group_keys("prefill", "llama.cpp-2023", "ada/gddr", "4bit")
    assert keys[0] == "prefill|llama.cpp|*|*"
    assert keys[-1] == "prefill|llama.cpp-2023|ada/gddr|4bit"
    assert len(keys) == 12
