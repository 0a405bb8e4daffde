"""Training frameworks (predict train --framework): names as users write them, each framework's
own calibrated level, FP8 at the FP8 tensor rate, Megatron's activation sharding, and a
Megatron-Core case predicted within its range by a calibration that never saw its source."""

from __future__ import annotations

from dataclasses import replace

import pytest
from typer.testing import CliRunner

from gpuatlas.calibration.fitting import fit_calibration
from gpuatlas.calibration.validation import source_of
from gpuatlas.calibration.written_rows import load_written
from gpuatlas.catalog.measurements import load_measurements
from gpuatlas.cli.main import app
from gpuatlas.errors import UnknownNameError
from gpuatlas.performance import api
from gpuatlas.performance.calibration_table import (
    calibration_text,
    current_calibration,
    parse_calibration,
    using_calibration,
)
from gpuatlas.performance.training.engines import (
    engine_profile_problems,
    profile_text,
    row_framework,
    training_engine,
    training_engines,
)
from gpuatlas.performance.training.speed import framework_notes

DGXC_SOURCE = "github.com/nvidia/dgxc-benchmarking"


@pytest.mark.parametrize(
    ("written", "framework"),
    [
        ("NeMo", "megatron"),
        ("nemo 24.07", "megatron"),
        ("Megatron-LM core_r0.9.0", "megatron"),
        ("Megatron Core", "megatron"),
        ("torchtitan", "pytorch"),
        ("HF Trainer", "hf-trainer"),
        ("accelerate", "hf-trainer"),
        ("DeepSpeed", "deepspeed"),
        ("Unsloth", "unsloth"),
        ("MaxText", "maxtext"),
        ("FMEngine", "fmengine"),
        ("XTuner", "xtuner"),
        ("xtuner 0.1.18", "xtuner"),
        ("nanoGPT", "nanogpt"),
        ("karpathy/nanoGPT", "nanogpt"),
        ("nanochat", "nanochat"),
        ("karpathy/nanochat", "nanochat"),
        ("mlx-lm", "mlx-lm"),
        ("mlx_lm.lora", "mlx-lm"),
    ],
)
def test_framework_names_as_users_write_them(written: str, framework: str) -> None:
    assert training_engine(written).id == framework


@pytest.mark.parametrize("written", ["FMEngine", "XTuner"])
def test_a_deepspeed_launcher_predicts_at_deepspeeds_level_and_says_so(written: str) -> None:
    engine = training_engine(written)
    assert engine.levels_from == "deepspeed"
    answer = api.predict_training(
        "8x a100-sxm-80gb", "llama-3-8b", tokens=1e9, framework=written, method="lora"
    )
    assert any("predicted at the calibrated level of DeepSpeed" in note for note in answer.notes)


def test_an_unknown_framework_lists_close_matches() -> None:
    with pytest.raises(UnknownNameError) as raised:
        api.predict_training("8x h100-sxm", "llama-3.1-8b", tokens=1e9, framework="megatorn")
    assert "megatron" in raised.value.candidates
    result = CliRunner().invoke(
        app, ["predict", "train", "8x h100-sxm", "llama-3.1-8b", "--framework", "megatorn"]
    )
    assert result.exit_code != 0 and "close matches: megatron" in result.output


def test_a_measured_row_names_its_framework_in_its_version_text() -> None:
    assert row_framework("pytorch", "NeMo 24.09 container (NeMo Launcher)").id == "megatron"
    assert row_framework("pytorch", "torchtitan (FSDP2, bf16)").id == "pytorch"
    assert row_framework("pytorch", "llm-foundry / Composer (FSDP)").id == "pytorch"
    assert row_framework("pytorch", "MaxText (JAX, container maxtext-2024-12-09)").id == "maxtext"


def test_held_out_nemo_rows_resolve_to_megatron() -> None:
    rows = [
        row for row in load_written(None).rows if row.file.endswith("nemo_performance_summary.csv")
    ]
    assert rows and {row.engine for row in rows} == {"megatron"}


