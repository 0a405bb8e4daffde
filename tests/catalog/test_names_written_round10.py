"""Names the round-10 held-out sources write (holdout/as_written_r10) that meant nothing to the
atlas: applications that run an engine underneath (Rapid-MLX, vllm-mlx, mlx-swift-lm, mlxcel on
mlx-lm; ik_llama.cpp on llama.cpp), 'HuggingFace Transformers' for the Hugging Face Trainer,
the RTX 4060 and 4080 Laptop GPUs, an owner's cooler ('RTX 4090 AIO'), NVIDIA's 'Workstation
Edition', a Mac and its memory in brackets, and an Ollama tag that is only a quantisation
(issue 10). Names, not values: each reads as the engine, framework, GPU or model it means."""

from __future__ import annotations

import pytest

from gpuatlas.catalog.gpu_written_names import without_retail_words
from gpuatlas.catalog.gpus import gpu_by_id, read_gpu_name
from gpuatlas.catalog.model_names import resolve_model_reference
from gpuatlas.errors import UnknownNameError
from gpuatlas.performance.engine_specs import parse_engine_spec
from gpuatlas.performance.training.engines import training_engine


@pytest.mark.parametrize(
    ("written", "engine", "label"),
    [
        ("Rapid-MLX", "mlx-lm", "Rapid-MLX"),
        ("Rapid-MLX 0.6.9", "mlx-lm", "Rapid-MLX 0.6.9"),
        ("vllm-mlx", "mlx-lm", "vllm-mlx"),
        ("mlx-swift-lm 3.31.3", "mlx-lm", "mlx-swift-lm 3.31.3"),
        ("mlxcel", "mlx-lm", "mlxcel"),
        ("mlx_vlm", "mlx-lm", "MLX-VLM"),
        ("mlx-vlm 0.3.9", "mlx-lm", "MLX-VLM 0.3.9"),
        ("ik_llama.cpp", "llama.cpp", "ik_llama.cpp"),
    ],
)
def test_applications_read_as_the_engine_they_run(written: str, engine: str, label: str) -> None:
    spec = parse_engine_spec(written)
    assert (spec.engine, spec.frontend) == (engine, label)


def test_vllm_and_mlx_lm_written_alone_are_unchanged() -> None:
    assert parse_engine_spec("vLLM 0.8.5").engine == "vllm"
    assert parse_engine_spec("vLLM 0.8.5").frontend is None
    assert parse_engine_spec("mlx-lm 0.21").engine == "mlx-lm"


@pytest.mark.parametrize(
    "written", ["HuggingFace Transformers", "Hugging Face Transformers 4.44", "HF Trainer"]
)
def test_transformers_written_for_training_is_the_hf_trainer(written: str) -> None:
    assert training_engine(written).id == "hf-trainer"


@pytest.mark.parametrize(
    ("written", "gpu_id"),
    [
        ("RTX 4060 Laptop", "rtx-4060-laptop"),
        ("NVIDIA GeForce RTX 4060 Laptop GPU", "rtx-4060-laptop"),
        ("NVIDIA GeForce RTX 4080 Laptop (12GB VRAM)", "rtx-4080-laptop"),
        ("RTX 4090 AIO", "rtx-4090"),
        ("NVIDIA RTX PRO 4500 Workstation Edition", "rtx-pro-4500-blackwell"),
        ("RTX PRO 6000 Blackwell Max-Q Workstation Edition", "rtx-pro-6000-blackwell-max-q"),
        ("M1 Ultra (Mac Studio, 128GB)", "apple-m1-ultra-64c"),
        ("RTX 4060", "rtx-4060"),
    ],
)
def test_gpu_names_as_written(written: str, gpu_id: str) -> None:
    assert read_gpu_name(written)[0].id == gpu_id


def test_a_mac_in_brackets_keeps_the_chip_assumption() -> None:
    _, assumption = read_gpu_name("M1 Ultra (Mac Studio, 128GB)")
    assert assumption is not None
    assert assumption.other_variants == ("apple-m1-ultra-48c",)


@pytest.mark.parametrize(
    ("written", "plain"),
    [
        ("NVIDIA GeForce RTX 4080 Laptop (12GB VRAM)", "NVIDIA GeForce RTX 4080 Laptop 12GB"),
        ("RTX 3090 (24 GB GDDR6X)", "RTX 3090 24 GB"),
        ("RTX 4090 AIO", "RTX 4090"),
        ("M1 Ultra (Mac Studio, 128GB)", "M1 Ultra 128GB"),
        ("M4 Max (Mac Studio)", "M4 Max"),
    ],
)
def test_brackets_and_coolers_leave_the_chips_name(written: str, plain: str) -> None:
    assert without_retail_words(written) == plain


def test_a_laptop_gpu_with_a_memory_size_it_is_not_sold_with_is_refused() -> None:
    with pytest.raises(UnknownNameError):
        read_gpu_name("RTX 4080 Laptop 16GB")


def test_laptop_gpus_match_nvidias_ai_tops_and_core_counts() -> None:
    small, large = gpu_by_id("rtx-4060-laptop"), gpu_by_id("rtx-4080-laptop")
    # NVIDIA's headline AI TOPS is FP8 (FP16 accumulate) sparse = 2 x dense INT8 on Ada
    assert small.int8_dense_tops is not None and large.int8_dense_tops is not None
    assert 2 * small.int8_dense_tops == pytest.approx(233.0)
    assert 2 * large.int8_dense_tops == pytest.approx(542.0)
    assert (small.cuda_cores, small.memory_gb, small.memory_bandwidth_gb_s) == (3072, 8.0, 256.0)
    assert (large.cuda_cores, large.memory_gb, large.memory_bandwidth_gb_s) == (7424, 12.0, 432.0)


def test_an_ollama_tag_that_is_only_a_quantisation_is_the_default_model() -> None:
    reference = resolve_model_reference("llama3.1:q4_0", allow_hub=False)
    assert (reference.model.id, reference.format_id) == ("llama-3.1-8b", "q4_0")
    sized = resolve_model_reference("llama3.1:8b-instruct-q4_0", allow_hub=False)
    assert (sized.model.id, sized.format_id) == ("llama-3.1-8b", "q4_0")
    with pytest.raises(UnknownNameError):
        resolve_model_reference("llama3.1:instruct", allow_hub=False)


def test_a_fine_tune_written_without_its_base_reads_as_the_base() -> None:
    # LatitudeGames/Wayfarer-12B: a Mistral-Nemo-Base-2407 fine-tune with the same shapes
    for written in ("wayfarer 12B", "LatitudeGames/Wayfarer-12B"):
        assert resolve_model_reference(written, allow_hub=False).model.id == "mistral-nemo-12b"


def test_deepseek_coder_by_its_ollama_tag() -> None:
    reference = resolve_model_reference("deepseek-coder:6.7b", allow_hub=False)
    assert reference.model.id == "deepseek-coder-6.7b"
    assert reference.model.num_kv_heads == 32  # no GQA: 32 KV heads of 128
