"""GPU counts as people write them in a question: after the model number ('3090 x2'), in words
('two 3090s', 'dual 4090'), and model numbers in the plural ('2x 3090s', 'four H100s')."""

from __future__ import annotations

import pytest

from gpuatlas.catalog.systems import resolve_system
from gpuatlas.errors import UnknownNameError


@pytest.mark.unit
@pytest.mark.parametrize(
    ("text", "count", "gpu"),
    [
        ("3090 x2", 2, "rtx-3090"),  # was 3,090 Gaudi 2s: the count read before the name '2'
        ("4090 ×2", 2, "rtx-4090"),
        ("two 3090s", 2, "rtx-3090"),
        ("dual 3090", 2, "rtx-3090"),
        ("2x 3090s", 2, "rtx-3090"),
        ("2 3090s", 2, "rtx-3090"),
        ("four H100s", 4, "h100-sxm"),
        ("one 4090", 1, "rtx-4090"),
        ("2x L40s", 2, "l40s"),  # the L40S as written, not the plural of the L40
        ("A100 x 4", 4, "a100-80gb-sxm"),
        ("16 H100", 16, "h100-sxm"),
        ("3090 Ti", 1, "rtx-3090-ti"),
        ("7900xtx", 1, "rx-7900-xtx"),
    ],
)
def test_a_count_is_read_where_people_write_it(text: str, count: int, gpu: str) -> None:
    system = resolve_system(text)
    assert (system.gpu_count, system.gpu.id) == (count, gpu)


@pytest.mark.unit
def test_an_unknown_plural_names_what_was_written() -> None:
    with pytest.raises(UnknownNameError, match="unknown GPU 'zz9s'"):
        resolve_system("2x zz9s")
