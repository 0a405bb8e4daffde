"""Non-LLM architectures, described by their components.

`DiffusionArch` (denoiser + text encoders + VAE), `VisionLanguageArch` (vision encoder +
projector + an LLM backbone), `OcrArch` (image encoder + text decoder). Import these names from
`gpuatlas.catalog.model_arch`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from gpuatlas.catalog.dit_blocks import DiTBlocks
from gpuatlas.catalog.field_meanings import meaning
from gpuatlas.catalog.model_arch_llm import ModelArch, ModelKind, PublishedCount


@dataclass(frozen=True)
class ComponentParams:
    """One component of a multi-part model (a text encoder, a VAE, a vision tower)."""

    name: str
    params: float = field(metadata=meaning("Parameters", gt=0))
    source: str
    hub_subfolder: str = ""


DenoiserType = Literal["unet", "dit", "mmdit"]


@dataclass(frozen=True)
class DiffusionArch:
    """A latent text-to-image pipeline: text encoders -> denoiser (x steps) -> VAE decoder.

    `forwards_per_step` is 2 for classifier-free guidance (conditional + unconditional pass),
    1 for guidance-distilled models (FLUX.1-dev takes guidance as an input; schnell uses none).
    """

    id: str
    hub_id: str
    family: str
    denoiser_type: DenoiserType
    denoiser_params: float
    text_encoders: tuple[ComponentParams, ...]
    vae_params: float
    latent_channels: int
    vae_downsample_factor: int
    default_resolution_px: int
    default_steps: int
    forwards_per_step: int
    guidance: str
    patch_size: int | None = None
    # The transformer's blocks, read from its config.json (None for a UNet, or a transformer
    # class the FLOP count does not read: then estimated from the parameter count).
    transformer_blocks: DiTBlocks | None = None
    # Input images whose latents join the denoised ones in the transformer's sequence (an edit
    # model: 1), each encoded at `reference_image_px` whatever the output's size.
    reference_images: int = 0
    reference_image_px: int | None = None
    # Published FLOPs of ONE denoiser forward pass (batch 1) at a reference resolution.
    forward_gflops: float | None = None
    forward_gflops_resolution_px: int | None = None
    forward_gflops_source: str = ""
    published: PublishedCount | None = None
    aliases: tuple[str, ...] = ()
    ollama_tags: tuple[str, ...] = ()
    ollama_default_format: str = ""  # the Ollama library's default tag, when not Q4_K_M
    ollama_default_source: str = ""
    source: str = ""
    kind: ModelKind = "diffusion"

    def text_encoder_params(self) -> float:
        return sum(encoder.params for encoder in self.text_encoders)

    def total_params(self) -> float:
        return self.denoiser_params + self.text_encoder_params() + self.vae_params

    def latent_size(self, resolution_px: int | None = None) -> int:
        """Latent height/width in elements for a square image of `resolution_px`."""
        return (resolution_px or self.default_resolution_px) // self.vae_downsample_factor

    def image_tokens(self, resolution_px: int | None = None) -> int | None:
        """Sequence length a DiT/MMDiT denoiser sees for a square image (None for a UNet)."""
        if self.patch_size is None:
            return None
        side = self.latent_size(resolution_px) // self.patch_size
        return side * side

    def sequence_image_tokens(self, resolution_px: int | None = None) -> int | None:
        """Image tokens in the transformer's sequence: the output's, plus each reference
        image's (an edit model's input image, concatenated along the sequence)."""
        output = self.image_tokens(resolution_px)
        if output is None or not self.reference_images:
            return output
        reference = self.image_tokens(self.reference_image_px or resolution_px) or 0
        return output + self.reference_images * reference

    def forward_gflops_at(self, resolution_px: int) -> float | None:
        """Published forward GFLOPs scaled by latent area (exact for convolutions and linear
        layers; attention grows faster, so larger resolutions are a lower bound)."""
        if self.forward_gflops is None or not self.forward_gflops_resolution_px:
            return None
        return self.forward_gflops * (resolution_px / self.forward_gflops_resolution_px) ** 2

    def denoiser_forwards(self, steps: int | None = None) -> int:
        """Denoiser forward passes for one image."""
        return (steps or self.default_steps) * self.forwards_per_step


@dataclass(frozen=True)
class ImageTokenRule:
    """How many LLM tokens an image becomes.

    Fixed (`fixed_tokens`, e.g. LLaVA-1.5: 576 at 336 px) or dynamic: one token per
    `pixels_per_token_side`² pixels (Qwen2.5-VL: 14 px patches merged 2x2 -> 28 px per token).
    """

    fixed_tokens: int | None = field(default=None, metadata=meaning("Tokens per image", gt=0))
    image_size_px: int | None = field(default=None, metadata=meaning("Image size", "px", gt=0))
    pixels_per_token_side: int | None = field(
        default=None, metadata=meaning("Pixels per token side", "px", gt=0)
    )
    min_tokens: int = 4
    max_tokens: int = 16384

    def tokens_for(self, width_px: int, height_px: int) -> int:
        if self.fixed_tokens is not None:
            return self.fixed_tokens
        side = self.pixels_per_token_side or 1
        columns = max(1, round(width_px / side))
        rows = max(1, round(height_px / side))
        return max(self.min_tokens, min(self.max_tokens, columns * rows))


@dataclass(frozen=True)
class VisionLanguageArch:
    """A vision encoder + projector feeding image tokens into an LLM backbone."""

    id: str
    hub_id: str
    family: str
    vision_encoder_params: float
    projector_params: float
    image_tokens: ImageTokenRule
    language_model: ModelArch
    vision_source: str = ""
    published: PublishedCount | None = None
    aliases: tuple[str, ...] = ()
    ollama_tags: tuple[str, ...] = ()
    ollama_default_format: str = ""  # the Ollama library's default tag, when not Q4_K_M
    ollama_default_source: str = ""
    source: str = ""
    kind: ModelKind = "vlm"

    def total_params(self) -> float:
        return (
            self.vision_encoder_params + self.projector_params + self.language_model.total_params()
        )

    def image_tokens_for(self, width_px: int, height_px: int) -> int:
        return self.image_tokens.tokens_for(width_px, height_px)


@dataclass(frozen=True)
class OcrArch:
    """An image-to-text OCR model: ViT-style encoder over patches + autoregressive decoder."""

    id: str
    hub_id: str
    family: str
    encoder_params: float
    decoder_params: float
    image_size_px: int
    patch_size: int
    encoder_layers: int
    encoder_hidden_size: int
    decoder_layers: int
    decoder_hidden_size: int
    decoder_vocab_size: int
    published: PublishedCount | None = None
    aliases: tuple[str, ...] = ()
    ollama_tags: tuple[str, ...] = ()
    ollama_default_format: str = ""  # the Ollama library's default tag, when not Q4_K_M
    ollama_default_source: str = ""
    source: str = ""
    kind: ModelKind = "ocr"

    def total_params(self) -> float:
        return self.encoder_params + self.decoder_params

    def encoder_tokens(self) -> int:
        """Encoder sequence length per image: one token per patch plus the [CLS] token."""
        side = self.image_size_px // self.patch_size
        return side * side + 1


__all__ = [
    "ComponentParams",
    "DenoiserType",
    "DiffusionArch",
    "ImageTokenRule",
    "OcrArch",
    "VisionLanguageArch",
]
