"""Training FLOPs per token by method and activation checkpointing, and the measured rows'
variant words that state them (LoRA, QLoRA, full or selective checkpointing)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from gpuatlas.catalog.gpus import gpu_by_id
from gpuatlas.catalog.models import all_llms
from gpuatlas.catalog.systems import build_system
from gpuatlas.performance.cases import Case, predict_case
from gpuatlas.performance.llm.shape import forward_flops_per_token, matmul_flops_per_token
from gpuatlas.performance.peak_rates import peak_flops
from gpuatlas.performance.sustained_clocks import sustained_clock_share
from gpuatlas.performance.training.memory import TrainingSetup
from gpuatlas.performance.training.optimizer import optimizer_s_per_micro_step
from gpuatlas.performance.training.speed import (
    QLORA_DEQUANT_FACTOR,
    compute_step_s,
    fitted_mfu,
    flops_parts_per_token,
    flops_per_token,
    fp8_gemm_share,
    predict_training_run,
)
from gpuatlas.performance.training.variants import variant_method, variant_recompute_share

MODEL = {model.id: model for model in all_llms()}["llama-3.1-8b"]
SEQUENCE = 4096
FULL = TrainingSetup("full", SEQUENCE, 1, False, "none")


def _forward() -> float:
    return forward_flops_per_token(MODEL, SEQUENCE // 2)


def _attention() -> float:
    return _forward() - matmul_flops_per_token(MODEL)


def test_full_training_is_three_forwards_and_full_recompute_a_fourth() -> None:
    assert flops_per_token(MODEL, FULL, False) == pytest.approx(3.0 * _forward())
    assert flops_per_token(MODEL, FULL, True) == pytest.approx(4.0 * _forward())


def test_selective_checkpointing_recomputes_half_a_forward() -> None:
    selective = replace(FULL, checkpointing=True, recompute_share=0.5)
    assert flops_per_token(MODEL, selective, True) == pytest.approx(3.5 * _forward())


def test_lora_skips_the_weight_gradients_but_not_the_attention_backward() -> None:
    lora = replace(FULL, method="lora")
    weights = matmul_flops_per_token(MODEL)
    # forward 2N + input gradients 2N of the weights; attention forward + its 2x backward
    assert flops_per_token(MODEL, lora, False) == pytest.approx(2.0 * weights + 3.0 * _attention())
    assert flops_per_token(MODEL, FULL, False) - flops_per_token(
        MODEL, lora, False
    ) == pytest.approx(weights)
    # attention is a real share at 4k tokens, so LoRA saves less than a third of the work
    assert flops_per_token(MODEL, lora, False) / flops_per_token(MODEL, FULL, False) > 2 / 3


def test_qlora_dequantisation_scales_the_weight_matmuls_only() -> None:
    lora, qlora = replace(FULL, method="lora"), replace(FULL, method="qlora")
    weights_part = 2.0 * matmul_flops_per_token(MODEL)
    extra = flops_per_token(MODEL, qlora, False) - flops_per_token(MODEL, lora, False)
    assert extra == pytest.approx(weights_part * (QLORA_DEQUANT_FACTOR - 1.0))


@pytest.mark.parametrize(
    ("parts", "method", "share"),
    [
        (set(), "full", None),
        ({"torch.compile"}, "full", None),
        ({"lora", "torch.compile"}, "lora", None),
        ({"qlora", "ac-full"}, "qlora", 1.0),
        ({"ac-selective-op"}, "full", 0.5),
        ({"ac-selective-layer", "ac-full"}, "full", 1.0),
    ],
)
def test_variant_words_state_method_and_checkpointing(
    parts: set[str], method: str, share: float | None
) -> None:
    assert variant_method(parts) == method
    assert variant_recompute_share(parts) == share


def _case(variant: str | None) -> Case:
    # Llama 3.2 1B, 2 x 2048 tokens fits an 80 GB A100 without checkpointing: only the
    # variant decides recomputation, and one GPU has no gradient all-reduce.
    return Case(
        "a100-80gb-sxm",
        1,
        "llama-3.2-1b",
        "bf16",
        "pytorch",
        2,
        2048,
        None,
        "train_tok_s",
        variant=variant,
    )


def _compute_s(variant: str | None, method: str = "full") -> float:
    """The case's step time less its optimizer step (training/optimizer.py), which neither
    recomputation nor the method's FLOPs change."""
    tokens = 2 * 2048
    setup = TrainingSetup(method, 2048, 2, False, "none")
    system = build_system(gpu_by_id("a100-80gb-sxm"), 1)
    model = {model.id: model for model in all_llms()}["llama-3.2-1b"]
    optimizer_s = optimizer_s_per_micro_step(system, model, setup)
    return tokens / predict_case(_case(variant)).value - optimizer_s


