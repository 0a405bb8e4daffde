"""The later fresh held-out sets (holdout/as_written_r8/ .. _r17/): each beside as_written,
sources nothing else cites, every kind covered, every row resolved or kept with its reason."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from gpuatlas.calibration.validation import source_key
from gpuatlas.calibration.written_rows import later_written_dirs, load_written, written_dir
from gpuatlas.catalog.measurements import load_holdout, load_measurements

# folder -> (at least this many rows, at least this many publications)
ROUNDS = {
    "as_written_r8": (80, 10),
    "as_written_r9": (100, 12),
    "as_written_r10": (100, 12),
    "as_written_r11": (100, 15),
    "as_written_r12": (100, 15),
    "as_written_r13": (100, 15),
    "as_written_r14": (90, 15),
    "as_written_r15": (75, 25),
    "as_written_r16": (50, 20),
    "as_written_r17": (50, 20),
}
KIND_METRICS = {
    "decode": {"decode_tok_s"},
    "prefill": {"prefill_tok_s"},
    "serving": {"serving_output_tok_s"},
    "diffusion": {"image_s"},
    "training": {"train_tok_s"},
}


def _round_path(folder: str) -> Path:
    return next(path for path in later_written_dirs() if path.name == folder)


def _sources(path: Path | None) -> set[str]:
    written = load_written(path)
    return {source_key(row.source) for row in (*written.rows, *written.unresolved)}


def _sources_outside(path: Path) -> set[str]:
    """The publications every other data file cites: calibration rows, holdout/, as_written/
    and the other later folders."""
    others = {source_key(row.source) for row in load_measurements() + load_holdout()}
    others |= _sources(None)
    for later in later_written_dirs():
        if later.name != path.name:
            others |= _sources(later)
    return others


@pytest.mark.unit
@pytest.mark.parametrize("folder", ROUNDS)
def test_round_is_a_later_fresh_set_beside_as_written(folder: str) -> None:
    assert _round_path(folder).parent == written_dir().parent


@pytest.mark.unit
@pytest.mark.parametrize("folder", ROUNDS)
def test_round_keeps_every_row_and_labels_it_with_its_folder(folder: str) -> None:
    path = _round_path(folder)
    lines = sum(len(list(csv.DictReader(f.open(encoding="utf-8")))) for f in path.glob("*.csv"))
    written = load_written(path)
    assert written.total == lines >= ROUNDS[folder][0]
    assert all(row.file.startswith(f"{folder}/") for row in written.rows)
    assert all(row.reason for row in written.unresolved)


@pytest.mark.unit
@pytest.mark.parametrize("folder", ROUNDS)
def test_round_cites_publications_no_other_file_cites(folder: str) -> None:
    fresh = _sources(_round_path(folder))
    others = {source_key(row.source) for row in load_measurements() + load_holdout()}
    others |= _sources(None)
    for path in later_written_dirs():
        if path.name != folder:
            others |= _sources(path)
    assert len(fresh) >= ROUNDS[folder][1]
    assert fresh.isdisjoint(others), sorted(fresh & others)


@pytest.mark.unit
@pytest.mark.parametrize("folder", ROUNDS)
def test_round_spans_every_kind(folder: str) -> None:
    written = load_written(_round_path(folder))
    metrics = {row.metric for row in written.rows} | {row.metric for row in written.unresolved}
    assert all(metrics & wanted for wanted in KIND_METRICS.values())


@pytest.mark.unit
def test_round_28_cites_publications_no_other_file_cites_and_resolves_every_row() -> None:
    path = _round_path("as_written_r28")
    written = load_written(path)
    assert written.total == len(written.rows) == 10 and not written.unresolved
    assert {row.gpu for row in written.rows} == {"l40s", "a30"}
    fresh = _sources(path)
    others = _sources_outside(path)
    assert len(fresh) == 2 and fresh.isdisjoint(others)


@pytest.mark.unit
def test_round_29_cites_publications_no_other_file_cites_and_resolves_every_row() -> None:
    """AMD Vulkan and ROCm llama-bench rows of 2026 builds, names as the threads print them:
    llama-bench's model column ('gemma4 26B.A4B', 'llama 8B') and a build called 'master'."""
    path = _round_path("as_written_r29")
    written = load_written(path)
    assert written.total == len(written.rows) == 16 and not written.unresolved
    assert {row.gpu for row in written.rows} == {
        "rx-9070-xt",
        "radeon-ai-pro-r9700",
        "rx-7900-xtx",
        "ryzen-ai-max-plus-395",
        "radeon-8050s",
    }
    assert "gemma-4-26b-a4b" in {row.model for row in written.rows}
    fresh = _sources(path)
    others = _sources_outside(path)
    assert len(fresh) == 6 and fresh.isdisjoint(others)


