"""Engines as users name them, their backends, and the profile a case on a GPU uses."""

from __future__ import annotations

import pytest

from gpuatlas.catalog.gpu import Gpu
from gpuatlas.catalog.gpus import gpu_by_id
from gpuatlas.errors import InvalidRequestError, UnknownNameError
from gpuatlas.performance.calibration_table import base_engine, group_keys
from gpuatlas.performance.engine_profiles import all_engines
from gpuatlas.performance.engine_specs import (
    EngineSpec,
    all_backends,
    engine_profile,
    parse_engine_spec,
    release_notes,
    resolve_engine_on,
)


@pytest.mark.parametrize(
    ("text", "engine", "version", "backend"),
    [
        ("vLLM 0.8.5", "vllm", "0.8.5", None),
        ("vllm==0.6.3.post1", "vllm", "0.6.3.post1", None),
        ("SGLang 0.4.6.post1", "sglang", "0.4.6.post1", None),
        ("TensorRT-LLM 0.15.0", "tensorrt-llm", "0.15.0", "cuda"),
        ("llama.cpp build 57291f264", "llama.cpp", "57291f264", None),
        ("b4426", "llama.cpp", "b4426", None),
        ("Ollama 0.5.7", "ollama", "0.5.7", None),
        ("MLC LLM", "mlc-llm", None, None),
        ("mlx-lm 0.21", "mlx-lm", "0.21", "mlx"),
        ("stable-fast", "stable-fast", None, "cuda"),
        ("Core ML", "coreml", None, "coreml"),
        ("ExLlamaV2", "exllamav2", None, None),
        ("TGI 2.0.4", "tgi", "2.0.4", None),
        ("llama.cpp Vulkan b4426", "llama.cpp", "b4426", "vulkan"),
        ("llama.cpp (ROCm)", "llama.cpp", None, "rocm"),
        ("vllm v0.10.1 rocm", "vllm", "0.10.1", "rocm"),
    ],
)
def test_engine_text_parses_into_engine_version_and_backend(
    text: str, engine: str, version: str | None, backend: str | None
) -> None:
    spec = parse_engine_spec(text)
    assert (spec.engine, spec.version, spec.backend) == (engine, version, backend)


def test_unknown_engine_names_close_matches() -> None:
    with pytest.raises(UnknownNameError) as error:
        parse_engine_spec("vlm 0.8.5")
    assert "vllm" in error.value.candidates
    with pytest.raises(UnknownNameError, match="llama.cpp"):
        parse_engine_spec("lama.cpp b4426")


def test_unreadable_words_are_an_error_not_ignored() -> None:
    with pytest.raises(InvalidRequestError, match="cannot read 'turbo'"):
        parse_engine_spec("vLLM 0.8.5 turbo")


@pytest.mark.parametrize(
    ("text", "engine", "version", "backend"),
    [
        ("transformers 5.17.0 (torch 2.11.0, CUDA 13.0)", "transformers", "5.17.0", None),
        ("vLLM 0.6.3 [PyTorch 2.4]", "vllm", "0.6.3", None),
        ("llama.cpp (b4426)", "llama.cpp", "b4426", None),  # the version inside is read
        ("Ollama 0.5.7 (ROCm)", "ollama", "0.5.7", "rocm"),  # a backend inside is read
    ],
)
def test_a_bracket_of_other_libraries_after_the_version_is_left_out(
    text: str, engine: str, version: str, backend: str | None
) -> None:
    assert parse_engine_spec(text) == EngineSpec(engine, version, backend)


def test_a_bracket_without_the_engines_version_is_still_an_error() -> None:
    with pytest.raises(InvalidRequestError, match="cannot read 'torch'"):
        parse_engine_spec("vllm (torch 2.4)")


def test_a_single_backend_engine_rejects_another_backend() -> None:
    with pytest.raises(InvalidRequestError, match="cuda only"):
        parse_engine_spec("TensorRT-LLM rocm")


