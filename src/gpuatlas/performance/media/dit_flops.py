"""FLOPs of one MMDiT forward (FLUX, SD3.x), counted from its transformer config.

2·P·tokens overcounts these models: a double-stream (joint) block holds separate weights for
image and text tokens, each token going through one stream only, and the adaLN modulation
layers (a quarter of FLUX's parameters) run once per image, not per token. Per token, a joint
block's stream does q/k/v and output projections (4h²) and a 4x MLP (8h²); a FLUX single-stream
block fuses q/k/v with the MLP input (7h²) and the output with the MLP output (5h²): 12h²
multiply-adds either way. Attention over the joint sequence of N tokens adds QK^T and AV,
4·N²·h FLOPs per block. SD3.5 Medium's dual-attention layers add a second image self-attention
(4h² per image token, 4·N_img²·h). Embedders and modulation are left out (< 1 %).

Activation traffic (dit_activation_values): the values each block's norms, modulation, RoPE,
GELU, residual adds and GEMM inputs/outputs read and write, per token and hidden channel, as
eager PyTorch runs them one kernel each; a compiled forward (torch.compile, TensorRT) fuses the
elementwise chains between the GEMMs (FUSED_BLOCK_SHARE).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class DiTShape:
    """What an MMDiT transformer/config.json says about its work per forward."""

    joint_blocks: int  # num_layers: double-stream (FLUX) or joint (SD3) blocks
    single_blocks: int  # num_single_layers (FLUX)
    hidden: int  # num_attention_heads x attention_head_dim
    text_tokens: int  # the pipeline's text sequence (T5 max length, + 77 CLIP tokens for SD3)
    dual_attention_blocks: int = 0  # SD3.5 Medium (MMDiT-X)


# From transformer/config.json of each model (the model library holds the same files) and the
# diffusers pipelines' default text lengths: FluxPipeline max_sequence_length 512 (dev; schnell
# 256), StableDiffusion3Pipeline 256 T5 tokens joined to 77 CLIP tokens.
DIT_SHAPES: dict[str, DiTShape] = {
    "flux.1-dev": DiTShape(19, 38, 24 * 128, 512),
    "flux.1-schnell": DiTShape(19, 38, 24 * 128, 256),
    "sd-3.5-large": DiTShape(38, 0, 38 * 64, 256 + 77),
    "sd-3.5-medium": DiTShape(24, 0, 24 * 64, 256 + 77, dual_attention_blocks=13),
}


def dit_forward_flops(shape: DiTShape, image_tokens: int) -> float:
    """FLOPs of one forward for one image of `image_tokens` latent patches."""
    tokens = image_tokens + shape.text_tokens
    h = float(shape.hidden)
    per_block = 2.0 * 12.0 * h * h * tokens + 4.0 * tokens * tokens * h
    dual = shape.dual_attention_blocks * (
        2.0 * 4.0 * h * h * image_tokens + 4.0 * image_tokens * image_tokens * h
    )
    return (shape.joint_blocks + shape.single_blocks) * per_block + dual


# Values per token and hidden channel one block of an eager MMDiT forward reads and writes
# outside the GEMMs' arithmetic (each elementwise or norm kernel reads its input and writes its
# output; each GEMM reads its input and writes its output). Joint (double-stream) block, per
# token of its stream: LayerNorm + adaLN modulate (4), q/k/v projections in/out (4), q/k RMSNorm
# (4) and RoPE (4), attention in/out (4), output projection in/out (2), gate x residual add (3),
# second LayerNorm + modulate (4), FF1 in/out (5), GELU on 4h (8), FF2 in/out (5), gate x
# residual add (3): 50. FLUX single-stream block: LayerNorm + modulate (4), fused q/k/v + MLP-in
# projection in/out (8), q/k RMSNorm (4) and RoPE (4), attention in/out (4), GELU on the 4h MLP
# half (8), concat of attention and MLP outputs (10), output projection in/out (6), gate x
# residual add (3): 51. SD3.5 Medium's second image attention: norm (2), q/k/v in/out (4), q/k
# norm (4), attention in/out (4), output in/out (2) and gated add (3) per image token: 19.
JOINT_BLOCK_VALUES = 50
SINGLE_BLOCK_VALUES = 51
DUAL_ATTENTION_VALUES = 19

# Share of that traffic a compiled joint block still moves: each elementwise chain between two
# GEMMs becomes one kernel that reads its inputs once and writes one output. LayerNorm +
# modulate 3 (statistics pass, apply pass, write), q/k/v in/out 4, RMSNorm + RoPE on q and k 4,
# attention in/out 4, output projection in/out 2, gate + residual + LayerNorm + modulate 5,
# FF1 in/out 5, GELU 8 (cuBLAS GEMMs take no fused epilogue), FF2 in/out 5, gate + residual 3:
# 43 of 50.
FUSED_BLOCK_SHARE = 43 / JOINT_BLOCK_VALUES


def dit_activation_values(shape: DiTShape, image_tokens: int) -> float:
    """Values one eager forward of one image moves outside the GEMMs' arithmetic."""
    tokens = image_tokens + shape.text_tokens
    per_token = shape.joint_blocks * JOINT_BLOCK_VALUES + shape.single_blocks * SINGLE_BLOCK_VALUES
    dual = shape.dual_attention_blocks * DUAL_ATTENTION_VALUES * image_tokens
    return float((per_token * tokens + dual) * shape.hidden)
