"""Engine versions as users write them are checked against the known releases
(performance/data/engine_releases.toml): a version that cannot exist is an error naming the
known range, a newer-than-known one is predicted with the newest profile and says so
(issue 10, item 7)."""

from __future__ import annotations

import pytest

from gpuatlas.app.economics_requests import CostRequest, auto_format_ids, run_cost
from gpuatlas.app.predict import PredictLlmRequest, predict_llm_document
from gpuatlas.catalog.models import resolve_model_reference
from gpuatlas.errors import InvalidRequestError
from gpuatlas.performance.api import inference_memory
from gpuatlas.performance.engine_profiles import all_engines
from gpuatlas.performance.engine_releases import (
    EngineRelease,
    _bound_problems,
    release_range,
    version_point,
)
from gpuatlas.performance.engine_specs import (
    _tables,
    engine_notes,
    engine_profile,
    parse_engine_spec,
)
from gpuatlas.performance.llm.fit_answer import answer_fit


@pytest.mark.parametrize(
    ("text", "engine", "version"),
    [
        ("vLLM 0.8.5", "vllm", "0.8.5"),
        ("vllm==0.6.3.post1", "vllm", "0.6.3.post1"),
        ("SGLang 0.4.6.post1", "sglang", "0.4.6.post1"),
        ("TensorRT-LLM 0.15.0", "tensorrt-llm", "0.15.0"),
        ("trtllm 1.0.0rc4", "tensorrt-llm", "1.0.0rc4"),
        ("llama.cpp build 57291f264", "llama.cpp", "57291f264"),
        ("llama.cpp build 3891", "llama.cpp", "b3891"),
        ("b4426", "llama.cpp", "b4426"),
        ("llama.cpp (commit 3f1ae2e)", "llama.cpp", "3f1ae2e"),
        ("Ollama 0.5.7", "ollama", "0.5.7"),
        ("ollama v0.6.2", "ollama", "0.6.2"),
        ("MLC LLM", "mlc-llm", None),
        ("mlc-llm 0.1.dev", "mlc-llm", "0.1.dev"),
        ("TGI 2.4.1", "tgi", "2.4.1"),
        ("text-generation-inference 3.0", "tgi", "3.0"),
        ("ExLlamaV2", "exllamav2", None),
        ("stable-fast", "stable-fast", None),
        ("Core ML", "coreml", None),
        ("mlx-lm 0.21", "mlx-lm", "0.21"),
        ("MLX-LM 0.20.4", "mlx-lm", "0.20.4"),
        ("mlx_lm.generate", "mlx-lm", None),
        ("TRTLLM v0.20.0rc0", "tensorrt-llm", "0.20.0rc0"),
        # llama-bench prints 'build: <commit> (<build number>)': the number places the build
        ("llama.cpp build: 086a63e3a (7340)", "llama.cpp", "b7340"),
        ("llama.cpp build e9fd8dc (7825)", "llama.cpp", "b7825"),
        ("llama.cpp b4426 57291f264", "llama.cpp", "b4426"),
        # a commit and its build number with a slash between (deepindeepsea/rtx5090-q36-bench)
        ("llama.cpp 86a9c79f8 / 10066", "llama.cpp", "b10066"),
        # the program named beside its engine
        ("llama.cpp (llama-server)", "llama.cpp", None),
        ("llama.cpp llama-bench b5000", "llama.cpp", "b5000"),
        ("mlx_lm.benchmark", "mlx-lm", None),
    ],
)
def test_engine_texts_users_write_parse(text: str, engine: str, version: str | None) -> None:
    spec = parse_engine_spec(text)
    assert (spec.engine, spec.version) == (engine, version)


def test_a_program_name_beside_the_engine_keeps_a_backend_it_names() -> None:
    assert parse_engine_spec("llama.cpp llama.cpp-hip").backend == "rocm"
    assert parse_engine_spec("llama.cpp (llama-server) vulkan b6000").backend == "vulkan"
    with pytest.raises(InvalidRequestError):
        parse_engine_spec("llama.cpp llama")  # not a name of it


def test_a_build_number_written_bare_chooses_the_llama_cpp_generation() -> None:
    assert engine_profile("llama.cpp build 3891").id == "llama.cpp-2024"
    assert engine_profile("llama.cpp build: 93bc3839 (3622)").id == "llama.cpp-2024"
    assert engine_profile("b4426").id == "llama.cpp-2025"


@pytest.mark.parametrize(
    ("text", "engine"),
    [
        ("vLLM 9.9", "vllm"),
        ("vllm 2.0.0", "vllm"),
        ("b99999", "llama.cpp"),
        ("SGLang 3.1", "sglang"),
        ("TGI 7.0", "tgi"),
    ],
)
def test_a_version_that_cannot_exist_is_an_error_naming_the_known_range(
    text: str, engine: str
) -> None:
    release = release_range(engine)
    assert release is not None
    with pytest.raises(InvalidRequestError) as caught:
        parse_engine_spec(text)
    message = str(caught.value)
    assert f"there is no {engine}" in message
    assert f"to {release.newest}" in message
    assert release.plausible_before in message


def test_a_version_before_the_first_release_is_an_error() -> None:
    with pytest.raises(
        InvalidRequestError, match=r"before the first tensorrt-llm release \(0\.5\.0\)"
    ):
        parse_engine_spec("TensorRT-LLM 0.4.0")


