"""Run by llama.cpp (llama-server, llama-bench, llama-cli), a model named without a format is
the GGUF build llama.cpp itself fetches when no quant type is named, Q4_K_M (`-hf
<user>/<model>[:quant]`: "quant is optional ... default to Q4_K_M", ggml-org/llama.cpp
common/arg.cpp), not the Hub's 16-bit files: llama.cpp users run GGUF quantisations. A checkpoint
published in a type GGUF keeps as it is (gpt-oss: MXFP4 experts) stays in it, and a format the
user names wins. fit, predict, cost, plan, compare and `predict --cases` all assume it."""

from __future__ import annotations

import pytest

from gpuatlas.app.economics_requests import CostRequest, with_native_weights
from gpuatlas.app.predict import PredictLlmRequest, predict_llm_document
from gpuatlas.app.predict_cases import predict_cases_document
from gpuatlas.calibration.case_files import case_from_fields, predict_fields
from gpuatlas.catalog.model_names import resolve_model_reference
from gpuatlas.catalog.model_weights import choose_weights, native_weights, runs_llama_cpp
from gpuatlas.performance.engine_profiles import all_engines
from gpuatlas.performance.engine_specs import parse_engine_spec
from gpuatlas.performance.llm.fit_answer import OffloadRequest, answer_fit
from gpuatlas.report.context import ReportOptions
from gpuatlas.report.focus import weights_choice

pytestmark = pytest.mark.unit

LLAMA_CPP_TEXTS = ["llama.cpp", "llama-server", "llama-bench", "llama.cpp b6000", "b4426"]


@pytest.mark.parametrize("engine", [*LLAMA_CPP_TEXTS, "llama.cpp-vulkan", "llama.cpp metal"])
def test_llama_cpp_runs_its_default_gguf_build_of_a_16_bit_checkpoint(engine: str) -> None:
    choice = native_weights(resolve_model_reference("llama-3.1-8b"), engine)
    assert choice.format_id == "q4_k_m"
    assert "Q4_K_M" in choice.reason and "llama.cpp" in choice.reason
    assert choice.engine == "llama.cpp"


def test_a_checkpoint_published_in_mxfp4_keeps_its_format_on_llama_cpp() -> None:
    # ggml has an MXFP4 tensor type: gpt-oss GGUFs keep the experts as published
    assert native_weights(resolve_model_reference("gpt-oss-20b"), "llama-server").format_id == (
        "mxfp4"
    )


def test_a_format_the_user_names_wins_over_the_llama_cpp_default() -> None:
    reference = resolve_model_reference("llama-3.1-8b")
    assert choose_weights("q8_0", reference, "llama.cpp").format_id == "q8_0"
    assert choose_weights("bf16", reference, "llama.cpp").format_id == "bf16"


def test_the_name_check_agrees_with_the_engine_parser_on_every_profile_name() -> None:
    for profile in all_engines():
        for name in (profile.id, *profile.names):
            assert runs_llama_cpp(name) == (parse_engine_spec(name).engine == "llama.cpp"), name
    for text in ("ollama", "ollama-metal", "vllm", "auto", "", "mlx-lm", "LM Studio"):
        assert not runs_llama_cpp(text)


def test_predict_llm_with_llama_cpp_says_the_format_assumed() -> None:
    document = predict_llm_document(
        PredictLlmRequest.model_validate(
            {"system": "rtx-4090", "model": "llama-3.1-8b", "engine": "llama.cpp"}
        )
    )
    assert document["weights_assumed"]["format"] == "q4_k_m"
    assert "Q4_K_M" in document["weights_assumed"]["reason"]


def test_fit_with_llama_cpp_sizes_the_q4_k_m_build() -> None:
    answer = answer_fit("rtx-4090", resolve_model_reference("llama-3.1-8b"), [], engine="llama.cpp")
    # 8.03B parameters at Q4_K_M's ~4.9 bits per weight: about 4.9 GB, not bf16's 16.1 GB
    assert 4.3 < answer.detail.per_gpu.weights_gb < 5.5


