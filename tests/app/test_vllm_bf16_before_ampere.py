"""vLLM refuses bf16 below compute capability 8.0 ('Bfloat16 is only supported on GPUs with
compute capability of at least 8.0 ... --dtype=half', its worker's dtype check): a bf16
prediction there says so and is computed in fp16, the dtype that runs."""

from __future__ import annotations

import pytest

from gpuatlas.app.predict import PredictLlmRequest, predict_llm_document
from gpuatlas.catalog.model_names import resolve_model_reference
from gpuatlas.performance.engine_specs import dtype_notes, resolve_engine_on
from gpuatlas.performance.llm.fit_answer import answer_fit
from gpuatlas.performance.resolve import as_system


def _predicted(system: str, weights: str, engine: str = "vllm") -> dict[str, object]:
    request = {"system": system, "model": "llama-3.2-1b", "weights": weights, "engine": engine}
    return predict_llm_document(PredictLlmRequest.model_validate(request))


@pytest.mark.parametrize(("system", "capability"), [("v100-32gb-sxm2", "7.0"), ("t4", "7.5")])
def test_bf16_on_vllm_before_ampere_says_it_runs_as_fp16(system: str, capability: str) -> None:
    note = str(_predicted(system, "bf16")["engine_note"])
    assert "refuses bf16" in note and f"compute capability {capability}" in note
    assert "--dtype half" in note and "8.0" in note


def test_bf16_before_ampere_is_predicted_as_fp16_runs() -> None:
    bf16, fp16 = _predicted("t4", "bf16"), _predicted("t4", "fp16")
    assert bf16["decode_tok_s"] == fp16["decode_tok_s"]
    assert bf16["prefill_tok_s"] == fp16["prefill_tok_s"]


@pytest.mark.parametrize(
    ("system", "weights", "engine"),
    [("a100-80gb-sxm", "bf16", "vllm"), ("t4", "fp16", "vllm"), ("t4", "bf16", "llama.cpp")],
)
def test_no_note_where_the_dtype_runs(system: str, weights: str, engine: str) -> None:
    gpu = as_system(system).gpu
    assert dtype_notes(resolve_engine_on(engine, gpu), gpu, weights) == ()


# NVIDIA T4 datasheet: 8.1 TFLOPS FP32, 65 TFLOPS FP16 tensor; no bf16 tensor cores (Turing).
T4_FP32_TFLOPS = 8.1
T4_FP16_TENSOR_TFLOPS = 65.0


def test_transformers_runs_bf16_before_ampere_in_fp32_math() -> None:
    bf16 = _predicted("t4", "bf16", "transformers")
    fp16 = _predicted("t4", "fp16", "transformers")
    note = str(bf16["engine_note"])
    assert "compute in fp32" in note and "8.1 TFLOPS" in note and "torch.float16" in note
    prefill_ratio = _value(fp16, "prefill_tok_s") / _value(bf16, "prefill_tok_s")
    # prompt GEMMs at the FP32 rate instead of the fp16 tensor rate: at most 65 / 8.1 slower
    assert 2.0 < prefill_ratio <= T4_FP16_TENSOR_TFLOPS / T4_FP32_TFLOPS + 1e-6
    # batch-1 decode reads the same 2-byte weights: memory-bound either way
    assert _value(bf16, "decode_tok_s") == pytest.approx(_value(fp16, "decode_tok_s"), rel=0.05)


def _value(document: dict[str, object], key: str) -> float:
    figure = document[key]
    assert isinstance(figure, dict)
    return float(figure["value"])


def test_fit_says_what_each_engine_does_with_bf16_before_ampere() -> None:
    reference = resolve_model_reference("llama-3.2-1b")
    vllm = answer_fit("t4", reference, ["bf16"], engine="vllm")
    assert any("refuses bf16" in note for note in vllm.engine_notes)
    assert vllm.rows[0].compute_precision == "fp16"
    transformers = answer_fit("t4", reference, ["bf16"], engine="transformers")
    assert any("compute in fp32" in note for note in transformers.engine_notes)
    assert transformers.rows[0].compute_precision == "fp32"