@pytest.mark.parametrize(
    ("text", "profile"),
    [
        ("TensorRT-LLM 0.15.0", "tensorrt-llm-trt-engine"),  # TensorRT engines before 1.0
        ("TensorRT-LLM 0.6.1", "tensorrt-llm-0.x"),
        ("llama.cpp b1786", "llama.cpp-2023"),
        ("llama.cpp b2833", "llama.cpp-2024"),
        ("b4426", "llama.cpp-2025"),  # llama-bench without flash attention (before b9437)
        ("b9437", "llama.cpp"),
        ("llama.cpp build 57291f264", "llama.cpp"),  # a commit: the newest, unless dated
        ("vLLM 0.8.5", "vllm-pre-hybrid-kv"),  # sliding layers in full (before PR #17996)
        ("vLLM 0.9.1", "vllm"),
    ],
)
def test_the_version_chooses_the_generation(text: str, profile: str) -> None:
    assert engine_profile(text).id == profile


def test_a_commit_is_placed_by_the_source_date() -> None:
    assert engine_profile("llama.cpp build 57291f264", date="2023-12-01").id == "llama.cpp-2023"


def _gpu(gpu_id: str) -> Gpu:
    return gpu_by_id(gpu_id)


def _apple() -> Gpu | None:
    from gpuatlas.catalog.gpus import all_gpus

    return next((g for g in all_gpus() if g.vendor == "Apple"), None)


@pytest.mark.parametrize(
    ("engine", "gpu", "profile"),
    [
        ("vllm", "mi300x", "vllm-rocm"),
        ("SGLang 0.4.6.post1", "mi300x", "sglang-rocm"),
        ("vllm", "h100-sxm", "vllm"),
        ("ollama", "rtx-4090", "ollama"),
        ("tgi", "gaudi2", "tgi-gaudi"),
        ("llama.cpp", "mi300x", "llama.cpp-rocm"),
        ("llama.cpp vulkan", "rtx-4090", "llama.cpp-vulkan"),
        ("llama.cpp b1786", "rtx-3090", "llama.cpp-2023"),
    ],
)
def test_each_gpu_gets_its_backends_profile(engine: str, gpu: str, profile: str) -> None:
    assert engine_profile(engine, _gpu(gpu)).id == profile


def test_apple_gpus_run_metal_and_mlx_profiles() -> None:
    apple = _apple()
    assert apple is not None  # the catalog carries every Apple M1-M4 GPU
    assert engine_profile("llama.cpp", apple).id == "llama.cpp-metal"
    # Metal, in the generation before Ollama's flash-attention defaults (v0.11.8)
    assert engine_profile("Ollama 0.5.7", apple).id == "ollama-metal-2024"
    assert engine_profile("mlx-lm 0.21", apple).id == "mlx-lm"
    with pytest.raises(InvalidRequestError, match="not modelled on Apple"):
        engine_profile("vLLM 0.8.5", apple)


@pytest.mark.parametrize(
    ("engine", "gpu", "message"),
    [
        ("TensorRT-LLM 0.15.0", "mi300x", "does not run on AMD"),
        ("mlx-lm", "rtx-4090", "does not run on NVIDIA"),
        ("llama.cpp cuda", "mi300x", "does not run on AMD"),
        ("vllm", "gaudi2", "not modelled on Intel"),
        ("ExLlamaV2", "apple-m2-ultra-76c", "not modelled on Apple"),
        ("stable-fast", "rtx-4090", "image engine"),
    ],
)
def test_a_backend_the_model_does_not_know_is_an_error(engine: str, gpu: str, message: str) -> None:
    with pytest.raises(InvalidRequestError, match=message):
        engine_profile(engine, _gpu(gpu))


