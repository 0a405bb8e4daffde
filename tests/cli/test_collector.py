"""The cycle collector is off inside `collector_paused` and on again after it (cli/collector.py:
`predict --cases` and a command's imports run without automatic collections)."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from gpuatlas.cli.collector import collector_paused


@pytest.fixture
def collector_restored() -> Iterator[None]:
    """The test process's collector as it was, whatever a test does to it."""
    enabled = gc.isenabled()
    yield
    gc.unfreeze()  # the frozen objects are collectable again, as before the test
    if enabled:
        gc.enable()
    else:
        gc.disable()


@pytest.mark.unit
def test_collector_is_off_inside_and_on_after(collector_restored: None) -> None:
    gc.enable()
    with collector_paused():
        assert not gc.isenabled()
    assert gc.isenabled()


@pytest.mark.unit
def test_objects_made_inside_are_frozen_after(collector_restored: None) -> None:
    gc.enable()
    gc.unfreeze()
    with collector_paused():
        made = [[index] for index in range(1_000)]
    assert gc.get_freeze_count() >= len(made)  # never walked by a later collection
    assert gc.get_count()[0] < 100  # no catch-up collection pending for them


@pytest.mark.unit
def test_collector_is_on_again_when_the_block_raises(collector_restored: None) -> None:
    gc.enable()
    with pytest.raises(ValueError), collector_paused():
        raise ValueError("a bad row")
    assert gc.isenabled()


@pytest.mark.unit
def test_a_collector_already_off_stays_off(collector_restored: None) -> None:
    gc.disable()
    with collector_paused():
        assert not gc.isenabled()
    assert not gc.isenabled()