def test_a_row_stating_full_checkpointing_runs_at_three_quarters_of_the_rate() -> None:
    plain = _compute_s(None)
    assert _compute_s("ac-full") == pytest.approx(plain / 0.75, rel=0.02)
    selective = _compute_s("ac-selective-op")
    assert plain < selective < plain / 0.75


def test_a_lora_row_is_predicted_faster_than_the_full_one_but_not_half_again() -> None:
    plain = predict_case(_case(None)).value
    lora = predict_case(_case("lora")).value
    assert plain < lora
    # the matmul FLOPs: LoRA saves at most a third of the full step's compute
    assert _compute_s(None) < _compute_s("lora", "lora") * 1.5


def test_fp8_training_runs_the_linear_layers_at_the_fp8_rate_and_attention_at_bf16() -> None:
    system = build_system(gpu_by_id("h100-sxm"), 1)
    bf16 = TrainingSetup("full", 8192, 1, False, "none", precision="bf16")
    fp8 = replace(bf16, precision="fp8")
    matmul, attention = flops_parts_per_token(MODEL, bf16, False)
    bf16_peak, _ = peak_flops(system.gpu, "bf16")
    fp8_peak, _ = peak_flops(system.gpu, "fp8")
    assert fp8_peak == pytest.approx(2.0 * bf16_peak)
    # H100 SXM: FP8 GEMMs reach 70.9 % of their peak where BF16 ones reach 80.3 % (MAMF)
    fp8_gemm_peak = fp8_peak * 70.9 / 80.3
    clock = sustained_clock_share(system.gpu)  # a 700 W H100 SXM holds its boost clock
    assert clock == pytest.approx(1.0, abs=0.002)
    expected_s = 8192 * (matmul / fp8_gemm_peak + attention / bf16_peak) / 0.5 / clock
    assert compute_step_s(system, MODEL, fp8, False, 0.5) == pytest.approx(expected_s)
    # at the same efficiency FP8 is well short of twice BF16's speed at 8k tokens
    speedup = compute_step_s(system, MODEL, bf16, False, 0.5) / expected_s
    assert 1.4 < speedup < 1.7


@pytest.mark.parametrize(
    ("gpu_id", "share"),
    [("h100-sxm", 70.9 / 80.3), ("h200-sxm", 70.9 / 80.3), ("b200", 76.3 / 77.6)],
)
def test_fp8_gemms_reach_a_smaller_share_of_their_peak_than_bf16(gpu_id: str, share: float) -> None:
    assert fp8_gemm_share(gpu_by_id(gpu_id)) == pytest.approx(share)


def test_an_fp8_gemm_share_nobody_measured_is_the_datasheet_ratio() -> None:
    # no MAMF measurement of GeForce parts: their FP8 peak is taken as it is
    assert fp8_gemm_share(gpu_by_id("rtx-4090")) == 1.0
    assert fp8_gemm_share(gpu_by_id("rtx-5090")) == 1.0


@pytest.mark.unit
def test_a_power_limited_card_trains_at_the_clock_its_board_power_sustains() -> None:
    # RTX 6000 Ada: 142 SMs on 300 W against the RTX 4090's 128 SMs on 450 W at 2.52 GHz; its
    # datasheet peak is taken at 2.505 GHz (91.06 FP32 TFLOPS / (2 x 18,176 cores)), so a dense
    # GEMM load holds 2.52 x ((300 / 142) / (450 / 128)) ** (1 / 3) / 2.505 = 0.849 of it.
    system = build_system(gpu_by_id("rtx-6000-ada"), 1)
    share = 2.52 * ((300 / 142) / (450 / 128)) ** (1 / 3) / 2.505
    assert sustained_clock_share(system.gpu) == pytest.approx(share, rel=0.005)
    setup = TrainingSetup("lora", 2048, 2, True, "none")
    matmul, attention = flops_parts_per_token(MODEL, setup, True)
    peak, _ = peak_flops(system.gpu, "bf16")
    expected_s = 4096 * (matmul + attention) / (peak * share) / 0.5
    assert compute_step_s(system, MODEL, setup, True, 0.5) == pytest.approx(expected_s, rel=0.005)
    # the answer's MFU stays against the datasheet peak: the fitted level times the clock share,
    # over the whole step (the matmuls' share of it: memory traffic and the optimizer step add),
    # of the model's own FLOPs (the recomputed forward is not counted as work)
    run = predict_training_run(system, MODEL, setup, tokens=1e9, recompute=True)
    mfu = fitted_mfu(system)[0]
    compute_s = compute_step_s(system, MODEL, setup, False, mfu)
    assert run.mfu == pytest.approx(mfu * share * compute_s / run.step_s.value, rel=0.005)
    assert run.mfu < mfu * share
