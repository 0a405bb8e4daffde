"""FLOPs of one diffusion-transformer forward (FLUX, SD3.x, Z-Image, Qwen-Image), counted from
the blocks its transformer config.json describes (`gpuatlas.catalog.dit_blocks`).

2·P·tokens overcounts these models: a double-stream (joint) block holds separate weights for
image and text tokens, each token going through one stream only, and the adaLN modulation
layers (a quarter of FLUX's parameters) run once per image, not per token. Each block costs its
multiply-adds per token (`DiTBlocks.block_h2`, 12h² for a 4x GELU MLP) over the tokens it sees;
attention over a sequence of N tokens adds QK^T and AV, 4·N²·h FLOPs per block. SD3.5 Medium's
dual-attention layers add a second image self-attention (4h² per image token, 4·N_img²·h).
Z-Image's refiner blocks see one stream alone (the image tokens, or the text tokens) before the
joint blocks. Embedders and modulation are left out (< 1 %).
"""

from __future__ import annotations

from gpuatlas.catalog.dit_blocks import ATTENTION_PROJECTIONS_H2, DiTBlocks


def _blocks_flops(blocks: int, h2_per_token: float, hidden: float, tokens: int) -> float:
    """`blocks` transformer blocks over a sequence of `tokens`: matmuls plus attention."""
    return blocks * (2.0 * h2_per_token * hidden * hidden * tokens + 4.0 * tokens * tokens * hidden)


def dit_forward_flops(shape: DiTBlocks, image_tokens: int) -> float:
    """FLOPs of one forward for one image of `image_tokens` latent patches."""
    h = float(shape.hidden)
    sequence = image_tokens + shape.text_tokens
    joint = _blocks_flops(shape.sequence_blocks, shape.block_h2, h, sequence)
    dual = _blocks_flops(shape.dual_attention_blocks, ATTENTION_PROJECTIONS_H2, h, image_tokens)
    image_refiners = _blocks_flops(shape.image_refiner_blocks, shape.block_h2, h, image_tokens)
    text_refiners = _blocks_flops(shape.text_refiner_blocks, shape.block_h2, h, shape.text_tokens)
    return joint + dual + image_refiners + text_refiners
