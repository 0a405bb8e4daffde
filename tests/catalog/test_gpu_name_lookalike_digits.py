"""GPU names typed with letters for digits ("a10O", "h1OO", "rtx4O90": letter O for zero, l for
one) are an error whose close matches start with the GPU meant, never a silent guess."""

from __future__ import annotations

import pytest

from gpuatlas.catalog.gpus import resolve_gpu
from gpuatlas.catalog.names import digits_for_lookalikes
from gpuatlas.errors import UnknownNameError


@pytest.mark.parametrize(
    ("typed", "read"),
    [("a10O", "a100"), ("h1OO", "h100"), ("rtx4O90", "rtx4090"), ("RTX 3O9O", "RTX 3090")],
)
def test_letters_touching_digits_read_as_digits(typed: str, read: str) -> None:
    assert digits_for_lookalikes(typed) == read


def test_letters_away_from_digits_stay_letters() -> None:
    assert digits_for_lookalikes("rtx pro 6000") == "rtx pro 6000"


@pytest.mark.parametrize(
    ("typed", "first_matches"),
    [
        ("a10O", {"a100-40gb-pcie", "a100-40gb-sxm", "a100-80gb-pcie", "a100-80gb-sxm"}),
        ("h1OO", {"h100-pcie", "h100-sxm"}),
        ("rtx4O90", {"rtx-4090"}),
        ("rtx 4O90", {"rtx-4090"}),
        ("a1OO-80gb", {"a100-80gb-pcie", "a100-80gb-sxm"}),
    ],
)
def test_lookalike_typos_are_errors_listing_the_gpu_meant_first(
    typed: str, first_matches: set[str]
) -> None:
    with pytest.raises(UnknownNameError) as caught:
        resolve_gpu(typed)
    assert not caught.value.ambiguous
    assert set(caught.value.candidates[: len(first_matches)]) == first_matches
