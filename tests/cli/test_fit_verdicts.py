"""`gpuatlas fit`'s verdict agrees with the lines under it: with --gpu-layers / --cpu-moe it is
the offload's verdict (what runs where, how fast), and a format that does not fit points to the
first format in the table that does."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from typer.testing import CliRunner

from gpuatlas.app.fit import FitRequest, FitTrainingRequest, fit_document, fit_training_document
from gpuatlas.cli.main import app
from gpuatlas.performance import api

runner = CliRunner()


def _fit(**values: Any) -> dict[str, Any]:
    return fit_document(FitRequest.model_validate(values))


def _verdict_line(arguments: list[str]) -> str:
    result = runner.invoke(app, ["fit", *arguments])
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())  # the console wraps long lines at spaces
    start = text.index("verdict:")
    return text[start : text.index("offload:", start)]


def test_partial_offload_that_fits_is_said_to_run_at_the_offload_speed() -> None:
    arguments = ["rtx-4090", "llama-3.1-70b", "-w", "q4_k_m", "--gpu-layers", "40"]
    document = json.loads(runner.invoke(app, ["fit", *arguments, "--json"]).stdout)
    plan = document["offload"]
    assert plan["fits"] and document["verdict"] == "fits-on-more-gpus"  # all-on-GPU: no
    ceiling = plan["decode_ceiling_tok_s"]
    assert 3.0 < ceiling < 5.0
    expected = (
        "does not fit whole (needs 2 GPUs); "
        f"runs with 40 of 80 layers on the GPU (the rest on the CPU; --gpu-layers 40), "
        f"~{ceiling:.1f} tok/s "
        "decode at most"
    )
    assert document["verdict_text"].startswith(expected)
    line = _verdict_line(arguments)
    assert line.startswith(f"verdict: {expected}")
    assert "fits-on-more-gpus" not in line


def test_offload_that_does_not_fit_names_the_most_layers_that_do() -> None:
    too_many = _fit(system="rtx-4090", model="llama-3.1-70b", weights=["q4_k_m"], gpu_layers=80)
    most = too_many["offload"]["most_layers_that_fit"]
    assert not too_many["offload"]["fits"] and 0 < most < 80
    assert too_many["verdict_text"].startswith("does not fit with all 80 layers on the GPU")
    assert f"at most {most} of 80 layers fit (--gpu-layers {most})" in too_many["verdict_text"]
    at_most = _fit(system="rtx-4090", model="llama-3.1-70b", weights=["q4_k_m"], gpu_layers=most)
    one_more = _fit(
        system="rtx-4090", model="llama-3.1-70b", weights=["q4_k_m"], gpu_layers=most + 1
    )
    assert at_most["offload"]["fits"] and not one_more["offload"]["fits"]
    assert f"; runs with {most} of 80 layers on the GPU" in at_most["verdict_text"]


def test_offload_of_a_model_that_fits_whole_says_so() -> None:
    document = _fit(system="rtx-4090", model="qwen3:30b-a3b", cpu_moe=True)
    assert document["fits"] and document["offload"]["fits"]
    text = document["verdict_text"]
    assert text.startswith("runs with the MoE experts in host memory (the rest on the GPU), ~")
    assert text.endswith("; the whole model also fits on the GPU")


def test_a_format_that_does_not_fit_points_to_the_first_that_does() -> None:
    document = _fit(system="2x rtx-3090", model="llama-3.3-70b")
    rows = {row["format_id"]: row for row in document["formats"]}
    assert document["weights_assumed"]["format"] == "bf16" and not document["fits"]
    assert not rows["fp8"]["fits"] and rows["awq-int4"]["fits"]
    context = rows["awq-int4"]["max_context_tokens"]
    assert document["verdict_text"].startswith(
        f"does not fit on 2x rtx-3090 in bf16: needs {document['min_gpus_needed']} GPUs"
    )
    assert document["verdict_text"].endswith(
        f"; fits in awq-int4 (37.0 GiB of weights, max context {context:,} tokens)"
    )


def test_a_context_beyond_the_models_maximum_names_it_as_written_and_as_typed() -> None:
    result = runner.invoke(app, ["fit", "rtx-4090", "llama-3.1-8b", "--context", "1000000"])
    assert result.exit_code == 2
    text = " ".join(result.output.split())
    assert "exceeds llama-3.1-8b's maximum of 131,072 tokens" in text
    assert "use --context 131072 or less" in text


def test_ollama_runs_a_model_too_big_for_the_gpu_with_the_most_layers_that_fit() -> None:
    # Ollama splits a model between GPU and CPU by itself: the answer is that split, not "no"
    # (in a machine with 128 GB of RAM: the CPU's layers and their KV fit there)
    document = _fit(host_ram_gb=128, system="rtx-4090", model="llama3.1:70b")
    plan = document["offload"]
    assert not document["fits"] and plan is not None and plan["fits"]
    most = plan["gpu_layers"]
    assert 0 < most < 80 and plan["most_layers_that_fit"] == most
    # Ollama's own estimate (EstimateGPULayers) keeps a reserve: at most what fits strictly,
    # which llama.cpp's automatic fit places; one layer more than that does not fit
    strict = _fit(
        host_ram_gb=128,
        system="rtx-4090",
        model="llama-3.1-70b",
        weights="q4_k_m",
        engine="llama.cpp",
    )
    strict_most = strict["offload"]["most_layers_that_fit"]
    assert most <= strict_most < 80
    one_more = _fit(
        host_ram_gb=128,
        system="rtx-4090",
        model="llama-3.1-70b",
        weights="q4_k_m",
        engine="llama.cpp",
        gpu_layers=strict_most + 1,
    )
    assert not one_more["offload"]["fits"]
    # newest Ollama sizes num_ctx by GPU memory: 32,768 on a 24 GiB card; 39.8 GiB of q4_k_m
    # weights and 10 GiB of f16 KV (80 layers x 8 KV heads x 128 x 2 x 2 B x 32,768) need
    # three 22.8 GiB cards to run whole
    assert document["context_tokens"] == 32768
    assert document["verdict_text"].startswith(
        f"does not fit whole (needs 3 GPUs); runs with {most} of 80 layers on the GPU (the rest "
        f"on the CPU; --gpu-layers {most}), ~"
    )


def test_ollama_before_0_15_5_allocates_4096_tokens_whatever_the_memory() -> None:
    # OLLAMA_CONTEXT_LENGTH default 4096 from 0.6.7 to 0.15.4 (envconfig/config.go): the same
    # model needs two cards whole, and Ollama keeps more of its layers on the one it has
    old = _fit(system="rtx-4090", model="llama3.1:70b", engine="ollama 0.12.6")
    new = _fit(system="rtx-4090", model="llama3.1:70b", engine="ollama")
    assert old["context_tokens"] == 4096
    assert old["verdict_text"].startswith("does not fit whole (needs 2 GPUs)")
    assert old["offload"]["gpu_layers"] > new["offload"]["gpu_layers"]
    assert "v0.6.7-v0.15.4" in old["context_notes"][0]


def test_a_context_the_user_gives_is_kept_on_ollama() -> None:
    document = _fit(system="rtx-4090", model="llama3.1:8b", context_tokens=8192)
    assert document["context_tokens"] == 8192
    assert document["context_notes"] == []


def test_engines_without_a_context_default_keep_4096_tokens() -> None:
    document = _fit(system="h100-sxm", model="llama-3.1-8b", engine="vllm")
    assert document["context_tokens"] == 4096


def test_vllm_never_offloads_by_itself() -> None:
    document = _fit(system="rtx-4090", model="llama-3.1-70b", weights=["awq-int4"])
    assert not document["fits"] and document["offload"] is None
    assert document["verdict_text"].startswith("does not fit on rtx-4090 in awq-int4")


def test_training_that_does_not_fit_names_the_nearby_setups_that_do() -> None:
    document = fit_training_document(
        FitTrainingRequest.model_validate(
            {"system": "rtx-4090", "model": "llama-3.1-8b", "training": "lora"}
        )
    )
    assert not document["fits"]
    first = document["would_fit"][0]
    checkpointed = api.training_memory("rtx-4090", "llama-3.1-8b", "lora", checkpointing=True)
    assert first["setup"] == "activation checkpointing" and checkpointed.fits
    assert first["total_gb"] == pytest.approx(checkpointed.total_gb)
    result = runner.invoke(app, ["fit", "rtx-4090", "llama-3.1-8b", "--training", "lora"])
    text = " ".join(result.output.split())
    assert "verdict: does not fit; needs 28.2 GiB per GPU" in text
    gib = checkpointed.total_gb * 1e9 / 2**30
    assert f"would fit: activation checkpointing ({gib:.1f} GiB per GPU);" in text


def test_training_memory_is_written_with_thousands_separators() -> None:
    result = runner.invoke(app, ["fit", "rtx-4090", "llama-3.1-70b", "--training", "full"])
    text = " ".join(result.output.split())
    assert re.search(r"needs \d,\d{3}\.\d GiB per GPU", text), text


def test_a_moe_model_split_by_layers_also_gets_the_faster_experts_on_cpu_figure() -> None:
    document = _fit(host_ram_gb=128, system="rtx-4090", model="gpt-oss:120b")
    layers = document["offload"]
    experts = _fit(host_ram_gb=128, system="rtx-4090", model="gpt-oss:120b", cpu_moe=True)[
        "offload"
    ]
    assert layers is not None and not layers["experts_on_cpu"] and experts["fits"]
    assert experts["decode_ceiling_tok_s"] > layers["decode_ceiling_tok_s"]
    assert document["verdict_text"].endswith(
        "; with the MoE experts in host memory instead (llama.cpp --cpu-moe): "
        f"~{round(experts['decode_ceiling_tok_s'])} tok/s decode at most"
    )
    dense = _fit(host_ram_gb=128, system="rtx-4090", model="llama3.1:70b")
    assert "--cpu-moe" not in dense["verdict_text"]


def test_the_offload_line_writes_the_ceiling_as_the_verdict_does() -> None:
    arguments = ["rtx-4090", "llama-3.1-70b", "-w", "q4_k_m", "--gpu-layers", "40"]
    result = runner.invoke(app, ["fit", *arguments])
    text = " ".join(result.output.split())
    verdict = re.search(r"verdict: .*?runs with .*?, ~([\d.]+) tok/s decode at most", text)
    offload = re.search(r"offload: .*? decode ceiling ~([\d.]+) tok/s vs", text)
    assert verdict is not None and offload is not None
    assert offload.group(1) == verdict.group(1)  # was '4' under '~3.9'
    assert "." in offload.group(1)  # below 10 tok/s: two significant digits


def test_a_model_no_format_of_vllm_fits_points_at_llama_cpp_and_its_cpu_split() -> None:
    """Llama-3.1-70B on one 24 GB card with vLLM: no format in its table fits (4-bit AWQ is
    ~37 GiB), so the verdict names llama.cpp, which keeps the layers that do not fit on the
    CPU; that command's own verdict is the split (fewer than all 80 layers on the GPU)."""
    result = runner.invoke(app, ["fit", "rtx-4090", "llama-3.1-70b"])
    text = " ".join(result.output.split())
    verdict = text[text.index("verdict:") : text.index("max concurrent")]
    assert "does not fit on rtx-4090 in bf16" in verdict
    assert "or llama.cpp, which keeps the layers that do not fit on the CPU" in verdict
    assert "(--engine llama.cpp --weights q4_k_m)" in verdict
    split = _verdict_line(["rtx-4090", "llama-3.1-70b", "--engine", "llama.cpp", "-w", "q4_k_m"])
    layers = int(re.search(r"runs with (\d+) of 80 layers on the GPU", split).group(1))  # type: ignore[union-attr]
    assert 0 < layers < 80


@pytest.mark.parametrize("build", ["llama.cpp b4426", "llama.cpp b6000", "llama.cpp b9000"])
def test_a_numbered_llama_cpp_build_splits_with_the_cpu_as_plain_llama_cpp_does(
    build: str,
) -> None:
    # 'llama.cpp b6000' is the llama-bench-era profile (b4000-b9436): its weights and KV are
    # laid out like the current build's, so a 70B Q4_K_M that does not fit a 24 GB card runs
    # with the same most layers on the GPU, not "needs 2 GPUs" alone
    plain = _fit(host_ram_gb=128, system="rtx-4090", model="llama-3.1-70b", engine="llama.cpp")
    numbered = _fit(host_ram_gb=128, system="rtx-4090", model="llama-3.1-70b", engine=build)
    assert not numbered["fits"] and numbered["offload"] is not None
    most = plain["offload"]["gpu_layers"]
    assert 0 < most < 80
    assert numbered["offload"]["gpu_layers"] == most
    assert numbered["offload"]["fits"]