def test_megatron_splits_activations_over_the_tensor_parallel_group() -> None:
    setup = {"sequence_tokens": 8192, "micro_batch": 1, "sharding": "fsdp"}
    # against a framework that fuses the loss as Megatron-Core does but splits nothing
    fsdp = api.training_memory("64x h100-sxm", "llama-3.1-70b", framework="unsloth", **setup)
    megatron = api.training_memory("64x h100-sxm", "llama-3.1-70b", framework="NeMo", **setup)
    assert megatron.activations_gb == pytest.approx(fsdp.activations_gb / 8)
    assert megatron.fits and not fsdp.fits


def test_fp8_trains_faster_than_bf16_but_not_at_twice_the_rate() -> None:
    def rate(precision: str) -> float:
        prediction = api.predict_training(
            "8x h100-sxm",
            "llama-3.1-8b",
            tokens=1e9,
            precision=precision,
            sequence_tokens=8192,
            micro_batch=1,
            sharding="fsdp",
            framework="megatron",
        )
        return prediction.tok_s.value

    assert 1.0 < rate("fp8") / rate("bf16") < 2.0


def test_a_framework_without_rows_says_whose_level_it_takes() -> None:
    prediction = api.predict_training(
        "8x h100-sxm",
        "llama-3.1-8b",
        tokens=1e9,
        micro_batch=1,
        sharding="fsdp",
        framework="axolotl",
    )
    assert any("level of PyTorch" in note for note in prediction.notes)


@pytest.mark.parametrize(("precision", "measured_tok_s"), [("bf16", 71235.0), ("fp8", 95239.0)])
def test_megatron_llama_70b_on_64_h100_within_range_with_its_source_held_out(
    precision: str, measured_tok_s: float
) -> None:
    """NVIDIA dgxc-benchmarking llama3.1/README_70b.md (NeMo 24.09, TP4 PP4 CP2, 8192 tokens):
    predicted by a calibration fitted on every other training source."""
    rows = [row for row in load_measurements(None) if row.metric == "train_tok_s"]
    others = [row for row in rows if source_of(row) != DGXC_SOURCE]
    assert len(others) < len(rows)
    fitted = fit_calibration(others, parse_calibration(calibration_text()), "without-dgxc")
    with using_calibration(fitted):
        prediction = api.predict_training(
            "64x h100-sxm",
            "llama-3.1-70b",
            tokens=1e9,
            precision=precision,
            sequence_tokens=8192,
            micro_batch=1,
            sharding="fsdp",
            framework="NeMo",
        )
    rate = prediction.tok_s
    assert rate.low <= measured_tok_s <= rate.high
    assert rate.value == pytest.approx(measured_tok_s, rel=0.35)


def test_fp8_without_fp8_rows_of_the_framework_is_said_to_be_optimistic() -> None:
    def notes(framework: str) -> tuple[str, ...]:
        return api.predict_training(
            "8x h100-sxm",
            "llama-3.1-8b",
            tokens=1e9,
            precision="fp8",
            micro_batch=1,
            sharding="fsdp",
            framework=framework,
        ).notes

    # PyTorch has its Float8 rows now (torchtitan's H100 table): its fp8 is fitted, and
    # without those groups the same prediction says it is optimistic
    assert not any("no fp8 training rows" in note for note in notes("torchtitan"))
    calibration = current_calibration()
    without = {
        key: values
        for key, values in calibration.groups.items()
        if not (key.startswith("train|pytorch|") and key.endswith("|8bit"))
    }
    stripped = replace(calibration, groups=without, version=f"{calibration.version}-no-fp8")
    with using_calibration(stripped):
        assert any("no fp8 training rows of PyTorch" in note for note in notes("torchtitan"))
        assert not any("no fp8 training rows" in note for note in notes("megatron"))


@pytest.mark.unit
def test_a_framework_profile_naming_an_unknown_fused_part_is_a_data_error() -> None:
    llmq = training_engines()["llmq"]
    assert llmq.fused == {"elementwise", "loss"} and llmq.cuda_graphs
    assert llmq.default_sharding == "zero1"
    broken = {**training_engines(), "x": replace(llmq, id="x", fused=frozenset({"norms"}))}
    assert engine_profile_problems(broken) == [
        "x: fused names ['norms']; known: ['elementwise', 'loss']"
    ]
    stage4 = {"y": replace(llmq, id="y", reduce_after_backward=frozenset({"zero4"}))}
    assert engine_profile_problems({**training_engines(), **stage4}) == [
        "y: reduce_after_backward names ['zero4']; known: "
        "['fsdp', 'none', 'zero1', 'zero2', 'zero3']"
    ]
    assert engine_profile_problems(training_engines()) == []


