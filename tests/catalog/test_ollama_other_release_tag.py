"""An Ollama tag that names another release of a library entry's architecture is said to be
so: 'mistral-small3.2' is Mistral Small 3.2, modelled by the mistral-small-3.1 entry (the same
architecture), not 'Ollama's tag of' 3.1."""

from __future__ import annotations

import pytest

from gpuatlas.catalog.model_kind import MATCH_WORDS, OTHER_RELEASE_TAG_WORDS, model_reading

pytestmark = pytest.mark.unit


def test_mistral_small_32_reads_as_another_release_of_31() -> None:
    reading = model_reading("mistral-small3.2")
    assert reading is not None and reading.read_as == "mistral-small-3.1"
    assert reading.how == OTHER_RELEASE_TAG_WORDS


def test_a_tag_of_the_same_release_keeps_its_words() -> None:
    reading = model_reading("deepseek-r1:32b")
    assert reading is not None and reading.how == MATCH_WORDS["ollama_tag"]
