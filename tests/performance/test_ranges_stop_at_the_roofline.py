"""A prediction's range stops at the roofline: `predict llm rtx-4090 llama-3.1-8b` printed
decode 57.2 [45.6-71.8] tok/s, while reading the 16 GB of bf16 weights at the card's full
1,008 GB/s allows 66.8 (MBU shown capped at 100 %, the decode range not). Rates stop at the
step's FLOPs at peak or bytes at full bandwidth, times at that floor, in `predict --cases` as
in `predict llm`."""

from __future__ import annotations

import math

import pytest

from gpuatlas.calibration.case_columns import predict_table
from gpuatlas.performance import api
from gpuatlas.performance.calibration_table import current_calibration
from gpuatlas.performance.llm.predict import llm_runtime

pytestmark = pytest.mark.unit
RUN = {"batch": 1, "input_tokens": 512, "output_tokens": 256}


def test_a_memory_bound_decode_range_stops_at_the_full_bandwidth() -> None:
    found = api.predict_llm("rtx-4090", "llama-3.1-8b", weights="bf16", engine="vllm", **RUN)
    runtime = llm_runtime("rtx-4090", "llama-3.1-8b", "bf16", "vllm")
    floor_s = float(runtime.decode_floor_s(1, 512 + 128))
    # ~16.1 GB of weights and KV at 1,008 GB/s: ~15 ms a token, ~66.8 tok/s at most
    assert 1 / floor_s == pytest.approx(66.8, rel=0.01)
    decode = found.decode_tok_s
    band_high = decode.value * math.exp(current_calibration().log_band("decode"))
    assert band_high > 1 / floor_s  # the symmetric band would pass the roofline
    assert decode.high == pytest.approx(1 / floor_s)
    assert found.tpot_ms.low == pytest.approx(floor_s * 1e3)
    assert found.mbu.high <= 1.0 + 1e-9
    assert decode.low < decode.value < decode.high


def test_the_batch_path_stops_its_ranges_where_predict_llm_does() -> None:
    header = ["gpu", "gpu_count", "model", "weights", "engine", "batch", "input_tokens"]
    header += ["output_tokens", "metric"]
    base = ["rtx-4090", "1", "llama-3.1-8b", "bf16", "vllm", "1", "512", "256"]
    metrics = ["decode_tok_s", "tpot_ms", "prefill_tok_s", "ttft_ms"]
    rows = predict_table(header, [[*base, metric] for metric in metrics])
    found = api.predict_llm("rtx-4090", "llama-3.1-8b", weights="bf16", engine="vllm", **RUN)
    expected = [found.decode_tok_s, found.tpot_ms, found.prefill_tok_s, found.ttft_ms]
    for (value, low, high, error), estimate in zip(rows, expected, strict=True):
        assert error == ""
        assert float(value) == pytest.approx(estimate.value, rel=1e-5)
        assert float(low) == pytest.approx(estimate.low, rel=1e-5)
        assert float(high) == pytest.approx(estimate.high, rel=1e-5)
