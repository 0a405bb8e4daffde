"""`--weights auto`: the format checkpoints really ship in, "what fits" and memory margins.

Expected values come from the published checkpoints: gpt-oss-20b is ~13.8 GB (MXFP4 experts,
bf16 rest) and runs on a 16 GB card; Llama-3.1-70B-Instruct-AWQ is ~40 GB; Ollama's
qwen3:30b-a3b (Q4_K_M) is 19 GB; Llama 3.1's context is 131,072 tokens.
"""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from gpuatlas.catalog.models import resolve_model_reference
from gpuatlas.cli.main import app
from gpuatlas.errors import InvalidRequestError
from gpuatlas.performance.llm.fit_answer import OffloadRequest, answer_fit

runner = CliRunner()


def _answer(system: str, model: str, *weights: str, **options: object) -> object:
    return answer_fit(
        system, resolve_model_reference(model, allow_hub=False), list(weights), **options
    )  # type: ignore[arg-type]


def _fit_json(*args: str) -> dict[str, object]:
    result = runner.invoke(app, ["fit", *args, "--json"], env={"COLUMNS": "80"})
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert isinstance(document, dict)
    return document


def _weights_gb(document: dict[str, object]) -> float:
    per_gpu = document["per_gpu"]
    assert isinstance(per_gpu, dict)
    return float(per_gpu["weights_gb"]["value"]) * int(str(document["gpu_count"]))


def test_gpt_oss_20b_is_mxfp4_and_fits_one_4090() -> None:
    document = _fit_json("rtx-4090", "gpt-oss-20b")
    assumed = document["weights_assumed"]
    assert isinstance(assumed, dict)
    assert assumed["format"] == "mxfp4"
    assert "quantization_config" in assumed["reason"]
    assert "experts" in assumed["label"] and "bf16" in assumed["label"]
    assert 12.0 <= _weights_gb(document) <= 14.0
    assert document["fits"] is True and document["min_gpus_needed"] == 1


def test_gpt_oss_20b_fits_a_16gb_card() -> None:
    answer = _answer("rtx-4080", "gpt-oss-20b")
    assert answer.detail.fits  # type: ignore[attr-defined]


def test_llama_70b_awq_checkpoint_weighs_about_40_gb() -> None:
    document = _fit_json("rtx-4090", "meta-llama/Llama-3.1-70B-Instruct-AWQ", "-w", "auto")
    assert document["weights"] == "awq-int4"
    assert 37.0 <= _weights_gb(document) <= 42.0
    assert document["min_gpus_needed"] == 2


def test_ollama_tag_uses_the_librarys_default_quantisation() -> None:
    document = _fit_json("rtx-4090", "qwen3:30b-a3b", "-w", "auto")
    assert document["weights"] == "q4_k_m"
    assert document["engine"] == "ollama"
    assert 17.5 <= _weights_gb(document) <= 19.5  # `ollama list`: 19 GB
    assert document["fits"] is True


def test_ollama_gpt_oss_keeps_mxfp4_and_suffixes_override() -> None:
    assert _fit_json("rtx-4090", "gpt-oss:20b", "-w", "auto")["weights"] == "mxfp4"
    assert _fit_json("h100-sxm", "llama3.1:8b-instruct-q8_0", "-w", "auto")["weights"] == "q8_0"


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("neuralmagic/Meta-Llama-3.1-8B-Instruct-FP8-dynamic", "fp8"),
        ("TheBloke/Llama-2-13B-chat-GGUF", "q4_k_m"),
        ("Qwen/Qwen2.5-7B-Instruct-AWQ", "awq-int4"),
        ("unsloth/Llama-3.2-3B-Instruct-bnb-4bit", "nf4"),
        ("bartowski/Meta-Llama-3.1-8B-Instruct-Q5_K_M.gguf", "q5_k_m"),
        ("llama-3.1-8b", "bf16"),
        ("llama-2-7b", "fp16"),
    ],
)
def test_derived_checkpoints_resolve_to_base_plus_format(name: str, expected: str) -> None:
    answer = _answer("h100-sxm", name, "auto")
    assert answer.weights.format_id == expected  # type: ignore[attr-defined]


