"""LLM rows predicted by a calibration that never saw their source: the step's structure
(weight bytes at the fitted efficiency plus the engine's fixed time per layer) carries them."""

from __future__ import annotations

from gpuatlas.calibration.fitting import fit_calibration, observe
from gpuatlas.calibration.validation import source_of
from gpuatlas.catalog.measurements import MeasuredRow, load_measurements
from gpuatlas.performance import api
from gpuatlas.performance.calibration_table import shipped_calibration, using_calibration
from gpuatlas.performance.engine_specs import engine_profile
from gpuatlas.performance.llm.ggml_nodes import ggml_nodes_per_token
from gpuatlas.performance.resolve import as_model, as_system


def _decode_rows_without(source_part: str) -> list[MeasuredRow]:
    rows = []
    for row in load_measurements():
        found = observe(row)
        if found is not None and found.kind == "decode" and source_part not in source_of(row):
            rows.append(row)
    return rows


def test_metal_decode_has_a_fixed_time_per_layer() -> None:
    """Time per token vs weight bytes at one llama.cpp build on Apple GPUs has an intercept of
    ~5 ms at 32 layers (discussion #4167, 28 chips; XiongjieDai on the M2 Ultra: 6.3 ms): the
    Metal profile's time per ggml graph node over a plain layer's 22 nodes."""
    metal = engine_profile("llama.cpp", as_system("apple-m2-ultra-76c").gpu)
    nodes = ggml_nodes_per_token(as_model("meta-llama/Llama-2-7b-hf"))
    assert 3.0 < metal.kernel_overhead_us * 1e-3 * nodes < 8.0


def test_apple_decode_without_the_4167_table() -> None:
    """llama.cpp #4167, Llama 2 7B decode (tg128): M1 8-core Q4_0 14.15 tok/s, M2 Ultra 76-core
    Q4_0 94.27 tok/s: a small chip is bandwidth-bound, an Ultra's Q4_0 step is one-third fixed
    time; with a fixed time per step only, the fit made the first ~25 % too slow and the second
    ~50 % too fast."""
    fitted = fit_calibration(
        _decode_rows_without("discussions/4167"), shipped_calibration(), "without-4167"
    )
    with using_calibration(fitted):
        for gpu, measured in (("apple-m1-8c", 14.15), ("apple-m2-ultra-76c", 94.27)):
            found = api.predict_llm(
                gpu,
                "meta-llama/Llama-2-7b-hf",
                "q4_0",
                "llama.cpp",
                batch=1,
                input_tokens=0,
                output_tokens=128,
            )
            ratio = found.decode_tok_s.value / measured
            assert 0.8 < ratio < 1.2, (gpu, ratio)
