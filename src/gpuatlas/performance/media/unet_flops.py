"""FLOPs of one UNet2DConditionModel forward (diffusers), counted from its architecture.

Counted per latent position: 3x3 and 1x1 convolutions of the ResNet blocks, the up/down
samplers, and the linear layers of every transformer block (self-attention q/k/v/o, cross-
attention q/o and k/v over the text tokens, GEGLU feed-forward 4x), all linear in the number of
latent positions; attention scores and values (QK^T and AV) grow with positions² for
self-attention and with positions x text tokens for cross-attention. Norms, activations and the
time embedding are left out (<1 %). The shapes are those of each model's unet/config.json
(block_out_channels, layers_per_block, transformer_layers_per_block, down/up block types,
cross_attention_dim); a test checks them against the model library's configs.
"""

from __future__ import annotations

from dataclasses import dataclass

TEXT_TOKENS = 77


@dataclass(frozen=True)
class UNetShape:
    """What a UNet2DConditionModel config says about its work per forward."""

    block_out_channels: tuple[int, ...]
    layers_per_block: int
    transformer_depth: tuple[int, ...]  # per down block; 0 = no attention in that block
    mid_depth: int  # transformer depth of the mid block
    cross_attention_dim: int
    in_channels: int = 4
    # config 'attention_head_dim', which diffusers' UNets read as the number of heads per
    # block (one value: every block)
    attention_heads: tuple[int, ...] = (8,)

    def heads(self, level: int) -> int:
        return self.attention_heads[min(level, len(self.attention_heads) - 1)]


SD2_UNET = UNetShape(
    (320, 640, 1280, 1280), 2, (1, 1, 1, 0), 1, 1024, attention_heads=(5, 10, 20, 20)
)
SDXL_UNET = UNetShape((320, 640, 1280), 2, (0, 2, 10), 10, 2048, attention_heads=(5, 10, 20))

# From unet/config.json of each model (the model library holds the same files).
UNET_SHAPES: dict[str, UNetShape] = {
    # stable-diffusion-v1-5/stable-diffusion-v1-5: CrossAttnDown x3 + DownBlock2D, depth 1
    "sd-1.5": UNetShape((320, 640, 1280, 1280), 2, (1, 1, 1, 0), 1, 768),
    # CompVis/stable-diffusion-v1-4: the same U-Net config (SD 1.5 continued its training)
    "sd-1.4": UNetShape((320, 640, 1280, 1280), 2, (1, 1, 1, 0), 1, 768),
    # stabilityai/stable-diffusion-2-1 and -2-1-base: SD 1.5's blocks, heads 5/10/20/20 and
    # cross-attention over 1024-dim OpenCLIP-ViT/H text features
    "sd-2.1": SD2_UNET,
    "sd-2.1-base": SD2_UNET,
    # stabilityai/stable-diffusion-xl-base-1.0: DownBlock2D + CrossAttnDown x2, depths 1/2/10
    "sdxl-base-1.0": SDXL_UNET,
    # stabilityai/sd-turbo and sdxl-turbo: distilled from SD 2.1 and SDXL base (model cards),
    # the same architectures (diffusers' SDXL Turbo docs: "the exact same architecture as SDXL")
    "sd-turbo": SD2_UNET,
    "sdxl-turbo": SDXL_UNET,
    # ByteDance/SDXL-Lightning: distilled from SDXL base, its UNet checkpoints load into SDXL
    # base's UNet2DConditionModel config (model card)
    "sdxl-lightning": SDXL_UNET,
    # latent-consistency/lcm-sdxl: LCM-distilled from SDXL base, loaded into SDXL base's
    # pipeline; its unet/config.json has SDXL base's blocks (model card, config.json)
    "sdxl-lcm": SDXL_UNET,
}


@dataclass(frozen=True)
class UNetFlops:
    """FLOPs of one forward of one latent: linear in positions, and attention scores;
    `convolution` is the part of `linear` in convolutions (cuDNN kernels, which PyTorch runs in
    TF32 by default for fp32 models, unlike matmuls)."""

    linear: float
    attention: float
    convolution: float = 0.0

    @property
    def total(self) -> float:
        return self.linear + self.attention

    @property
    def matmul(self) -> float:
        """Linear layers and attention matmuls (everything but the convolutions)."""
        return self.total - self.convolution


def _conv(c_in: int, c_out: int, positions: float, kernel: int = 3) -> float:
    return 2.0 * kernel * kernel * c_in * c_out * positions