def test_llm_predictions_never_fall_back_to_cuda_on_other_vendors() -> None:
    from gpuatlas.performance.cases import Case, predict_case

    case = Case(
        gpu="mi300x",
        gpu_count=1,
        model="meta-llama/Llama-3.1-8B-Instruct",
        weights="fp16",
        engine="TensorRT-LLM 0.15.0",
        batch=1,
        input_tokens=128,
        output_tokens=128,
        metric="decode_tok_s",
    )
    with pytest.raises(InvalidRequestError, match="does not run on AMD"):
        predict_case(case)
    assert resolve_engine_on("vllm", _gpu("mi300x")).id == "vllm-rocm"


def test_backend_profiles_refine_their_base_engines_calibration() -> None:
    assert base_engine("vllm-rocm") == "vllm"
    assert base_engine("llama.cpp-metal") == "llama.cpp"
    keys = group_keys("decode", "llama.cpp-vulkan", "rdna3/gddr", "4bit")
    assert keys[0] == "decode|llama.cpp|*|*"
    assert keys[-1] == "decode|llama.cpp-vulkan|rdna3/gddr|4bit"


def test_backend_profiles_inherit_priors_and_name_their_own_source() -> None:
    profiles = {p.id: p for p in all_engines()}
    vulkan, cuda = profiles["llama.cpp-vulkan"], profiles["llama.cpp"]
    assert vulkan.engine == "llama.cpp" and vulkan.backends == ("vulkan",)
    assert vulkan.formats == cuda.formats and vulkan.eta_memory == cuda.eta_memory
    assert vulkan.source != cuda.source
    assert profiles["mlx-lm"].engine == "mlx-lm"


def test_every_profile_backend_is_a_known_backend() -> None:
    known = {b.id for b in all_backends()}
    for profile in all_engines():
        assert set(profile.backends) <= known, profile.id


def test_required_backends_exist_for_the_engines_people_use() -> None:
    offered = {(p.engine, b) for p in all_engines() for b in p.backends}
    for backend in ("cuda", "metal", "rocm", "vulkan", "sycl", "cpu"):
        assert ("llama.cpp", backend) in offered
    assert {("vllm", "rocm"), ("sglang", "rocm"), ("mlx-lm", "mlx")} <= offered
    assert {("ollama", "cuda"), ("ollama", "metal"), ("ollama", "rocm")} <= offered


def test_release_notes_come_from_the_data() -> None:
    assert any("V1" in note for note in release_notes("vllm", "0.8.5"))
    assert not release_notes("vllm", "0.6.3.post1")
    assert parse_engine_spec("vllm==0.6.3.post1") == EngineSpec("vllm", "0.6.3.post1")


def test_repeated_lookups_give_the_same_answer_and_the_same_error() -> None:
    mi300x = _gpu("mi300x")
    first = engine_profile("vLLM 0.8.5", mi300x)
    assert engine_profile("vLLM 0.8.5", mi300x) is first
    messages = []
    for _ in range(3):
        with pytest.raises(InvalidRequestError) as error:
            engine_profile("TensorRT-LLM 0.15.0", mi300x)
        messages.append(str(error.value))
    assert len(set(messages)) == 1 and "does not run on AMD" in messages[0]
    for _ in range(2):
        with pytest.raises(UnknownNameError, match="close matches"):
            parse_engine_spec("vlm 0.8.5")


@pytest.mark.parametrize(
    ("text", "profile"),
    [
        ("vllm rocm 0.6.1", "vllm-rocm-2024"),
        ("vllm rocm 0.9.1", "vllm-rocm"),
        ("vllm-rocm", "vllm-rocm"),
        ("vllm-eager 0.9.1", "vllm-eager"),
    ],
)
def test_a_version_after_a_backend_profile_name_picks_that_backends_generation(
    text: str, profile: str
) -> None:
    # 'vllm rocm 0.6.1' is vLLM 0.6.1 on ROCm, as 'vllm 0.6.1' on an MI300X is; a profile
    # that is itself a bounded generation (vllm-eager, --enforce-eager) stays as named
    gpu = gpu_by_id("mi300x") if "rocm" in text else gpu_by_id("h100-sxm")
    assert engine_profile(text, gpu).id == profile