@pytest.mark.parametrize(
    ("text", "expected"),
    [("vLLM b4426", "not a vllm version"), ("llama.cpp 0.8.5", "not a llama.cpp version")],
)
def test_a_version_of_the_wrong_kind_is_an_error(text: str, expected: str) -> None:
    with pytest.raises(InvalidRequestError, match=expected):
        parse_engine_spec(text)


def test_a_plausible_newer_version_uses_the_newest_profile_and_says_so() -> None:
    release = release_range("vllm")
    assert release is not None
    major, minor, _ = version_point(release.newest)[1]  # type: ignore[index]
    newer = f"vLLM {major}.{minor + 1}.0"
    assert engine_profile(newer).id == "vllm"
    (note,) = engine_notes(newer)
    assert f"newest vllm release known ({release.newest}" in note
    assert "predicted with vllm's newest profile" in note


def test_known_versions_need_no_note() -> None:
    for text in ("vLLM 0.8.5", "b4426", "TensorRT-LLM 0.15.0", "Ollama 0.5.7", "vllm"):
        assert engine_notes(text) == ()


def test_a_commit_is_predicted_with_the_newest_profile_and_says_so() -> None:
    (note,) = engine_notes("llama.cpp (commit 3f1ae2e)")
    assert "names no release" in note
    assert engine_profile("llama.cpp (commit 3f1ae2e)").id == "llama.cpp"


def test_lm_studio_runs_llama_cpp_and_its_version_chooses_no_generation() -> None:
    spec = parse_engine_spec("LM Studio 0.3.5")
    assert (spec.engine, spec.version, spec.frontend) == ("llama.cpp", None, "LM Studio 0.3.5")
    assert engine_profile(spec).id == "llama.cpp"
    (note,) = engine_notes("LM Studio 0.3.5")
    assert note.startswith("LM Studio 0.3.5 runs llama.cpp")


def test_nvidia_nim_runs_its_optimized_profiles_engine_tensorrt_llm() -> None:
    spec = parse_engine_spec("NVIDIA NIM 1.8.0")
    assert (spec.engine, spec.version, spec.frontend) == ("tensorrt-llm", None, "NVIDIA NIM 1.8.0")
    (note,) = engine_notes("NVIDIA NIM 1.8.0")
    assert note.startswith("NVIDIA NIM 1.8.0 runs tensorrt-llm")


def test_an_applications_own_words_after_its_name_stay_its_label() -> None:
    spec = parse_engine_spec("ipex-llm Ollama 0.9.3 (ollama-ipex-llm-2.3.0b20250725)")
    assert (spec.engine, spec.version) == ("llama.cpp", None)
    assert spec.frontend is not None and spec.frontend.startswith("IPEX-LLM (Intel)")
    with pytest.raises(InvalidRequestError):
        parse_engine_spec("vLLM banana")


def test_every_release_range_names_a_known_engine() -> None:
    engines = {p.engine for p in all_engines()} | {r.id for r in _tables().names}
    for engine in ("vllm", "sglang", "tensorrt-llm", "llama.cpp", "ollama", "tgi", "mlc-llm"):
        release = release_range(engine)
        assert release is not None and release.engine in engines


def test_release_bounds_out_of_order_or_of_the_wrong_scheme_are_data_errors() -> None:
    fields = {"source": "test", "as_of": "2026-12-02", "scheme": "semver"}
    reversed_bounds = EngineRelease(
        engine="x", first="1.0", newest="0.5", plausible_before="2.0", **fields
    )
    assert any("must hold" in p for p in _bound_problems(reversed_bounds))
    wrong_scheme = EngineRelease(engine="x", newest="b100", plausible_before="2.0", **fields)
    assert any("field newest" in p for p in _bound_problems(wrong_scheme))


def test_the_predict_answer_carries_the_engine_note() -> None:
    request = PredictLlmRequest(system="rtx-4090", model="llama-3.1-8b", engine="vLLM 1.0.0")
    document = predict_llm_document(request)
    assert "newer than the newest vllm release known" in document["engine_note"]
    assert document["engine"] == "vllm"
    plain = predict_llm_document(
        PredictLlmRequest(system="rtx-4090", model="llama-3.1-8b", engine="vLLM 0.8.5")
    )
    assert "engine_note" not in plain


def test_fit_and_memory_read_engine_texts_with_versions() -> None:
    reference = resolve_model_reference("llama-3.1-8b", allow_hub=False)
    answer = answer_fit("rtx-4090", reference, ["bf16"], engine="vLLM 0.8.5")
    assert answer.engine == "vllm-pre-hybrid-kv" and answer.engine_notes == ()
    lm_studio = answer_fit("rtx-4090", reference, ["q4_k_m"], engine="LM Studio 0.3.5")
    assert lm_studio.engine == "llama.cpp"
    assert lm_studio.engine_notes[0].startswith("LM Studio 0.3.5 runs llama.cpp")
    with pytest.raises(InvalidRequestError, match="there is no vllm 9.9"):
        answer_fit("rtx-4090", reference, ["bf16"], engine="vLLM 9.9")
    fit = inference_memory("h100-sxm", "llama-3.1-8b", "bf16", context_tokens=4096, engine="b4426")
    assert fit.fits


def test_cost_and_plan_read_engine_texts_with_versions() -> None:
    with pytest.raises(InvalidRequestError, match="there is no vllm 9.9"):
        run_cost(CostRequest(systems=("rtx-4090",), model="llama-3.1-8b", engine="vLLM 9.9"))
    assert "bf16" in auto_format_ids("llama-3.1-8b", "vLLM 0.8.5")
