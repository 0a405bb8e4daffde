"""On a Mac (one GPU, unified memory) a model that does not fit is not answered with 'needs 2
GPUs': the verdict names the default GPU share of the memory, the sysctl that raises it and a
larger memory configuration. Discrete GPUs keep the GPU count."""

from __future__ import annotations

import re
from typing import Any

from gpuatlas.app.fit import FitRequest, fit_document


def _verdict(system: str, model: str) -> str:
    document: dict[str, Any] = fit_document(
        FitRequest.model_validate({"system": system, "model": model})
    )
    return str(document["verdict_text"])


def test_a_mac_is_pointed_at_its_wired_limit_not_at_more_gpus() -> None:
    verdict = _verdict("M5 Pro 24GB", "qwen3:30b-a3b")  # q4_k_m ~18 GiB, 15.2 GiB usable
    assert verdict.startswith("does not fit on apple-m5-pro-20c 24GB in q4_k_m")
    assert "macOS's default GPU share of the 24 GB" in verdict
    assert "sudo sysctl iogpu.wired_limit_mb=" in verdict
    assert "GPUs" not in verdict


def test_a_discrete_gpu_still_says_how_many_gpus() -> None:
    verdict = _verdict("rtx-3060", "qwen3-32b")
    assert re.search(r"needs \d+ GPUs", verdict), verdict
    assert "sysctl" not in verdict