def _resnet(c_in: int, c_out: int, positions: float) -> float:
    shortcut = _conv(c_in, c_out, positions, 1) if c_in != c_out else 0.0
    return _conv(c_in, c_out, positions) + _conv(c_out, c_out, positions) + shortcut


def _transformer(channels: int, depth: int, positions: float, cross_dim: int) -> UNetFlops:
    """proj_in/out + depth x (self-attn 4c², cross-attn q/o 2c², GEGLU FF 12c²) per position,
    cross-attn k/v over the text tokens, and the attention score/value matmuls."""
    per_position = 2.0 * channels * channels * (2 + depth * (4 + 2 + 12))
    text_kv = depth * 2.0 * 2 * TEXT_TOKENS * cross_dim * channels
    scores = depth * 4.0 * channels * positions * (positions + TEXT_TOKENS)
    return UNetFlops(per_position * positions + text_kv, scores)


def unet_forward_flops(shape: UNetShape, latent_side: int) -> UNetFlops:
    """One forward for one latent of latent_side x latent_side positions."""
    convolution, transformers = 0.0, UNetFlops(0.0, 0.0)
    channels = shape.block_out_channels
    last = len(channels) - 1
    side = float(latent_side)
    convolution += _conv(shape.in_channels, channels[0], side * side) * 2  # conv_in + conv_out
    skips, previous = [channels[0]], channels[0]
    for level, out in enumerate(channels):  # down path
        for _ in range(shape.layers_per_block):
            convolution += _resnet(previous, out, side * side)
            transformers = _plus(transformers, _attention(shape, level, out, side))
            skips.append(previous := out)
        if level < last:
            side /= 2
            convolution += _conv(out, out, side * side)
            skips.append(out)
    mid = _transformer(channels[-1], shape.mid_depth, side * side, shape.cross_attention_dim)
    convolution += 2 * _resnet(channels[-1], channels[-1], side * side)
    transformers = _plus(transformers, mid)
    for level in reversed(range(len(channels))):  # up path, one more resnet per block
        out = channels[level]
        for _ in range(shape.layers_per_block + 1):
            convolution += _resnet(previous + skips.pop(), out, side * side)
            transformers = _plus(transformers, _attention(shape, level, out, side))
            previous = out
        if level > 0:
            side *= 2
            convolution += _conv(out, out, side * side)
    return UNetFlops(convolution + transformers.linear, transformers.attention, convolution)


def _plus(a: UNetFlops, b: UNetFlops) -> UNetFlops:
    return UNetFlops(a.linear + b.linear, a.attention + b.attention, a.convolution + b.convolution)


def _attention(shape: UNetShape, level: int, channels: int, side: float) -> UNetFlops:
    depth = shape.transformer_depth[level]
    if depth == 0:
        return UNetFlops(0.0, 0.0)
    return _transformer(channels, depth, side * side, shape.cross_attention_dim)


# ----- activation traffic ---------------------------------------------------------------------
# Values (per latent position) that the memory-bound, non-GEMM work of a block reads and writes:
# group/layer norms, SiLU, GEGLU gating, residual and time-embedding adds, and each GEMM's own
# input read and output write. Eager diffusers runs each as its own kernel.


def _resnet_values(c_in: int, c_out: int) -> float:
    """GN+SiLU on the input (4 c_in), conv1 in/out, GN+SiLU (4 c_out), conv2 in/out,
    time-embedding add (2 c_out), residual add (3 c_out), 1x1 shortcut when channels change."""
    shortcut = (c_in + c_out) if c_in != c_out else 0
    return 4 * c_in + (c_in + c_out) + 4 * c_out + 2 * c_out + 2 * c_out + 3 * c_out + shortcut


def _transformer_values(channels: int, depth: int) -> float:
    """GN, proj_in/out and the residual (9 c), and per layer 57 c: three LayerNorms (6), q/k/v
    and output projections with flash attention (17), cross-attention q/o (6), GEGLU feed-forward
    (FF1 9, gate 12, FF2 5) and three residual adds (9)."""
    return channels * (9 + 57 * depth)


