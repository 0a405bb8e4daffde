"""FP8 training runs its GEMMs on FP8 tensor cores: `predict train a100-80gb-sxm llama-3.1-8b
--method lora --precision fp8` answered 5,294 tok/s, faster than bf16 (5,247), on a GPU with no
FP8 rate (a fallback peak). It is refused, naming the precision to use; GPUs with FP8 rates
still answer, faster than in bf16."""

from __future__ import annotations

import pytest

from gpuatlas.errors import InvalidRequestError
from gpuatlas.performance import api


@pytest.mark.parametrize(
    ("gpu", "instead"), [("a100-80gb-sxm", "bf16"), ("v100-32gb-sxm2", "fp16")]
)
def test_a_gpu_without_fp8_rates_is_refused_with_the_precision_to_use(
    gpu: str, instead: str
) -> None:
    with pytest.raises(InvalidRequestError) as refused:
        api.predict_training(gpu, "llama-3.2-1b", tokens=1e9, method="lora", precision="fp8")
    (problem,) = refused.value.problems
    assert "no FP8 rate" in problem and f"--precision {instead}" in problem


def test_fp8_on_a_hopper_card_is_answered_and_faster_than_bf16() -> None:
    def speed(precision: str) -> float:
        return api.predict_training(
            "h100-sxm",
            "llama-3.1-8b",
            tokens=1e9,
            method="lora",
            precision=precision,
            micro_batch=1,
            recompute=True,
        ).tok_s.value

    assert speed("fp8") > speed("bf16")
