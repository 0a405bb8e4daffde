"""A tensor-parallel engine splits every layer's heads over its GPUs, so the GPU count must
divide them evenly (vLLM refuses to start otherwise: 'Total number of attention heads (64) must
be divisible by tensor parallel size (3)'). `plan --model llama-3.1-70b --gpu "3x h100"` picked
"one replica over 3 GPUs (tensor parallel)", and `predict llm "3x h100"` answered for it."""

from __future__ import annotations

import pytest

from gpuatlas.app.predict import PredictServingRequest, predict_serving_document
from gpuatlas.catalog.models import resolve_model
from gpuatlas.errors import InvalidRequestError
from gpuatlas.performance import api
from gpuatlas.performance.llm.memory import splits_heads_evenly

pytestmark = pytest.mark.unit
RUN = {"batch": 1, "input_tokens": 512, "output_tokens": 128}


def test_the_heads_and_kv_heads_must_split_evenly() -> None:
    llama_70b = resolve_model("llama-3.1-70b")  # 64 heads, 8 KV heads
    assert [n for n in range(1, 9) if splits_heads_evenly(llama_70b, n)] == [1, 2, 4, 8]
    llama_3b = resolve_model("llama-3.2-3b")  # 24 heads, 8 KV heads: 3 splits the heads only
    assert not splits_heads_evenly(llama_3b, 3) and splits_heads_evenly(llama_3b, 2)


def test_a_tensor_parallel_count_that_does_not_split_the_heads_is_refused() -> None:
    with pytest.raises(InvalidRequestError, match=r"GPU counts that do: 1, 2, 4, 8") as caught:
        api.predict_llm("3x h100", "llama-3.1-70b", weights="fp8", engine="vllm", **RUN)
    assert "--engine llama.cpp" in str(caught.value)


def test_a_layer_split_engine_runs_on_any_count() -> None:
    found = api.predict_llm(
        "3x rtx-3090", "llama-3.1-70b", weights="q4_k_m", engine="llama.cpp", **RUN
    )
    assert found.decode_tok_s.value > 0


def test_three_gpus_serve_a_model_that_fits_one_as_three_replicas() -> None:
    request = PredictServingRequest(system="3x h100", model="llama-3.1-8b")
    answer = predict_serving_document(request)
    assert (answer["replicas"], answer["tensor_parallel"]) == (3, 1)
