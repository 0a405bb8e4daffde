"""The model library, the weight formats and the links come from the on-disk cache of parsed
catalog files (catalog/parsed_cache.py) once parsed: the same values as a fresh parse, without
reading the library files, formats.toml or links.toml again (start-up time of every command
naming a model or building a system)."""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest

from gpuatlas.catalog import formats, model_library, systems
from gpuatlas.catalog.parsed_cache import CACHE_DIR_VARIABLE, NO_CACHE_VARIABLE


def fresh_library() -> tuple[object, ...]:
    """The library, the formats and the links as a new process reads them."""
    clear_memos()
    return model_library.library_models(), formats.all_formats(), systems.all_links()


def clear_memos() -> None:
    model_library.library_models.cache_clear()
    formats._formats_file.cache_clear()
    systems.all_links.cache_clear()


@pytest.fixture
def cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    folder = tmp_path / "cache"
    monkeypatch.setenv(CACHE_DIR_VARIABLE, str(folder))
    monkeypatch.delenv(NO_CACHE_VARIABLE, raising=False)
    yield folder
    clear_memos()  # later tests read with their own settings


@pytest.mark.unit
def test_the_cached_library_equals_a_fresh_parse_and_reads_no_file_again(
    cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    parsed = fresh_library()
    kinds = {path.name.split("-")[0] for path in cache_dir.glob("*.pickle")}
    assert {"models", "formats", "links"} <= kinds
    with monkeypatch.context() as patched:
        patched.setattr(tomllib, "loads", lambda *_: pytest.fail("a TOML file was parsed again"))
        patched.setattr(
            model_library,
            "load_model_config",
            lambda *_: pytest.fail("a library file was read again"),
        )
        cached = fresh_library()
    assert cached == parsed
    assert any(model.id == "llama-3.1-8b" for model in cached[0])  # type: ignore[attr-defined]
    assert "pcie-4-x16" in cached[2]  # type: ignore[operator]
    monkeypatch.setenv(NO_CACHE_VARIABLE, "1")
    assert fresh_library() == parsed


@pytest.mark.unit
def test_the_library_entry_is_keyed_on_every_library_file_and_formats_toml(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A block's weight formats are checked against formats.toml: a changed formats file must
    parse the library again, as a changed library file does."""
    keyed: list[Path] = []

    def recording(kind: str, data_files: list[Path], parse: object) -> tuple[object, ...]:
        keyed.extend(data_files)
        return ()

    monkeypatch.setattr(model_library, "cached_parse", recording)
    model_library.library_models.cache_clear()
    try:
        model_library.library_models()
    finally:
        model_library.library_models.cache_clear()
    names = {path.name for path in keyed}
    assert "formats.toml" in names
    assert len([name for name in names if name.endswith(".json")]) >= 100


@pytest.mark.unit
def test_a_cached_start_builds_no_library_block_validator(tmp_path: Path) -> None:
    """With the library in the cache, a command that names models validates no library block,
    so their validators (defer_build) are never built: a start-up cost of every command."""
    probe = (
        "from gpuatlas.catalog.model_library import library_models\n"
        "from gpuatlas.catalog.model_library_file import LibraryBlock, ComponentBlock\n"
        "assert library_models()\n"
        "print(LibraryBlock.__pydantic_complete__, ComponentBlock.__pydantic_complete__)\n"
    )
    environment = {**os.environ, CACHE_DIR_VARIABLE: str(tmp_path / "cache")}
    environment.pop(NO_CACHE_VARIABLE, None)
    runs = [
        subprocess.run(
            [sys.executable, "-c", probe], capture_output=True, text=True, env=environment
        )
        for _ in ("cold", "warm")
    ]
    assert [run.returncode for run in runs] == [0, 0], runs[-1].stderr
    assert runs[0].stdout.split()[0] == "True"  # parsed: the block validator was built
    assert runs[1].stdout.split() == ["False", "False"]  # read from the cache: never built
