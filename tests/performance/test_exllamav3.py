"""ExLlamaV3 and its EXL3 format (issue 10): EXL3 bitrates are any average of 1 to 8 bits (the
converter's range; names: test_exl2_and_finetune_names.py) and run with ExLlamaV3, which is
CUDA-only on sm_80 and newer (turboderp-org/exllamav3 README, doc/sm75.md) and has no
calibration rows of its own: its answers say so and are marked extrapolated."""

from __future__ import annotations

import pytest

from gpuatlas.catalog.formats import find_format, template_format_id
from gpuatlas.errors import InvalidRequestError
from gpuatlas.performance.api import predict_llm
from gpuatlas.performance.engine_profiles import resolve_engine
from gpuatlas.performance.engine_specs import unmeasured_engine_notes
from gpuatlas.performance.predictions import LlmPrediction

pytestmark = pytest.mark.unit


def _predict(gpu: str) -> LlmPrediction:
    return predict_llm(
        gpu, "qwen3-8b", "exl3-4.0bpw", "exllamav3", batch=1, input_tokens=512, output_tokens=256
    )


@pytest.mark.parametrize("written", ["exl3-0.5bpw", "exl3-9bpw"])
def test_a_bitrate_outside_the_converters_range_is_no_format(written: str) -> None:
    assert find_format(written) is None


def test_exl2_bitrates_keep_their_own_entry() -> None:
    assert template_format_id("exl2-4.65bpw") == "exl2-4bpw"
    assert template_format_id("exl3-1.6bpw") == "exl3-4bpw"


@pytest.mark.parametrize("written", ["ExLlamaV3", "exllama v3", "exl3"])
def test_the_engine_as_users_write_it(written: str) -> None:
    assert resolve_engine(written).engine == "exllamav3"


def test_exllamav3_loads_only_exl3() -> None:
    profile = resolve_engine("exllamav3")
    assert profile.supports_format("exl3-3.5bpw")
    assert not profile.supports_format("exl2-4bpw")
    assert not profile.supports_format("gptq-int4")


def test_a_turing_card_is_refused_upstream_targets_sm80_and_newer() -> None:
    with pytest.raises(InvalidRequestError, match="no build for rtx-2080-ti"):
        _predict("rtx-2080-ti")


def test_an_amd_card_is_refused_the_build_is_cuda_only() -> None:
    with pytest.raises(InvalidRequestError, match="does not run on AMD"):
        _predict("rx-7900-xtx")


def test_an_ampere_answer_is_extrapolated_and_says_whose_levels_it_takes() -> None:
    answer = _predict("rtx-3090")
    assert answer.decode_tok_s.extrapolated
    notes = unmeasured_engine_notes(resolve_engine("exllamav3"), frozenset({"exllamav2"}))
    assert "costed at exllamav2's calibrated levels" in notes[0]


@pytest.mark.parametrize(
    ("written", "profile"),
    [
        ("ExLlama", "exllama"),
        ("ExLlama_HF", "exllama"),
        ("ExLlamaV2", "exllamav2"),
        ("ExLlamav2_HF", "exllamav2"),
        ("ExLlamaV3", "exllamav3"),
    ],
)
def test_each_exllama_generation_is_its_own_engine(written: str, profile: str) -> None:
    assert resolve_engine(written).id == profile


def test_exllama_v1_loads_gptq_only_and_is_costed_at_v2s_levels() -> None:
    v1 = resolve_engine("exllama")
    assert v1.supports_format("gptq-int4") and not v1.supports_format("exl2-4bpw")
    notes = unmeasured_engine_notes(v1, frozenset({"exllamav2"}))
    assert "costed at exllamav2's calibrated levels" in notes[0]