@pytest.mark.unit
def test_round_30_reads_the_images_as_vllm_releases_and_the_exaone_rows() -> None:
    """Moreh's stock-ROCm vLLM baseline on 8x MI355X: the engine version is the container image
    the launch script names (rocm/vllm:… and AMD's rocm/7.0 release image, read by its tag);
    EXAONE 3.5 32B (in the library since round 31) runs on one of the GPUs."""
    path = _round_path("as_written_r30")
    written = load_written(path)
    assert written.total == 129 and len(written.rows) == 129 and not written.unresolved
    assert {row.gpu for row in written.rows} == {"mi355x"}
    exaone = [row for row in written.rows if row.model == "exaone-3.5-32b"]
    assert len(exaone) == 33 and {row.gpu_count for row in exaone} == {1}
    assert {row.gpu_count for row in written.rows if row.model != "exaone-3.5-32b"} == {8}
    deepseek = {row.engine_version for row in written.rows if row.model == "deepseek-v3"}
    assert deepseek == {"0.11.1", "0.10.1"}
    metrics = {row.metric for row in written.rows}
    assert metrics == {"serving_output_tok_s", "ttft_ms", "tpot_ms"}
    fresh = _sources(path)
    others = _sources_outside(path)
    assert fresh == {"github.com/moreh-dev/mi355_benchmark"} and fresh.isdisjoint(others)


@pytest.mark.unit
def test_round_31_reads_image_models_of_2025_26_and_cache_dit_as_diffusers() -> None:
    """Qwen-Image, Z-Image-Turbo and FLUX.2-klein-4B as two sources write them; cache-dit's
    baseline runs are diffusers pipelines, its Ulysses splits read from the variant words."""
    path = _round_path("as_written_r31")
    written = load_written(path)
    assert written.total == len(written.rows) == 6 and not written.unresolved
    assert {row.model for row in written.rows} == {"qwen-image", "z-image-turbo", "flux.2-klein-4b"}
    split = [row for row in written.rows if row.gpu_count == 2]
    assert len(split) == 3 and all("ulysses-2" in (row.variant or "") for row in split)
    fresh = _sources(path)
    others = _sources_outside(path)
    assert len(fresh) == 2 and fresh.isdisjoint(others)


@pytest.mark.unit
def test_round_32_reads_node_heavy_models_as_llama_bench_and_ollama_write_them() -> None:
    """Gemma 3 / 3n, gpt-oss, Qwen3-Coder-30B-A3B and the Qwen3.6 hybrids as eight
    publications write them: GGUF file names, llama-bench's architecture names ('qwen35moe
    35B.A3B'), Ollama tags, unsloth's UD quants; one weight label no format matches stays
    unresolved with its reason."""
    path = _round_path("as_written_r32")
    written = load_written(path)
    assert written.total == 35 and len(written.rows) == 34
    assert [(row.field, row.written) for row in written.unresolved] == [("weights", "Q2_K_M")]
    models = {row.model for row in written.rows}
    assert {
        "gemma-3n-e2b",
        "gemma-3n-e4b",
        "qwen3.6-35b-a3b",
        "qwen3.6-27b",
        "gpt-oss-20b",
    } <= models
    hybrid = [row for row in written.rows if row.engine_version == "master"]
    assert {row.model for row in hybrid} == {"qwen3.6-35b-a3b"}  # 'qwen35moe 35B.A3B'
    assert {row.engine for row in written.rows} == {"llama.cpp", "ollama"}
    fresh = _sources(path)
    others = _sources_outside(path)
    assert len(fresh) == 8 and fresh.isdisjoint(others)


@pytest.mark.unit
def test_round_33_reads_server_runs_hybrids_and_vulkan_on_geforce_as_written() -> None:
    """Five publications' figures for the graph paths round 33 models: llama-bench tables of
    PRs ('master'), llama-server runs (the program kept in the variant, so the server's
    defaults apply), Ollama beside llama-server on one card, Qwen3.5/3.6 hybrids and
    Qwen3-Coder-Next as the sources name them, gpt-oss-20b on Vulkan on an RTX 5090."""
    path = _round_path("as_written_r33")
    written = load_written(path)
    assert written.total == len(written.rows) == 19 and not written.unresolved
    assert {"qwen3.6-35b-a3b", "qwen3.6-27b", "qwen3-next-80b-a3b"} <= {
        row.model for row in written.rows
    }
    served = [row for row in written.rows if "llama-server" in (row.variant or "")]
    assert len(served) == 11
    vulkan_geforce = [row for row in written.rows if row.gpu == "rtx-5090"]
    assert [(row.backend, row.metric) for row in vulkan_geforce] == [("vulkan", "prefill_tok_s")]
    assert {row.engine for row in written.rows} == {"llama.cpp", "ollama"}
    fresh = _sources(path)
    others = _sources_outside(path)
    assert len(fresh) == 5 and fresh.isdisjoint(others)


