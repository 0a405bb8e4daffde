"""Near spellings of unknown names: the spelling index answers exactly what
difflib.get_close_matches answers, in its order, over the catalog's GPU and model names."""

from __future__ import annotations

import difflib
import subprocess
import sys

import pytest

from gpuatlas.catalog.gpus import gpu_index
from gpuatlas.catalog.model_library import model_name_index
from gpuatlas.catalog.spelling import SpellingIndex, _common_subsequence_length, _positions

pytestmark = pytest.mark.unit

QUERIES = (
    "rtx 4321x", "rtx4090x", "h100 sxm6", "a100-90gb", "l40z", "rtx-5900", "mi300", "m4 mac",
    "llama-3.1-8b-typo", "qwen3-8bb", "mistral-7b-v9", "gpt-oss-20", "lama-3-70b", "gemma3:27",
    "", "a", "zzzzzzzzzzzz", "rtx 3090 ti super", "deepsek-r1:32b", "flux.1-dv",
)  # fmt: skip


@pytest.mark.parametrize("cutoff,count", [(0.5, 15), (0.6, 12), (0.6, 3), (0.0, 5), (1.0, 2)])
def test_gpu_and_model_names_match_difflib_exactly(cutoff: float, count: int) -> None:
    for names in (list(gpu_index()._normalised_names), list(model_name_index())):
        index = SpellingIndex(names)
        for query in QUERIES:
            expected = difflib.get_close_matches(query, names, count, cutoff)
            assert index.close_matches(query, count, cutoff) == expected, query


def test_ties_keep_difflibs_order_and_answers_are_not_shared() -> None:
    names = ["abcd", "abce", "abcf", "xyz"]
    index = SpellingIndex(names)
    assert index.close_matches("abcz", 3, 0.5) == difflib.get_close_matches("abcz", names, 3, 0.5)
    first = index.close_matches("abcz", 3, 0.5)
    first.clear()  # a caller's edit never changes the next answer
    assert index.close_matches("abcz", 3, 0.5) == ["abcf", "abce", "abcd"]


def test_bad_arguments_raise_as_difflib_does() -> None:
    with pytest.raises(ValueError):
        SpellingIndex(["abc"]).close_matches("abc", 0, 0.5)


def test_bit_parallel_common_subsequence_equals_the_dynamic_programme() -> None:
    """The bound that skips difflib's ratio is the longest common subsequence, exactly."""

    def table(a: str, b: str) -> int:
        rows = [[0] * (len(b) + 1) for _ in range(len(a) + 1)]
        for i, x in enumerate(a):
            for j, y in enumerate(b):
                rows[i + 1][j + 1] = (
                    rows[i][j] + 1 if x == y else max(rows[i][j + 1], rows[i + 1][j])
                )
        return rows[-1][-1]

    pairs = [("rtx-4090", "rtx 4321x"), ("", "abc"), ("abc", ""), ("a-b-a-b", "baba"),
             ("llama-3.1-8b", "lama-3-70b"), ("h100 sxm5", "h100 sxm6")]  # fmt: skip
    for a, b in pairs:
        assert _common_subsequence_length(_positions(a), len(a), b) == table(a, b), (a, b)


def test_model_kind_stays_light_without_numpy() -> None:
    """catalog.model_kind (the at-a-glance block of a cached comparison) reads names without
    loading NumPy; the spelling index it reaches through the model library is pure Python."""
    code = "import sys, gpuatlas.catalog.model_kind; print('numpy' in sys.modules)"
    found = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert found.stdout.strip() == "False"
