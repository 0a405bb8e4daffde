"""Image settings predicted by a calibration that never saw them: the physics (attention score
traffic, the architecture family's share of its peak) carries them, not a fitted factor."""

from __future__ import annotations

from gpuatlas.calibration.fitting import fit_calibration, observe
from gpuatlas.calibration.validation import source_of
from gpuatlas.catalog.measurements import MeasuredRow, load_measurements
from gpuatlas.performance import api
from gpuatlas.performance.calibration_table import shipped_calibration, using_calibration


def _image_rows_without(source_part: str) -> list[MeasuredRow]:
    rows = []
    for row in load_measurements():
        found = observe(row)
        if found is not None and found.kind == "image" and source_part not in source_of(row):
            rows.append(row)
    return rows


def test_core_ml_on_apple_gpus_without_core_ml_rows() -> None:
    """apple/ml-stable-diffusion README: SD 1.4, 512 px, 50 steps on the GPU: 18 s on an M1 Max
    32-core, 9 s on an M1 Ultra 64-core. Apple GPUs have no matrix units: their 16-bit peak is
    the ALU rate, which they reach at a larger share than tensor-core GPUs reach theirs (the
    apple family prior; llama.cpp Metal prefill rows show the same)."""
    fitted = fit_calibration(
        _image_rows_without("apple/ml-stable-diffusion"), shipped_calibration(), "without-core-ml"
    )
    with using_calibration(fitted):
        for gpu, measured_s in (("apple-m1-max-32c", 18.0), ("apple-m1-ultra-64c", 9.0)):
            found = api.predict_diffusion(
                gpu, "CompVis/stable-diffusion-v1-4", steps=50, weights="fp16", engine="Core ML"
            ).s_per_image.value
            assert 0.75 < found / measured_s < 1.33, (gpu, found)


def test_vanilla_attention_without_the_lambda_rows() -> None:
    """LambdaLabsML/lambda-diffusers, SD 1.4 fp16 30 steps without xformers (scores in memory):
    A10 batch 16 2.27 s/image, A100 40GB SXM4 batch 16 0.786 s/image; only diffusion-fast's SDXL
    rows calibrate vanilla attention once Lambda's are out."""
    fitted = fit_calibration(
        _image_rows_without("lambda-diffusers"), shipped_calibration(), "without-lambda"
    )
    with using_calibration(fitted):
        for gpu, measured_s in (("a10", 2.27), ("a100-40gb-sxm", 0.786)):
            found = api.predict_diffusion(
                gpu,
                "CompVis/stable-diffusion-v1-4",
                steps=30,
                batch=16,
                weights="fp16",
                variant="vanilla-attention",
            ).s_per_image.value
            assert 0.7 < found / measured_s < 1.43, (gpu, found)
