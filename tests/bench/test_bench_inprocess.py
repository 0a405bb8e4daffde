"""In-process benchmarks on the CPU: tiny random-weight diffusers and TrOCR pipelines built
here, torch micro-benchmarks with --allow-cpu, and the system benchmarks."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from gpuatlas.bench.options import RunOptions
from gpuatlas.bench.runner import run_benchmark
from gpuatlas.cli.main import app
from gpuatlas.errors import InvalidRequestError
from gpuatlas.records.suite import get_benchmark

torch = pytest.importorskip("torch")


def _clip_tokenizer(folder: Path) -> object:
    from transformers import CLIPTokenizer

    vocab = {"<|startoftext|>": 0, "<|endoftext|>": 1}
    for character in "abcdefghijklmnopqrstuvwxyz,":
        vocab.setdefault(character, len(vocab))
        vocab.setdefault(character + "</w>", len(vocab))
    (folder / "vocab.json").write_text(json.dumps(vocab))
    (folder / "merges.txt").write_text("#version: 0.2\n")
    return CLIPTokenizer(
        str(folder / "vocab.json"), str(folder / "merges.txt"), model_max_length=16
    )


@pytest.fixture(scope="module")
def tiny_sd_pipeline(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A StableDiffusionPipeline of tiny random-weight UNet, CLIP text encoder and VAE."""
    from diffusers import AutoencoderKL, DDIMScheduler, StableDiffusionPipeline
    from diffusers import UNet2DConditionModel as UNet
    from transformers import CLIPTextConfig, CLIPTextModel

    folder = tmp_path_factory.mktemp("tiny-sd")
    tokenizer = _clip_tokenizer(folder)
    torch.manual_seed(0)
    text_encoder = CLIPTextModel(
        CLIPTextConfig(
            vocab_size=len(tokenizer),
            hidden_size=32,
            intermediate_size=37,
            num_hidden_layers=2,
            num_attention_heads=4,
            max_position_embeddings=16,
            bos_token_id=0,
            eos_token_id=1,
            pad_token_id=1,
        )
    )
    unet = UNet(
        block_out_channels=(32, 64),
        layers_per_block=1,
        sample_size=8,
        in_channels=4,
        out_channels=4,
        cross_attention_dim=32,
        norm_num_groups=8,
        down_block_types=("DownBlock2D", "CrossAttnDownBlock2D"),
        up_block_types=("CrossAttnUpBlock2D", "UpBlock2D"),
        attention_head_dim=4,
    )
    vae = AutoencoderKL(
        block_out_channels=(16, 32),
        latent_channels=4,
        norm_num_groups=8,
        down_block_types=("DownEncoderBlock2D",) * 2,
        up_block_types=("UpDecoderBlock2D",) * 2,
    )
    pipeline = StableDiffusionPipeline(
        vae=vae,
        text_encoder=text_encoder,
        tokenizer=tokenizer,
        unet=unet,
        scheduler=DDIMScheduler(),
        safety_checker=None,
        feature_extractor=None,
        requires_safety_checker=False,
    )
    pipeline.save_pretrained(folder / "pipeline")
    return folder / "pipeline"


