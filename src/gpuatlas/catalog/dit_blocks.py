"""What a diffusion transformer's config.json says about the work each token does.

A library file of a DiT / MMDiT image model holds the transformer's config.json (the keys of
its diffusers class); this module reads it into `DiTBlocks`, the counts the FLOP model needs:
blocks over the joint image + text sequence, blocks over one stream alone (Z-Image's refiners),
the hidden width and each block's multiply-adds per token in units of hidden².

Per token, attention's q/k/v and output projections are 4h²; a 4x GELU MLP adds 8h² (12h²:
FLUX.1, SD3, Qwen-Image); a SwiGLU MLP of width f adds 3·h·f (Z-Image: f = 8h/3, 8h²; FLUX.2:
f = 3h, 9h²). A FLUX single-stream block fuses q/k/v with the MLP input and the output with the
MLP output: the same sums. A double-stream (joint, MMDiT) block holds separate weights per
stream, but each token goes through one stream only, so it counts like a single block.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import partial
from typing import Any

# q/k/v and the output projection: 4 h x h matmuls per token
ATTENTION_PROJECTIONS_H2 = 4.0
# a 4x MLP with one activation (GELU): h -> 4h -> h
GELU_MLP_H2 = 8.0
# a SwiGLU MLP runs three matmuls of h x f (gate, up, down)
SWIGLU_MATMULS = 3.0


@dataclass(frozen=True)
class DiTBlocks:
    """The transformer's blocks, as its config.json and the default pipeline set them up."""

    class_name: str
    joint_blocks: int  # double-stream (FLUX, Qwen-Image) or joint (SD3) blocks
    single_blocks: int  # blocks with one set of weights over the joint sequence
    hidden: int  # num_attention_heads x attention_head_dim
    text_tokens: int  # the text sequence the default pipeline joins to the image's
    block_h2: float = ATTENTION_PROJECTIONS_H2 + GELU_MLP_H2  # multiply-adds per token / h²
    dual_attention_blocks: int = 0  # SD3.5 Medium (MMDiT-X): a second image self-attention
    image_refiner_blocks: int = 0  # blocks over the image tokens alone (Z-Image noise_refiner)
    text_refiner_blocks: int = 0  # blocks over the text tokens alone (Z-Image context_refiner)

    @property
    def sequence_blocks(self) -> int:
        """Blocks that attend over the joint image + text sequence."""
        return self.joint_blocks + self.single_blocks


def _heads_width(config: Mapping[str, Any]) -> int:
    return int(config["num_attention_heads"]) * int(config["attention_head_dim"])


def _swiglu_block_h2(hidden: int, mlp_width: float) -> float:
    return ATTENTION_PROJECTIONS_H2 + SWIGLU_MATMULS * mlp_width / hidden


def _mmdit(config: Mapping[str, Any], text_tokens: int, class_name: str) -> DiTBlocks:
    """Diffusers' MMDiT configs: num_layers double-stream (joint) blocks, num_single_layers
    single-stream blocks (FLUX), heads x head width, and for FLUX.2 a SwiGLU MLP mlp_ratio x
    the width (3.0: 13h² per token); SD3.5 Medium's dual_attention_layers."""
    hidden = _heads_width(config)
    block_h2 = ATTENTION_PROJECTIONS_H2 + GELU_MLP_H2
    if class_name == "Flux2Transformer2DModel":
        block_h2 = _swiglu_block_h2(hidden, float(config.get("mlp_ratio", 3.0)) * hidden)
    return DiTBlocks(
        class_name,
        joint_blocks=int(config["num_layers"]),
        single_blocks=int(config["num_single_layers"]) if class_name.startswith("Flux") else 0,
        hidden=hidden,
        text_tokens=text_tokens,
        block_h2=block_h2,
        dual_attention_blocks=len(config.get("dual_attention_layers") or ()),
    )


def _z_image(config: Mapping[str, Any], text_tokens: int) -> DiTBlocks:
    """Z-Image (transformer_z_image.py): n_layers single-stream blocks over the joint sequence,
    after n_refiner_layers blocks on the image tokens (noise_refiner) and as many on the text
    tokens (context_refiner); each block's SwiGLU MLP is int(dim / 3 * 8) wide."""
    hidden = int(config["dim"])
    refiners = int(config.get("n_refiner_layers", 0))
    return DiTBlocks(
        "ZImageTransformer2DModel",
        joint_blocks=0,
        single_blocks=int(config["n_layers"]),
        hidden=hidden,
        text_tokens=text_tokens,
        block_h2=_swiglu_block_h2(hidden, int(hidden / 3 * 8)),
        image_refiner_blocks=refiners,
        text_refiner_blocks=refiners,
    )


# FLUX.1 and SD3 (4x GELU MLPs), FLUX.2 (SwiGLU, mlp_ratio), Qwen-Image (double-stream only)
_MMDIT_CLASSES = (
    "FluxTransformer2DModel",
    "Flux2Transformer2DModel",
    "QwenImageTransformer2DModel",
    "SD3Transformer2DModel",
)
_READERS: dict[str, Callable[[Mapping[str, Any], int], DiTBlocks]] = {
    "ZImageTransformer2DModel": _z_image,
    **{name: partial(_mmdit, class_name=name) for name in _MMDIT_CLASSES},
}


def known_transformer_classes() -> tuple[str, ...]:
    return tuple(_READERS)


def dit_blocks_from_config(config: Mapping[str, Any], text_tokens: int) -> DiTBlocks | None:
    """The blocks of a transformer config of a known class; None for another class (a UNet, or
    a transformer whose work is then estimated from its parameter count)."""
    reader = _READERS.get(str(config.get("_class_name", "")))
    return reader(config, text_tokens) if reader else None
