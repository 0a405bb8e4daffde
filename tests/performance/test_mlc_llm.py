"""MLC LLM as an engine users name (issue 10, item 7): its profile, its q4f16_1 format and its
measured rows (mlc-ai/llm-perf-bench README; measurements/llm_perf_bench_mlc_engine.csv)."""

from __future__ import annotations

import pytest

from gpuatlas.calibration.fitting import observe, predicted_value
from gpuatlas.catalog.formats import resolve_format
from gpuatlas.catalog.gpus import gpu_by_id
from gpuatlas.catalog.measurements import load_measurements
from gpuatlas.catalog.models import resolve_llm
from gpuatlas.errors import InvalidRequestError
from gpuatlas.performance import api
from gpuatlas.performance.engine_profiles import require_format, resolve_engine
from gpuatlas.performance.engine_specs import engine_profile
from gpuatlas.performance.llm.shape import llm_shape


@pytest.mark.parametrize("text", ["MLC LLM", "mlc-llm 0.1.dev", "mlc_llm", "mlc-llm 0.19.0"])
def test_mlc_llm_as_users_write_it_has_a_profile(text: str) -> None:
    assert engine_profile(text, gpu_by_id("rtx-4090")).id == "mlc-llm"


def test_mlc_llm_runs_on_amd_and_apple_too() -> None:
    assert engine_profile("MLC LLM", gpu_by_id("rx-7900-xtx")).id == "mlc-llm"
    assert engine_profile("MLC LLM", gpu_by_id("apple-m2-ultra-76c")).id == "mlc-llm"


def test_q4f16_1_is_4_bit_groups_of_32_with_an_fp16_scale() -> None:
    q4f16_1 = resolve_format("q4f16_1")
    assert q4f16_1.bits_per_weight == pytest.approx(4 + 16 / 32)
    assert q4f16_1.group_size == 32
    assert q4f16_1.weight_only and q4f16_1.compute_precision == "fp16"
    assert resolve_format("q0f16").id == "fp16"
    assert resolve_format("q0bf16").id == "bf16"


def test_q4f16_1_is_mlc_llm_s_format_only() -> None:
    require_format(resolve_engine("mlc-llm"), "q4f16_1")
    with pytest.raises(InvalidRequestError):
        require_format(resolve_engine("vllm"), "q4f16_1")


def test_llama_2_7b_q4f16_1_on_an_rtx_4090_is_near_the_measured_rate() -> None:
    # llm-perf-bench README @d401356: 204.8 tok/s decode, batch 1, 256 tokens
    prediction = api.predict_llm(
        "rtx-4090",
        "meta-llama/Llama-2-7b-chat-hf",
        "q4f16_1",
        "MLC LLM",
        batch=1,
        input_tokens=7,
        output_tokens=256,
    )
    assert prediction.engine == "mlc-llm"
    assert prediction.decode_tok_s.value == pytest.approx(204.8, rel=0.2)


def test_every_measured_mlc_row_is_predicted() -> None:
    rows = [r for r in load_measurements() if r.engine == "mlc-llm"]
    assert len(rows) == 25  # 23 of llm-perf-bench, 2 of LMDeploy's w4a16 comparison
    for row in rows:
        observation = observe(row)
        assert observation is not None, row
        predicted = predicted_value(observation)
        assert predicted is not None and predicted > 0, row


def test_an_image_engine_named_for_an_llm_says_so_in_plain_words() -> None:
    with pytest.raises(InvalidRequestError, match="stable-fast is an image engine"):
        engine_profile("stable-fast")


def test_q4f16_1_stores_the_embeddings_and_output_layer_in_4_bits_too() -> None:
    model = resolve_llm("meta-llama/Llama-2-7b-chat-hf")
    q4f16_1 = llm_shape(model, resolve_format("q4f16_1"))
    awq = llm_shape(model, resolve_format("awq-int4"))
    norms_bytes = 2.0 * model.parameter_breakdown()["norms"]
    expected = (model.total_params() - model.parameter_breakdown()["norms"]) * 4.5 / 8
    assert q4f16_1.total_weight_bytes == pytest.approx(expected + norms_bytes, rel=1e-6)
    assert awq.embedding_bytes == pytest.approx(2.0 * model.embedding_params(), rel=1e-6)