@pytest.mark.unit
def test_surogate_keeps_llmqs_kernels_and_defaults() -> None:
    # invergent-ai/surogate sft_config.py: zero_level 1, use_cuda_graphs true, master_dtype
    # defaults to the model dtype; llm.q's fused residual RMSNorm and classifier kernels
    surogate = training_engines()["surogate"]
    assert surogate.fused == {"elementwise", "loss"} and surogate.cuda_graphs
    assert surogate.default_sharding == "zero1" and not surogate.master_weights


@pytest.mark.unit
def test_a_prediction_says_what_the_frameworks_profile_sets_apart() -> None:
    llmq = " ".join(framework_notes("llmq"))
    assert "fuse the layers' norms, rotary and SwiGLU and the cross-entropy" in llmq
    assert "CUDA graphs" in llmq and "no fp32 master copy" in llmq
    assert "ZeRO-1 on several GPUs unless a sharding is stated" in llmq
    deepspeed = " ".join(framework_notes("deepspeed"))
    assert "after the backward pass under replicas (DDP), ZeRO-1, ZeRO-2" in deepspeed
    assert profile_text(training_engines()["pytorch"]) == ""


@pytest.mark.unit
def test_nanogpt_is_compiled_pytorch_under_ddp() -> None:
    # karpathy/nanoGPT train.py: compile = True (Inductor fuses the pointwise work and norms),
    # DistributedDataParallel (every GPU holds the whole model), fp32 parameters under autocast;
    # model.py: F.cross_entropy over materialised logits (no fused loss)
    nanogpt = training_engines()["nanogpt"]
    assert nanogpt.fused == {"elementwise"} and not nanogpt.cuda_graphs
    assert nanogpt.default_sharding == "none" and nanogpt.master_weights
    assert nanogpt.levels_from == "pytorch"
    prediction = api.predict_training(
        "a100-sxm-80gb",
        "gpt-2",
        tokens=1e9,
        sequence_tokens=1024,
        micro_batch=12,
        framework="nanoGPT",
    )
    assert any("level of PyTorch" in note for note in prediction.notes)


@pytest.mark.unit
def test_nanochat_shards_its_optimizer_state_and_reduces_after_the_backward() -> None:
    # karpathy/nanochat: torch.compile(model); DistAdamW 'In the style of ZeRO-2, i.e. sharded
    # optimizer states and gradient reduction' and DistMuon reduce-scatter the gradients inside
    # the optimizer step, after the backward pass
    nanochat = training_engines()["nanochat"]
    assert nanochat.fused == {"elementwise"} and nanochat.levels_from == "pytorch"
    assert nanochat.default_sharding == "zero2" and "zero2" in nanochat.reduce_after_backward
    prediction = api.predict_training(
        "8x h100-sxm", "gpt-2-xl", tokens=1e9, micro_batch=4, framework="nanochat"
    )
    assert any("level of PyTorch" in note for note in prediction.notes)


@pytest.mark.unit
def test_mlx_lm_lora_on_apple_silicon_is_predicted_at_pytorchs_level_and_says_so() -> None:
    # ml-explore/mlx-lm: a compiled step (mx.compile) with MLX's fused mx.fast kernels; no
    # packaged training row is MLX's
    mlx = training_engines()["mlx-lm"]
    assert mlx.levels_from == "pytorch" and mlx.fused == {"elementwise"}
    prediction = api.predict_training(
        "apple-m2-max-38c",
        "llama-3.2-3b",
        tokens=1e7,
        method="lora",
        sequence_tokens=512,
        framework="mlx_lm.lora",
    )
    assert prediction.tok_s.extrapolated
    assert any("level of PyTorch" in note for note in prediction.notes)
