"""One image split across GPUs: xDiT's sequence (Ulysses, Ring) and CFG parallelism.

A DiT forward is per token except attention, so splitting the joint sequence of image and text
tokens over s GPUs divides every GPU's FLOPs by s (each GPU computes the attention of its N/s
queries against all N keys: N²/s). Every GPU keeps the whole weights, so the weight reads of a
forward do not shrink, and neither do the host's kernel launches: each rank runs the whole
block loop. What the split adds is the exchange of activations, per attention layer:

- Ulysses (DeepSpeed-Ulysses, as xfuser/yunchang run it): all-to-alls turn the sequence split
  into a head split before attention and back after it: q, k and v in, the output out, four
  all-to-alls of the layer's [tokens x hidden] activations, each GPU sending (u-1)/u of its
  N/(r·u) tokens.
- Ring (ring attention): each GPU passes its K and V blocks (N/s tokens each) around the ring,
  r-1 hops per layer.
- USP (xDiT's hybrid, ulysses_degree x ring_degree): Ulysses inside groups of u GPUs, Ring
  across r groups; both exchanges.
- CFG parallel: the conditional and unconditional passes of classifier-free guidance run on two
  GPUs (one image latent each), exchanging only the noise predictions.

xDiT's performance docs (docs/performance/flux.md, 'Scalability of Flux.1 Dev') measure the
split on 2 and 4 H100s. A multi-GPU xDiT run that names no degrees is read as Ulysses over
every GPU, the docs' recommendation ('the optimal strategy with USP is to apply
ulysses_degree=#gpu'). PipeFusion (a split by layers with patch pipelining) is not modelled.

Each exchange is also a call the host issues beside the block's kernels (the reshapes and
copies around an all-to-all, a ring hop's send/receive and the partial attention it merges):
host time per forward that the GPU's shorter share of the math no longer hides in eager runs.
Its time per call is fitted by `gpuatlas calibrate` on the rows that split an image
(calibration group SPLIT_KEY, field kernel_overhead_us), 0 without such rows.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from gpuatlas.catalog.model_arch import DiffusionArch
from gpuatlas.catalog.systems import GpuSystem, Link
from gpuatlas.errors import InvalidRequestError

# Engines (as their image keys write them) whose multi-GPU runs split one image by default:
# xDiT's xfuser (engine_releases.toml frontend 'xdit').
SEQUENCE_PARALLEL_ENGINES = frozenset(
    {"xdit", "xfuser", "xdit-xfuser", "xdit-(xfuser)", "xdit-project/xdit"}
)
# The same application named inside a run's engine text ('diffusers xDiT (xfuser) 0.3.4').
_SEQUENCE_PARALLEL_MENTION = re.compile(r"\b(xdit|xfuser)\b", re.IGNORECASE)
IMAGE_METRICS = frozenset({"image_s", "images_per_min"})
_DEGREE_WORD = re.compile(r"^(ulysses|ring)-(\d+)$")
CFG_PARALLEL = "cfg-parallel"


# All-to-alls per attention layer under Ulysses: q, k, v in, the attention output out.
ULYSSES_EXCHANGES_PER_LAYER = 4
# K and V blocks passed to the next GPU per ring hop.
RING_TENSORS_PER_HOP = 2
# A generic DiT's block count when its config's class is not read (catalog/dit_blocks.py):
# P ≈ 12·h² per block and h ≈ sqrt(P / 600) (diffusion.denoiser_flops) give P / (12·P/600) =
# 50 blocks.
GENERIC_DIT_BLOCKS = 50


@dataclass(frozen=True)
class ImageParallelism:
    """How many GPUs one image is split over, and how: Ulysses and Ring degrees of the
    sequence split, CFG parallel (2: the guidance passes on two GPUs)."""

    ulysses: int = 1
    ring: int = 1
    cfg: int = 1

    @property
    def sequence_degree(self) -> int:
        return self.ulysses * self.ring

    @property
    def gpus_per_image(self) -> int:
        return self.sequence_degree * self.cfg

    @property
    def splits_image(self) -> bool:
        return self.gpus_per_image > 1

    def label(self) -> str:
        parts = [f"ulysses-{self.ulysses}"] if self.ulysses > 1 else []
        parts += [f"ring-{self.ring}"] if self.ring > 1 else []
        parts += [CFG_PARALLEL] if self.cfg > 1 else []
        return "+".join(parts) or "none"


NO_SPLIT = ImageParallelism()


def splits_by_default(engine_key: str, engine_text: str | None) -> bool:
    """Whether the run's application splits one image over its GPUs unless told otherwise:
    xDiT named as the engine, or inside the engine text as the run states it."""
    return engine_key in SEQUENCE_PARALLEL_ENGINES or bool(
        _SEQUENCE_PARALLEL_MENTION.search(engine_text or "")
    )


def image_parallelism(
    engine_key: str, variant_words: set[str], gpu_count: int, engine_text: str | None = None
) -> ImageParallelism:
    """The split the run names ('ulysses-N', 'ring-N', 'cfg-parallel' variant words); for an
    xDiT run on several GPUs that names none, Ulysses over all of them; otherwise none (each
    GPU runs its own images)."""
    degrees = {"ulysses": 1, "ring": 1}
    for word in variant_words:
        found = _DEGREE_WORD.match(word)
        if found:
            degrees[found.group(1)] = int(found.group(2))
    cfg = 2 if CFG_PARALLEL in variant_words else 1
    named = ImageParallelism(degrees["ulysses"], degrees["ring"], cfg)
    if not named.splits_image and gpu_count > 1 and splits_by_default(engine_key, engine_text):
        return ImageParallelism(ulysses=gpu_count)
    if min(degrees.values()) < 1 or gpu_count % named.gpus_per_image:
        raise InvalidRequestError(
            [
                f"variant {named.label()} splits one image over {named.gpus_per_image} GPUs, "
                f"which does not divide the system's {gpu_count} GPU{'s' if gpu_count > 1 else ''} "
                f"(give e.g. "
                f"'{named.gpus_per_image}x <gpu>'"
                + (f" or ulysses-{gpu_count}" if gpu_count > 1 else "")
                + ")"
            ]
        )
    return named


def check_splittable(model: DiffusionArch, split: ImageParallelism, use_cfg: bool) -> None:
    """Sequence parallelism splits DiT token sequences (xDiT has no UNet pipelines); CFG
    parallel needs the two guidance passes."""
    problems = []
    if split.sequence_degree > 1 and model.denoiser_type == "unet":
        problems.append(
            f"{model.id} is a UNet: sequence parallelism (ulysses-N, ring-N) splits the token "
            "sequence of DiT models only (FLUX, SD3.5, PixArt); run one image per GPU instead"
        )
    if split.cfg > 1 and not use_cfg:
        problems.append(
            f"cfg-parallel runs the two classifier-free guidance passes on two GPUs; {model.id} "
            "runs one pass per step here (no CFG)"
        )
    if problems:
        raise InvalidRequestError(problems)


@dataclass(frozen=True)
class TokenShape:
    """What the exchanges of a sequence split depend on: attention layers, hidden width and
    the joint sequence of one image latent."""

    layers: int
    hidden: int
    tokens: int


def token_shape(model: DiffusionArch, image_tokens: int, text_tokens: int) -> TokenShape:
    """From the model's transformer config when known, else the generic DiT estimate."""
    shape = model.transformer_blocks
    if shape is not None:
        return TokenShape(shape.sequence_blocks, shape.hidden, image_tokens + shape.text_tokens)
    hidden = round(math.sqrt(model.denoiser_params / 600.0))
    return TokenShape(GENERIC_DIT_BLOCKS, hidden, image_tokens + text_tokens)


