"""'AMD Radeon Graphics' (what Windows and Linux report for many Ryzen integrated GPUs) names no
model: it stays ambiguous, listing the integrated GPUs the catalog has and asking for the CPU."""

from __future__ import annotations

import pytest

from gpuatlas.catalog.gpus import all_gpus, resolve_gpu
from gpuatlas.errors import UnknownNameError


@pytest.mark.parametrize("written", ["AMD Radeon Graphics", "AMD Radeon(TM) Graphics"])
def test_the_generic_name_lists_the_catalogs_igpus_and_asks_for_the_cpu(written: str) -> None:
    with pytest.raises(UnknownNameError) as caught:
        resolve_gpu(written)
    integrated = {gpu.id for gpu in all_gpus() if "iGPU" in gpu.architecture}
    assert caught.value.ambiguous
    assert set(caught.value.candidates) == integrated
    assert {"ryzen-ai-max-plus-395", "radeon-8050s"} <= integrated
    assert "CPU model" in str(caught.value)


def test_a_named_radeon_igpu_still_resolves() -> None:
    assert resolve_gpu("AMD Radeon 8060S Graphics").id == "ryzen-ai-max-plus-395"