def unet_activation_values(shape: UNetShape, latent_side: int) -> float:
    """Activation values one forward of one latent moves outside the GEMMs' arithmetic."""
    channels = shape.block_out_channels
    last = len(channels) - 1
    side = float(latent_side)
    total = 2.0 * (shape.in_channels + channels[0]) * side * side  # conv_in + conv_out
    skips, previous = [channels[0]], channels[0]
    for level, out in enumerate(channels):
        for _ in range(shape.layers_per_block):
            total += (
                (
                    _resnet_values(previous, out)
                    + _transformer_values(out, shape.transformer_depth[level])
                    * (shape.transformer_depth[level] > 0)
                )
                * side
                * side
            )
            skips.append(previous := out)
        if level < last:
            side /= 2
            total += 2 * out * side * side
            skips.append(out)
    total += (
        (
            2 * _resnet_values(channels[-1], channels[-1])
            + _transformer_values(channels[-1], shape.mid_depth)
        )
        * side
        * side
    )
    for level in reversed(range(len(channels))):
        out = channels[level]
        for _ in range(shape.layers_per_block + 1):
            joined = previous + skips.pop()
            total += (
                (
                    2 * joined
                    + _resnet_values(joined, out)
                    + _transformer_values(out, shape.transformer_depth[level])
                    * (shape.transformer_depth[level] > 0)
                )
                * side
                * side
            )
            previous = out
        if level > 0:
            side *= 2
            total += 3 * out * side * side  # nearest upsample + conv
    return total


# ----- attention scores -----------------------------------------------------------------------


def unet_attention_score_values(shape: UNetShape, latent_side: int) -> float:
    """Attention-score values (heads x queries x keys) of one forward of one latent: what an
    attention without a fused kernel (diffusers' default processor before SDPA) writes to
    memory: self-attention positions² and cross-attention positions x text tokens per
    transformer layer, in every block with attention (down, mid and up paths)."""
    channels = shape.block_out_channels
    total, side = 0.0, float(latent_side)
    for level in range(len(channels)):
        layers = shape.layers_per_block + (shape.layers_per_block + 1)  # down + up blocks
        total += layers * _score_values(shape, shape.transformer_depth[level], level, side)
        if level < len(channels) - 1:
            side /= 2
    return total + _score_values(shape, shape.mid_depth, len(channels) - 1, side)


def _score_values(shape: UNetShape, depth: int, level: int, side: float) -> float:
    positions = side * side
    return depth * shape.heads(level) * positions * (positions + TEXT_TOKENS)


def unet_largest_self_attention_values(shape: UNetShape, latent_side: int) -> float:
    """Score values (heads x positions²) of the largest self-attention layer of one forward of
    one latent: what an attention without a fused kernel holds in memory at its peak, once for
    the scores and once for the softmax's probabilities."""
    largest, side = 0.0, float(latent_side)
    for level in range(len(shape.block_out_channels)):
        if shape.transformer_depth[level] > 0:
            largest = max(largest, shape.heads(level) * (side * side) ** 2)
        side /= 2
    return largest


# ----- VAE decoder ----------------------------------------------------------------------------
# The KL-f8 autoencoder of Stable Diffusion (CompVis/stable-diffusion configs/stable-diffusion/
# v1-inference.yaml, first_stage_config ddconfig: ch 128, ch_mult [1, 2, 4, 4], num_res_blocks
# 2; diffusers' AutoencoderKL block_out_channels [128, 256, 512, 512], layers_per_block 2), whose
# decoder SD 2.x, SDXL, SD3 and FLUX keep (their latents have 4 or 16 channels). The decoder runs
# num_res_blocks + 1 = 3 ResNet blocks per level, from 1/8 of the image side up to full
# resolution, an upsampling convolution after each level but the last, and one single-head
# self-attention in its mid block.
VAE_DECODER_LEVELS = ((8, 512), (4, 512), (2, 256), (1, 128))  # (downsampling, channels)
VAE_DECODER_RESNETS_PER_LEVEL = 3
IMAGE_CHANNELS = 3


def vae_decoder_flops(resolution_px: int, latent_channels: int) -> float:
    """FLOPs of one VAE decode of a square image (all but the mid block's attention scores are
    convolutions and 1x1 projections, linear in the pixels)."""
    pixels = float(resolution_px * resolution_px)
    first_down, first_channels = VAE_DECODER_LEVELS[0]
    latent = pixels / (first_down * first_down)
    total = _conv(latent_channels, first_channels, latent)  # conv_in
    total += 2 * _resnet(first_channels, first_channels, latent)  # mid block
    total += 4 * 2.0 * first_channels * first_channels * latent  # mid attention q, k, v, out
    total += 2 * 2.0 * first_channels * latent * latent  # its scores and values
    previous = first_channels
    for down, channels in VAE_DECODER_LEVELS:
        positions = pixels / (down * down)
        total += _resnet(previous, channels, positions)
        total += (VAE_DECODER_RESNETS_PER_LEVEL - 1) * _resnet(channels, channels, positions)
        if down > 1:
            total += _conv(channels, channels, positions * 4)  # nearest upsample x2 + conv
        previous = channels
    return total + _conv(previous, IMAGE_CHANNELS, pixels)  # conv_out
