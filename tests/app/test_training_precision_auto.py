"""`predict train` trains in the precision the GPU runs: `predict train T4 llama-3.1-8b
--method qlora` answered in bf16, which a T4 runs in fp32 math (62.8 tok/s; fp16 466 tok/s,
what Hugging Face Trainer and Unsloth pick on Turing), with a note further down to use fp16."""

from __future__ import annotations

import pytest

from gpuatlas.app.predict import PredictTrainRequest, predict_train_document

pytestmark = pytest.mark.unit


def _train(system: str, **more: object) -> dict[str, object]:
    values = {"system": system, "model": "llama-3.1-8b", "method": "qlora", **more}
    return predict_train_document(PredictTrainRequest.model_validate(values))


def test_auto_trains_in_fp16_on_a_gpu_without_bf16_tensor_cores() -> None:
    auto, bf16 = _train("t4"), _train("t4", precision="bf16")
    assert auto["precision"] == "fp16" and "auto: T4 has no bf16 tensor cores" in str(auto["setup"])
    assert bf16["precision"] == "bf16"  # as asked: costed in fp32 math
    assert auto["tok_s"]["value"] > 5 * bf16["tok_s"]["value"]


def test_auto_trains_in_bf16_where_the_gpu_has_it() -> None:
    found = _train("a100-80gb-sxm")
    assert found["precision"] == "bf16" and "auto:" not in str(found["setup"])