@pytest.mark.unit
def test_round_35_reads_serving_sweeps_and_a_four_gpu_run_as_written() -> None:
    """Two 2026 publications as they write them: a `vllm bench serve` sweep on an 'NVIDIA
    A10G' (vLLM '0.30.0', 'Qwen/Qwen3-8B' 'BF16', finite runs with their prompt counts; its
    latencies under load live in under_load/) and vLLM at TP 4 on four 'RTX 3090' cards
    ('Gemma-4-31B-it' 'AWQ-4bit')."""
    path = _round_path("as_written_r35")
    written = load_written(path)
    assert written.total == len(written.rows) == 9 and not written.unresolved
    assert {(row.gpu, row.gpu_count) for row in written.rows} == {("a10g", 1), ("rtx-3090", 4)}
    assert {row.model for row in written.rows} == {"qwen3-8b", "gemma-4-31b"}
    sweep = [row for row in written.rows if row.gpu == "a10g"]
    assert {row.requests for row in sweep} == {20, 50, 100, 200}
    assert {row.metric for row in sweep} == {"serving_output_tok_s", "ttft_ms", "tpot_ms"}
    assert {row.batch for row in sweep if row.metric != "serving_output_tok_s"} == {1}
    fresh = _sources(path)
    others = _sources_outside(path)
    assert len(fresh) == 2 and fresh.isdisjoint(others)


@pytest.mark.unit
def test_round_36_reads_2026_llama_bench_tables_automodel_training_and_sd14_engines() -> None:
    """Six publications as they write them: llama-bench on an 'NVIDIA GeForce RTX 5090', an RTX
    3090/3060, a 'Radeon 8060S' and two 'Intel Arc A770 (16gb)'; NeMo AutoModel's DGX-H100
    tables ('DeepSeek V3 671B' and 'Qwen3 MoE 30B' resolve by their stated sizes); SD 1.4 on an
    A100 and a T4 under six engines, three of which the project does not model."""
    path = _round_path("as_written_r36")
    written = load_written(path)
    assert written.total == 73 and len(written.rows) == 58
    gpus = {row.gpu for row in written.rows}
    assert {"rtx-5090", "rtx-3090", "rtx-3060-12gb", "arc-a770", "h100-sxm", "t4"} <= gpus
    assert {"deepseek-v3", "qwen3-30b-a3b", "kimi-k2"} <= {row.model for row in written.rows}
    # round 37: the tables' expert-parallel degree as a variant word, where a table states one
    stated = {(row.model, row.gpu_count, row.variant) for row in written.rows if row.variant}
    assert ("deepseek-v3", 256, "ac-full+foreach-adamw+ep64") in stated
    assert {("deepseek-v3", 1024, "ep64"), ("qwen3-30b-a3b", 8, "ep8")} <= stated
    assert not any("ep" in (row.variant or "") for row in written.rows if "gpt-oss" in row.model)
    assert {row.metric for row in written.rows} == {
        "prefill_tok_s",
        "decode_tok_s",
        "train_tok_s",
        "image_s",
    }
    unmodelled = {row.reason.split("'")[1] for row in written.unresolved if "engine" in row.reason}
    assert unmodelled == {"AITemplate", "nvFuser", "ONNX  CUDA  1.12.1"}
    fresh = _sources(path)
    others = _sources_outside(path)
    assert len(fresh) == 6 and fresh.isdisjoint(others)


