"""A tiny random-weight llama model written as a real GGUF file (with an SPM tokenizer).

2 layers, hidden 64, 4 heads, FFN 128, f32 weights; vocabulary: control tokens, the byte
tokens of tab, newline and carriage return (llama.cpp tokenizes a chat template's "\n" with
<0x0A> and stops when it is missing), word pieces and single characters (no other byte
tokens, so every generated token is visible text). Used by the tests to run a real
llama.cpp server without downloading anything. Needs the `gguf` package (test extra).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

HIDDEN = 64
LAYERS = 2
HEADS = 4
FFN = 128
CONTEXT = 2048
_WORD_PIECES_TEXT = (
    "the of and to in is was for on that with as it by at from his an were are which this be "
    "has had one or their not but all new also other its first two they more after who time "
    "year people way day man thing woman life child world school state family student group "
    "country problem hand part place case week company system program question work number "
    "night point home water room mother area money story fact month lot right study book eye "
    "tok request tag"
)
WORD_PIECES = tuple(_WORD_PIECES_TEXT.split())
WHITESPACE_BYTES = (0x09, 0x0A, 0x0D)


def _vocabulary(gguf: Any) -> tuple[list[str], list[float], list[int]]:
    tokens = ["<unk>", "<s>", "</s>", *(f"<0x{byte:02X}>" for byte in WHITESPACE_BYTES)]
    types = [gguf.TokenType.UNKNOWN, gguf.TokenType.CONTROL, gguf.TokenType.CONTROL]
    types += [gguf.TokenType.BYTE] * len(WHITESPACE_BYTES)
    pieces = ["\u2581"] + [f"\u2581{word}" for word in WORD_PIECES]
    pieces += list("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.,:;!?'-")
    tokens += pieces
    types += [gguf.TokenType.NORMAL] * len(pieces)
    scores = [0.0] * (3 + len(WHITESPACE_BYTES)) + [-float(i) for i in range(len(pieces))]
    return tokens, scores, [int(t) for t in types]


def _tensors(vocab: int, rng: np.random.Generator) -> dict[str, np.ndarray]:
    def weight(*shape: int) -> np.ndarray:
        return (rng.standard_normal(shape) * 0.05).astype(np.float32)

    tensors = {
        "token_embd.weight": weight(vocab, HIDDEN),
        "output_norm.weight": np.ones(HIDDEN, dtype=np.float32),
        "output.weight": weight(vocab, HIDDEN),
    }
    for layer in range(LAYERS):
        prefix = f"blk.{layer}."
        tensors.update(
            {
                prefix + "attn_norm.weight": np.ones(HIDDEN, dtype=np.float32),
                prefix + "attn_q.weight": weight(HIDDEN, HIDDEN),
                prefix + "attn_k.weight": weight(HIDDEN, HIDDEN),
                prefix + "attn_v.weight": weight(HIDDEN, HIDDEN),
                prefix + "attn_output.weight": weight(HIDDEN, HIDDEN),
                prefix + "ffn_norm.weight": np.ones(HIDDEN, dtype=np.float32),
                prefix + "ffn_gate.weight": weight(FFN, HIDDEN),
                prefix + "ffn_up.weight": weight(FFN, HIDDEN),
                prefix + "ffn_down.weight": weight(HIDDEN, FFN),
            }
        )
    return tensors


def write_tiny_llama_gguf(path: Path, seed: int = 0) -> Path:
    import gguf  # test extra; imported here so the package does not need it

    tokens, scores, types = _vocabulary(gguf)
    writer = gguf.GGUFWriter(str(path), "llama")
    writer.add_name("gpuatlas-tiny-llama")
    writer.add_context_length(CONTEXT)
    writer.add_embedding_length(HIDDEN)
    writer.add_block_count(LAYERS)
    writer.add_feed_forward_length(FFN)
    writer.add_head_count(HEADS)
    writer.add_head_count_kv(HEADS)
    writer.add_rope_dimension_count(HIDDEN // HEADS)
    writer.add_layer_norm_rms_eps(1e-5)
    writer.add_file_type(gguf.LlamaFileType.ALL_F32)
    writer.add_tokenizer_model("llama")
    writer.add_token_list(tokens)
    writer.add_token_scores(scores)
    writer.add_token_types(types)
    writer.add_bos_token_id(1)
    writer.add_eos_token_id(2)
    writer.add_unk_token_id(0)
    writer.add_add_bos_token(True)
    writer.add_chat_template(
        "{% for m in messages %}{{ m['role'] }}: {{ m['content'] }}\n{% endfor %}assistant:"
    )
    for name, array in _tensors(len(tokens), np.random.default_rng(seed)).items():
        writer.add_tensor(name, array)
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    return path
