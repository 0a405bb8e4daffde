"""Every headline metric a result can carry reads as words on the result page."""

from __future__ import annotations

import pytest

from gpuatlas.bench.importers import _llama_bench_metric
from gpuatlas.web.wording import METRIC_WORDS


@pytest.mark.parametrize(
    ("test", "words"),
    [
        ({"n_prompt": 512, "n_gen": 0}, "prompt processing"),
        ({"n_prompt": 0, "n_gen": 128}, "generation speed"),
        ({"n_prompt": 512, "n_gen": 128}, "prompt and generation together"),
    ],
)
def test_each_llama_bench_test_kind_has_words(test: dict[str, int], words: str) -> None:
    assert METRIC_WORDS[_llama_bench_metric(test)] == words
