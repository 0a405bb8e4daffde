#!/usr/bin/env python3
"""Measure one GPU machine for the data set: GEMM and copy micro benchmarks, transformers
decode and prefill, diffusers pipelines and PyTorch fine-tuning steps.

The models are random-weight models of real architectures: each is built from the
architecture config the catalog holds (src/gpuatlas/catalog/data/models/*.json), so nothing
is downloaded and the kernels, shapes and memory are those of the real checkpoint. Text
encoders are left out of the image pipelines (the prompt embeddings are passed in; CLIP and
T5 encode a prompt in a few milliseconds next to seconds of denoising), which the notes say.

Every result is a row in the measurement CSV format (see catalog/data/measurements/README.md)
written as soon as it is measured, so a run stopped at its time limit keeps what ran:

    python benchmarks/device_suite.py --out DIR [--set extended]   # on the GPU machine
    python benchmarks/device_suite.py --out DIR --tiny       # 2-layer models on a CPU (a check)

DIR gets device_suite.csv (the rows), micro.json (GEMM TFLOP/s and copy GB/s) and env.json
(GPU, driver, clocks, power limit and library versions, read before and after the run).
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import gc
import json
import statistics
import subprocess
import time
import traceback
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

MODELS_DIR = Path(__file__).resolve().parents[1] / "src/gpuatlas/catalog/data/models"
COLUMNS = [
    "gpu",
    "gpu_count",
    "engine",
    "engine_version",
    "model",
    "weights",
    "kv_cache",
    "batch",
    "input_tokens",
    "output_tokens",
    "resolution",
    "steps",
    "metric",
    "value",
    "unit",
    "source",
    "source_date",
    "notes",
    "variant",
]
SMI_FIELDS = (
    "name,driver_version,power.limit,power.max_limit,clocks.max.sm,clocks.max.mem,"
    "clocks.sm,clocks.mem,temperature.gpu,memory.total"
)


@dataclass
class Run:
    """Where rows go and what every row shares."""

    out_dir: Path
    tiny: bool
    device: str
    run_id: str = field(default_factory=lambda: uuid.uuid4().hex[:12])
    started: str = field(default_factory=lambda: dt.date.today().isoformat())
    gpu_name: str = ""
    errors: list[str] = field(default_factory=list)

    @property
    def csv_path(self) -> Path:
        return self.out_dir / "device_suite.csv"

    def source(self) -> str:
        return f"GPU Atlas benchmarks/device_suite.py, run {self.run_id} ({self.started})"

    def write_row(self, row: dict[str, Any]) -> None:
        fresh = not self.csv_path.exists()
        base = {"gpu": self.gpu_name, "gpu_count": 1, "source": self.source()}
        base["source_date"] = self.started
        with self.csv_path.open("a", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=COLUMNS)
            if fresh:
                writer.writeheader()
            writer.writerow({**base, **row})
        print("ROW", row.get("model"), row.get("metric"), row.get("value"), flush=True)

    def attempt(self, label: str, action: Callable[[], None]) -> None:
        """Run one measurement; a failure is logged and the suite goes on."""
        started = time.perf_counter()
        try:
            action()
        except Exception:  # noqa: BLE001 - one failed item must not stop the others
            self.errors.append(f"{label}: {traceback.format_exc(limit=3)}")
            print("FAILED", label, traceback.format_exc(limit=3), flush=True)
        print(f"-- {label}: {time.perf_counter() - started:.1f} s", flush=True)
        release_memory()


def release_memory() -> None:
    import torch

    gc.collect()
    if torch.cuda.is_available():
        torch.cuda.empty_cache()


def synchronize() -> None:
    import torch

    if torch.cuda.is_available():
        torch.cuda.synchronize()


def seconds(action: Callable[[], Any]) -> float:
    synchronize()
    started = time.perf_counter()
    action()
    synchronize()
    return time.perf_counter() - started


def median_seconds(action: Callable[[], Any], repeats: int) -> float:
    return statistics.median(seconds(action) for _ in range(repeats))


def catalog_entry(model_id: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """(architecture config, the catalog's own fields) of a catalog model."""
    raw = json.loads((MODELS_DIR / f"{model_id}.json").read_text())
    meta = raw.pop("gpuatlas")
    return raw, meta


def nvidia_smi() -> dict[str, str]:
    try:
        text = subprocess.run(
            ["nvidia-smi", f"--query-gpu={SMI_FIELDS}", "--format=csv,noheader"],
            capture_output=True,
            text=True,
            timeout=20,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError) as error:
        return {"error": str(error)}
    values = [value.strip() for value in text.splitlines()[0].split(",")]
    return dict(zip(SMI_FIELDS.split(","), values, strict=False))


def versions() -> dict[str, str]:
    import importlib.metadata as metadata

    found = {}
    for name in ("torch", "transformers", "diffusers", "peft", "accelerate"):
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = "absent"
    import torch

    found["cuda"] = str(torch.version.cuda)
    return found


# --- micro benchmarks -------------------------------------------------------------------


def gemm_tflops(dtype_name: str, size: int, iterations: int) -> float:
    import torch

    torch.backends.cuda.matmul.allow_tf32 = dtype_name == "tf32"
    if dtype_name in ("fp8_e4m3", "int8"):
        return _scaled_gemm_tflops(dtype_name, size, iterations)
    dtype = {"bf16": torch.bfloat16, "fp16": torch.float16}.get(dtype_name, torch.float32)
    left = torch.randn(size, size, device="cuda", dtype=dtype)
    right = torch.randn(size, size, device="cuda", dtype=dtype)
    for _ in range(3):
        left @ right
    elapsed = seconds(lambda: [left @ right for _ in range(iterations)])
    torch.backends.cuda.matmul.allow_tf32 = False
    return 2 * size**3 * iterations / elapsed / 1e12


def _scaled_gemm_tflops(dtype_name: str, size: int, iterations: int) -> float:
    import torch

    if dtype_name == "int8":
        left = torch.randint(-8, 8, (size, size), device="cuda", dtype=torch.int8)
        right = torch.randint(-8, 8, (size, size), device="cuda", dtype=torch.int8).t()

        def product() -> Any:
            return torch._int_mm(left, right)

    else:
        left = torch.randn(size, size, device="cuda").to(torch.float8_e4m3fn)
        right = torch.randn(size, size, device="cuda").to(torch.float8_e4m3fn).t()
        scale = torch.tensor(1.0, device="cuda")

        def product() -> Any:
            return torch._scaled_mm(left, right, scale, scale, out_dtype=torch.bfloat16)

    for _ in range(3):
        product()
    elapsed = seconds(lambda: [product() for _ in range(iterations)])
    return 2 * size**3 * iterations / elapsed / 1e12


def copy_gb_s(gib: int, iterations: int) -> float:
    import torch

    source = torch.empty(gib * 2**30, dtype=torch.uint8, device="cuda")
    target = torch.empty_like(source)
    target.copy_(source)
    elapsed = seconds(lambda: [target.copy_(source) for _ in range(iterations)])
    return 2 * source.numel() * iterations / elapsed / 1e9


def run_micro(run: Run) -> None:
    results: dict[str, float] = {}
    for name in ("bf16", "fp16", "fp8_e4m3", "int8", "tf32", "fp32"):
        iterations = 5 if name == "fp32" else 20
        try:
            results[f"gemm_8192_{name}_tflops"] = round(gemm_tflops(name, 8192, iterations), 1)
        except Exception as error:  # noqa: BLE001 - a dtype this torch lacks is recorded
            results[f"gemm_8192_{name}_error"] = str(error)[:200]  # type: ignore[assignment]
        release_memory()
    results["copy_2gib_read_plus_write_gb_s"] = round(copy_gb_s(2, 20), 1)
    (run.out_dir / "micro.json").write_text(json.dumps(results, indent=1))
    print("MICRO", results, flush=True)


# --- LLM: transformers generate ---------------------------------------------------------

DECODE_SHORT, DECODE_LONG, DECODE_INPUT = 16, 272, 128
PREFILL_TOKENS = (512, 2048, 8192)


def shrink_llm(config: dict[str, Any]) -> dict[str, Any]:
    """A 2-layer version of an architecture, for a check on a CPU."""
    small = dict(config, num_hidden_layers=2, max_window_layers=2)
    if "num_experts" in small:
        small["num_experts"] = min(small["num_experts"], 8)
    return small


def causal_lm(model_id: str, run: Run) -> tuple[Any, dict[str, Any]]:
    import torch
    from transformers import AutoConfig, AutoModelForCausalLM

    raw, meta = catalog_entry(model_id)
    for key in ("architectures", "torch_dtype", "_name_or_path"):
        raw.pop(key, None)
    if run.tiny:
        raw = shrink_llm(raw)
    config = AutoConfig.for_model(raw.pop("model_type"), **raw)
    with torch.device(run.device):
        try:
            model = AutoModelForCausalLM.from_config(config, dtype=torch.bfloat16)
        except TypeError:
            model = AutoModelForCausalLM.from_config(config, torch_dtype=torch.bfloat16)
    model.eval()
    model.generation_config.eos_token_id = None
    model.generation_config.pad_token_id = 0
    return model, meta


def random_tokens(batch: int, length: int, device: str) -> Any:
    import torch

    return torch.randint(1000, 20000, (batch, length), device=device)


def generate_seconds(model: Any, batch: int, new_tokens: int, device: str) -> float:
    import torch

    ids = random_tokens(batch, DECODE_INPUT, device)
    mask = torch.ones_like(ids)

    def generate() -> None:
        with torch.no_grad():
            model.generate(
                ids,
                attention_mask=mask,
                max_new_tokens=new_tokens,
                min_new_tokens=new_tokens,
                do_sample=False,
            )

    return median_seconds(generate, 2)


def decode_rate(model: Any, batch: int, device: str) -> float:
    """Tokens/s of all sequences between the 16th and the 272nd new token: two generate()
    runs that differ only in length, so prefill and set-up cancel."""
    generate_seconds(model, batch, 4, device)
    short = generate_seconds(model, batch, DECODE_SHORT, device)
    long = generate_seconds(model, batch, DECODE_LONG, device)
    return batch * (DECODE_LONG - DECODE_SHORT) / (long - short)


def prefill_rate(model: Any, tokens: int, device: str) -> float:
    import torch

    ids = random_tokens(1, tokens, device)

    def forward() -> None:
        with torch.no_grad():
            model(ids, use_cache=True, logits_to_keep=1)

    forward()
    return tokens / median_seconds(forward, 3)


def llm_row(run: Run, meta: dict[str, Any], engine_version: str, **row: Any) -> None:
    extra = row.pop("notes_extra")
    notes = (
        f"{run.gpu_name}; random-weight {meta['hub_id']} built from the catalog's config "
        "(same shapes and kernels as the checkpoint), bf16, transformers default attention "
        "(sdpa), eager generate() with greedy decoding and a dynamic cache; "
    )
    run.write_row(
        {
            "engine": "transformers",
            "engine_version": engine_version,
            "model": meta["hub_id"],
            "weights": "bf16",
            "unit": "tok/s",
            **row,
            "notes": notes + extra,
        }
    )


def measure_llm(
    run: Run, model_id: str, engine_version: str, batches: tuple[int, ...] = ()
) -> None:
    model, meta = causal_lm(model_id, run)
    for batch in [1] if run.tiny else [1, *batches]:
        value = decode_rate(model, batch, run.device)
        llm_row(
            run,
            meta,
            engine_version,
            batch=batch,
            input_tokens=DECODE_INPUT,
            output_tokens=DECODE_LONG,
            metric="decode_tok_s",
            value=f"{value:.2f}",
            notes_extra=(
                f"decode rate of all {batch} sequence(s) = {batch}x({DECODE_LONG}-{DECODE_SHORT}) "
                f"tokens over the time difference of two generate() calls of {DECODE_LONG} "
                f"and {DECODE_SHORT} new tokens after a {DECODE_INPUT}-token prompt "
                "(each the median of 2 runs after a warm-up), so prefill cancels"
            ),
        )
    for tokens in PREFILL_TOKENS[:1] if run.tiny else PREFILL_TOKENS:
        value = prefill_rate(model, tokens, run.device)
        llm_row(
            run,
            meta,
            engine_version,
            batch=1,
            input_tokens=tokens,
            metric="prefill_tok_s",
            value=f"{value:.1f}",
            notes_extra=(
                f"one forward pass over a {tokens}-token prompt with use_cache and "
                "logits_to_keep=1 (what generate() runs first), median of 3 after a warm-up"
            ),
        )


# --- diffusion: diffusers pipelines -----------------------------------------------------


@dataclass(frozen=True)
class ImageCase:
    model_id: str
    dtype_name: str
    resolution_px: int
    steps: int
    guidance: float
    batch: int = 1

    @property
    def flux(self) -> bool:
        return self.model_id.startswith("flux")


SD_SCHEDULER = {
    "beta_start": 0.00085,
    "beta_end": 0.012,
    "beta_schedule": "scaled_linear",
    "steps_offset": 1,
}
VAE_BLOCKS = {
    "down_block_types": ["DownEncoderBlock2D"] * 4,
    "up_block_types": ["UpDecoderBlock2D"] * 4,
    "block_out_channels": [128, 256, 512, 512],
    "layers_per_block": 2,
}


def image_vae(model_id: str) -> Any:
    """The published VAE configs (stable-diffusion-v1-5, stable-diffusion-xl-base-1.0 and
    FLUX.1-dev vae/config.json)."""
    from diffusers import AutoencoderKL

    if model_id.startswith("flux"):
        return AutoencoderKL(
            **VAE_BLOCKS,
            latent_channels=16,
            sample_size=1024,
            scaling_factor=0.3611,
            shift_factor=0.1159,
            use_quant_conv=False,
            use_post_quant_conv=False,
            force_upcast=True,
        )
    if model_id == "sdxl-base-1.0":
        return AutoencoderKL(
            **VAE_BLOCKS, latent_channels=4, sample_size=1024, scaling_factor=0.13025
        )
    return AutoencoderKL(**VAE_BLOCKS, latent_channels=4, sample_size=512)


def denoiser(model_id: str, tiny: bool) -> Any:
    from diffusers import FluxTransformer2DModel, UNet2DConditionModel

    config, _ = catalog_entry(model_id)
    config = {key: value for key, value in config.items() if not key.startswith("_")}
    if model_id.startswith("flux"):
        if tiny:
            config.update(num_layers=1, num_single_layers=1)
        return FluxTransformer2DModel(**config)
    if tiny and "transformer_layers_per_block" in config:
        config["transformer_layers_per_block"] = 1
    return UNet2DConditionModel(**config)


def image_pipeline(case: ImageCase, run: Run) -> Any:
    import torch
    from diffusers import (
        EulerDiscreteScheduler,
        FlowMatchEulerDiscreteScheduler,
        FluxPipeline,
        PNDMScheduler,
        StableDiffusionPipeline,
        StableDiffusionXLPipeline,
    )

    dtype = {"fp16": torch.float16, "bf16": torch.bfloat16}[case.dtype_name]
    if run.tiny:
        dtype = torch.float32
    previous = torch.get_default_dtype()
    torch.set_default_dtype(dtype)
    try:
        with torch.device(run.device):
            vae, model = image_vae(case.model_id), denoiser(case.model_id, run.tiny)
    finally:
        torch.set_default_dtype(previous)
    parts: dict[str, Any] = {"vae": vae, "text_encoder": None, "tokenizer": None}
    scheduler: Any
    pipeline: Any
    if case.model_id == "flux.1-schnell":
        scheduler = FlowMatchEulerDiscreteScheduler(shift=1.0, use_dynamic_shifting=False)
    if case.model_id == "flux.1-dev":
        scheduler = FlowMatchEulerDiscreteScheduler(
            shift=3.0,
            use_dynamic_shifting=True,
            base_shift=0.5,
            max_shift=1.15,
            base_image_seq_len=256,
            max_image_seq_len=4096,
        )
    if case.flux:
        pipeline = FluxPipeline(
            scheduler=scheduler,
            transformer=model,
            text_encoder_2=None,
            tokenizer_2=None,
            **parts,
        )
    elif case.model_id == "sdxl-base-1.0":
        scheduler = EulerDiscreteScheduler(**SD_SCHEDULER, timestep_spacing="leading")
        pipeline = StableDiffusionXLPipeline(
            unet=model, scheduler=scheduler, text_encoder_2=None, tokenizer_2=None, **parts
        )
    else:
        scheduler = PNDMScheduler(**SD_SCHEDULER, skip_prk_steps=True)
        pipeline = StableDiffusionPipeline(
            unet=model,
            scheduler=scheduler,
            safety_checker=None,
            feature_extractor=None,
            requires_safety_checker=False,
            **parts,
        )
    pipeline.set_progress_bar_config(disable=True)
    return pipeline


def prompt_inputs(model_id: str, dtype: Any, device: str) -> dict[str, Any]:
    """Embeddings of the shapes the real text encoders give (CLIP ViT-L 77x768; SDXL's
    CLIP-L + OpenCLIP-bigG 77x2048 with a 1280 pooled vector; FLUX's T5-XXL 512x4096 with
    CLIP-L's 768 pooled vector; 256 T5 tokens for FLUX.1-schnell)."""
    import torch

    def embedding(*shape: int) -> Any:
        return torch.randn(1, *shape, device=device, dtype=dtype)

    if model_id.startswith("flux"):
        t5_tokens = 256 if model_id == "flux.1-schnell" else 512
        return {"prompt_embeds": embedding(t5_tokens, 4096), "pooled_prompt_embeds": embedding(768)}
    if model_id == "sdxl-base-1.0":
        return {
            "prompt_embeds": embedding(77, 2048),
            "pooled_prompt_embeds": embedding(1280),
            "negative_prompt_embeds": embedding(77, 2048),
            "negative_pooled_prompt_embeds": embedding(1280),
        }
    return {"prompt_embeds": embedding(77, 768), "negative_prompt_embeds": embedding(77, 768)}


def measure_image(run: Run, case: ImageCase, diffusers_version: str) -> None:
    pipeline = image_pipeline(case, run)
    dtype = pipeline.vae.dtype
    side = 64 if run.tiny else case.resolution_px
    steps = 2 if run.tiny else case.steps
    inputs = prompt_inputs(case.model_id, dtype, run.device)

    def generate() -> None:
        pipeline(
            **inputs,
            height=side,
            width=side,
            num_inference_steps=steps,
            guidance_scale=case.guidance,
            num_images_per_prompt=case.batch,
            output_type="pil",
        )

    generate()
    value = median_seconds(generate, 1 if run.tiny else 2) / case.batch
    _, meta = catalog_entry(case.model_id)
    guidance = (
        f"guidance_scale {case.guidance} (FLUX's distilled guidance: one transformer pass per step)"
        if case.flux
        else f"classifier-free guidance {case.guidance} (two UNet passes per step, batched)"
    )
    run.write_row(
        {
            "engine": "diffusers",
            "engine_version": diffusers_version,
            "model": meta["hub_id"],
            "weights": case.dtype_name,
            "batch": case.batch,
            "resolution": f"{side}x{side}",
            "steps": steps,
            "metric": "image_s",
            "value": f"{value:.3f}",
            "unit": "s/image",
            "variant": "sdpa",
            "notes": (
                f"{run.gpu_name}; random-weight {meta['hub_id']} pipeline built from the "
                f"published configs, {case.dtype_name} throughout (the stock VAE's "
                "force_upcast decodes in fp32 under fp16), default SDPA attention, no compile; "
                f"{guidance}; end-to-end pipeline call to a PIL image with the prompt "
                f"embeddings passed in (text encoders not run); {case.batch} image(s) per call "
                "(num_images_per_prompt), seconds per call / images, median of 2 after a warm-up"
            ),
        }
    )


# --- training: a plain PyTorch loop over transformers models ----------------------------


@dataclass(frozen=True)
class TrainCase:
    model_id: str
    method: str  # "full" or "lora"
    batch: int
    sequence_tokens: int
    gradient_checkpointing: bool = False


LORA_TARGETS = ["q_proj", "k_proj", "v_proj", "o_proj"]


def training_model(case: TrainCase, run: Run) -> tuple[Any, dict[str, Any], int]:
    model, meta = causal_lm(case.model_id, run)
    model.train()
    if case.gradient_checkpointing:
        model.gradient_checkpointing_enable()
        model.config.use_cache = False
    if case.method == "lora":
        from peft import LoraConfig, get_peft_model

        lora = LoraConfig(r=16, lora_alpha=32, lora_dropout=0.0, target_modules=LORA_TARGETS)
        model = get_peft_model(model, lora)
    trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
    return model, meta, trainable


def train_step_seconds(model: Any, case: TrainCase, run: Run, steps: int) -> float:
    import torch

    parameters = [p for p in model.parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW(parameters, lr=1e-5, weight_decay=0.0)
    tokens = 64 if run.tiny else case.sequence_tokens
    ids = random_tokens(case.batch, tokens, run.device)

    def step() -> None:
        loss = model(input_ids=ids, labels=ids).loss
        loss.backward()
        torch.nn.utils.clip_grad_norm_(parameters, 1.0)
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)
        loss.item()

    def steps_in_a_row() -> None:
        for _ in range(steps):
            step()

    for _ in range(2):
        step()
    return seconds(steps_in_a_row) / steps


def measure_training(run: Run, case: TrainCase, engine_version: str) -> None:
    import torch

    if torch.cuda.is_available():
        torch.cuda.reset_peak_memory_stats()
    model, meta, trainable = training_model(case, run)
    steps = 1 if run.tiny else 8
    step_s = train_step_seconds(model, case, run, steps)
    tokens = 64 if run.tiny else case.sequence_tokens
    peak_gib = torch.cuda.max_memory_allocated() / 2**30 if torch.cuda.is_available() else 0.0
    checkpointing = (
        "on (transformers gradient_checkpointing_enable)" if case.gradient_checkpointing else "off"
    )
    method = (
        f"LoRA r 16, alpha 32, dropout 0 on {'/'.join(LORA_TARGETS)} ({trainable:,} trainable)"
        if case.method == "lora"
        else f"full fine-tuning ({trainable:,} trainable)"
    )
    run.write_row(
        {
            "engine": "pytorch",
            "engine_version": engine_version,
            "model": meta["hub_id"],
            "weights": "bf16",
            "batch": case.batch,
            "input_tokens": tokens,
            "metric": "train_tok_s",
            "value": f"{case.batch * tokens / step_s:.1f}",
            "unit": "tok/s",
            "variant": "+".join(
                [case.method, "pure-bf16", "foreach-adamw"]
                + (["gradient-checkpointing"] if case.gradient_checkpointing else [])
            ),
            "notes": (
                f"{run.gpu_name}; random-weight {meta['hub_id']} from the catalog's config; "
                f"{method}; a plain PyTorch loop: forward with labels, backward, grad-norm "
                "clip 1.0, torch.optim.AdamW (foreach) step, loss.item(); weights, gradients "
                "and optimizer states in bf16 (no autocast, no fp32 master copy), gradient "
                f"checkpointing {checkpointing}, "
                f"sdpa attention; {case.batch} sequences of {tokens} tokens per "
                f"step, no padding; mean of {steps} steps after 2 warm-up steps "
                f"({step_s * 1000:.0f} ms per step); peak allocated {peak_gib:.1f} GiB"
            ),
        }
    )


# --- the suite ----------------------------------------------------------------------------

SECTIONS = ("micro", "llm", "diffusion", "training")


@dataclass(frozen=True)
class CaseSet:
    """What one run measures. `llm_last` models run after everything else (eager MoE in
    transformers may be slow); `batched` adds decode batch sizes beyond 1."""

    llm: tuple[str, ...]
    images: tuple[ImageCase, ...]
    training: tuple[TrainCase, ...]
    llm_last: tuple[str, ...] = ()
    batched: dict[str, tuple[int, ...]] = field(default_factory=dict)


CASE_SETS = {
    "standard": CaseSet(
        llm=("qwen2.5-0.5b", "llama-3.2-1b", "qwen2.5-7b", "llama-3.1-8b", "qwen2.5-32b"),
        llm_last=("qwen3-30b-a3b",),
        batched={"llama-3.1-8b": (16,)},
        images=(
            ImageCase("sd-1.5", "fp16", 512, 50, 7.5),
            ImageCase("sdxl-base-1.0", "fp16", 1024, 30, 5.0),
            ImageCase("sdxl-base-1.0", "bf16", 1024, 30, 5.0),
            ImageCase("flux.1-dev", "bf16", 1024, 28, 3.5),
        ),
        training=(
            TrainCase("llama-3.2-1b", "full", 4, 2048),
            TrainCase("qwen2.5-7b", "full", 1, 2048),
            TrainCase("llama-3.1-8b", "lora", 2, 2048),
        ),
    ),
    "extended": CaseSet(
        llm=("mistral-7b-v0.3", "phi-3-mini", "qwen2.5-14b", "gemma-2-9b"),
        batched={"mistral-7b-v0.3": (4, 64)},
        images=(
            ImageCase("sdxl-base-1.0", "fp16", 1024, 50, 5.0),
            ImageCase("sd-1.5", "fp16", 512, 50, 7.5, batch=4),
            ImageCase("flux.1-schnell", "bf16", 1024, 4, 0.0),
        ),
        training=(
            TrainCase("qwen2.5-0.5b", "full", 8, 2048),
            TrainCase("llama-3.2-1b", "full", 8, 2048, gradient_checkpointing=True),
            TrainCase("qwen2.5-32b", "lora", 1, 2048),
        ),
    ),
}


def suite_tasks(
    run: Run, cases: CaseSet, sections: list[str]
) -> list[tuple[str, Callable[[], None]]]:
    """(label, measurement) in the order they run: the most used set-ups first."""
    found = versions()
    torch_text = f"torch {found['torch']}, CUDA {found['cuda']}"
    llm_version = f"{found['transformers']} ({torch_text})"
    image_version = f"{found['diffusers']} ({torch_text})"
    train_version = f"transformers {found['transformers']} ({torch_text}, peft {found['peft']})"

    def llm_tasks(models: tuple[str, ...]) -> list[tuple[str, Callable[[], None]]]:
        if "llm" not in sections:
            return []
        return [
            (m, partial(measure_llm, run, m, llm_version, cases.batched.get(m, ())))
            for m in (models[:1] if run.tiny else models)
        ]

    tasks: list[tuple[str, Callable[[], None]]] = []
    if "micro" in sections and run.device == "cuda":
        tasks.append(("micro", partial(run_micro, run)))
    tasks += llm_tasks(cases.llm)
    if "diffusion" in sections:
        tasks += [
            (
                f"{c.model_id} {c.dtype_name} b{c.batch}",
                partial(measure_image, run, c, image_version),
            )
            for c in cases.images
        ]
    if "training" in sections:
        tasks += [
            (f"train {c.model_id} {c.method}", partial(measure_training, run, c, train_version))
            for c in cases.training
        ]
    return tasks + llm_tasks(cases.llm_last)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--tiny", action="store_true", help="2-layer models (a CPU check)")
    parser.add_argument("--only", default=",".join(SECTIONS), help="sections, comma-separated")
    parser.add_argument("--set", choices=sorted(CASE_SETS), default="standard")
    parser.add_argument(
        "--budget-s", type=float, default=float("inf"), help="start no measurement after this"
    )
    args = parser.parse_args()
    import torch

    started = time.perf_counter()
    device = "cuda" if torch.cuda.is_available() else "cpu"
    run = Run(out_dir=args.out, tiny=args.tiny, device=device)
    args.out.mkdir(parents=True, exist_ok=True)
    run.gpu_name = torch.cuda.get_device_name() if device == "cuda" else "cpu"
    env: dict[str, Any] = {"run_id": run.run_id, "before": nvidia_smi(), **versions()}
    (args.out / "env.json").write_text(json.dumps(env, indent=1))
    skipped = []
    for label, action in suite_tasks(run, CASE_SETS[args.set], args.only.split(",")):
        if time.perf_counter() - started > args.budget_s:
            skipped.append(label)
            continue
        run.attempt(label, action)
    env.update(after=nvidia_smi(), errors=run.errors, skipped_for_time=skipped)
    (args.out / "env.json").write_text(json.dumps(env, indent=1))
    print(f"done: {len(run.errors)} failed, {len(skipped)} skipped for time", flush=True)


if __name__ == "__main__":
    main()
