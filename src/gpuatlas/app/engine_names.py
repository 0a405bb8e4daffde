"""The engine as an answer names it: the engine users know ('vllm'), with the compute backend
when it is not CUDA ('ollama (vulkan)'), never the internal id of the profile that modelled it
('vllm-pre-hybrid-kv', 'vllm-rocm'); the profile id stays in the document as `engine_profile`,
and a profile that models only some releases says which ('vLLM 0.5' is modelled with vllm's
profile of releases 0.2.7 up to 0.9.1)."""

from __future__ import annotations

from typing import Any

from gpuatlas.catalog.gpu import Gpu
from gpuatlas.catalog.systems import resolve_system
from gpuatlas.errors import GpuAtlasError
from gpuatlas.performance.engine_profiles import EngineProfile
from gpuatlas.performance.engine_specs import resolve_engine_on


def engine_shown(profile: EngineProfile) -> str:
    """'vllm', 'vllm (rocm)', 'llama.cpp (metal)': the engine and its backend unless CUDA."""
    backend = profile.backends[0] if profile.backends else "cuda"
    return profile.engine if backend == "cuda" else f"{profile.engine} ({backend})"


def release_range_note(written: str, profile: EngineProfile) -> str:
    """ "vLLM 0.5: modelled with vllm's profile of releases 0.2.7 up to (not including)
    0.9.1" for a profile of some releases only; '' for the engine's current profile."""
    start, end = profile.from_version, profile.before_version
    if profile.id == profile.engine or not (start or end):
        return ""
    span = (
        f"from {start} up to (not including) {end}"
        if start and end
        else (f"from {start}" if start else f"before {end}")
    )
    return f"{written}: modelled with {profile.engine}'s profile of releases {span}"


def engine_fields(written: str, profile_id: str, gpu: Gpu) -> dict[str, Any]:
    """The document fields naming the engine: `engine` as users name it, `engine_profile` the
    profile id, and `engine_release_note` when the profile models only some releases."""
    profile = resolve_engine_on(profile_id, gpu)
    fields: dict[str, Any] = {"engine": engine_shown(profile), "engine_profile": profile.id}
    note = release_range_note(written, profile)
    if note:
        fields["engine_release_note"] = note
    return fields


def engine_shown_on(profile_id: str, system_id: str) -> str:
    """`engine_shown` of a profile id on a system ('vllm-rocm' on 'mi300x' -> 'vllm (rocm)')."""
    try:
        return engine_shown(resolve_engine_on(profile_id, resolve_system(system_id).gpu))
    except GpuAtlasError:  # not a profile of this GPU: the text as it came
        return profile_id
