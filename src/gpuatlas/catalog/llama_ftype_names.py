"""llama.cpp's printed names of its file types (llama_model_ftype_name in
src/llama-model-loader.cpp), as llama-bench's model column and the loader's 'file type' line
show them, read as the GGUF type each names.

'Q4_K - Medium' is Q4_K_M, 'Q3_K - Small' Q3_K_S, 'Q2_K - Medium' plain Q2_K (and 'Q2_K -
Small' Q2_K_S); the i-quants and ternary types carry their bitrate ('IQ4_NL - 4.5 bpw',
'TQ1_0 - 1.69 bpw ternary'); IQ3_M is printed 'IQ3_S mix - 3.66 bpw'; a file whose every
tensor is F32 is 'all F32'; LLAMA_FTYPE_MOSTLY_MXFP4_MOE is 'MXFP4 MoE'."""

from __future__ import annotations

import re

_K_SIZE = re.compile(r"\b(q[2-6]_k)\s+-\s+(small|medium|large)\b")
_BITRATE = re.compile(
    r"\b(i?q\d(?:_[a-z0-9]+)*|tq\d_0)(\s+mix)?\s+-\s+\d+(?:\.\d+)?\s*bpw(?:\s+ternary)?\b"
)
_ALL_F32 = re.compile(r"\ball\s+f32\b")
_MXFP4_MOE = re.compile(r"\bmxfp4\s+moe\b")
# The one file type printed as a mix of another type's name (LLAMA_FTYPE_MOSTLY_IQ3_M).
_PRINTED_MIXES = {"iq3_s": "iq3_m"}


def gguf_type_words(text: str) -> str:
    """Lower-case `text` with each of llama.cpp's printed file-type names replaced by the GGUF
    type it names ('qwen2 1.5b q4_k - medium' -> 'qwen2 1.5b q4_k_m')."""
    text = _K_SIZE.sub(_k_quant, text)
    text = _BITRATE.sub(_bitrate_type, text)
    text = _ALL_F32.sub("f32", text)
    return _MXFP4_MOE.sub("mxfp4_moe", text)


def _k_quant(match: re.Match[str]) -> str:
    quant, size = match.group(1), match.group(2)
    return quant if (quant, size) == ("q2_k", "medium") else f"{quant}_{size[0]}"


def _bitrate_type(match: re.Match[str]) -> str:
    quant = match.group(1)
    return _PRINTED_MIXES.get(quant, quant) if match.group(2) else quant
