"""What an answer says when an engine runs a MoE model's routed experts through a fallback kernel
that no calibration row measures (engines.toml fallback_expert_formats: vLLM on ROCm has no
Marlin MoE kernels, so AWQ and GPTQ experts take its generic moe_wna16 Triton kernels)."""

from __future__ import annotations

from gpuatlas.catalog.model_arch import AnyModelArch
from gpuatlas.catalog.model_weights import llm_of
from gpuatlas.performance.engine_profiles import EngineProfile


def runs_fallback_experts(profile: EngineProfile, model: AnyModelArch, format_id: str) -> bool:
    """Whether this engine profile runs the model's routed experts in this weight format through
    its unmeasured fallback kernel: a MoE model (a VLM's language model counts) in a format the
    profile lists under fallback_expert_formats."""
    llm = llm_of(model)
    return llm is not None and llm.is_moe and format_id in profile.fallback_expert_formats


def fallback_expert_notes(
    profile: EngineProfile, model: AnyModelArch, format_id: str
) -> tuple[str, ...]:
    """The note for an answer whose routed experts run on the fallback kernel; empty otherwise."""
    if not runs_fallback_experts(profile, model, format_id):
        return ()
    return (
        f"{profile.engine} on {'/'.join(profile.backends)} has no Marlin MoE kernels, so "
        f"{format_id} routed experts run through its generic moe_wna16 Triton kernels, which "
        "unpack the 4-bit weights inside each grouped GEMM; no published measurement calibrates "
        "that path, so the experts are costed at the format's usual grouped-GEMM rate and the "
        "answer may be too fast (engines.toml fallback_expert_formats)",
    )
