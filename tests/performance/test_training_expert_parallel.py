"""Expert parallelism in MoE training: the routed experts split over GPUs, their tokens
exchanged in all-to-alls (performance/training/expert_parallel.py)."""

from __future__ import annotations

import json
import math

import pytest
from typer.testing import CliRunner

from gpuatlas.cli.main import app
from gpuatlas.errors import InvalidRequestError
from gpuatlas.performance import api
from gpuatlas.performance.resolve import as_llm, as_system
from gpuatlas.performance.training.expert_parallel import (
    all_to_all_s,
    exchange_s,
    other_nodes_per_token,
    routed_expert_share,
)
from gpuatlas.performance.training.memory import TrainingSetup
from gpuatlas.performance.training.speed import sync_phases
from gpuatlas.performance.training.variants import variant_expert_parallel

# DeepSeek-V3 (config.json): 58 MoE layers of 256 routed experts, 3 x 7168 x 2048 each
DEEPSEEK_V3_ROUTED = 58 * 256 * 3 * 7168 * 2048
# Qwen3-30B-A3B: 48 MoE layers of 128 experts, 3 x 2048 x 768 each
QWEN3_30B_ROUTED = 48 * 128 * 3 * 2048 * 768


def _setup(**changes: object) -> TrainingSetup:
    values: dict[str, object] = {
        "method": "full",
        "sequence_tokens": 4096,
        "micro_batch": 1,
        "checkpointing": True,
        "sharding": "fsdp",
    }
    values.update(changes)
    return TrainingSetup(**values)  # type: ignore[arg-type]


def test_the_routed_share_is_the_experts_parameters() -> None:
    model = as_llm("deepseek-v3")
    assert routed_expert_share(model) == pytest.approx(DEEPSEEK_V3_ROUTED / model.total_params())
    assert routed_expert_share(as_llm("llama-3.1-8b")) == 0.0


def test_replicas_hold_their_expert_shard_only() -> None:
    """DDP with EP 8 on 8 GPUs: each GPU holds everything but the routed experts, and 1/8 of
    those (16 of the 128 experts of every layer)."""
    model = as_llm("qwen3-30b-a3b")
    kwargs = {"sequence_tokens": 4096, "micro_batch": 1, "checkpointing": True}
    whole = api.training_memory("8x h100-sxm", "qwen3-30b-a3b", sharding="none", **kwargs)
    split = api.training_memory(
        "8x h100-sxm", "qwen3-30b-a3b", sharding="none", expert_parallel=8, **kwargs
    )
    others = model.total_params() - QWEN3_30B_ROUTED
    assert whole.weights_gb == pytest.approx(model.total_params() * 2 / 1e9)
    assert split.weights_gb == pytest.approx((others + QWEN3_30B_ROUTED / 8) * 2 / 1e9)
    # mixed-precision AdamW: 12 bytes per trained parameter, split the same way
    assert split.optimizer_gb == pytest.approx((others + QWEN3_30B_ROUTED / 8) * 12 / 1e9)


def test_fsdp_already_splits_the_experts_over_every_gpu() -> None:
    kwargs = {"sequence_tokens": 4096, "micro_batch": 1, "checkpointing": True}
    plain = api.training_memory("64x h100-sxm", "deepseek-v3", sharding="fsdp", **kwargs)
    split = api.training_memory(
        "64x h100-sxm", "deepseek-v3", sharding="fsdp", expert_parallel=8, **kwargs
    )
    assert split.weights_gb == pytest.approx(plain.weights_gb)
    assert split.optimizer_gb == pytest.approx(plain.optimizer_gb)


def test_fsdp_gathers_only_the_gpus_expert_shard() -> None:
    system, model = as_system("256x h100-sxm"), as_llm("deepseek-v3")
    whole = sync_phases(system, model, _setup())
    split = sync_phases(system, model, _setup(expert_parallel=64))
    moved = (model.total_params() - DEEPSEEK_V3_ROUTED + DEEPSEEK_V3_ROUTED / 64) / (
        model.total_params()
    )
    # the gather's time is its bytes over the links (latency is microseconds against seconds)
    assert split.forward_s / whole.forward_s == pytest.approx(moved, rel=0.01)
    assert moved < 0.05


def test_other_nodes_per_token_is_the_expected_count_of_distinct_nodes() -> None:
    # one expert per token: another node unless it is on the token's own
    assert other_nodes_per_token(64, 1, 4) == pytest.approx(3 / 4)
    # DeepSeek-V3 over 8 nodes: 32 experts per node, 8 chosen of 256 without replacement
    no_expert_on_a_node = math.comb(256 - 32, 8) / math.comb(256, 8)
    assert other_nodes_per_token(256, 8, 8) == pytest.approx(7 * (1 - no_expert_on_a_node))
    assert other_nodes_per_token(256, 8, 1) == 0.0


