"""What a published measurement measured, as values: engine, model, weights, the shape of the
work (batch, lengths or image size and steps, KV-cache type, multi-GPU split, variant) and the
metric. Equal for rows with equal workloads on any GPU, from any source.

The store keeps one ``Workload`` per public benchmark as columns (table ``workloads``) and
hands it to the report with the benchmark's summaries; its ``benchmark_name`` is the stored
benchmark id (``public/llama.cpp/meta-llama/Llama-2-7b-hf/q4_0/b1-tg128-kv-f16/decode_tok_s``),
built here and only here, and never parsed back.
"""

from __future__ import annotations

from dataclasses import dataclass

PUBLIC_PREFIX = "public/"
UNSTATED_SPLIT = "split-unstated"  # a multi-GPU row whose source does not say how it split


@dataclass(frozen=True)
class Workload:
    engine: str
    model: str
    weights: str
    metric: str
    backend: str | None = None  # the engine's backend when not the GPU vendor's default
    batch: int | None = None  # concurrent sequences or images; None: the source does not say
    max_batch: bool = False  # offline maximum throughput (the data set's batch "max")
    input_tokens: int | None = None
    output_tokens: int | None = None
    image_width_px: int | None = None
    image_height_px: int | None = None
    steps: int | None = None
    kv_cache: str | None = None
    split: str | None = None  # multi-GPU only: tp, pp, layer-split, dp or split-unstated
    variant: str | None = None  # a non-baseline configuration (torch.compile, xformers, ...)

    @property
    def engine_label(self) -> str:
        """The engine as the benchmark names it: ``llama.cpp``, ``llama.cpp-vulkan``; an engine
        with only one backend of its own name (``coreml``) is not named twice."""
        if self.backend and self.backend != self.engine:
            return f"{self.engine}-{self.backend}"
        return self.engine

    @property
    def single_stream(self) -> bool:
        return self.batch == 1 and not self.max_batch

    @property
    def shape(self) -> str:
        """``b1-tg128-kv-f16``, ``b4-512x512-50steps``; ``b?`` when the batch is not stated."""
        pieces = [f"b{self._batch_text}"]
        pieces += _lengths(self.input_tokens or 0, self.output_tokens or 0)
        if self.image_width_px and self.image_height_px:
            pieces.append(f"{self.image_width_px}x{self.image_height_px}")
        if self.steps:
            pieces.append(f"{self.steps}steps")
        if self.kv_cache:
            pieces.append(f"kv-{self.kv_cache}")
        pieces += [part for part in (self.split, self.variant) if part]
        return "-".join(pieces)

    @property
    def _batch_text(self) -> str:
        if self.max_batch:
            return "max"
        return "?" if self.batch is None else str(self.batch)

    def benchmark_name(self) -> str:
        """The stored benchmark id of this workload."""
        parts = [self.engine_label, self.model, self.weights, self.shape, self.metric]
        return PUBLIC_PREFIX + "/".join(part.replace(" ", "_") for part in parts)

    def title(self) -> str:
        """'llama.cpp Meta-Llama-3-8B q4_k_m b1-tg512-kv-f16 decode' (an unstated batch in
        words, never as 'b?')."""
        shape = self.shape
        if self.batch is None and not self.max_batch:
            shape = shape.replace("b?", "batch not stated", 1)
        model = self.model.split("/")[-1]
        metric = self.metric.removesuffix("_tok_s")
        return f"{self.engine_label} {model} {self.weights} {shape} {metric}"


def _lengths(input_tokens: int, output_tokens: int) -> list[str]:
    """llama-bench style names: pp512 (prompt only), tg128 (generation only), else both."""
    if input_tokens and output_tokens:
        return [f"in{input_tokens}-out{output_tokens}"]
    if input_tokens:
        return [f"pp{input_tokens}"]
    if output_tokens:
        return [f"tg{output_tokens}"]
    return []
