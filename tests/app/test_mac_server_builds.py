"""On Apple silicon, an AWQ/GPTQ/FP8 checkpoint (a build for vLLM, SGLang, TensorRT-LLM, none of
which runs on a Mac) is answered with the GGUF / MLX builds of the same model that Mac users
run, as commands that work, and with only the engines that run on that GPU."""

from __future__ import annotations

import re

import pytest

from gpuatlas.app.fit import FitRequest, fit_answer
from gpuatlas.app.predict import PredictLlmRequest, predict_llm_document
from gpuatlas.catalog.models import resolve_model_reference
from gpuatlas.catalog.systems import resolve_system
from gpuatlas.errors import InvalidRequestError
from gpuatlas.performance.apple_builds import apple_build_problem, mac_builds
from gpuatlas.performance.engine_specs import engines_on, platform_of

pytestmark = pytest.mark.unit

SERVER_ONLY = ("vllm", "sglang", "tensorrt-llm", "lmdeploy", "tgi")


def _fit_error(system: str, model: str, *weights: str) -> str:
    request = FitRequest.model_validate({"system": system, "model": model, "weights": weights})
    with pytest.raises(InvalidRequestError) as raised:
        fit_answer(request)
    return str(raised.value)


def _engines_listed(message: str) -> list[str]:
    listed = message.split("Engines that run on ")[1].split(": ", 1)[1]
    return [name.strip() for name in listed.split(",")]


def test_m3_ultra_awq_names_only_mac_engines_and_the_q4_k_m_and_mlx_commands() -> None:
    message = _fit_error("M3 Ultra", "Qwen/Qwen3-32B-AWQ")
    listed = _engines_listed(message)
    mac = engines_on(platform_of(resolve_system("M3 Ultra").gpu))
    assert listed == mac
    assert {"llama.cpp", "ollama", "mlx-lm"} <= set(listed)
    assert not set(listed) & set(SERVER_ONLY)
    assert "gpuatlas fit apple-m3-ultra-80c qwen3-32b --weights q4_k_m" in message
    assert "gpuatlas fit apple-m3-ultra-80c qwen3-32b --engine mlx-lm --weights mlx-4bit" in message
    assert "gguf-f16" not in message  # the old 'e.g. --weights gguf-f16' pointer


def test_the_suggested_commands_answer_and_fit() -> None:
    message = _fit_error("M3 Ultra", "Qwen/Qwen3-32B-AWQ")
    commands = re.findall(r"gpuatlas fit (\S+ \S+(?: --engine \S+)? --weights \S+)", message)
    assert len(commands) == 2  # the GGUF build on llama.cpp, the MLX build on mlx-lm
    for command in commands:
        system, model, *rest = command.split()
        options = dict(zip(rest[::2], rest[1::2], strict=True))
        request = FitRequest.model_validate(
            {
                "system": system,
                "model": model,
                "weights": [options["--weights"]],
                "engine": options.get("--engine", "auto"),
            }
        )
        answer = fit_answer(request)
        assert answer.weights.format_id == options["--weights"]
        assert answer.detail.fits  # ~19 GB of 4-bit weights in 384 GiB of GPU memory


def test_an_8_bit_server_build_points_to_the_8_bit_gguf_and_mlx_builds() -> None:
    assert mac_builds("fp8") == ("q8_0", "mlx-8bit")
    assert mac_builds("awq-int4") == ("q4_k_m", "mlx-4bit")
    message = _fit_error("M4 Max", "qwen3-8b", "fp8")
    assert "gpuatlas fit apple-m4-max-40c qwen3-8b --weights q8_0" in message


def test_predict_llm_names_its_own_command() -> None:
    request = PredictLlmRequest.model_validate(
        {"system": "M3 Ultra", "model": "Qwen/Qwen3-32B-AWQ"}
    )
    with pytest.raises(InvalidRequestError) as raised:
        predict_llm_document(request)
    assert "gpuatlas predict llm apple-m3-ultra-80c qwen3-32b --weights q4_k_m" in str(raised.value)


@pytest.mark.parametrize(
    ("system", "model", "engine"),
    [
        ("rtx-4090", "Qwen/Qwen3-32B-AWQ", "auto"),  # vLLM loads AWQ on NVIDIA
        ("M3 Ultra", "qwen3:32b", "auto"),  # an Ollama tag: its own GGUF build
        ("M3 Ultra", "qwen3-32b", "auto"),  # bf16: llama.cpp loads it
        ("M3 Ultra", "Qwen/Qwen3-32B-AWQ", "mlc-llm"),  # a named engine answers for itself
    ],
)
def test_no_pointer_where_the_build_runs(system: str, model: str, engine: str) -> None:
    reference = resolve_model_reference(model)
    assert apple_build_problem(resolve_system(system), reference, [], engine) is None