def test_round_37_reads_moe_training_with_expert_parallelism_as_written() -> None:
    """Three publications of MoE pre-training with a stated expert-parallel degree, as they
    write it: Megatron-Core's Qwen3 best-practice table on 128-256 H100s, two Pai-Megatron-Patch
    speed reports on 16 and 256 H800s, ms-swift's Megatron-SWIFT Qwen3-30B-A3B script on 16
    A800s (the A800 named without its form: ambiguous, kept unresolved)."""
    path = _round_path("as_written_r37")
    written = load_written(path)
    assert written.total == 13 and len(written.rows) == 12
    assert {row.gpu for row in written.rows} == {"h100-sxm", "h800-sxm"}
    assert {row.model for row in written.rows} == {
        "qwen3-235b-a22b",
        "qwen3-30b-a3b",
        "qwen3-next-80b-a3b",
    }
    assert {row.metric for row in written.rows} == {"train_tok_s"}
    # every resolved row states its degree, and Pai-Megatron-Patch trains with Megatron-Core
    assert all("ep" in (row.variant or "") for row in written.rows)
    assert {row.engine for row in written.rows} == {"megatron"}
    assert [row.reason for row in written.unresolved] == [
        "GPU 'A800' is ambiguous; did you mean one of: a800-80gb-sxm, a800-80gb-pcie?"
    ]
    fresh = _sources(path)
    others = _sources_outside(path)
    assert len(fresh) == 4 and fresh.isdisjoint(others)


@pytest.mark.unit
def test_round_38_reads_long_prompt_servers_and_a_few_threads_as_written() -> None:
    """Four publications never cited elsewhere, as they write names: MIT ORCD's M5 Max
    (mlx_lm.server) and DGX Spark (llama-server b10671) speed sweeps with mlx-community and
    bartowski checkpoint ids, tenstorrent/tt-inference-server #521's A100 reference sweep
    (gemma-3-4b-it), llama.cpp PR #7302's master column (RTX 3090 Ti, 'llama 7B Q4_0') and
    unsloth #1591's 2x H100 llama-bench of DeepSeek-R1's 1.58-bit file."""
    path = _round_path("as_written_r38")
    written = load_written(path)
    assert written.total == 70 and len(written.rows) == 70 and not written.unresolved
    assert {row.gpu for row in written.rows} == {
        "apple-m5-max-40c",
        "dgx-spark-gb10",
        "a100-80gb-sxm",
        "rtx-3090-ti",
        "h100-sxm",
    }
    # checkpoint ids resolve to their base and format: mlx-community's 4-bit and MXFP4-Q8
    # names, bartowski's GGUF repos with the Q4_K_M file, unsloth's IQ1_S file name
    formats = {(row.model, row.weights) for row in written.rows}
    assert ("gpt-oss-20b", "mxfp4") in formats
    assert ("qwen3.6-35b-a3b", "mlx-4bit") in formats
    assert ("qwen3.6-35b-a3b", "q4_k_m") in formats
    assert ("deepseek-v3", "iq1_s") in formats
    engines = {(row.gpu, row.engine) for row in written.rows}
    assert ("apple-m5-max-40c", "mlx-lm") in engines and ("dgx-spark-gb10", "llama.cpp") in engines
    fresh = _sources(path)
    others = _sources_outside(path)
    assert len(fresh) == 4 and fresh.isdisjoint(others)


def test_round_39_reads_tensor_parallel_sweeps_and_threads_as_written() -> None:
    """Five publications never cited elsewhere, as they write names: Lambda's vLLM v0.5.4
    tensor-parallel table ('1xA100-80GB-SXM' ... '8xH100-80GB-SXM', checkpoint names such as
    'Meta-Llama-3.1-8B-FP8'), vLLM issue #1888 (Mistral 7B at TP 1 and 8), ROCm issue #4868
    (RX 7900 XTX llama-bench on ROCm and Vulkan), two ComfyUI runs, and three publications of
    ShareGPT bursts gathered blind after the `lengths` column was built (vLLM PR #8050's H100,
    an A100-PCIE-40GB repository, KubeAI's L4 page)."""
    path = _round_path("as_written_r39")
    written = load_written(path)
    assert written.total == 64 and len(written.rows) == 64 and not written.unresolved
    assert {row.gpu for row in written.rows} == {
        "a100-80gb-sxm",
        "a100-40gb-pcie",
        "h100-sxm",
        "l4",
        "a800-80gb-sxm",
        "rx-7900-xtx",
        "rx-9070-xt",
    }
    # an FP8 checkpoint named without an org resolves to its base and format
    formats = {(row.model, row.weights) for row in written.rows}
    assert ("llama-3.1-8b", "fp8") in formats and ("llama-3.1-405b", "fp8") in formats
    # Lambda's burst of 320 ShareGPT prompts: a finite run whose replies spread
    lambda_rows = [row for row in written.rows if "lambda" in row.file]
    assert len(lambda_rows) == 48
    assert {(row.requests, row.lengths) for row in lambda_rows} == {(320, "sharegpt")}
    bursts = [row for row in written.rows if row.lengths == "sharegpt"]
    assert len(bursts) == 56 and all(row.requests for row in bursts)
    fresh = _sources(path)
    others = _sources_outside(path)
    assert len(fresh) == 8 and fresh.isdisjoint(others)