@pytest.fixture(scope="module")
def tiny_trocr(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A VisionEncoderDecoderModel (tiny ViT + tiny TrOCR decoder), processor, tokenizer."""
    from tokenizers import Tokenizer, models, pre_tokenizers
    from transformers import (
        PreTrainedTokenizerFast,
        TrOCRConfig,
        TrOCRForCausalLM,
        VisionEncoderDecoderModel,
        ViTConfig,
        ViTImageProcessor,
        ViTModel,
    )

    folder = tmp_path_factory.mktemp("tiny-trocr")
    torch.manual_seed(0)
    encoder = ViTModel(
        ViTConfig(
            image_size=32,
            patch_size=8,
            hidden_size=32,
            num_hidden_layers=2,
            num_attention_heads=4,
            intermediate_size=37,
        )
    )
    decoder = TrOCRForCausalLM(
        TrOCRConfig(
            vocab_size=64,
            d_model=32,
            decoder_layers=2,
            decoder_attention_heads=4,
            decoder_ffn_dim=37,
            max_position_embeddings=64,
            pad_token_id=1,
            bos_token_id=0,
            eos_token_id=2,
            decoder_start_token_id=0,
            cross_attention_hidden_size=32,
        )
    )
    model = VisionEncoderDecoderModel(encoder=encoder, decoder=decoder)
    for config in (model.config, model.generation_config):
        config.decoder_start_token_id, config.pad_token_id, config.eos_token_id = 0, 1, 2
    model.save_pretrained(folder)
    ViTImageProcessor(size={"height": 32, "width": 32}).save_pretrained(folder)
    vocab = {"<s>": 0, "<pad>": 1, "</s>": 2, "<unk>": 3, "to": 4, "be": 5, "or": 6}
    word_level = Tokenizer(models.WordLevel(vocab, unk_token="<unk>"))
    word_level.pre_tokenizer = pre_tokenizers.Whitespace()
    PreTrainedTokenizerFast(
        tokenizer_object=word_level,
        bos_token="<s>",
        eos_token="</s>",
        pad_token="<pad>",
        unk_token="<unk>",
    ).save_pretrained(folder)
    return folder


def test_image_benchmark_with_a_tiny_stable_diffusion_pipeline(tiny_sd_pipeline: Path) -> None:
    options = RunOptions(
        model=str(tiny_sd_pipeline),
        repeats=2,
        overrides={"width": "64", "height": "64", "steps": "2", "images": "2"},
    )
    result = run_benchmark(get_benchmark("image-sd1.5-512"), options)
    assert result.category == "image"
    assert result.headline.metric == "image_s" and result.headline.unit == "s/image"
    assert result.headline.higher_is_better is False
    assert result.metrics["image_s"].n == 4  # 2 images x 2 repeats
    assert result.settings.steps == 2 and result.settings.width == 64
    assert result.settings.dtype == "fp32"  # fp16 asked, CPU ran fp32 and says so
    assert any("fp16 on the CPU" in w for w in result.warnings)
    for sample in result.samples:
        assert sample.values["step_s"] == pytest.approx(sample.values["image_s"] / 2)
    images_per_min = result.repeats[0].values["images_per_min"]
    first_two = [s.values["image_s"] for s in result.samples if s.repeat == 0]
    assert images_per_min == pytest.approx(120.0 / sum(first_two))


def test_ocr_benchmark_with_a_tiny_trocr_model(tiny_trocr: Path) -> None:
    options = RunOptions(
        model=str(tiny_trocr), repeats=2, overrides={"pages": "8", "batch_size": "4"}
    )
    result = run_benchmark(get_benchmark("ocr-trocr-base-b16"), options)
    assert result.headline.metric == "pages_per_min" and result.headline.value
    assert result.metrics["batch_s"].n == 4  # 2 batches of 4 pages x 2 repeats
    assert result.settings.batch_size == 4
    for repeat in result.repeats:
        batch_seconds = [s.values["batch_s"] for s in result.samples if s.repeat == repeat.index]
        assert repeat.values["pages_per_min"] == pytest.approx(60 * 8 / sum(batch_seconds))


def test_gpu_benchmarks_refuse_to_run_without_a_gpu() -> None:
    outcome = CliRunner().invoke(app, ["bench", "run", "gpu-gemm-bf16"])
    assert outcome.exit_code == 2
    assert "needs an NVIDIA GPU" in outcome.output and "--allow-cpu" in outcome.output


def test_gemm_on_the_cpu_for_testing_reports_consistent_flops() -> None:
    options = RunOptions(
        allow_cpu=True, device="cpu", repeats=2, overrides={"size": "1024", "iterations": "3"}
    )
    result = run_benchmark(get_benchmark("gpu-gemm-fp32"), options)
    size = 1024 // 8  # CPU runs divide sizes by 8
    for sample in result.samples:
        flops = sample.values["tflops"] * 1e12 * sample.values["iteration_s"]
        assert flops == pytest.approx(2 * size**3)
    assert any("not a GPU figure" in w for w in result.warnings)
    assert result.metrics["tflops"].n == 6


def test_fp8_and_all_reduce_explain_what_they_need() -> None:
    options = RunOptions(allow_cpu=True, device="cpu", repeats=1)
    with pytest.raises(InvalidRequestError, match="FP8"):
        run_benchmark(get_benchmark("gpu-gemm-fp8"), options)
    if not torch.cuda.is_available():
        with pytest.raises(InvalidRequestError, match="at least 2 local NVIDIA GPUs"):
            run_benchmark(get_benchmark("gpu-all-reduce"), options)


def test_memory_and_transfer_benchmarks_on_the_cpu() -> None:
    options = RunOptions(
        allow_cpu=True, device="cpu", repeats=1, overrides={"size_mb": "64", "iterations": "2"}
    )
    for benchmark_id in ("gpu-memory-bandwidth", "gpu-h2d", "gpu-d2h"):
        result = run_benchmark(get_benchmark(benchmark_id), options)
        assert result.headline.unit == "GB/s" and result.headline.value


def test_system_benchmarks(tmp_path: Path) -> None:
    options = RunOptions(
        repeats=1, overrides={"seconds": "0.2", "size_mb": "8", "path": str(tmp_path)}
    )
    cpu = run_benchmark(get_benchmark("system-cpu-single"), options)
    assert cpu.headline.value and cpu.headline.value > 0
    sequential = run_benchmark(get_benchmark("system-disk-seq"), options)
    assert sequential.repeats[0].values["read_mb_s"] > 0
    assert sequential.repeats[0].values["write_mb_s"] > 0
    random_io = run_benchmark(get_benchmark("system-disk-random"), options)
    values = random_io.repeats[0].values
    assert values["read_iops"] * values["read_latency_us"] == pytest.approx(1e6)
    assert not list(tmp_path.iterdir())  # the scratch file is removed
