"""How a model's layers split by kind, for the kernel counts of step_kernels.py (MLX) and
ggml_nodes.py (llama.cpp) (pure)."""

from __future__ import annotations

from gpuatlas.catalog.model_arch import ModelArch


def mixer_layers(model: ModelArch) -> tuple[int, int]:
    """(softmax-attention layers, linear-attention layers); attention-free layers in neither."""
    linear = len(model.linear_attention_layers)
    return model.num_layers - linear - len(model.attention_free_layers), linear


def per_layer_and_token(model: ModelArch, present: bool, per_layer: int, per_token: int) -> int:
    """`per_layer` in every layer plus `per_token` once, for a feature the model has; else 0."""
    return model.num_layers * per_layer + per_token if present else 0
