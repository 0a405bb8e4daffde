"""Gemma 3n E2B and E4B: Gemma 4 E's per-layer inputs and KV sharing, plus AltUp and LAuReL.

Expected values are hand counts from the configs (hidden 2048, 8 Q / 2 KV heads of 256, vocab
262,400, a 262,144 x layers x 256 per-layer table, 4 AltUp streams, LAuReL rank 64; E2B 30
layers of MLP 8192 with 10 KV-shared, E4B 35 of 16384 with 15) and the published totals
(llama.cpp's 4.46B / 6.87B, Google's 'effective' 1.91B / 3.98B), not today's output."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from gpuatlas.catalog.model_config import arch_from_config
from gpuatlas.catalog.model_names import resolve_model_reference
from gpuatlas.catalog.model_weights import native_weights
from gpuatlas.errors import DataFileError
from gpuatlas.performance import api
from gpuatlas.performance.engine_profiles import resolve_engine
from gpuatlas.performance.llm.memory import MemoryInputs, gpu_weight_bytes
from gpuatlas.performance.llm.offload import split_for
from gpuatlas.performance.llm.shape import kv_bytes_per_token, llm_shape
from gpuatlas.performance.llm.step_kernels import stages_per_token
from gpuatlas.performance.resolve import as_format, as_llm, as_system

pytestmark = pytest.mark.unit

HIDDEN = 2048
EMBEDDING = 262_400 * HIDDEN


@pytest.mark.parametrize(
    ("model_id", "layers", "total", "effective"),
    [("gemma-3n-e2b", 30, 4.46e9, 1.91e9), ("gemma-3n-e4b", 35, 6.87e9, 3.98e9)],
)
def test_totals_match_llama_cpp_and_googles_effective_count(
    model_id: str, layers: int, total: float, effective: float
) -> None:
    model = as_llm(model_id)
    table = 262_144 * layers * 256
    assert model.per_layer_embedding_params() == table
    assert model.total_params() == pytest.approx(total, abs=0.005e9)
    assert model.total_params() - EMBEDDING - table == pytest.approx(effective, abs=0.005e9)


def test_altup_and_laurel_are_counted_per_layer_and_per_token() -> None:
    model = as_llm("gemma-3n-e4b")
    # per layer: router 2048 x 4, its norm and the output scale, 4x4 and 4x16 coefficients,
    # LAuReL 2048 x 64 x 2 and its norm; per model: 3 + 3 projections of 2048 x 2048
    per_layer = HIDDEN * 4 + 2 * HIDDEN + 16 + 64 + 2 * HIDDEN * 64 + HIDDEN
    assert model.stream_mixing_params() == 35 * per_layer + 6 * HIDDEN * HIDDEN
    assert model.layer_intermediate_sizes == (16_384,) * 35  # no double-wide layers


def test_twenty_layers_hold_kv_four_of_them_full() -> None:
    for model_id in ("gemma-3n-e2b", "gemma-3n-e4b"):
        model = as_llm(model_id)
        assert model.kv_cache_layers == 20
        # 2 (K, V) x 2 heads x 256 x 2 bytes in each of the 20 layers
        assert kv_bytes_per_token(model, 2.0, 0) == 20 * 2 * 2 * 256 * 2
        holding = set(range(20))
        full = [i for i in holding if i not in model.sliding_window_layers]
        assert full == [4, 9, 14, 19]


def test_mlx_pays_altups_stages_in_every_layer() -> None:
    model = as_llm("gemma-3n-e2b")
    plain = replace(model, altup_inputs=0, laurel_rank=0)
    assert stages_per_token(model) - stages_per_token(plain) == 30 * 23 + 19


def _weights_gib(system: str, engine: str) -> float:
    model = as_llm("gemma-3n-e4b")
    inputs = MemoryInputs(
        as_system(system), model, as_format("q4_k_m"), resolve_engine(engine), 2.0, "fp16"
    )
    return gpu_weight_bytes(inputs) / 2**30


def test_ollama_ships_the_table_16_bit_and_llama_cpp_keeps_it_on_the_host() -> None:
    model = as_llm("gemma-3n-e4b")
    shape = llm_shape(model, as_format("q4_k_m"))
    table_16_bit = model.per_layer_embedding_params() * 2 / 2**30
    without_table = (shape.held_weight_bytes - shape.per_layer_table_bytes) / 2**30
    # a discrete GPU: both leave the table in host memory
    assert _weights_gib("rtx-4060", "ollama") == pytest.approx(without_table)
    assert _weights_gib("rtx-4060", "llama.cpp") == pytest.approx(without_table)
    # unified memory: Ollama's file holds it 16-bit (its 7.5 GB gemma3n:e4b), llama.cpp's Q4_K_M
    # at the format's embedding width
    assert _weights_gib("apple-m2-8c", "ollama") == pytest.approx(without_table + table_16_bit)
    assert _weights_gib("apple-m2-8c", "llama.cpp") < without_table + table_16_bit - 1.0


def test_a_partial_offload_under_ollama_keeps_the_16_bit_table_in_host_memory() -> None:
    model = as_llm("gemma-3n-e4b")
    shape = llm_shape(model, as_format("q4_k_m"))
    table_16_bit = model.per_layer_embedding_params() * 2
    for engine, table in (("ollama", table_16_bit), ("llama.cpp", shape.per_layer_table_bytes)):
        inputs = MemoryInputs(
            as_system("rtx-4060"), model, as_format("q4_k_m"), resolve_engine(engine), 2.0, "fp16"
        )
        split = split_for(inputs, gpu_layers=0)
        assert split.cpu_held == pytest.approx(
            shape.total_weight_bytes - shape.per_layer_table_bytes + table
        )


def test_a_per_layer_width_list_of_the_wrong_length_names_the_field() -> None:
    config: dict[str, Any] = {
        "model_type": "gemma3n_text",
        "hidden_size": 256,
        "num_hidden_layers": 4,
        "num_attention_heads": 4,
        "num_key_value_heads": 1,
        "intermediate_size": [1024, 1024, 1024],
        "vocab_size": 1000,
    }
    with pytest.raises(DataFileError, match="intermediate_size.*4 layers, 3 widths"):
        arch_from_config(config, model_id="tiny-gemma3n")
    with pytest.raises(DataFileError, match="must be a positive integer"):
        arch_from_config({**config, "model_type": "llama"}, model_id="tiny-llama")
    config["intermediate_size"] = [1024, 2048, 1024, 2048]
    assert arch_from_config(config, model_id="tiny").layer_intermediate_sizes == (
        1024,
        2048,
        1024,
        2048,
    )


@pytest.mark.parametrize(
    ("written", "model_id", "weights"),
    [
        ("gemma3n:e4b", "gemma-3n-e4b", "q4_k_m"),
        ("google/gemma-3n-E2B-it", "gemma-3n-e2b", "bf16"),
        ("mlx-community/gemma-3n-E2B-it-4bit", "gemma-3n-e2b", "mlx-4bit"),
    ],
)
def test_names_as_people_write_them(written: str, model_id: str, weights: str) -> None:
    reference = resolve_model_reference(written, allow_hub=False)
    assert reference.model.id == model_id
    assert native_weights(reference).format_id == weights


def test_an_engine_costed_per_step_says_its_small_operations_are_not_counted() -> None:
    def decode_notes(system: str, model: str, weights: str, engine: str) -> tuple[str, ...]:
        prediction = api.predict_llm(
            system, model, weights, engine, batch=1, input_tokens=512, output_tokens=128
        )
        return prediction.decode_tok_s.notes

    assert any("AltUp" in note for note in decode_notes("h100", "gemma-3n-e4b", "bf16", "vllm"))
    assert not any(
        "AltUp" in n for n in decode_notes("apple-m4-10c", "gemma-3n-e2b", "mlx-4bit", "mlx-lm")
    )
    assert not any(  # llama.cpp pays a time per graph node (llm/ggml_nodes.py)
        "AltUp" in n for n in decode_notes("rtx-3080-ti", "gemma-3n-e4b", "q4_k_m", "llama.cpp")
    )
    assert not any("AltUp" in n for n in decode_notes("h100", "gemma-3-4b", "bf16", "vllm"))
