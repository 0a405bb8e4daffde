"""FLOPs of one MMDiT forward (FLUX, SD3.x), counted from its transformer config.

2·P·tokens overcounts these models: a double-stream (joint) block holds separate weights for
image and text tokens, each token going through one stream only, and the adaLN modulation
layers (a quarter of FLUX's parameters) run once per image, not per token. Per token, a joint
block's stream does q/k/v and output projections (4h²) and a 4x MLP (8h²); a FLUX single-stream
block fuses q/k/v with the MLP input (7h²) and the output with the MLP output (5h²): 12h²
multiply-adds either way. Attention over the joint sequence of N tokens adds QK^T and AV,
4·N²·h FLOPs per block. SD3.5 Medium's dual-attention layers add a second image self-attention
(4h² per image token, 4·N_img²·h). Embedders and modulation are left out (< 1 %).
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
