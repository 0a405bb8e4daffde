"""The compare FAQ 'Can the X run a 70B model?' names how the side's engine spreads the model:
tensor parallel for vLLM (a power of two dividing the 64 heads), whole layers per GPU for
llama.cpp (any count), so a count like 20 is not called tensor parallel."""

from __future__ import annotations

from gpuatlas.catalog.systems import GpuSystem, resolve_system
from gpuatlas.numbers import format_number
from gpuatlas.performance.api import predict_llm
from gpuatlas.performance.llm.host_memory import OS_RESERVE_GB, with_host_ram
from gpuatlas.performance.llm.memory import MAX_GPUS_SEARCHED
from gpuatlas.performance.predictions import LlmPrediction
from gpuatlas.report.focus import OUTPUT_TOKENS, Focus
from gpuatlas.report.phrasing import render_statement
from gpuatlas.report.profiles import SideProfile
from gpuatlas.report.profiles.fit import FitKey, compute_fit
from gpuatlas.report.profiles.llm import CpuSplitRun, cpu_split_run
from gpuatlas.report.sections.guidance import SEVENTY_B, _gpu_count_words, seventy_b_answer

LLAMA_3_70B_HEADS = 64


def _side(gpu: str) -> SideProfile:
    focus = Focus(
        model="llama-3.1-8b", weights="fp16", prompt_tokens=512, provider=None, engine=None
    )
    return SideProfile(resolve_system(gpu), focus)


def test_radeon_side_splits_layers_and_says_so() -> None:
    fit = compute_fit(resolve_system("rx-7600"), FitKey(SEVENTY_B, "fp16", None))
    assert fit is not None and fit.multi_gpu == "layer-split"
    answer = seventy_b_answer("Radeon RX 7600", _side("rx-7600"))
    text = render_statement(answer)
    assert "whole layers per GPU" in text
    assert "tensor parallel" not in text


def test_geforce_side_runs_tensor_parallel_over_a_head_divisor() -> None:
    fit = compute_fit(resolve_system("rtx-5060"), FitKey(SEVENTY_B, "fp16", None))
    assert fit is not None and fit.multi_gpu == "tensor"
    assert fit.gpus_needed is not None and LLAMA_3_70B_HEADS % fit.gpus_needed == 0
    answer = seventy_b_answer("RTX 5060", _side("rtx-5060"))
    assert "tensor parallel" in render_statement(answer)


def test_no_count_found_names_the_search_limit() -> None:
    assert _gpu_count_words(None) == f"more than {MAX_GPUS_SEARCHED}×"
    assert _gpu_count_words(4) == "4×"


def _one_request(system: GpuSystem) -> LlmPrediction:
    """predict llm's own figures for the 70B in Q4_K_M on llama.cpp, one 512-token prompt."""
    return predict_llm(
        system,
        SEVENTY_B,
        "q4_k_m",
        "llama.cpp",
        batch=1,
        input_tokens=512,
        output_tokens=OUTPUT_TOKENS,
    )


def _split_words(gpu: str) -> tuple[str, CpuSplitRun | None]:
    side = _side(gpu)
    run = cpu_split_run(side.system, SEVENTY_B, side.usual_engine, side.focus.prompt_tokens)
    return render_statement(seventy_b_answer(gpu, side)), run


def test_a_24gb_card_names_the_cpu_split_with_its_speed() -> None:
    text, run = _split_words("rtx-4090")
    assert run is not None
    # 70B at Q4_K_M (~40 GB) on 24 GB: some but not all of the 80 layers fit on the GPU.
    assert 0 < run.gpu_layers < run.total_layers == 80
    assert run.weights == "q4_k_m"
    # The decode rate is predict llm's own for that split (same engine, weights, one request).
    single = _one_request(resolve_system("rtx-4090"))
    assert run.decode_tok_s.value == single.decode_tok_s.value
    assert (
        run.decode_tok_s.provenance.calibration_version == single.decode_tok_s.calibration_version
    )
    # Host memory bounds it: no faster than the CPU's weights read once per token at host speed.
    assert single.decode_tok_s.value < run.host_bandwidth_gb_s / run.cpu_weights_gb
    assert "llama.cpp or Ollama can split it between GPU and CPU" in text
    assert f"{run.gpu_layers} of 80 layers on the GPU" in text
    assert "tok/s decode" in text


def test_where_the_assumed_host_is_too_small_the_answer_says_how_much_ram_it_needs() -> None:
    # 12 GB holds ~22 of 80 layers: ~31 GB of Q4_K_M weights stay on the CPU, which with the
    # OS's 4 GB does not fit the assumed 32 GB desktop; the split is offered with the RAM it needs.
    text, run = _split_words("rtx-3060")
    assert run is not None and run.host_ram_assumed_gb == 32
    assert run.host_ram_needed_gb >= run.cpu_weights_gb + OS_RESERVE_GB > 32
    assert run.host_ram_needed_gb - 1 < run.cpu_weights_gb + OS_RESERVE_GB + 1  # KV is small
    # the speed is predict llm's on a machine with that RAM
    single = _one_request(with_host_ram(resolve_system("rtx-3060"), run.host_ram_needed_gb))
    assert run.decode_tok_s.value == single.decode_tok_s.value
    assert f"with at least {run.host_ram_needed_gb} GB of host RAM" in text
    assert "--host-ram-gb" in text


def test_a_host_with_room_gets_no_ram_words() -> None:
    text, run = _split_words("rtx-4090")
    assert run is not None and run.host_ram_needed_gb == 0
    assert "GB of host RAM" not in text


def test_a_24gb_card_is_told_the_2_bit_i_quant_fits_it_whole_and_how_fast() -> None:
    """70B at IQ2_XXS (2.0625 bits, about 18 GB) fits a 24 GB card; a 16 GB card it does not.
    The answer gives predict llm's own decode rate for it (round 26: the fit alone before)."""
    text, _ = _split_words("rtx-4090")
    single = predict_llm(
        resolve_system("rtx-4090"),
        SEVENTY_B,
        "iq2_xxs",
        "llama.cpp",
        batch=1,
        input_tokens=512,
        output_tokens=OUTPUT_TOKENS,
    )
    rate = format_number(single.decode_tok_s.value)
    assert text.endswith(
        "In IQ2_XXS (about two bits per weight) on llama.cpp (CUDA) it fits the rtx-4090 whole, "
        f"~{rate} tok/s decode (one request)."
    )
    fit = compute_fit(resolve_system("rtx-4090"), FitKey(SEVENTY_B, "iq2_xxs", "llama.cpp"))
    assert fit is not None and fit.fits
    small, _ = _split_words("rtx-4060-ti-16gb")
    assert "IQ2_XXS" not in small
