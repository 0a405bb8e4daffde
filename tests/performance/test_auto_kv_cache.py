"""KV precision of an unstated ('auto') KV cache: the engine's reading of the checkpoint."""

from gpuatlas.calibration.fitting import case_from_row
from gpuatlas.catalog.measurements import MeasuredRow
from gpuatlas.performance.engine_profiles import auto_kv_cache, resolve_engine


def test_tensorrt_llm_takes_fp8_kv_from_modelopt_fp8_and_nvfp4_checkpoints() -> None:
    # ModelOpt checkpoints (nvidia/*-FP8, nvidia/*-FP4) set kv_cache_quant_algo FP8
    assert auto_kv_cache("tensorrt-llm", "fp8") == "fp8"
    assert auto_kv_cache("TensorRT-LLM", "NVFP4") == "fp8"
    assert auto_kv_cache("tensorrt-llm", "bf16") == "fp16"


def test_other_engines_keep_16_bit_kv_when_unstated() -> None:
    assert auto_kv_cache("vllm", "fp8") == "fp16"
    assert auto_kv_cache("llama.cpp", "q4_k_m") == "fp16"
    assert auto_kv_cache("no-such-engine", "fp8") == "fp16"


def test_engine_offering_quantized_kv_lists_it_among_its_kv_caches() -> None:
    profile = resolve_engine("tensorrt-llm")
    assert profile.quantized_kv_cache in profile.kv_cache


def _row(kv_cache: str | None) -> MeasuredRow:
    return MeasuredRow(
        gpu="h100-sxm",
        gpu_count=1,
        engine="tensorrt-llm",
        engine_version="1.0",
        model="meta-llama/Llama-3.1-8B-Instruct",
        weights="fp8",
        kv_cache=kv_cache,
        batch="max",
        input_tokens=128,
        output_tokens=128,
        resolution=None,
        steps=None,
        metric="serving_output_tok_s",
        value=1.0,
        unit="tok/s",
        source="test",
        source_date="2025-09",
        notes="",
        file="test.csv",
        line=2,
    )


def test_measured_row_without_kv_column_gets_the_engine_default() -> None:
    assert case_from_row(_row(None)).kv_cache == "fp8"
    assert case_from_row(_row("auto")).kv_cache == "fp8"
    assert case_from_row(_row("f16")).kv_cache == "fp16"
    assert case_from_row(_row("fp16")).kv_cache == "fp16"


def test_a_case_with_auto_kv_predicts_like_its_engine_default() -> None:
    from dataclasses import replace

    from gpuatlas.performance.cases import Case, predict_case

    case = Case(
        gpu="h100-sxm",
        gpu_count=1,
        model="meta-llama/Llama-3.1-8B-Instruct",
        weights="fp8",
        engine="tensorrt-llm",
        batch="max",
        input_tokens=1000,
        output_tokens=1000,
        metric="serving_output_tok_s",
        kv_cache="auto",
    )
    auto = predict_case(case).value
    assert auto == predict_case(replace(case, kv_cache="fp8")).value
    assert auto > predict_case(replace(case, kv_cache="fp16")).value  # twice the sequences fit