def test_a_node_sends_each_token_once_per_node_not_once_per_expert() -> None:
    """Over nodes a token crosses the network once per other node holding one of its experts
    (then NVLink forwards it): fewer than its top-8 experts' worth of bytes."""
    system, model = as_system("256x h100-sxm"), as_llm("deepseek-v3")
    tokens = 4096
    network = system.network
    assert network is not None
    one_per_expert_s = tokens * 7168 * 2 * 8 / (network.effective_allreduce_gb_s * 1e9)
    crossing_s = exchange_s(system, model, 64, tokens)
    expected_s = one_per_expert_s * other_nodes_per_token(256, 8, 8) / 8
    assert crossing_s == pytest.approx(expected_s, rel=0.01)
    assert crossing_s < 0.6 * one_per_expert_s


def test_inside_a_node_each_token_goes_to_every_expert_on_another_gpu() -> None:
    system, model = as_system("8x h100-sxm"), as_llm("qwen3-30b-a3b")
    link = system.link
    assert link is not None
    bytes_sent = 16384 * 2048 * 2 * 8 * 7 / 8
    assert exchange_s(system, model, 8, 16384) == pytest.approx(
        bytes_sent / (link.effective_allreduce_gb_s * 1e9), rel=0.01
    )


def test_each_moe_layer_exchanges_twice_per_pass() -> None:
    system, model = as_system("8x h100-sxm"), as_llm("qwen3-30b-a3b")
    one = exchange_s(system, model, 8, 4096)
    assert all_to_all_s(system, model, 8, 4096, 0.0) == pytest.approx(48 * 4 * one)
    assert all_to_all_s(system, model, 8, 4096, 1.0) == pytest.approx(48 * 6 * one)
    assert all_to_all_s(system, model, 1, 4096, 1.0) == 0.0


def test_expert_parallelism_turns_a_gather_bound_step_into_a_compute_bound_one() -> None:
    def step_s(expert_parallel: int) -> float:
        return api.predict_training(
            "256x h100-sxm",
            "deepseek-v3",
            tokens=1e9,
            recompute=True,
            sequence_tokens=4096,
            micro_batch=1,
            sharding="fsdp",
            expert_parallel=expert_parallel,
        ).step_s.value

    gathered, split = step_s(1), step_s(64)
    assert split < gathered / 3  # 1.3 TB of experts gathered per pass against 1/64 of them


def test_impossible_degrees_are_all_named_at_once() -> None:
    with pytest.raises(InvalidRequestError) as dense:
        api.training_memory("8x h100-sxm", "llama-3.1-8b", sharding="fsdp", expert_parallel=8)
    assert "dense" in str(dense.value)
    with pytest.raises(InvalidRequestError) as both:
        api.training_memory("6x h100-sxm", "qwen3-30b-a3b", sharding="fsdp", expert_parallel=12)
    assert len(both.value.problems) == 2
    assert "128 routed experts" in str(both.value) and "6 GPUs" in str(both.value)


def test_a_variant_word_states_the_degree() -> None:
    assert variant_expert_parallel({"ac-full", "ep64"}) == 64
    assert variant_expert_parallel({"ac-full"}) == 1
    assert variant_expert_parallel({"ep0", "epic"}) == 1


def test_the_command_takes_the_degree_and_says_what_the_exchange_costs() -> None:
    arguments = ["predict", "train", "256x h100-sxm", "deepseek-v3", "--sequence", "4096"]
    arguments += ["--micro-batch", "1", "--sharding", "fsdp", "--recompute"]
    gathered = CliRunner().invoke(app, [*arguments, "--json"])
    split = CliRunner().invoke(app, [*arguments, "--expert-parallel", "64", "--json"])
    assert gathered.exit_code == 0 and split.exit_code == 0, split.output
    gathered_notes = " ".join(json.loads(gathered.output)["notes"])
    split_notes = " ".join(json.loads(split.output)["notes"])
    assert "without expert parallelism each GPU gathers every expert" in gathered_notes
    assert "--expert-parallel N" in gathered_notes
    assert "expert parallelism over 64 GPUs" in split_notes and "all-to-all" in split_notes


def test_the_gather_note_comes_only_where_waiting_for_it_matters() -> None:
    """Eight H100s gather Qwen3-30B-A3B's experts over NVLink while they compute two
    sequences (no note); 256 gathering DeepSeek-V3's 1.3 TB over InfiniBand for one sequence
    wait most of the step for it."""

    def notes(system: str, model: str, micro_batch: int) -> str:
        prediction = api.predict_training(
            system,
            model,
            tokens=1e9,
            recompute=True,
            sequence_tokens=4096,
            micro_batch=micro_batch,
            sharding="fsdp",
        )
        return " ".join(prediction.notes)

    assert "gathers every expert" not in notes("8x h100-sxm", "qwen3-30b-a3b", 2)
    assert "gathers every expert" in notes("256x h100-sxm", "deepseek-v3", 1)
