"""llama.cpp's printed file-type names (llama_model_ftype_name: what llama-bench's model column
and the loader's 'file type' line show) name their GGUF type wherever a weight format is asked
for (`-w`, a measured row's `weights` cell), not only inside a model cell. Before round 26,
`fit … -w "IQ3_XXS - 3.0625 bpw"` and `-w "Q4_K - Medium"` were unknown formats."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from gpuatlas.catalog.formats import find_format, resolve_format
from gpuatlas.catalog.llama_ftype_names import gguf_type_words
from gpuatlas.cli.main import app
from gpuatlas.errors import UnknownNameError

pytestmark = pytest.mark.unit

# (printed by llama.cpp, the GGUF type it names)
PRINTED = [
    ("Q4_K - Medium", "q4_k_m"),
    ("Q4_K - Small", "q4_k_s"),
    ("Q3_K - Large", "q3_k_l"),
    ("Q2_K - Medium", "q2_k"),  # LLAMA_FTYPE_MOSTLY_Q2_K
    ("Q2_K - Small", "q2_k_s"),
    ("IQ2_XXS - 2.0625 bpw", "iq2_xxs"),
    ("IQ3_XXS - 3.0625 bpw", "iq3_xxs"),
    ("IQ3_S - 3.4375 bpw", "iq3_s"),
    ("IQ3_S mix - 3.66 bpw", "iq3_m"),  # LLAMA_FTYPE_MOSTLY_IQ3_M
    ("IQ4_NL - 4.5 bpw", "iq4_nl"),
    ("IQ1_M - 1.75 bpw", "iq1_m"),
    ("MXFP4 MoE", "mxfp4_moe"),
    ("all F32", "fp32"),
]


@pytest.mark.parametrize(("printed", "format_id"), PRINTED)
def test_a_printed_file_type_resolves_as_a_weight_format(printed: str, format_id: str) -> None:
    assert resolve_format(printed).id == format_id


def test_the_words_are_replaced_inside_a_llama_bench_model_column() -> None:
    words = gguf_type_words("qwen35 27b iq3_s mix - 3.66 bpw")
    assert words == "qwen35 27b iq3_m"
    assert gguf_type_words("llama 8b iq2_xxs - 2.0625 bpw") == "llama 8b iq2_xxs"
    assert gguf_type_words("llama 7b mostly q4_0") == "llama 7b mostly q4_0"


def test_a_printed_name_of_a_type_the_catalog_lacks_stays_unknown() -> None:
    assert find_format("TQ1_0 - 1.69 bpw ternary") is None  # ternary TQ1_0: not in the catalog
    with pytest.raises(UnknownNameError):
        resolve_format("IQ9_Z - 9.5 bpw")


def test_fit_takes_the_printed_name_on_the_command_line() -> None:
    result = CliRunner().invoke(
        app, ["fit", "rtx-4090", "llama-3.1-8b", "-e", "llama.cpp", "-w", "IQ3_S mix - 3.66 bpw"]
    )
    assert result.exit_code == 0, result.output
    assert "iq3_m" in result.output
