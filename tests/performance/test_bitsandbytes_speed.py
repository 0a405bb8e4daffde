"""bitsandbytes formats cost what bitsandbytes' own benchmark measures (issue 10): LLM.int8
(load_in_8bit) is slower than 16-bit at batch 1 although it reads half the bytes, and NF4 is
slower than bf16 on an H100 (bitsandbytes-foundation/bitsandbytes benchmarking/README.md,
v0.45.0, transformers, mean latency per token)."""

from __future__ import annotations

import pytest

from gpuatlas.catalog.formats import resolve_format
from gpuatlas.catalog.model_config import arch_from_config
from gpuatlas.catalog.models import resolve_model_reference
from gpuatlas.performance import api
from gpuatlas.performance.llm.step_times import linear_layers


def _tpot_ms(gpu: str, model: str, weights: str, engine: str = "transformers") -> float:
    prediction = api.predict_llm(
        gpu, model, weights, engine, batch=1, input_tokens=32, output_tokens=256
    )
    return prediction.tpot_ms.value


@pytest.mark.parametrize(
    ("model", "measured_int8_ms", "measured_bf16_ms"),
    [("llama-3.1-8b", 81.7, 24.4), ("qwen2.5-32b", 182.0, 50.8)],  # H100 SXM, 'INT8+Decomp'
)
def test_llm_int8_costs_what_bitsandbytes_measures_over_bf16_on_h100(
    model: str, measured_int8_ms: float, measured_bf16_ms: float
) -> None:
    # the time LLM.int8 adds per token over bf16 (the decomposition, less the halved bytes)
    added_ms = _tpot_ms("h100-sxm", model, "bnb-int8") - _tpot_ms("h100-sxm", model, "bf16")
    assert added_ms == pytest.approx(measured_int8_ms - measured_bf16_ms, rel=0.3)


@pytest.mark.parametrize("model", ["llama-3.1-8b", "qwen2.5-32b"])
def test_nf4_is_slower_than_bf16_on_h100_at_batch_1(model: str) -> None:
    # measured 'NF4+DQ' / BF16: x1.68 (Llama 3.1 8B), x1.69 (Qwen2.5 32B)
    ratio = _tpot_ms("h100-sxm", model, "nf4") / _tpot_ms("h100-sxm", model, "bf16")
    assert ratio > 1.3


@pytest.mark.parametrize(("gpu", "model"), [("rtx-4090", "llama-3.1-8b"), ("t4", "qwen2.5-3b")])
def test_llm_int8_is_slower_than_16_bit_at_batch_1(gpu: str, model: str) -> None:
    # measured x2.13 (RTX 4090, Llama 3.1 8B) and x4.29 (T4, Qwen2.5 3B, vs FP16)
    baseline = "fp16" if gpu == "t4" else "bf16"
    assert _tpot_ms(gpu, model, "bnb-int8") > 1.5 * _tpot_ms(gpu, model, baseline)


def test_w8a8_int8_is_not_charged_the_decomposition() -> None:
    assert resolve_format("int8").linear_overhead_ms == 0.0
    w8a8 = _tpot_ms("h100-sxm", "llama-3.1-8b", "int8", "vllm")
    assert w8a8 < _tpot_ms("h100-sxm", "llama-3.1-8b", "bf16", "vllm")


def test_the_names_users_write_for_llm_int8() -> None:
    for name in ("load_in_8bit", "llm.int8", "bnb-8bit", "bitsandbytes-8bit"):
        assert resolve_format(name).id == "bnb-int8"
    assert resolve_format("w8a8").id == "int8"
    reference = resolve_model_reference("unsloth/Llama-3.1-8B-Instruct-bnb-8bit", allow_hub=False)
    assert reference.format_id == "bnb-int8"


def test_a_load_in_8bit_checkpoint_is_llm_int8() -> None:
    config = {
        "architectures": ["LlamaForCausalLM"],
        "model_type": "llama",
        "hidden_size": 256,
        "intermediate_size": 512,
        "num_hidden_layers": 2,
        "num_attention_heads": 4,
        "num_key_value_heads": 4,
        "vocab_size": 1000,
        "max_position_embeddings": 2048,
        "quantization_config": {"quant_method": "bitsandbytes", "load_in_8bit": True},
    }
    model = arch_from_config(config, model_id="tiny", hub_id="", origin="test")
    assert model.checkpoint_format == "bnb-int8"


def test_linear_layers_count_the_quantised_projections() -> None:
    llama = resolve_model_reference("llama-3.1-8b", allow_hub=False).model
    # 32 layers x (q, k, v, o + gate, up, down)
    assert linear_layers(llama) == 32 * 7  # type: ignore[arg-type]
