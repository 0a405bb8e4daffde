"""A bare number after a model family is a size written without its unit, not a release date:
`llama-3.1-70` must not be read as the family's default 8B (it was: "read as llama-3.1-8b, a
fine-tune or quantised checkpoint of it"); it is refused with llama-3.1-70b first among the
close matches. Release dates (four digits or more: -2507, -0528) are still dropped."""

from __future__ import annotations

import pytest

from gpuatlas.catalog.models import resolve_model
from gpuatlas.errors import UnknownNameError


@pytest.mark.parametrize("written", ["llama-3.1-70", "Llama-3.1-70-Instruct"])
def test_a_size_without_its_unit_is_not_read_as_the_default_size(written: str) -> None:
    with pytest.raises(UnknownNameError) as refused:
        resolve_model(written, allow_hub=False)
    assert refused.value.candidates[0] == "llama-3.1-70b"


def test_a_release_date_is_still_dropped() -> None:
    assert resolve_model("Qwen/Qwen3-30B-A3B-Instruct-2507", allow_hub=False).id.startswith(
        "qwen3-30b-a3b"
    )
