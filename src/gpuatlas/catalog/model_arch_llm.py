"""`ModelArch`: a decoder-only LLM the way its Hugging Face `config.json` describes it.

The variants that change memory and compute are explicit: grouped-query attention (GQA/MQA),
mixture of experts (MoE, with shared experts and leading dense layers), multi-head latent
attention (MLA, DeepSeek-V2/V3) and sliding-window layers. Parameter counts are computed from
the shapes; the published count travels alongside with its source so tests can check one
against the other. Import these names from `gpuatlas.catalog.model_arch`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from gpuatlas.catalog.shipped_context import ShippedContext

AttentionType = Literal["mha", "gqa", "mqa", "mla"]
ModelKind = Literal["llm", "diffusion", "vlm", "ocr"]
RecurrentMixer = Literal["gated-deltanet", "mamba2"]
INDEXER_SCALE_BLOCK = 128  # DSA indexer keys: one FP32 scale per 128 FP8 elements


@dataclass(frozen=True)
class PublishedCount:
    """A parameter count as its publisher states it (e.g. a model card), with the source."""

    params: float
    source: str
    active_params: float | None = None
    active_excludes_embedding: bool = False


@dataclass(frozen=True)
class ImageEncoderShape:
    """A fixed-resolution image encoder (SigLIP in Gemma 3) as its config.json's vision_config
    and mm_tokens_per_image describe it: every image is resized to `image_size` square, cut
    into (image_size / patch_size)^2 patches that run through `layers` transformer layers of
    `hidden_size` with an ungated MLP of `intermediate_size`, and enters the language model as
    `llm_tokens_per_image` tokens (after pooling)."""

    hidden_size: int
    intermediate_size: int
    layers: int
    image_size: int
    patch_size: int
    llm_tokens_per_image: int
    channels: int = 3

    @property
    def patches_per_image(self) -> int:
        return (self.image_size // self.patch_size) ** 2


@dataclass(frozen=True)
class ModelArch:
    """A decoder-only transformer LLM (dense or MoE), as its config.json describes it.

    Counts are plain numbers of parameters (not billions). `head_dim` is explicit because many
    models (Qwen3, Gemma, gpt-oss) do not use hidden_size / num_attention_heads.
    """

    id: str
    hub_id: str
    family: str
    hidden_size: int
    num_layers: int
    num_attention_heads: int
    num_kv_heads: int
    head_dim: int
    intermediate_size: int
    vocab_size: int
    tie_word_embeddings: bool
    max_position_embeddings: int
    kind: ModelKind = "llm"
    gated_mlp: bool = True
    attention_bias: bool = False
    attention_output_bias: bool = False
    mlp_bias: bool = False
    qk_norm: bool = False
    norms_per_layer: int = 2
    # Mixture of experts (num_experts == 0 means dense).
    num_experts: int = 0
    experts_per_token: int = 0
    moe_intermediate_size: int = 0
    num_shared_experts: int = 0
    shared_expert_intermediate_size: int = 0
    first_k_dense_layers: int = 0
    # Llama 4: every `moe_layer_step`-th layer is MoE (interleave_moe_layer_step), and dense
    # layers use their own width (intermediate_size_mlp); 0 means `intermediate_size`.
    moe_layer_step: int = 1
    dense_intermediate_size: int = 0
    # Hybrids whose pattern names the MoE layers (Nemotron-H 'E' blocks): their indices; empty
    # means the leading-dense / step rule above decides.
    moe_layer_indices: tuple[int, ...] = ()
    # Multi-head latent attention (kv_lora_rank == 0 means not MLA).
    kv_lora_rank: int = 0
    q_lora_rank: int = 0
    qk_rope_head_dim: int = 0
    qk_nope_head_dim: int = 0
    v_head_dim: int = 0
    # DeepSeek Sparse Attention (V3.2): the lightning indexer caches one FP8 key of
    # index_head_dim per token and layer beside MLA's latent; each query attends index_topk
    # tokens of the context.
    index_head_dim: int = 0
    index_n_heads: int = 0
    index_topk: int = 0
    # Sliding-window attention: the window in tokens and the indices of the layers that use it.
    sliding_window: int | None = None
    sliding_window_layers: tuple[int, ...] = ()
    # Linear-attention (recurrent) layers: Gated DeltaNet in Qwen3-Next / Qwen3.5, Mamba-2 in
    # Nemotron-H / Granite 4.0 H. Their token mixer keeps a fixed-size state per sequence instead
    # of a KV cache: the layer indices, one mixer's parameters, and one layer's state per
    # sequence (SSM state elements in `recurrent_state_dtype_bytes`, convolution state elements
    # in the model dtype).
    recurrent_mixer: RecurrentMixer = "gated-deltanet"
    linear_attention_layers: tuple[int, ...] = ()
    linear_mixer_params: int = 0
    recurrent_ssm_state_elements: int = 0
    recurrent_conv_state_elements: int = 0
    recurrent_state_dtype_bytes: float = 4.0
    # Layers without attention (Llama-Nemotron NAS block_configs: attention no_op; they keep
    # no KV cache and have no input norm), and per-layer dense FFN widths when they differ.
    attention_free_layers: tuple[int, ...] = ()
    layer_intermediate_sizes: tuple[int, ...] = ()
    # Full-attention layers whose output is gated by a second query-sized projection
    # (attn_output_gate: q_proj is twice as wide).
    attention_output_gate: bool = False
    # Gemma 4: the full-attention (global) layers use their own head size and KV heads, and
    # with attention_k_eq_v they cache K alone (V is K); 0 means as the sliding layers.
    global_head_dim: int = 0
    num_global_kv_heads: int = 0
    attention_k_eq_v: bool = False
    # Gemma 4 E2B/E4B (and their per-layer embeddings): each layer also reads a small input of
    # `per_layer_input_size` from a lookup table of `per_layer_vocab_size` rows (one row per
    # token holds every layer's slice: the table is vocab x layers x size, held but read only
    # row by row), gated and projected into the residual stream; the layers in
    # `kv_shared_layers` attend with the cache of the last earlier layer of their kind and keep
    # none of their own (num_kv_shared_layers: the last layers).
    per_layer_input_size: int = 0
    per_layer_vocab_size: int = 0
    kv_shared_layers: tuple[int, ...] = ()
    # Gemma 3n E2B/E4B: AltUp keeps `altup_inputs` copies of the hidden state, the layers run on
    # one of them, and small routers predict and correct the others (per layer: a router of
    # hidden x inputs and its norm, inputs² and inputs³ coefficients, an output scale; per
    # model: inputs - 1 hidden x hidden projections in and as many out); LAuReL adds a rank-
    # `laurel_rank` residual (hidden -> rank -> hidden and a norm) beside each attention block.
    altup_inputs: int = 0
    laurel_rank: int = 0
    # Weight format the published checkpoint ships in (catalog format id: bf16, fp8, mxfp4...).
    checkpoint_format: str = ""
    published: PublishedCount | None = None
    aliases: tuple[str, ...] = ()
    ollama_tags: tuple[str, ...] = ()
    ollama_default_format: str = ""  # the Ollama library's default tag, when not Q4_K_M
    ollama_default_source: str = ""
    source: str = ""
    # Checkpoints named by an alias whose config.json sets another context (Instruct variants).
    shipped_contexts: tuple[ShippedContext, ...] = ()
    # The image tower a multimodal checkpoint loads beside the language model (vision encoder +
    # projector, or llama.cpp's mmproj file): its parameters as the model's sources state them
    # (0: none, or not stated) and where that figure comes from.
    vision_params: float = 0.0
    vision_source: str = ""
    # Its shapes where the config fixes every image's size and token count (Gemma 3's SigLIP);
    # None for variable-resolution towers (Qwen2.5-VL, Pixtral) and text-only models.
    image_encoder: ImageEncoderShape | None = None

    # ----- attention -------------------------------------------------------------------------

    @property
    def attention_type(self) -> AttentionType:
        if self.kv_lora_rank > 0:
            return "mla"
        if self.num_kv_heads == self.num_attention_heads:
            return "mha"
        if self.num_kv_heads == 1:
            return "mqa"
        return "gqa"

    @property
    def is_moe(self) -> bool:
        return self.num_experts > 0

    @property
    def full_attention_layers(self) -> int:
        """Layers that attend to the whole context (not sliding-window, not linear attention),
        those that read another layer's cache included."""
        return self.attending_layers - len(self.sliding_window_layers)

    @property
    def attending_layers(self) -> int:
        """Layers that run softmax attention: all but the linear-attention (recurrent) and the
        attention-free ones."""
        return self.num_layers - len(self.linear_attention_layers) - len(self.attention_free_layers)

    @property
    def kv_cache_layers(self) -> int:
        """Layers that keep a KV cache of their own: the attending ones but those that read an
        earlier layer's (Gemma 4 E2B/E4B: kv_shared_layers)."""
        return self.attending_layers - len(self.kv_shared_layers)

    @property
    def cached_sliding_layers(self) -> int:
        """Sliding-window layers that keep a cache of their own."""
        shared = set(self.kv_shared_layers)
        return sum(1 for layer in self.sliding_window_layers if layer not in shared)

    @property
    def cached_full_layers(self) -> int:
        """Full-attention layers that keep a cache of their own."""
        return self.kv_cache_layers - self.cached_sliding_layers

    def recurrent_state_bytes(self, model_dtype_bytes: float = 2.0) -> float:
        """State one sequence keeps in its linear-attention layers, whatever its length: the
        recurrent (SSM) state in its own dtype and the short-convolution state in the model's."""
        per_layer = (
            self.recurrent_ssm_state_elements * self.recurrent_state_dtype_bytes
            + self.recurrent_conv_state_elements * model_dtype_bytes
        )
        return len(self.linear_attention_layers) * per_layer

    @property
    def global_kv_weight(self) -> float:
        """A full-attention layer's cached elements per token over a sliding layer's (Gemma 4's
        global layers: their KV heads x global head size, K alone when V is K); 1.0 when all
        layers cache alike."""
        if not self.global_head_dim:
            return 1.0
        kv_tensors = 1 if self.attention_k_eq_v else 2
        heads = self.num_global_kv_heads or self.num_kv_heads
        return kv_tensors * heads * self.global_head_dim / self.kv_elements_per_token_per_layer()

    @property
    def global_flops_weight(self) -> float:
        """A full-attention layer's score and value FLOPs per position over a sliding layer's
        (the same query heads, a wider head: global head size over head size)."""
        return self.global_head_dim / self.head_dim if self.global_head_dim else 1.0

    def indexer_bytes_per_token_per_layer(self) -> float:
        """The DSA indexer's cache per token and layer: index_head_dim FP8 key bytes plus one
        FP32 scale per 128 of them (132 bytes for V3.2: LightLLM's Deepseek3_2MemoryManager,
        k_cache float8_e4m3fn + k_scale float32 per index_quant_block_size 128), whatever the
        KV-cache precision of the MLA latent; 0 without an indexer."""
        if self.index_head_dim <= 0:
            return 0.0
        return self.index_head_dim + 4.0 * -(-self.index_head_dim // INDEXER_SCALE_BLOCK)

    def kv_elements_per_token_per_layer(self) -> int:
        """Cached elements per token per layer: K and V heads, or MLA's latent + rope key."""
        if self.kv_lora_rank > 0:
            return self.kv_lora_rank + self.qk_rope_head_dim
        return 2 * self.num_kv_heads * self.head_dim

    # ----- parameters ------------------------------------------------------------------------

    def embedding_params(self) -> int:
        """The input token-embedding table (vocab_size x hidden_size)."""
        return self.vocab_size * self.hidden_size

    def per_layer_embedding_params(self) -> int:
        """The per-layer input table (Gemma 4 E2B/E4B: per_layer_vocab x layers x its width):
        held with the weights, read one row per token (0 for other models)."""
        return self.per_layer_vocab_size * self.num_layers * self.per_layer_input_size

    def per_layer_input_params(self) -> int:
        """The layers' per-layer input paths: the model's projection of the embedding into every
        layer's slice (hidden x layers x width) and its norm, and in each layer the input gate
        (hidden -> width), the projection back (width -> hidden) and its norm."""
        width = self.per_layer_input_size
        if width <= 0:
            return 0
        per_layer = 2 * self.hidden_size * width + self.hidden_size
        return self.num_layers * per_layer + self.hidden_size * self.num_layers * width + width

    def stream_mixing_params(self) -> int:
        """AltUp's routers, coefficients and projections and LAuReL's low-rank residual
        (Gemma 3n; 0 for other models): small, read and run for every token."""
        hidden, inputs, rank = self.hidden_size, self.altup_inputs, self.laurel_rank
        altup = 0
        if inputs > 1:
            per_layer = hidden * inputs + 2 * hidden + inputs * inputs + inputs**3
            altup = self.num_layers * per_layer + 2 * (inputs - 1) * hidden * hidden
        laurel = self.num_layers * (2 * hidden * rank + hidden) if rank > 0 else 0
        return altup + laurel

    def shared_kv_projection_params(self) -> int:
        """K and V projection weights of the KV-shared layers (Gemma 4 E2B/E4B): held, since
        the checkpoint has them, but not run, since those layers attend with an earlier
        layer's keys and values (mlx-lm gemma4_text: a shared layer skips k_proj and v_proj)."""
        sliding = set(self.sliding_window_layers)
        total = 0
        for layer in self.kv_shared_layers:
            if layer in sliding or not self.global_head_dim:
                total += 2 * self.hidden_size * self.num_kv_heads * self.head_dim
            else:
                heads = self.num_global_kv_heads or self.num_kv_heads
                tensors = 1 if self.attention_k_eq_v else 2
                total += tensors * self.hidden_size * heads * self.global_head_dim
        return total

    def lm_head_params(self) -> int:
        """The output projection's own parameters: zero when tied to the embedding."""
        return 0 if self.tie_word_embeddings else self.vocab_size * self.hidden_size

    def attention_params_per_layer(self) -> int:
        if self.kv_lora_rank > 0:
            return self._mla_params_per_layer()
        q_out = self.num_attention_heads * self.head_dim
        kv_out = self.num_kv_heads * self.head_dim
        q_projection = 2 * q_out if self.attention_output_gate else q_out
        params = self.hidden_size * (q_projection + 2 * kv_out) + q_out * self.hidden_size
        if self.attention_bias:
            params += q_out + 2 * kv_out
        if self.attention_output_bias:
            params += self.hidden_size
        if self.qk_norm:
            params += 2 * self.head_dim
        return params

    def global_attention_params_per_layer(self) -> int:
        """A Gemma 4 global layer: queries and output at the global head size, K (and V unless
        V is K) for its own KV heads, a QK-norm of the global head size."""
        if not self.global_head_dim:
            return self.attention_params_per_layer()
        q_out = self.num_attention_heads * self.global_head_dim
        kv_out = (self.num_global_kv_heads or self.num_kv_heads) * self.global_head_dim
        kv_tensors = 1 if self.attention_k_eq_v else 2
        params = self.hidden_size * (q_out + kv_tensors * kv_out) + q_out * self.hidden_size
        return params + (2 * self.global_head_dim if self.qk_norm else 0)

    def _mla_params_per_layer(self) -> int:
        heads = self.num_attention_heads
        qk_head = self.qk_nope_head_dim + self.qk_rope_head_dim
        if self.q_lora_rank > 0:
            q_params = self.hidden_size * self.q_lora_rank + self.q_lora_rank  # down + norm
            q_params += self.q_lora_rank * heads * qk_head
        else:
            q_params = self.hidden_size * heads * qk_head
        kv_down = self.hidden_size * (self.kv_lora_rank + self.qk_rope_head_dim)
        kv_up = self.kv_lora_rank * heads * (self.qk_nope_head_dim + self.v_head_dim)
        output = heads * self.v_head_dim * self.hidden_size
        return q_params + kv_down + self.kv_lora_rank + kv_up + output

    def _mlp_params(self, intermediate_size: int) -> int:
        matrices = 3 if self.gated_mlp else 2
        params = matrices * self.hidden_size * intermediate_size
        if self.mlp_bias:
            params += (matrices - 1) * intermediate_size + self.hidden_size
        return params

    def dense_mlp_params(self) -> int:
        """One dense feed-forward block (dense models, and MoE models' leading dense layers)."""
        return self._mlp_params(self.dense_intermediate_size or self.intermediate_size)

    def expert_params(self) -> int:
        """One routed expert."""
        return self._mlp_params(self.moe_intermediate_size)

    def shared_expert_params(self) -> int:
        """All shared (always-active) experts of one MoE layer together."""
        if self.shared_expert_intermediate_size:
            return self._mlp_params(self.shared_expert_intermediate_size)
        return self.num_shared_experts * self._mlp_params(self.moe_intermediate_size)

    def router_params(self) -> int:
        return self.hidden_size * self.num_experts + (self.num_experts if self.mlp_bias else 0)

    @property
    def moe_layers(self) -> int:
        """Layers with routed experts: after the leading dense ones, every `moe_layer_step`-th."""
        if not self.is_moe:
            return 0
        if self.moe_layer_indices:
            return len(self.moe_layer_indices)
        step = max(self.moe_layer_step, 1)
        return sum(
            1
            for layer in range(self.first_k_dense_layers, self.num_layers)
            if (layer + 1) % step == 0
        )

    @property
    def dense_layers(self) -> int:
        return self.num_layers - self.moe_layers

    def _dense_mlp_total(self) -> int:
        if self.layer_intermediate_sizes:  # one width per layer (NAS block_configs)
            return sum(self._mlp_params(width) for width in self.layer_intermediate_sizes)
        return self.dense_layers * self.dense_mlp_params()

    def norm_params(self) -> int:
        """RMSNorm/LayerNorm weight vectors: `norms_per_layer` per layer plus the final norm; a
        two-norm layer without attention (NAS blocks) has no input norm, a one-block layer
        (Nemotron-H: one norm before its mixer or MLP) keeps its one."""
        norm_free = len(self.attention_free_layers) if self.norms_per_layer > 1 else 0
        norms = self.norms_per_layer * self.num_layers - norm_free
        return (norms + 1) * self.hidden_size

    def parameter_breakdown(self) -> dict[str, int]:
        """Parameters by component; the values sum to `total_params()`."""
        moe_layers = self.moe_layers
        return {
            "embedding": self.embedding_params(),
            "lm_head": self.lm_head_params(),
            "attention": len(self.sliding_window_layers) * self.attention_params_per_layer()
            + self.full_attention_layers * self.global_attention_params_per_layer()
            + len(self.linear_attention_layers) * self.linear_mixer_params,
            "dense_mlp": self._dense_mlp_total(),
            "routed_experts": moe_layers * self.num_experts * self.expert_params(),
            "shared_experts": moe_layers * self.shared_expert_params(),
            "router": moe_layers * self.router_params(),
            "norms": self.norm_params(),
            "per_layer_embedding": self.per_layer_embedding_params(),
            "per_layer_inputs": self.per_layer_input_params(),
            "stream_mixing": self.stream_mixing_params(),
        }

    def total_params(self) -> int:
        return sum(self.parameter_breakdown().values())

    def lookup_params(self) -> int:
        """Tables a token reads one row of: the embedding, the per-layer input table, and an
        untied lm_head (counted with them as the non-block parameters)."""
        return self.embedding_params() + self.per_layer_embedding_params() + self.lm_head_params()

    def non_embedding_params(self) -> int:
        """Everything but the embedding tables and an untied lm_head."""
        return self.total_params() - self.lookup_params()

    def active_params(self) -> int:
        """Parameters used per token: all but the unrouted experts, the per-layer input table
        (a token reads one row of it) and the K/V projections the KV-shared layers skip
        (equals total for other dense models)."""
        used = (
            self.total_params()
            - self.per_layer_embedding_params()
            - self.shared_kv_projection_params()
        )
        if not self.is_moe:
            return used
        idle_experts = self.num_experts - self.experts_per_token
        return used - self.moe_layers * idle_experts * self.expert_params()

    def active_non_embedding_params(self) -> int:
        return self.active_params() - self.embedding_params() - self.lm_head_params()

    def quantizable_params(self) -> int:
        """Linear-layer weights inside the blocks (what AWQ/GPTQ/GGUF quantise to low bits).

        Excludes embeddings, lm_head and norms, which formats usually keep at higher precision.
        """
        breakdown = self.parameter_breakdown()
        excluded = breakdown["embedding"] + breakdown["lm_head"] + breakdown["norms"]
        return self.total_params() - excluded - breakdown["per_layer_embedding"]


__all__ = ["AttentionType", "ModelArch", "ModelKind", "PublishedCount", "RecurrentMixer"]
