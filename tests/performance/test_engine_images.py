"""Engines named by the container image users run them from: the repository names the engine
(and a vendor build's backend: engines.toml [[image]]), the tag its release, the backend it
was built for and the month of a dated build, which places it among the engine's generations."""

from __future__ import annotations

import pytest

from gpuatlas.errors import InvalidRequestError, UnknownNameError
from gpuatlas.performance.engine_images import image_reference
from gpuatlas.performance.engine_specs import engine_notes, engine_profile, parse_engine_spec
from gpuatlas.performance.resolve import as_system

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("text", "engine", "version", "backend", "month"),
    [
        ("vllm/vllm-openai:v0.8.5", "vllm", "0.8.5", None, None),
        ("docker.io/vllm/vllm-openai:latest", "vllm", None, None, None),
        ("rocm/vllm:rocm6.4.1_vllm_0.10.1_20250909", "vllm", "0.10.1", "rocm", "2025-09"),
        ("rocm/vllm:rocm6.3.1_instinct_vllm0.8.3_20250415", "vllm", "0.8.3", "rocm", "2025-04"),
        ("rocm/vllm-dev:20241121-tuned", "vllm", None, "rocm", "2024-11"),
        ("rocm/vllm-dev:nightly_main_20250401", "vllm", None, "rocm", "2025-04"),
        ("lmsysorg/sglang:v0.4.6.post1-rocm630", "sglang", "0.4.6.post1", "rocm", None),
        (
            "rocm/sgl-dev:v0.5.13.post1-ubuntu24.04-py3.14-rocm7.14",
            "sglang",
            "0.5.13.post1",
            "rocm",
            None,
        ),
        ("ghcr.io/ggml-org/llama.cpp:server-cuda-b5627", "llama.cpp", "b5627", "cuda", None),
        ("ghcr.io/ggerganov/llama.cpp:server-vulkan", "llama.cpp", None, "vulkan", None),
        ("ollama/ollama:0.5.7-rocm", "ollama", "0.5.7", "rocm", None),
        ("nvcr.io/nvidia/tensorrt-llm/release:1.0.0rc3", "tensorrt-llm", "1.0.0rc3", None, None),
        ("openmmlab/lmdeploy:v0.6.0-cu12", "lmdeploy", "0.6.0", "cuda", None),
        # the engine's name beside its image, and a bracket of the writer's own words
        ("vllm rocm/vllm-dev:20241121-tuned (AMD dev docker)", "vllm", None, "rocm", "2024-11"),
        # the image in a bracket after the engine's name, as run logs and READMEs write it
        (
            "llama.cpp (ghcr.io/ggml-org/llama.cpp:server-cuda-b5627)",
            "llama.cpp",
            "b5627",
            "cuda",
            None,
        ),
        ("vLLM [vllm/vllm-openai:v0.8.5]", "vllm", "0.8.5", None, None),
        (
            "SGLang (lmsysorg/sglang:v0.4.6.post1-rocm630, 8 GPUs)",
            "sglang",
            "0.4.6.post1",
            "rocm",
            None,
        ),
    ],
)
def test_an_image_reads_as_its_engine_release_backend_and_month(
    text: str, engine: str, version: str | None, backend: str | None, month: str | None
) -> None:
    spec = parse_engine_spec(text)
    assert (spec.engine, spec.version, spec.backend, spec.month) == (
        engine,
        version,
        backend,
        month,
    )


def test_a_dated_build_takes_the_generation_of_its_month() -> None:
    """AMD's vLLM dev image of 2024-11 is a 2024 ROCm build (vllm-rocm-2024: before 2025-01);
    one of 2025-04 is a 2025 build before the hybrid KV cache manager; a release in the tag
    outranks the date (0.10.1 of 2025-09 is the current ROCm profile)."""
    mi300x = as_system("mi300x").gpu
    assert engine_profile("rocm/vllm-dev:20241121-tuned", mi300x).id == "vllm-rocm-2024"
    assert engine_profile("rocm/vllm-dev:nightly_main_20250401", mi300x).id == (
        "vllm-rocm-pre-hybrid-kv"
    )
    assert engine_profile("rocm/vllm:rocm6.4.1_vllm_0.10.1_20250909", mi300x).id == "vllm-rocm"


def test_the_release_in_a_tag_picks_the_generation_as_written_out_would() -> None:
    h100 = as_system("h100-sxm").gpu
    for version in ("0.2.0", "0.8.5", "0.11.0"):
        assert (
            engine_profile(f"vllm/vllm-openai:v{version}", h100).id
            == engine_profile(f"vllm {version}", h100).id
        )


def test_the_answer_says_how_the_image_was_read() -> None:
    (note,) = engine_notes("rocm/vllm-dev:20241121-tuned")
    assert "rocm/vllm-dev:20241121-tuned read as vllm on rocm, a build of 2024-11" in note
    (latest,) = engine_notes("vllm/vllm-openai:latest")
    assert "names no release" in latest
    assert engine_notes("vllm 0.8.5") == ()


def test_an_unknown_image_names_the_close_ones_and_every_known_one() -> None:
    with pytest.raises(UnknownNameError) as raised:
        parse_engine_spec("vllm/vllm-openia:latest")
    assert raised.value.kind == "engine image"
    assert raised.value.candidates[0] == "vllm/vllm-openai"
    assert "lmsysorg/sglang" in str(raised.value)


def test_an_impossible_release_in_a_tag_is_refused_as_written_out_would_be() -> None:
    with pytest.raises(InvalidRequestError, match="there is no vllm 9.9.9"):
        parse_engine_spec("vllm/vllm-openai:v9.9.9")