def exchange_bytes_per_gpu(
    shape: TokenShape, split: ImageParallelism, images_per_group: int, value_bytes: float
) -> tuple[float, float]:
    """(Ulysses, Ring) bytes one GPU sends per denoiser forward of `images_per_group` latents
    (the batch times the guidance passes one CFG rank runs)."""
    u, r = split.ulysses, split.ring
    activation = shape.tokens * shape.hidden * value_bytes * images_per_group
    ulysses = ULYSSES_EXCHANGES_PER_LAYER * shape.layers * activation / (r * u) * (u - 1) / u
    ring = RING_TENSORS_PER_HOP * shape.layers * activation / (u * r) * (r - 1)
    return ulysses, ring


def exchange_count(shape: TokenShape, split: ImageParallelism) -> int:
    """Collective calls one GPU issues per forward: four all-to-alls per layer under Ulysses,
    a K and a V send per ring hop per layer under Ring."""
    if split.sequence_degree <= 1:
        return 0
    per_layer = (ULYSSES_EXCHANGES_PER_LAYER if split.ulysses > 1 else 0) + (
        RING_TENSORS_PER_HOP * (split.ring - 1)
    )
    return shape.layers * per_layer


def exchange_s(
    shape: TokenShape,
    split: ImageParallelism,
    images_per_group: int,
    value_bytes: float,
    link: Link | None,
) -> float:
    """Seconds per forward the exchanges of a sequence split take on `link` (its per-direction
    rate at its collective efficiency, plus its latency per exchange); 0 unsplit."""
    if split.sequence_degree <= 1 or link is None:
        return 0.0
    ulysses, ring = exchange_bytes_per_gpu(shape, split, images_per_group, value_bytes)
    wire_s = (ulysses + ring) / (link.effective_allreduce_gb_s * 1e9)
    return wire_s + exchange_count(shape, split) * link.latency_us * 1e-6


def split_link(system: GpuSystem) -> Link | None:
    """The link a split image's exchanges cross: the node's, or the network across nodes."""
    if system.nodes > 1 and system.network is not None:
        return system.network
    return system.link


@dataclass(frozen=True)
class SplitCost:
    """What a split adds per forward: GPU seconds of exchange, its calls and their host
    seconds, and whether the host time per call is fitted."""

    exchange_s: float
    calls: int
    host_s: float
    host_fitted: bool


def parallel_notes(split: ImageParallelism, cost: SplitCost, defaulted: bool) -> tuple[str, ...]:
    """What the split does to the case, in the user's words."""
    if not split.splits_image:
        return ()
    how = "xDiT run on several GPUs read as " if defaulted else ""
    host = (
        f"{cost.host_s * 1e3:.1f} ms of host time for its {cost.calls} calls (fitted)"
        if cost.host_fitted
        else f"no host time for its {cost.calls} calls (not fitted: no split rows calibrated)"
    )
    return (
        f"{how}{split.label()}: one image split over {split.gpus_per_image} GPUs, each with "
        f"1/{split.gpus_per_image} of the FLOPs, the whole weights and the whole host launch "
        f"loop, plus {cost.exchange_s * 1e3:.1f} ms of activation exchange on the GPU and "
        f"{host} per forward",
    )
