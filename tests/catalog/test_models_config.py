"""Reading config.json files: valid ones, bad ones (every problem named), the Hub when offline."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from gpuatlas.catalog.model_arch import ModelArch
from gpuatlas.catalog.model_names import UnmodelledModelError
from gpuatlas.catalog.models import (
    HubConfigUnavailableError,
    arch_from_config,
    load_model_config,
    resolve_model,
    resolve_model_argument,
    resolve_model_reference,
)
from gpuatlas.errors import DataFileError, UnknownNameError

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "models"


def test_plain_config_json_in_a_directory_loads() -> None:
    model = load_model_config(FIXTURES / "tiny-llama")
    assert isinstance(model, ModelArch)
    assert model.id == "tiny-llama"
    assert model.attention_type == "gqa"
    # TinyLlama-1.1B publishes 1.1B parameters for this shape
    assert model.total_params() == pytest.approx(1.1e9, rel=0.01)


def test_missing_and_malformed_fields_are_all_named() -> None:
    with pytest.raises(DataFileError) as caught:
        load_model_config(FIXTURES / "missing_fields_config.json")
    problems = "\n".join(caught.value.problems)
    assert "'hidden_size': missing" in problems
    assert "'num_attention_heads': missing" in problems
    assert "'vocab_size': must be a positive integer" in problems
    assert len(caught.value.problems) == 3
    assert "missing_fields_config.json" in str(caught.value)


def test_invalid_json_names_the_line() -> None:
    with pytest.raises(DataFileError, match="line 5"):
        load_model_config(FIXTURES / "invalid_json_config.json")


def test_missing_file_is_a_data_file_error() -> None:
    with pytest.raises(DataFileError, match="file not found"):
        load_model_config(FIXTURES / "does-not-exist.json")


def test_bad_library_block_lists_each_field() -> None:
    with pytest.raises(DataFileError) as caught:
        load_model_config(FIXTURES / "bad_library_entry.json")
    problems = "\n".join(caught.value.problems)
    assert "gpuatlas.id" in problems
    assert "gpuatlas.published_params" in problems
    assert "gpuatlas.published_params_source" in problems


def test_kv_heads_must_divide_query_heads() -> None:
    config = {"hidden_size": 64, "num_hidden_layers": 2, "num_attention_heads": 6,
              "num_key_value_heads": 4, "intermediate_size": 128, "vocab_size": 100}  # fmt: skip
    with pytest.raises(DataFileError, match="num_key_value_heads"):
        arch_from_config(config, model_id="odd")


def test_moe_and_mla_fields_are_read_from_a_deepseek_style_config() -> None:
    config = {
        "model_type": "deepseek_v3", "hidden_size": 256, "num_hidden_layers": 4,
        "num_attention_heads": 8, "num_key_value_heads": 8, "intermediate_size": 512,
        "moe_intermediate_size": 64, "n_routed_experts": 16, "n_shared_experts": 1,
        "num_experts_per_tok": 2, "first_k_dense_replace": 1, "kv_lora_rank": 32,
        "q_lora_rank": 48, "qk_rope_head_dim": 16, "qk_nope_head_dim": 32, "v_head_dim": 32,
        "vocab_size": 1000,
    }  # fmt: skip
    model = arch_from_config(config, model_id="mini-v3")
    assert model.attention_type == "mla"
    assert (model.num_experts, model.experts_per_token, model.moe_layers) == (16, 2, 3)
    idle_expert_params = 3 * 14 * 3 * 256 * 64  # 3 MoE layers x 14 unrouted experts
    assert model.total_params() - model.active_params() == idle_expert_params


def test_a_user_config_path_is_accepted_where_a_model_name_is(tmp_path: Path) -> None:
    config = json.loads((FIXTURES / "tiny-llama" / "config.json").read_text())
    path = tmp_path / "my-model.json"
    path.write_text(json.dumps(config))
    reference = resolve_model_argument(str(path))
    assert reference.matched_by == "file" and reference.model.id == "my-model"


def test_unknown_hub_id_offline_says_how_to_pass_a_local_config(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with pytest.raises(HubConfigUnavailableError) as caught:
        resolve_model("someone/Brand-New-Llama-3.1-9B-Thing")
    message = str(caught.value)
    assert "--model path/to/config.json" in message
    assert "offline" in message
    assert isinstance(caught.value, UnknownNameError)


def test_hub_fetch_can_be_refused_explicitly() -> None:
    with pytest.raises(HubConfigUnavailableError):
        resolve_model("someone/unknown-model", allow_hub=False)


@pytest.mark.parametrize(
    ("model_type", "words"),
    [
        ("jamba", "Mamba layers between attention layers"),
        ("falcon_h1", "Mamba-2 and attention layers"),
    ],
)
def test_architectures_with_layers_of_several_shapes_are_refused_by_name(
    model_type: str, words: str
) -> None:
    config = {
        "model_type": model_type,
        "hidden_size": 2048,
        "num_hidden_layers": 48,
        "num_attention_heads": 16,
        "num_key_value_heads": 2,
        "intermediate_size": 5120,
        "vocab_size": 151936,
    }
    with pytest.raises(DataFileError) as raised:
        arch_from_config(config, model_id="x")
    assert "not modelled" in str(raised.value) and words in str(raised.value)


def test_block_configs_features_the_model_lacks_are_refused_by_field() -> None:
    config = {
        "model_type": "nemotron-nas",
        "hidden_size": 8192,
        "num_hidden_layers": 2,
        "num_attention_heads": 64,
        "intermediate_size": 28672,
        "vocab_size": 128256,
        "block_configs": [
            {"attention": {"no_op": True}, "ffn": {"ffn_mult": 2.625}},
            {"attention": {"replace_with_linear": True}, "ffn": {"ffn_mult": 2.625}},
        ],
    }
    with pytest.raises(DataFileError, match="replace_with_linear not modelled"):
        arch_from_config(config, model_id="x")


@pytest.mark.parametrize(
    ("name", "family"),
    [
        ("tiiuae/Falcon-H1-7B-Instruct", "Falcon-H1"),
        ("tiiuae/falcon-mamba-7b", "Mamba"),
    ],
)
def test_names_of_unmodelled_families_say_so_offline(name: str, family: str) -> None:
    with pytest.raises(UnmodelledModelError) as raised:
        resolve_model_reference(name, allow_hub=False)
    assert f"({family}) is not modelled" in str(raised.value)
    assert isinstance(raised.value, UnknownNameError)  # callers that catch unknown names still do