def test_fit_without_weights_lists_every_format_the_engine_loads() -> None:
    document = _fit_json("rtx-4090", "llama-3.1-8b")
    rows = document["formats"]
    assert isinstance(rows, list)
    ids = [row["format_id"] for row in rows]
    assert ids[0] == "bf16" and rows[0]["native"] is True
    assert {"fp8", "awq-int4", "fp16"} <= set(ids)
    by_id = {row["format_id"]: row for row in rows}
    # a 4-bit model leaves more room for KV cache than the 16-bit one
    assert by_id["awq-int4"]["max_sequences"] > by_id["bf16"]["max_sequences"] > 0
    # ~23.2 GB usable - 5.7 GB of AWQ weights - runtime, at 131,072 bytes of KV per token
    assert 90_000 < by_id["awq-int4"]["max_context_tokens"] < 131072
    assert by_id["fp32"]["max_context_tokens"] == 0  # 32 GB of weights: not one token


def test_several_weights_give_several_rows() -> None:
    document = _fit_json("rtx-4090", "llama-3.1-8b", "-w", "fp16", "-w", "Q4_K_M", "-w", "fp8")
    rows = document["formats"]
    assert isinstance(rows, list)
    assert [row["format_id"] for row in rows] == ["fp16", "q4_k_m", "fp8"]


def test_context_beyond_the_models_maximum_is_an_error() -> None:
    with pytest.raises(InvalidRequestError, match="131072"):
        _answer("rtx-4090", "llama-3.1-8b", context_tokens=1_000_000)
    result = runner.invoke(app, ["fit", "rtx-4090", "llama-3.1-8b", "--context", "1000000"])
    assert result.exit_code != 0
    assert "131072" in result.output


def test_max_context_of_one_sequence_is_limited_by_memory() -> None:
    # llama-3.1-8b bf16 on a 24 GiB card under vLLM (90 %): ~21.6 GiB usable, 15 GiB weights,
    # 128 KiB of KV per token: room for a few tens of thousands of tokens, not 131072.
    row = _answer("rtx-4090", "llama-3.1-8b", "bf16").rows[0]  # type: ignore[attr-defined]
    assert 20_000 < row.max_context_tokens < 60_000


def test_fits_needs_a_margin_on_engines_that_fill_the_gpu() -> None:
    # llama.cpp may fill the card; "fits" still keeps 5 % of the 24 GiB free.
    answer = _answer("rtx-4090", "qwen3-30b-a3b", "q4_k_m", engine="llama.cpp")
    fit = answer.detail  # type: ignore[attr-defined]
    assert fit.usable_gb == pytest.approx(24 * 1.073741824 * 0.95)
    assert fit.per_gpu.total_gb <= fit.usable_gb
    assert "5%" in answer.margin  # type: ignore[attr-defined]


def test_fit_text_labels_gib_and_states_assumption_and_source() -> None:
    result = runner.invoke(app, ["fit", "rtx-4090", "gpt-oss-20b"], env={"COLUMNS": "80"})
    assert result.exit_code == 0, result.output
    text = result.output
    assert "weights: mxfp4 experts + bf16" in text
    assert "GiB" in text and " GB usable" not in text
    assert "24.0 GiB per GPU" in text


def test_partial_offload_halves_gpu_weights_and_runs_at_host_bandwidth() -> None:
    # llama-3.1-70b Q4_K_M (~42.7 GB) with 40 of 80 layers on a 24 GB card: about half the
    # weights stay in host memory; at 89.6 GB/s (dual-channel DDR5-5600) the decode ceiling
    # is ~21 GB / 89.6 GB/s ≈ 0.24 s per token, several times slower than all on the GPU.
    answer = _answer(
        "rtx-4090",
        "llama-3.1-70b",
        "q4_k_m",
        engine="llama.cpp",
        offload=OffloadRequest(gpu_layers=40),
    )
    plan = answer.offload  # type: ignore[attr-defined]
    assert plan is not None and plan.fits
    assert 19.0 < plan.gpu_weights_gb < 23.0 and 20.0 < plan.cpu_weights_gb < 24.0
    assert 3.0 < plan.decode_ceiling_tok_s < 5.0
    assert plan.all_gpu_ceiling_tok_s > 4 * plan.decode_ceiling_tok_s
    assert "GiB of weights run from host memory" in plan.describe()


