"""A system of N GPUs serves in its best layout: replicas when the model fits one GPU, tensor
parallel when it must, and says which."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from gpuatlas.cli.main import app
from gpuatlas.errors import InvalidRequestError
from gpuatlas.performance import api
from gpuatlas.performance.llm.serving_layout import group_sizes, replica_shares
from gpuatlas.performance.model_constants import model_constant

LENGTHS = {"input_tokens": 512, "output_tokens": 256}


def test_four_4090s_serve_an_8b_model_as_four_replicas() -> None:
    one = api.serving_throughput(
        "rtx-4090", "llama-3.1-8b", "fp16", "vllm", concurrency="max", **LENGTHS
    )
    four = api.serving_layout("4x rtx-4090", "llama-3.1-8b", "fp16", "vllm", **LENGTHS)
    assert (four.layout.replicas, four.layout.tensor_parallel) == (4, 1)
    assert four.output_tok_s.value >= 3.5 * one.value
    assert four.output_tok_s.value == pytest.approx(4 * one.value)
    assert "served as 4 replicas of 1 GPU each" in four.output_tok_s.notes


def test_auto_layout_gives_up_at_most_the_layout_margin_against_one_replica() -> None:
    # A larger tensor-parallel group is chosen only when predicted to serve more than the
    # margin more; so the chosen layout is never predicted slower than that.
    margin = 1.0 + model_constant("llm", "layout_margin")
    for system, model, weights in (
        ("4x rtx-4090", "llama-3.1-8b", "fp16"),
        ("8x h100-sxm", "llama-3.1-70b", "fp16"),
        ("2x a100-80gb-sxm", "qwen3-30b-a3b", "bf16"),
    ):
        auto = api.serving_layout(system, model, weights, "vllm", **LENGTHS)
        tensor = api.serving_layout(system, model, weights, "vllm", layout="tensor", **LENGTHS)
        assert tensor.layout.replicas == 1
        assert auto.output_tok_s.value * margin >= tensor.output_tok_s.value


def test_a_model_too_large_for_one_gpu_is_split_tensor_parallel() -> None:
    found = api.serving_layout("4x rtx-4090", "llama-3.1-70b", "awq-int4", "vllm", **LENGTHS)
    assert found.layout.tensor_parallel >= 2
    assert found.layout.gpu_count == 4


def test_70b_on_eight_h100s_serves_as_several_tensor_parallel_replicas() -> None:
    found = api.serving_layout("8x h100-sxm", "llama-3.1-70b", "fp16", "vllm", **LENGTHS)
    assert 2 <= found.layout.tensor_parallel < 8 and found.layout.replicas >= 2


def test_a_model_that_fits_nowhere_reports_the_single_replica_error() -> None:
    with pytest.raises(InvalidRequestError, match="do not fit on 2x rtx-4090 with llama-3.1-405b"):
        api.serving_layout("2x rtx-4090", "llama-3.1-405b", "fp16", "vllm", **LENGTHS)


def test_replica_shares_and_group_sizes() -> None:
    assert replica_shares(10, 4) == [3, 3, 2, 2]
    assert replica_shares(2, 4) == [1, 1, 0, 0]
    assert group_sizes(8) == [1, 2, 4, 8]
    assert group_sizes(6) == [1, 2, 3, 6]


def test_fixed_concurrency_is_spread_over_replicas() -> None:
    one = api.serving_throughput(
        "rtx-4090", "llama-3.1-8b", "fp16", "vllm", concurrency=8, **LENGTHS
    )
    four = api.serving_layout(
        "4x rtx-4090", "llama-3.1-8b", "fp16", "vllm", concurrency=32, **LENGTHS
    )
    replicas = api.serving_layout(
        "4x rtx-4090", "llama-3.1-8b", "fp16", "vllm", concurrency=32, layout="tensor", **LENGTHS
    )
    assert four.output_tok_s.value >= 4 * one.value * 0.999  # 4 x 8 is one candidate
    assert four.output_tok_s.value >= replicas.output_tok_s.value


def test_cli_predict_serving_states_the_layout() -> None:
    result = CliRunner().invoke(
        app, ["predict", "serving", "4x rtx-4090", "llama-3.1-8b", "--json"]
    )
    assert result.exit_code == 0, result.output
    assert '"replicas": 4' in result.output and '"tensor_parallel": 1' in result.output
    bad = CliRunner().invoke(
        app, ["predict", "serving", "4x rtx-4090", "llama-3.1-8b", "--layout", "pipeline"]
    )
    assert bad.exit_code != 0 and "--layout" in bad.output


def test_report_scenario_counts_replicas_of_the_serving_layouts_group() -> None:
    from gpuatlas.catalog.systems import resolve_system
    from gpuatlas.report.context import ReportContext, ReportOptions
    from gpuatlas.report.document import Text
    from gpuatlas.report.profiles import ProfileCache
    from gpuatlas.report.sections.inference import scenario_table

    context = ReportContext(
        resolve_system("4x rtx-4090"),
        resolve_system("h100-sxm"),
        ReportOptions(model="llama-3.1-8b"),
    )
    first = scenario_table(*ProfileCache().pair(context)).rows[0]
    replicas = first[2]
    assert isinstance(replicas, Text)
    assert replicas.text.endswith("× RTX 4090") and "4×" not in replicas.text
