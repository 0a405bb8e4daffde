"""The on-disk cache of parsed catalog files: same values as a fresh parse, invalidated when a
data file changes, harmless when its folder cannot be written or holds a corrupt entry."""

from __future__ import annotations

import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from gpuatlas.catalog import gpus as gpu_catalog
from gpuatlas.catalog import prices as price_catalog
from gpuatlas.catalog.parsed_cache import CACHE_DIR_VARIABLE, NO_CACHE_VARIABLE, cached_parse
from gpuatlas.cli.main import app
from gpuatlas.errors import DataFileError


class CountingParser:
    """Parses a text file into its lines and counts how often it really parsed."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.calls = 0

    def __call__(self) -> tuple[str, ...]:
        self.calls += 1
        return tuple(self.path.read_text(encoding="utf-8").splitlines())


@pytest.fixture
def cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv(CACHE_DIR_VARIABLE, str(folder))
    monkeypatch.delenv(NO_CACHE_VARIABLE, raising=False)
    return folder


@pytest.fixture
def data_file(tmp_path: Path) -> Path:
    path = tmp_path / "data.txt"
    path.write_text("a\nb\n", encoding="utf-8")
    return path


def entries(folder: Path) -> list[Path]:
    return sorted(folder.glob("*.pickle"))


def test_a_second_read_comes_from_the_cache(cache_dir: Path, data_file: Path) -> None:
    parse = CountingParser(data_file)
    first = cached_parse("lines", [data_file], parse)
    second = cached_parse("lines", [data_file], parse)
    assert first == second == ("a", "b")
    assert parse.calls == 1
    assert len(entries(cache_dir)) == 1


def test_changing_a_data_file_parses_again_and_drops_the_old_entry(
    cache_dir: Path, data_file: Path
) -> None:
    parse = CountingParser(data_file)
    cached_parse("lines", [data_file], parse)
    old_entries = entries(cache_dir)
    data_file.write_text("a\nb\nc\n", encoding="utf-8")
    assert cached_parse("lines", [data_file], parse) == ("a", "b", "c")
    assert parse.calls == 2
    assert len(entries(cache_dir)) == 1
    assert entries(cache_dir) != old_entries


def test_kinds_do_not_share_entries(cache_dir: Path, data_file: Path) -> None:
    parse = CountingParser(data_file)
    cached_parse("lines", [data_file], parse)
    cached_parse("other", [data_file], parse)
    assert parse.calls == 2
    assert len(entries(cache_dir)) == 2


def test_an_unwritable_cache_folder_only_costs_the_parse(
    tmp_path: Path, data_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder", encoding="utf-8")
    monkeypatch.setenv(CACHE_DIR_VARIABLE, str(blocker / "cache"))  # mkdir fails under a file
    parse = CountingParser(data_file)
    assert cached_parse("lines", [data_file], parse) == ("a", "b")
    assert cached_parse("lines", [data_file], parse) == ("a", "b")
    assert parse.calls == 2


def test_a_corrupt_entry_is_parsed_again_and_replaced(cache_dir: Path, data_file: Path) -> None:
    parse = CountingParser(data_file)
    cached_parse("lines", [data_file], parse)
    (entry,) = entries(cache_dir)
    entry.write_bytes(b"\x80\x05 truncated")
    assert cached_parse("lines", [data_file], parse) == ("a", "b")
    assert cached_parse("lines", [data_file], parse) == ("a", "b")
    assert parse.calls == 2


def test_a_failing_parse_is_not_cached(cache_dir: Path, data_file: Path) -> None:
    def failing() -> tuple[str, ...]:
        raise DataFileError(str(data_file), ["bad line 1"])

    for _ in range(2):
        with pytest.raises(DataFileError):
            cached_parse("lines", [data_file], failing)
    assert entries(cache_dir) == []


def test_the_cache_can_be_turned_off(
    cache_dir: Path, data_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(NO_CACHE_VARIABLE, "1")
    parse = CountingParser(data_file)
    cached_parse("lines", [data_file], parse)
    cached_parse("lines", [data_file], parse)
    assert parse.calls == 2
    assert not cache_dir.exists()


def test_a_kind_must_be_a_plain_word(cache_dir: Path, data_file: Path) -> None:
    with pytest.raises(ValueError, match="plain word"):
        cached_parse("gpus-old", [data_file], CountingParser(data_file))


def clear_memos() -> None:
    """Forget the in-process memos, so the next read goes to the cache as a new process does."""
    for memo in (
        gpu_catalog.all_gpus,
        gpu_catalog.gpu_index,
        gpu_catalog.gpus_by_id,
        price_catalog.packaged_prices,
    ):
        memo.cache_clear()


def fresh_catalog() -> tuple[tuple[object, ...], tuple[object, ...]]:
    """The GPU and price catalogs as a new process reads them."""
    clear_memos()
    return gpu_catalog.all_gpus(), price_catalog.packaged_prices()


@pytest.fixture
def no_memos() -> Iterator[None]:
    clear_memos()
    yield None
    clear_memos()  # later tests must not keep values built under this test's settings


def test_cached_catalog_equals_a_fresh_parse_and_skips_the_toml_parser(
    cache_dir: Path, monkeypatch: pytest.MonkeyPatch, no_memos: None
) -> None:
    parsed = fresh_catalog()
    kinds = {path.name.split("-")[0] for path in entries(cache_dir)}
    assert kinds == {"gpus", "gpu_names", "prices"}  # prices resolve names with the index
    with monkeypatch.context() as patched:
        patched.setattr(tomllib, "loads", lambda *_: pytest.fail("the TOML was parsed again"))
        cached = fresh_catalog()
    assert cached == parsed
    monkeypatch.setenv(NO_CACHE_VARIABLE, "1")
    assert fresh_catalog() == parsed


@pytest.mark.parametrize(
    "arguments",
    [["gpus", "--json"], ["gpus"], ["gpu", "show", "a100-80gb-sxm"], ["prices", "rtx-4090"]],
)
def test_commands_print_the_same_cold_warm_and_uncached(
    arguments: list[str], cache_dir: Path, monkeypatch: pytest.MonkeyPatch, no_memos: None
) -> None:
    runner = CliRunner()
    outputs = []
    for no_cache in ("0", "0", "1"):  # cold cache, warm cache, cache off
        monkeypatch.setenv(NO_CACHE_VARIABLE, no_cache)
        clear_memos()
        result = runner.invoke(app, arguments, env={"COLUMNS": "100"})
        assert result.exit_code == 0, result.output
        outputs.append(result.output)
    assert outputs[0] == outputs[1] == outputs[2]
    assert entries(cache_dir)