def test_moe_experts_on_cpu_leave_little_on_an_8gb_card() -> None:
    answer = _answer(
        "rtx-4060",
        "qwen3-30b-a3b",
        "q4_k_m",
        engine="llama.cpp",
        offload=OffloadRequest(experts_on_cpu=True),
    )
    plan = answer.offload  # type: ignore[attr-defined]
    assert plan is not None and plan.fits
    assert plan.gpu_weights_gb < 2.5  # attention, norms, router, output layer
    assert plan.cpu_weights_gb > 15.0  # 128 experts x 48 layers


def test_offload_is_refused_for_engines_that_keep_weights_on_the_gpu() -> None:
    with pytest.raises(InvalidRequestError, match="llama.cpp/Ollama"):
        _answer(
            "rtx-4090", "llama-3.1-70b", "awq", engine="vllm", offload=OffloadRequest(gpu_layers=40)
        )


def test_training_that_fills_the_card_to_99_percent_does_not_fit() -> None:
    # LoRA on llama-3.2-1b at micro-batch 4 needs 25.4 GB of an RTX 4090's 25.8 GB (98.6 %):
    # with no headroom for the allocator that is an out-of-memory, so it must not "fit".
    from gpuatlas.performance import api

    fit = api.training_memory("4x rtx-4090", "llama-3.2-1b", "lora", micro_batch=4)
    assert 0.95 < fit.total_gb / fit.gpu_memory_gb < 1.0
    assert not fit.fits
    assert "5% kept free" in fit.reasons[0] and "GiB" in fit.reasons[0]


def test_plan_compares_the_native_format_with_those_worth_considering() -> None:
    from gpuatlas.app.economics_requests import auto_format_ids

    assert auto_format_ids("llama-3.1-8b", "vllm") == ["bf16", "fp8", "awq-int4"]
    assert auto_format_ids("gpt-oss-20b", "vllm") == ["mxfp4", "bf16"]
    assert auto_format_ids("qwen3:30b-a3b", "ollama") == ["q4_k_m", "q8_0"]


def test_plan_explains_a_cheaper_gpus_loss_with_the_most_compact_format() -> None:
    from gpuatlas.app.economics_requests import PlanRequest, run_plan
    from gpuatlas.economics.serving_candidate import Slo

    plan = run_plan(
        PlanRequest(
            "llama-3.1-70b",
            ("auto",),
            2.0,
            512,
            256,
            Slo(),
            gpus=("rtx-4090", "h100-sxm"),
            gpu_counts=(1,),
        )
    )
    assert plan.explanation is not None
    text = " ".join(plan.explanation.lines)
    assert "fp32" not in text
    lost = [line for line in plan.explanation.lines if "lost on memory: RTX 4090" in line]
    assert lost and all("awq-int4" in line for line in lost)


def test_cost_serves_gpt_oss_20b_on_a_4090_in_its_native_format() -> None:
    from gpuatlas.app.economics_requests import CostRequest, run_cost

    report = run_cost(CostRequest(("rtx-4090",), "gpt-oss-20b", "auto", workload="llm"))
    assert report.serving and not report.not_served
    assert {row.sustained.weights for row in report.serving} == {"mxfp4"}


def test_fit_rows_say_what_the_gpu_computes_in() -> None:
    # FP8 tensor cores exist from Ada/Hopper; on an A100 engines run FP8 weights weight-only.
    def math(system: str) -> str:
        rows = _answer(system, "llama-3.1-8b", "fp8").rows  # type: ignore[attr-defined]
        return str(rows[0].compute_precision)

    assert math("a100-80gb-sxm") == "fp16"
    assert math("h100-sxm") == "fp8"


def test_training_fit_text_is_in_gib_like_the_inference_fit() -> None:
    result = runner.invoke(
        app, ["fit", "h200", "llama-3.1-8b", "--training", "full"], env={"COLUMNS": "80"}
    )
    assert result.exit_code == 0, result.output
    assert "GiB" in result.output and " GB" not in result.output
