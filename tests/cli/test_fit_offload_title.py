"""`fit` on llama.cpp/Ollama when the model does not fit whole: the parts table is per GPU for
every layer on the GPUs (it was titled 'Memory, all on GPU', read as the total over 2 GPUs)."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from gpuatlas.app.fit import FitRequest, fit_answer
from gpuatlas.cli.main import full_app

pytestmark = pytest.mark.unit


def test_the_offloaded_answer_says_its_table_is_per_gpu() -> None:
    answer = fit_answer(FitRequest(system="2x rtx-3090", model="llama3.3:70b"))
    assert answer.offload is not None and answer.detail.gpu_count == 2
    whole = fit_answer(FitRequest(system="rtx-3090", model="llama3.3:70b", context_tokens=4096))
    per_gpu = answer.detail.per_gpu.weights_gb
    assert per_gpu == pytest.approx(whole.detail.per_gpu.weights_gb / 2)  # layers split over 2
    result = CliRunner().invoke(
        full_app(), ["fit", "2x rtx-3090", "llama3.3:70b"], env={"COLUMNS": "120"}
    )
    assert result.exit_code == 0, result.output
    words = " ".join(result.output.split())  # the title wraps over the narrow table
    assert "Memory per GPU, every layer on the GPUs" in words
    assert "Memory, all on GPU" not in words
    assert f"│ weights     │ {per_gpu * 1e9 / 2**30:.1f} │" in result.output
