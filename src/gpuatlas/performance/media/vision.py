"""Vision-language and OCR throughput: image tokens become prefill work.

VLM: the vision encoder runs over the image's patches (2·P_vision FLOPs per patch), the LLM
prefills image + prompt tokens and decodes the answer; images/min = 60·batch / time.
OCR (TrOCR-style): the encoder runs over the line image's patches, the decoder generates the
line's text token by token; a page is `lines_per_page` line images.
"""

from __future__ import annotations

from gpuatlas.catalog.model_arch import OcrArch, VisionLanguageArch
from gpuatlas.catalog.systems import GpuSystem
from gpuatlas.errors import InvalidRequestError
from gpuatlas.performance.calibration_table import current_calibration
from gpuatlas.performance.engine_profiles import resolve_engine
from gpuatlas.performance.llm.predict import (
    llm_runtime,
    make_estimate,
    require_fits,
    runtime_max_batch,
)
from gpuatlas.performance.model_constants import model_constant
from gpuatlas.performance.peak_rates import memory_bandwidth_bytes_s, peak_flops
from gpuatlas.performance.predictions import Estimate

PROMPT_TOKENS = 48
ANSWER_TOKENS = 128
DEFAULT_IMAGE_PX = (1024, 768)  # width, height of the image priced when no token count is given
PATCHES_PER_TOKEN_MERGED = 4  # Qwen-VL style 2x2 merge; fixed-token models use 1
ENCODER_ETA = model_constant("vision", "encoder_eta")
OCR_TOKENS_PER_LINE = 24
OCR_LINES_PER_PAGE = 30


def _vision_encoder_s(system: GpuSystem, model: VisionLanguageArch, patches: float) -> float:
    peak, _ = peak_flops(system.gpu, "bf16")
    return 2.0 * model.vision_encoder_params * patches / (peak * ENCODER_ETA * system.gpu_count)


def predict_vision_run(
    system: GpuSystem,
    model: VisionLanguageArch,
    *,
    batch: int,
    image_tokens: int | None,
    weights: str = "bf16",
    engine: str = "vllm",
    output_tokens: int = ANSWER_TOKENS,
) -> Estimate:
    if batch < 1:
        raise InvalidRequestError([f"batch must be at least 1, got {batch}"])
    tokens = image_tokens or model.image_tokens_for(*DEFAULT_IMAGE_PX)
    patches = tokens * (1 if model.image_tokens.fixed_tokens else PATCHES_PER_TOKEN_MERGED)
    runtime = llm_runtime(system, model.language_model, weights, engine)
    prompt = tokens + PROMPT_TOKENS
    fitting = runtime_max_batch(runtime, prompt + output_tokens)
    require_fits(runtime, 1, prompt + output_tokens, "fp16")
    notes: tuple[str, ...] = ()
    if batch > fitting:  # a server queues what does not fit and runs `fitting` at a time
        notes = (f"batch {batch} does not fit; {fitting} run at a time",)
        batch = fitting
    encoder_s = _vision_encoder_s(system, model, batch * patches)
    prefill_s = runtime.prefill_s(prompt, batch)
    decode_s = output_tokens * runtime.decode_step_s(batch, prompt + output_tokens / 2)
    per_min = 60.0 * batch / (encoder_s + prefill_s + decode_s)
    extrapolated = runtime.extrapolated(current_calibration(), "vision")
    notes += (f"{tokens} image tokens, {PROMPT_TOKENS} prompt and {output_tokens} answer tokens",)
    return make_estimate(per_min, "images/min", "vision", extrapolated, notes)


def predict_ocr_run(
    system: GpuSystem,
    model: OcrArch,
    *,
    batch: int,
    lines_per_page: int = OCR_LINES_PER_PAGE,
) -> Estimate:
    if batch < 1:
        raise InvalidRequestError([f"batch must be at least 1, got {batch}"])
    gpu = system.gpu
    peak, _ = peak_flops(gpu, "fp16")
    bandwidth = memory_bandwidth_bytes_s(gpu)
    engine = resolve_engine("transformers")
    encoder_flops = 2.0 * model.encoder_params * model.encoder_tokens() * batch
    encoder_s = encoder_flops / (peak * ENCODER_ETA) + engine.layer_overhead_ms * 1e-3 * (
        model.encoder_layers
    )
    step_compute = 2.0 * model.decoder_params * batch / (peak * ENCODER_ETA)
    step_memory = model.decoder_params * 2.0 / (bandwidth * engine.eta_memory)
    step_overhead = engine.step_overhead_ms + engine.layer_overhead_ms * model.decoder_layers
    step_s = max(step_compute, step_memory) + step_overhead * 1e-3
    batch_s = encoder_s + OCR_TOKENS_PER_LINE * step_s
    pages_per_min = 60.0 * batch / batch_s / lines_per_page
    notes = (f"page = {lines_per_page} text lines of ~{OCR_TOKENS_PER_LINE} tokens",)
    return make_estimate(pages_per_min, "pages/min", "ocr", True, notes)
