"""Weight formats per backend: transformers on an Apple GPU (PyTorch MPS) loads only what MPS
runs (no float8 dtype; bitsandbytes, AutoAWQ and W8A8 int8 kernels are CUDA/ROCm builds;
FP8/MXFP4 checkpoints are dequantised to bf16), while on CUDA it loads them all. The refusal
says why, which formats it loads there, and what loads the format on that backend."""

from __future__ import annotations

import pytest

from gpuatlas.catalog.gpus import gpu_by_id
from gpuatlas.catalog.model_names import resolve_model_reference
from gpuatlas.errors import InvalidRequestError
from gpuatlas.performance.engine_profiles import require_format
from gpuatlas.performance.engine_specs import (
    engine_profile,
    engines_on,
    platform_of,
    require_format_on,
)
from gpuatlas.performance.llm.fit_answer import answer_fit
from gpuatlas.performance.llm.predict import llm_runtime

pytestmark = pytest.mark.unit

MAC = "apple-m4-max-40c"


def test_the_mac_profile_of_transformers_loads_16_bit_and_gptq_only() -> None:
    mac = engine_profile("transformers", gpu_by_id(MAC))
    assert mac.id == "transformers-mps" and mac.engine == "transformers"
    assert set(mac.formats) == {"bf16", "fp16", "fp32", "gptq-int4"}
    cuda = engine_profile("transformers", gpu_by_id("rtx-4090"))
    assert cuda.id == "transformers"  # the current generation (v5) on CUDA
    assert {"fp8", "awq-int4", "nf4", "bnb-int8", "mxfp4"} <= set(cuda.formats)


@pytest.mark.parametrize("weights", ["fp8", "awq-int4", "nf4", "bnb-int8", "int8", "mxfp4"])
def test_mac_transformers_refuses_what_mps_cannot_run_and_says_why(weights: str) -> None:
    with pytest.raises(InvalidRequestError) as raised:
        require_format_on(engine_profile("transformers", gpu_by_id(MAC)), weights, gpu_by_id(MAC))
    text = str(raised.value)
    assert f"engine transformers does not load {weights} weights on metal" in text
    assert "no float8 dtype" in text and "--weights bf16" in text
    assert "it loads on metal: bf16, fp16, fp32, gptq-int4" in text
    assert f"it loads {weights} on cuda, rocm, hpu" in text
    named = text.rsplit(f"engines that load {weights} on metal: ", 1)[1]
    expected = engines_on(platform_of(gpu_by_id(MAC)), weights)
    assert named == (", ".join(expected) or "none")
    assert "vllm" not in named and "sglang" not in named
    # a Mac runs MLX beside the Metal engines: mlx-lm loads mlx-community's MXFP4 checkpoints
    assert ("mlx-lm" in named) == (weights == "mxfp4")


def test_without_a_gpu_the_refusal_names_the_engines_on_the_same_backends() -> None:
    with pytest.raises(InvalidRequestError) as raised:
        require_format(engine_profile("transformers", gpu_by_id(MAC)), "mxfp4")
    assert str(raised.value).endswith("engines that load mxfp4 on metal: llama.cpp, ollama")


def test_a_prediction_on_a_mac_names_mlx_lm_for_an_mxfp4_checkpoint() -> None:
    with pytest.raises(InvalidRequestError, match="on metal: llama.cpp, mlx-lm, ollama"):
        llm_runtime(MAC, "gpt-oss-20b", "mxfp4", "transformers")


def test_fit_on_a_mac_with_transformers_and_an_awq_checkpoint_is_refused() -> None:
    with pytest.raises(InvalidRequestError, match="does not load awq-int4 weights on metal"):
        answer_fit(MAC, resolve_model_reference("Qwen/Qwen3-32B-AWQ"), [], engine="transformers")


def test_fit_on_a_mac_with_transformers_in_bf16_answers() -> None:
    answer = answer_fit(MAC, resolve_model_reference("qwen3-8b"), ["bf16"], engine="transformers")
    assert answer.engine == "transformers-mps"
    assert {row.format_id for row in answer.rows} <= {"bf16", "fp16", "fp32", "gptq-int4"}


def test_cuda_transformers_still_loads_awq() -> None:
    require_format(engine_profile("transformers", gpu_by_id("rtx-4090")), "awq-int4")