@pytest.mark.parametrize(
    ("system", "model"),
    [("gtx-1080", "llama-3.1-8b"), ("m4 max", "qwen3-30b-a3b"), ("m2 ultra", "llama-3.3-70b")],
)
def test_fit_where_auto_picks_llama_cpp_sizes_the_build_predict_runs(
    system: str, model: str
) -> None:
    # `auto` runs llama.cpp on a Pascal card (no vLLM below compute capability 7.0) and on a
    # Mac: `fit` said "with llama.cpp, weights: bf16" (15.0 GiB for Llama 3.1 8B: "does not fit
    # a GTX 1080, needs 3 GPUs") while `predict llm` on the same GPU ran the Q4_K_M build
    # whole on it
    answer = answer_fit(system, resolve_model_reference(model), [])
    predicted = predict_llm_document(
        PredictLlmRequest.model_validate({"system": system, "model": model})
    )
    assert answer.native.format_id == predicted["weights_assumed"]["format"] == "q4_k_m"
    assert answer.weights.format_id == "q4_k_m"
    assert "run by llama.cpp" in answer.weights.reason
    assert answer.detail.fits


def test_fit_with_offload_on_auto_sizes_the_q4_k_m_build() -> None:
    # --gpu-layers makes `auto` a llama.cpp run: a 70B split between a 24 GB card and the CPU
    # is its Q4_K_M build (~40 GiB), not 131 GiB of bf16
    answer = answer_fit(
        "rtx-4090",
        resolve_model_reference("llama-3.1-70b"),
        [],
        offload=OffloadRequest(gpu_layers=40),
    )
    assert answer.weights.format_id == "q4_k_m"
    assert 37.0 < answer.detail.per_gpu.weights_gb < 44.0


def test_cost_and_compare_assume_the_q4_k_m_build_on_llama_cpp() -> None:
    request = CostRequest(("rtx-4090",), model="llama-3.1-8b", weights="auto", engine="llama.cpp")
    assert with_native_weights(request).weights == "q4_k_m"
    assert with_native_weights(CostRequest(("rtx-4090",), "llama-3.1-8b", "auto")).weights == (
        "bf16"
    )  # engine auto on an NVIDIA GPU: vLLM serves the checkpoint's own format
    options = ReportOptions(model="llama-3.1-8b", engine="llama-server")
    assert weights_choice(options).format_id == "q4_k_m"


def _row(weights: str, engine: str) -> dict[str, str]:
    return {
        "gpu": "rtx-4090",
        "gpu_count": "1",
        "model": "llama-3.1-8b",
        "weights": weights,
        "engine": engine,
        "batch": "1",
        "input_tokens": "512",
        "output_tokens": "128",
        "metric": "decode_tok_s",
    }


@pytest.mark.parametrize("engine", ["llama.cpp", "llama-server", "ollama"])
def test_a_cases_row_without_weights_on_a_gguf_engine_predicts_the_q4_k_m_build(
    engine: str,
) -> None:
    assert case_from_fields(_row("", engine)).weights == "q4_k_m"
    unstated = float(predict_fields(_row("", engine))["value"])
    assert unstated == float(predict_fields(_row("q4_k_m", engine))["value"])
    # a memory-bound step reads ~4.9 of 16 bits per weight: over 2.5x bf16's decode rate
    assert unstated > 2.5 * float(predict_fields(_row("bf16", engine))["value"])


def test_a_cases_row_without_weights_on_vllm_keeps_fp16() -> None:
    assert case_from_fields(_row("", "vllm")).weights == "fp16"


def test_predict_cases_json_says_which_build_an_empty_weights_cell_was_read_as() -> None:
    header = list(_row("", "llama.cpp"))
    rows = [
        list(_row("", "llama.cpp").values()),
        list(_row("", "vllm").values()),  # vLLM keeps the checkpoint's format: no entry
        list(_row("q8_0", "llama.cpp").values()),  # stated: no entry
    ]
    document = predict_cases_document("cases.csv", header, rows, [("1", "1", "1", "")] * 3)
    (assumed,) = document["weights_assumed"]
    assert assumed["model"] == "llama-3.1-8b" and assumed["engine"] == "llama.cpp"
    assert assumed["weights"] == "q4_k_m" and "Q4_K_M" in assumed["reason"]
