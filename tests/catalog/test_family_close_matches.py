"""A model family written without a size ('qwen3.5', as Ollama users write it) is answered
with the family's sizes first, smallest first: the close matches began with qwen2.5-7b and
qwen3-8b, and the Qwen3.5 sizes came third."""

from __future__ import annotations

import pytest

from gpuatlas.catalog.model_library import _size_in_name, close_model_matches
from gpuatlas.catalog.models import resolve_model_reference
from gpuatlas.errors import UnknownNameError

pytestmark = pytest.mark.unit


def test_a_family_without_a_size_lists_its_sizes_smallest_first() -> None:
    matches = close_model_matches("qwen3.5")
    assert matches[:4] == ["qwen3.5-0.8b", "qwen3.5-2b", "qwen3.5-4b", "qwen3.5-9b"]
    with pytest.raises(UnknownNameError) as raised:
        resolve_model_reference("qwen3.5", allow_hub=False)
    assert "close matches: qwen3.5-0.8b, qwen3.5-2b, qwen3.5-4b, qwen3.5-9b" in str(raised.value)


def test_a_misspelt_size_still_gets_its_nearest_spelling_first() -> None:
    assert close_model_matches("qwen3:8bb")[0] == "qwen3-8b"


def test_the_size_a_name_states() -> None:
    assert _size_in_name("qwen3.5-0.8b") == pytest.approx(0.8e9)
    assert _size_in_name("gemma-3-270m") == pytest.approx(2.7e8)
    assert _size_in_name("qwen3.5-397b-a17b") == pytest.approx(397e9)  # total, not active
    assert _size_in_name("qwen3.5:35b") == pytest.approx(35e9)
    assert _size_in_name("mistral-small") == float("inf")
