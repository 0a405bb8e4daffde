"""llama.cpp's i-quants as users name them (IQ1_S … IQ3_M, Unsloth's UD-IQ1_S): each is a
catalog format sized by its ggml block (ggml-common.h) or, for a mix, by llama-quantize's own
bits per weight, and llama.cpp and Ollama load them. Before, IQ2_XXS and IQ3_XXS were in the
catalog but no engine took them (`fit … -w UD-IQ2_XXS`: "engines that load iq2_xxs: none")."""

from __future__ import annotations

import pytest

from gpuatlas.catalog.formats import gguf_shorthand, resolve_format
from gpuatlas.performance import api
from gpuatlas.performance.engine_profiles import resolve_engine
from gpuatlas.performance.resolve import as_llm

pytestmark = pytest.mark.unit

BLOCK_WEIGHTS = 256


@pytest.mark.parametrize(
    ("written", "format_id", "block_bytes"),
    [
        ("IQ1_S", "iq1_s", 2 + 32 + 16),  # d, qs[QK_K/8], qh[QK_K/32] u16
        ("IQ1_M", "iq1_m", 32 + 16 + 8),  # qs[QK_K/8], qh[QK_K/16], scales[QK_K/64] u16
        ("IQ2_XXS", "iq2_xxs", 2 + 64),  # d, qs[QK_K/8] u16
        ("IQ2_XS", "iq2_xs", 2 + 64 + 8),  # d, qs[QK_K/8] u16, scales[QK_K/32]
        ("IQ2_S", "iq2_s", 2 + 64 + 8 + 8),  # d, qs[QK_K/4], qh[QK_K/32], scales[QK_K/32]
        ("IQ3_XXS", "iq3_xxs", 2 + 96),  # d, qs[3*QK_K/8]
    ],
)
def test_a_single_type_is_sized_by_its_block(
    written: str, format_id: str, block_bytes: int
) -> None:
    found = resolve_format(written)
    assert found.id == format_id
    assert found.bits_per_weight == pytest.approx(8 * block_bytes / BLOCK_WEIGHTS)


@pytest.mark.parametrize(
    ("written", "block_type", "mix_bits"),
    [("IQ2_M", "iq2_s", 2.7), ("IQ3_XS", "iq3_s", 3.3), ("IQ3_M", "iq3_s", 3.66)],
)
def test_a_mix_has_its_block_type_and_quantizes_table_size(
    written: str, block_type: str, mix_bits: float
) -> None:
    """IQ2_M, IQ3_XS and IQ3_M are file types (a mix of tensors), not ggml types."""
    found = resolve_format(written)
    assert found.bits_per_weight == resolve_format(block_type).bits_per_weight
    assert found.effective_bits_per_weight == pytest.approx(mix_bits)


def test_unsloths_dynamic_i_quants_read_as_their_type() -> None:
    format_id, how = gguf_shorthand("UD-IQ1_S") or ("", "")
    assert format_id == "iq1_s"
    assert "Unsloth Dynamic" in how
    assert (gguf_shorthand("UD-IQ2_M") or ("",))[0] == "iq2_m"


@pytest.mark.parametrize("engine", ["llama.cpp", "ollama", "llama.cpp-2024"])
@pytest.mark.parametrize("format_id", ["iq1_s", "iq1_m", "iq2_xxs", "iq2_m", "iq3_xxs", "iq3_m"])
def test_llama_cpp_and_ollama_load_them(engine: str, format_id: str) -> None:
    assert resolve_engine(engine).supports_format(format_id)


def test_deepseek_r1_at_ud_iq1_s_fits_two_80_gb_gpus_with_its_size() -> None:
    """Unsloth's DeepSeek-R1 UD-IQ1_S: 671B parameters at about 1.56 bits (131 GB file)."""
    fit = api.inference_memory(
        "2x h100-sxm", "deepseek-r1", "iq1_s", context_tokens=4096, engine="llama.cpp"
    )
    params = as_llm("deepseek-r1").total_params()
    expected_gb = params * resolve_format("iq1_s").bits_per_weight / 8 / 1e9
    weights_gb = fit.per_gpu.weights_gb * 2
    assert weights_gb == pytest.approx(expected_gb, rel=0.03)
    assert fit.fits
