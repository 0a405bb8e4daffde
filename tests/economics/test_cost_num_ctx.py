"""`cost --workload llm` says when a system's llama.cpp/Ollama runs the model partly on the
CPU (its price is that split's), and takes --num-ctx as `plan` does."""

from __future__ import annotations

from typing import Any

import pytest

from gpuatlas.app.cost import RentingCostRequest, cost_report, offload_notes
from gpuatlas.errors import InvalidRequestError

pytestmark = pytest.mark.unit


def _report(**given: Any) -> Any:
    request = RentingCostRequest.model_validate(
        {"gpus": ["rtx-4090"], "model": "qwen3:32b", "workload": "llm", **given}
    )
    return cost_report(request)


def test_ollamas_default_context_splits_qwen3_32b_and_the_cost_says_so() -> None:
    """Ollama 0.15.5+ allocates num_ctx 32,768 on a 24 GiB card: the model runs partly on the
    CPU, one request at a time; --num-ctx 8192 keeps it whole and batched, far cheaper."""
    split = _report()
    whole = _report(num_ctx=8192)
    assert split.serving[0].sustained.offload and not whole.serving[0].sustained.offload
    notes = offload_notes(split)
    assert len(notes) == 1
    assert notes[0].startswith("rtx-4090 runs ollama partly on the CPU, one request at a time:")
    assert "--num-ctx" in notes[0]  # the way out, named as an option this command takes
    assert offload_notes(whole) == []
    split_usd = split.ranking[0].best.value
    whole_usd = whole.ranking[0].best.value
    assert split_usd > 3 * whole_usd


def test_num_ctx_outside_llm_serving_or_below_a_request_is_refused() -> None:
    with pytest.raises(InvalidRequestError, match="use it with --workload llm --model"):
        _report(workload="image", model="flux.1-dev", num_ctx=8192)
    with pytest.raises(InvalidRequestError, match=r"shorter than a request's prompt plus output"):
        _report(num_ctx=100)
