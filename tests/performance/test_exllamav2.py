"""ExLlamaV2 as users name it (issue 10, item 7): a profile calibrated from its measured rows
(mlc-ai/llm-perf-bench README; measurements/llm_perf_bench_exllamav2.csv)."""

from __future__ import annotations

import pytest

from gpuatlas.catalog.gpus import gpu_by_id
from gpuatlas.catalog.measurements import load_measurements
from gpuatlas.errors import InvalidRequestError
from gpuatlas.performance import api
from gpuatlas.performance.engine_specs import engine_profile


@pytest.mark.parametrize("text", ["ExLlamaV2", "exllamav2 0.2.7", "exl2", "exllama v2"])
def test_exllamav2_as_users_write_it_has_a_profile(text: str) -> None:
    profile = engine_profile(text, gpu_by_id("rtx-4090"))
    assert profile.id == "exllamav2"
    assert profile.multi_gpu == "layer-split"  # gpu_split: consecutive layers per GPU


def test_exllamav2_runs_on_cuda_and_rocm_only() -> None:
    assert engine_profile("ExLlamaV2", gpu_by_id("rx-7900-xtx")).id == "exllamav2"
    with pytest.raises(InvalidRequestError, match="not modelled on Apple"):
        engine_profile("ExLlamaV2", gpu_by_id("apple-m2-ultra-76c"))


def test_llama_2_7b_gptq_on_an_rtx_4090_is_near_the_measured_rate() -> None:
    # llm-perf-bench README @d401356: 177.46 tok/s (ExLlamaV2 9d6fdb9, batch 1, 256 tokens)
    prediction = api.predict_llm(
        "rtx-4090",
        "TheBloke/Llama-2-7B-GPTQ",
        "gptq-int4",
        "ExLlamaV2",
        batch=1,
        input_tokens=7,
        output_tokens=256,
    )
    assert prediction.decode_tok_s.value == pytest.approx(177.46, rel=0.2)


def test_exllamav2_loads_gptq_not_16_bit_weights() -> None:
    with pytest.raises(InvalidRequestError, match="does not load bf16"):
        api.predict_llm(
            "rtx-4090",
            "llama-3.1-8b",
            "bf16",
            "ExLlamaV2",
            batch=1,
            input_tokens=7,
            output_tokens=8,
        )


def test_the_measured_exllamav2_rows_load() -> None:
    rows = [r for r in load_measurements() if r.engine == "exllamav2"]
    # mlc-ai/llm-perf-bench's four, and ExLlamaV2's own README tables (two editions, 22 rows
    # each: 2023-09 master and 2024-08 0.1.8)
    assert {(r.gpu, r.value) for r in rows} >= {
        ("rtx-3090-ti", 161.67),
        ("rtx-3090-ti", 92.11),
        ("rtx-4090", 177.46),
        ("rtx-4090", 105.94),
    }
    readme = [r for r in rows if "turboderp/exllamav2" in r.source]
    assert len(readme) == 44
    assert ("rtx-4090", "meta-llama/Llama-2-7b-hf", "exl2-4bpw", 211.0) in {
        (r.gpu, r.model, r.weights, r.value) for r in readme
    }