def test_an_image_of_another_engine_beside_a_name_is_not_read() -> None:
    with pytest.raises(InvalidRequestError, match="cannot read 'vllm/vllm'"):
        parse_engine_spec("sglang vllm/vllm-openai:v0.8.5")


def test_an_image_of_another_engine_in_a_bracket_is_not_read() -> None:
    """'SGLang (vllm/vllm-openai:v0.8.5)' names two engines: the text is refused, not guessed."""
    with pytest.raises(InvalidRequestError, match="cannot read 'vllm/vllm'"):
        parse_engine_spec("sglang (vllm/vllm-openai:v0.8.5)")


@pytest.mark.parametrize(
    ("version", "profile"),
    [
        ("rocm/vllm-dev:20241121-tuned", "vllm-rocm-2024"),
        ("build of Nov 2024 (rocm/vllm-dev:20241121-tuned)", "vllm-rocm-2024"),
        ("rocm/vllm-dev:nightly_main_20250401", "vllm-rocm-pre-hybrid-kv"),
        ("rocm/vllm:rocm6.4.1_vllm_0.10.1_20250909", "vllm-rocm"),
    ],
)
def test_a_data_rows_version_written_as_the_image_picks_the_images_generation(
    version: str, profile: str
) -> None:
    """A measured row states its engine in one column and the image in engine_version; the
    image's release or build month, not the source's date (2026-01), picks the generation."""
    mi300x = as_system("mi300x").gpu
    assert engine_profile("vllm", mi300x, version, "2026-01-15").id == profile


def test_a_version_naming_another_engines_image_is_not_read_as_it() -> None:
    h100 = as_system("h100-sxm").gpu
    written = engine_profile("sglang", h100, "vllm/vllm-openai:v0.2.0", "2026-01-15")
    assert written.id == engine_profile("sglang", h100, None, "2026-01-15").id


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("vllm/vllm-openai:v0.8.5", ("vllm/vllm-openai", "v0.8.5")),
        ("docker.io/library/foo/bar", ("foo/bar", "")),
        (
            "nvcr.io/nvidia/tensorrt-llm/release:1.0.0",
            ("nvcr.io/nvidia/tensorrt-llm/release", "1.0.0"),
        ),
        ("vllm:0.8.5", None),  # no namespace: an engine name and a version
        ("vllm 0.8.5", None),
    ],
)
def test_image_references(word: str, expected: tuple[str, str] | None) -> None:
    assert image_reference(word) == expected


@pytest.mark.parametrize(
    ("text", "engine", "version", "backend"),
    [
        # AMD's ROCm release images hold several engines' builds; the tag names which
        (
            "rocm/7.0:rocm7.0_ubuntu_22.04_vllm_0.10.1_instinct_20250927_rc1",
            "vllm",
            "0.10.1",
            "rocm",
        ),
        (
            "rocm/7.0-preview:rocm7.0_preview_ubuntu_22.04_vllm_0.10.0_instinct_beta",
            "vllm",
            "0.10.0",
            "rocm",
        ),
        ("acme/serving:vllm0.8.3-cu124", "vllm", "0.8.3", "cuda"),
        # vLLM's own ROCm image
        ("vllm/vllm-openai-rocm:v0.14.1", "vllm", "0.14.1", "rocm"),
    ],
)
def test_an_unlisted_image_whose_tag_names_an_engine_and_release_is_read(
    text: str, engine: str, version: str, backend: str
) -> None:
    spec = parse_engine_spec(text)
    assert (spec.engine, spec.version, spec.backend) == (engine, version, backend)


def test_an_unlisted_image_says_it_was_read_by_its_tag_and_places_its_generation() -> None:
    text = "rocm/7.0:rocm7.0_ubuntu_22.04_vllm_0.10.1_instinct_20250927_rc1"
    (note,) = engine_notes(text)
    assert "read as vllm 0.10.1 on rocm" in note and "its tag names the engine" in note
    mi355x = as_system("mi355x").gpu
    assert engine_profile(text, mi355x).id == engine_profile("vllm 0.10.1 rocm", mi355x).id


@pytest.mark.parametrize(
    "text",
    [
        "acme/serving:latest",  # no engine in the tag
        "acme/serving:vllm-nightly",  # an engine, no release after it
        "acme/serving:vllm-0.9.1-sglang-0.4.6",  # two engines: not guessed
    ],
)
def test_an_unlisted_image_without_one_engine_and_release_stays_unknown(text: str) -> None:
    with pytest.raises(UnknownNameError) as raised:
        parse_engine_spec(text)
    assert raised.value.kind == "engine image"
    assert "its tag names the engine and its release" in str(raised.value)


@pytest.mark.parametrize(
    "text",
    [
        "rocm/pytorch:rocm6.1_ubuntu22.04_py3.10_pytorch_2.1.2",  # PyTorch 2.1.2, no engine
        "myorg/app:torch-2.4.0-cu124",
        "myorg/img:mlx-0.20",  # the MLX array library, not mlx-lm
    ],
)
def test_a_framework_version_in_an_unlisted_tag_is_not_read_as_an_engine(text: str) -> None:
    with pytest.raises(UnknownNameError):
        parse_engine_spec(text)


def test_a_request_takes_an_engine_written_as_a_long_image_reference() -> None:
    """AMD's release images run to 63 characters; the request fields took 40."""
    from gpuatlas.app.fit import FitRequest
    from gpuatlas.app.requests import ServedModelRequest

    image = "rocm/7.0:rocm7.0_ubuntu_22.04_vllm_0.10.1_instinct_20250927_rc1"
    for request in (FitRequest, ServedModelRequest):
        assert request(system="8x mi355x", model="deepseek-r1", engine=image).engine == image
