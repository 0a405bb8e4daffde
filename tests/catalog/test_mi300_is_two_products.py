"""'MI300' names two products, the MI300X accelerator (192 GB HBM3) and the MI300A APU
(128 GB unified HBM3, amd.com), and no catalog family says which one people mean: the name is
refused with both as close matches, where it was an alias of the MI300X."""

from __future__ import annotations

import pytest

from gpuatlas.catalog.gpus import resolve_gpu
from gpuatlas.errors import UnknownNameError

pytestmark = pytest.mark.unit


@pytest.mark.parametrize("written", ["MI300", "mi300", "AMD MI300"])
def test_mi300_is_refused_with_both_products_as_close_matches(written: str) -> None:
    with pytest.raises(UnknownNameError) as raised:
        resolve_gpu(written)
    message = str(raised.value)
    assert "mi300x" in message
    assert "mi300a" in message


@pytest.mark.parametrize(
    ("written", "gpu_id"), [("MI300X", "mi300x"), ("AMD Instinct MI300A", "mi300a")]
)
def test_each_full_name_still_resolves(written: str, gpu_id: str) -> None:
    assert resolve_gpu(written).id == gpu_id
