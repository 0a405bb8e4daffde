"""vLLM on ROCm has no Marlin MoE kernels (vllm quantization/utils/marlin_utils.py:
check_moe_marlin_supports_layer returns False on ROCm), so AWQ and GPTQ routed experts run
through its generic moe_wna16 Triton kernels. No calibration row measures that path, so an
answer for a MoE model in those formats on vLLM ROCm says so (engines.toml
fallback_expert_formats); dense models, other formats and CUDA builds get no such note."""

from __future__ import annotations

import pytest

from gpuatlas.app.predict import PredictLlmRequest, predict_llm_document
from gpuatlas.catalog.model_names import resolve_model
from gpuatlas.performance.engine_profiles import EngineProfile, all_engines
from gpuatlas.performance.expert_kernel_notes import fallback_expert_notes, runs_fallback_experts

pytestmark = pytest.mark.unit


def _profile(profile_id: str) -> EngineProfile:
    return next(p for p in all_engines() if p.id == profile_id)


def test_vllm_rocm_lists_awq_and_gptq_experts_as_fallback_and_cuda_vllm_does_not() -> None:
    assert set(_profile("vllm-rocm").fallback_expert_formats) == {"awq-int4", "gptq-int4"}
    assert _profile("vllm").fallback_expert_formats == ()
    # carried to the ROCm generations that extend vllm-rocm (same kernel choice)
    assert "awq-int4" in _profile("vllm-rocm-pre-hybrid-kv").fallback_expert_formats


@pytest.mark.parametrize("format_id", ["awq-int4", "gptq-int4"])
def test_a_moe_model_in_awq_or_gptq_on_vllm_rocm_runs_the_fallback(format_id: str) -> None:
    model = resolve_model("qwen3-30b-a3b")
    assert runs_fallback_experts(_profile("vllm-rocm"), model, format_id)
    (note,) = fallback_expert_notes(_profile("vllm-rocm"), model, format_id)
    assert "moe_wna16" in note and format_id in note


@pytest.mark.parametrize(
    ("profile_id", "model", "format_id"),
    [
        ("vllm-rocm", "qwen2.5-7b", "awq-int4"),  # dense: no routed experts
        ("vllm-rocm", "gpt-oss-120b", "mxfp4"),  # MXFP4 takes its own Triton path
        ("vllm-rocm", "qwen3-30b-a3b", "bf16"),  # unquantised experts
        ("vllm", "qwen3-30b-a3b", "awq-int4"),  # CUDA: Marlin's MoE kernels
    ],
)
def test_no_note_off_the_fallback_path(profile_id: str, model: str, format_id: str) -> None:
    assert fallback_expert_notes(_profile(profile_id), resolve_model(model), format_id) == ()


def test_predict_llm_on_mi300x_says_the_awq_experts_are_unmeasured() -> None:
    def note(system: str) -> str:
        request = {"system": system, "model": "qwen3-30b-a3b", "engine": "vllm", "weights": "awq"}
        document = predict_llm_document(PredictLlmRequest.model_validate(request))
        return str(document.get("engine_note", ""))

    assert "moe_wna16" in note("mi300x")
    assert "moe_wna16" not in note("h100-sxm")
