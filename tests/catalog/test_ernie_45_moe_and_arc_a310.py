"""Issue 10 catalog additions: Baidu's ERNIE-4.5-21B-A3B (a text MoE whose config names its experts
moe_num_experts / moe_k / moe_num_shared_experts and its MoE layers by a start index and an
interval) and the Intel Arc A310, named the ways people and drivers write them. The expected
figures are the sources' (the Hugging Face model card and transformers' Ernie4_5_MoeConfig; Intel's
A310 specifications), so a wrong digit in a data file or a misread config field fails here."""

from __future__ import annotations

import pytest

from gpuatlas.catalog.gpu_written_names import without_retail_words
from gpuatlas.catalog.gpus import gpu_by_id, resolve_gpu
from gpuatlas.catalog.model_arch import ModelArch
from gpuatlas.catalog.model_config import arch_from_config
from gpuatlas.catalog.models import get_model, resolve_model_reference

pytestmark = pytest.mark.unit


def _ernie() -> ModelArch:
    model = get_model("ernie-4.5-21b-a3b")
    assert isinstance(model, ModelArch)
    return model


def test_ernie_shape_is_the_model_cards() -> None:
    # model card: 28 layers, 20 query / 4 KV heads, 64 text experts with 6 active, 2 shared,
    # 131072 context; config: hidden 2560, routed expert 1536 wide, dense MLP 12288, vocab 103424
    model = _ernie()
    assert (model.num_layers, model.num_attention_heads, model.num_kv_heads) == (28, 20, 4)
    assert (model.hidden_size, model.head_dim, model.vocab_size) == (2560, 128, 103424)
    assert (model.num_experts, model.experts_per_token, model.num_shared_experts) == (64, 6, 2)
    assert (model.moe_intermediate_size, model.intermediate_size) == (1536, 12288)
    assert model.max_position_embeddings == 131072
    assert model.tie_word_embeddings and model.lm_head_params() == 0
    assert model.attention_type == "gqa"


def test_ernie_first_layer_is_dense_and_the_other_27_hold_experts() -> None:
    # moe_layer_start_index 1, moe_layer_interval 1 over 28 layers
    model = _ernie()
    assert model.moe_layers == 27 and model.dense_layers == 1


def test_ernie_parameter_counts_match_the_published_21b_and_3b() -> None:
    model = _ernie()
    # the Hub's safetensors count: 21.8B; the card's '21B / 3B' (activated without embeddings)
    assert model.total_params() == pytest.approx(21.8e9, rel=0.01)
    assert model.active_params() - model.embedding_params() == pytest.approx(3e9, rel=0.05)
    assert model.active_params() < model.total_params() / 5


@pytest.mark.parametrize(
    "name",
    [
        "baidu/ERNIE-4.5-21B-A3B-PT",
        "ERNIE-4.5-21B-A3B-PT",
        "baidu/ERNIE-4.5-21B-A3B-Base-PT",
        "ERNIE-4.5-21B-A3B-Base-PT",
        "baidu/ERNIE-4.5-21B-A3B-Paddle",
        "ERNIE-4.5-21B-A3B-Paddle",
    ],
)
def test_ernie_checkpoint_names_resolve(name: str) -> None:
    assert resolve_model_reference(name, allow_hub=False).model.id == "ernie-4.5-21b-a3b"


def test_ernie_moe_layer_rule_follows_start_end_and_interval() -> None:
    """transformers Ernie4_5_MoeDecoderLayer: experts where (i + 1) % interval == 0 and
    start <= i <= end (end -1: the last layer)."""
    config = {
        "model_type": "ernie4_5_moe",
        "hidden_size": 64,
        "intermediate_size": 256,
        "num_hidden_layers": 8,
        "num_attention_heads": 4,
        "num_key_value_heads": 2,
        "vocab_size": 1000,
        "moe_num_experts": 8,
        "moe_k": 2,
        "moe_num_shared_experts": 1,
        "moe_intermediate_size": 32,
        "moe_layer_start_index": 2,
        "moe_layer_end_index": 6,
        "moe_layer_interval": 2,
    }
    model = arch_from_config(config, model_id="toy", hub_id="toy/toy", family="toy")
    assert model.moe_layer_indices == (3, 5)
    assert (model.num_experts, model.experts_per_token, model.num_shared_experts) == (8, 2, 1)
    every_layer = arch_from_config(
        {**config, "moe_layer_start_index": 0, "moe_layer_end_index": -1, "moe_layer_interval": 1},
        model_id="toy",
        hub_id="toy/toy",
        family="toy",
    )
    assert every_layer.moe_layers == 8 and every_layer.dense_layers == 0


@pytest.mark.parametrize(
    "name",
    [
        "Intel(R) Arc(tm) A310 Graphics (DG2)",  # Mesa ANV's Vulkan device name
        "Intel(R) Arc(TM) A310 Graphics",
        "Arc A310",
        "Intel Arc A310",
        "A310",
    ],
)
def test_arc_a310_names_resolve(name: str) -> None:
    assert resolve_gpu(name).id == "arc-a310"


@pytest.mark.parametrize(
    ("name", "gpu_id"),
    [
        ("Intel(R) Arc(tm) A770 Graphics (DG2)", "arc-a770"),
        ("Intel(R) Arc(tm) A580 Graphics (DG2)", "arc-a580"),
        ("Intel(R) Arc(tm) B580 Graphics (BMG G21)", "arc-b580"),
    ],
)
def test_anv_code_name_in_brackets_is_a_driver_decoration(name: str, gpu_id: str) -> None:
    assert resolve_gpu(name).id == gpu_id


def test_anv_code_name_is_dropped_from_the_written_name() -> None:
    """The code name in brackets goes, and with it the driver's trademark signs and 'Graphics'."""
    assert without_retail_words("Intel(R) Arc(tm) A310 Graphics (DG2)") == "Intel Arc A310"


def test_arc_a310_figures_are_intels() -> None:
    # Intel: 6 Xe cores, 96 XMX engines, 2000 MHz, 4 GB GDDR6 on 64 bits at 15.5 Gbps = 124 GB/s,
    # 75 W TBP, PCIe 4.0 x8; 768 vector lanes (6 x 128)
    gpu = gpu_by_id("arc-a310")
    assert (gpu.sm_count, gpu.tensor_cores, gpu.cuda_cores) == (6, 96, 768)
    assert gpu.memory_gb == 4.0 and gpu.memory_type == "GDDR6"
    assert gpu.memory_bandwidth_gb_s == pytest.approx(64 * 15.5 / 8)
    assert gpu.tdp_w == 75.0
    assert (gpu.pcie_generation, gpu.pcie_lanes) == (4.0, 8)
    assert gpu.release_year == 2022
    assert gpu.architecture_family == "xe-hpg"


def test_arc_a310_rates_are_derived_like_the_other_alchemist_cards() -> None:
    # Xe-HPG: 2,048 FP16 and 4,096 INT8 XMX ops per Xe core per clock; FP32 = lanes x 2 x clock
    gpu = gpu_by_id("arc-a310")
    assert gpu.fp16_dense_tflops == pytest.approx(6 * 2048 * 2.0 / 1000, abs=0.01)
    assert gpu.bf16_dense_tflops == gpu.fp16_dense_tflops
    assert gpu.int8_dense_tops == pytest.approx(6 * 4096 * 2.0 / 1000, abs=0.01)
    assert gpu.fp32_tflops == pytest.approx(768 * 2 * 2.0 / 1000, rel=0.005)
    assert gpu.fp8_dense_tflops is None
