"""LLM prompts and batched steps run their GEMMs at the clock the board power sustains
(performance/sustained_clocks.py), as training and diffusion already did."""

from gpuatlas.catalog.formats import resolve_format
from gpuatlas.catalog.gpus import resolve_gpu
from gpuatlas.catalog.systems import resolve_system
from gpuatlas.performance.engine_specs import resolve_engine_on
from gpuatlas.performance.llm.predict import llm_runtime
from gpuatlas.performance.llm.step_times import build_runtime
from gpuatlas.performance.resolve import as_llm
from gpuatlas.performance.sustained_clocks import datasheet_peaks

LLAMA_3_8B = "meta-llama/Meta-Llama-3-8B-Instruct"
ENGINE = "llama.cpp b2800"
# RTX 6000 Ada: 300 W over 142 SMs at a 2.506 GHz boost (91.1 TFLOPS FP32 / 2 / 18,176 cores);
# the 450 W, 128-SM RTX 4090 at 2.520 GHz is Ada's full-power design point.
RTX_6000_ADA_SHARE = 2.520 * ((300.0 / 142) / (450.0 / 128)) ** (1.0 / 3.0) / 2.506
RTX_6000_ADA_FP16_TFLOPS = 364.2


def test_a_power_limited_part_prompts_at_its_sustained_clock() -> None:
    runtime = llm_runtime("rtx-6000-ada", LLAMA_3_8B, "gguf-f16", ENGINE)
    assert 0.82 < RTX_6000_ADA_SHARE < 0.86
    expected = RTX_6000_ADA_FP16_TFLOPS * 1e12 * RTX_6000_ADA_SHARE
    assert abs(runtime.peak_flops / expected - 1.0) < 0.01
    # MFU stays a share of the datasheet peak
    assert abs(runtime.matrix_peak_flops / (RTX_6000_ADA_FP16_TFLOPS * 1e12) - 1.0) < 0.01


def test_a_full_power_part_keeps_its_datasheet_peak() -> None:
    runtime = llm_runtime("rtx-4090", LLAMA_3_8B, "gguf-f16", ENGINE)
    assert abs(runtime.peak_flops / runtime.matrix_peak_flops - 1.0) < 0.001


def test_the_300_w_rtx_6000_ada_prompts_slower_than_the_450_w_rtx_4090() -> None:
    """Same AD102 die: XiongjieDai's llama-bench pp512 of Llama 3 8B F16 measured 6,663 tok/s on
    the RTX 6000 Ada and 9,382 on the RTX 4090 (0.71x). At datasheet clocks the 6000 Ada's
    10 % higher FP16 peak made it the faster card (1.09x)."""
    rates = {
        gpu: 512 / llm_runtime(gpu, LLAMA_3_8B, "gguf-f16", ENGINE).prefill_s(512)
        for gpu in ("rtx-6000-ada", "rtx-4090")
    }
    assert rates["rtx-6000-ada"] < rates["rtx-4090"]


def test_fused_attention_slows_with_the_same_clock() -> None:
    runtime = llm_runtime("l40s", "meta-llama/Llama-3.1-8B-Instruct", "fp8", "vllm 0.6.3")
    assert runtime.attention_peak_flops > 0.0
    unchanged_ratio = runtime.attention_rate_factor
    with datasheet_peaks():
        datasheet = build_runtime(
            resolve_system("l40s"),
            as_llm("meta-llama/Llama-3.1-8B-Instruct"),
            resolve_format("fp8"),
            resolve_engine_on("vllm 0.6.3", resolve_gpu("l40s")),
            2.0,
        )
    assert datasheet.peak_flops > runtime.peak_flops
    assert abs(datasheet.attention_rate_factor - unchanged_ratio) < 1e-9
