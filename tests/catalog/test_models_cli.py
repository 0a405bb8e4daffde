"""The models / model show / formats commands: tables, stable JSON, clean errors."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from gpuatlas.cli.main import app

runner = CliRunner()


def run_json(*arguments: str) -> dict[str, object]:
    result = runner.invoke(app, [*arguments, "--json"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert isinstance(document, dict)
    return document


def test_models_json_lists_the_library_with_a_schema() -> None:
    document = run_json("models")
    assert document["schema_version"] == "gpuatlas.models/1"
    models = document["models"]
    assert isinstance(models, list) and len(models) >= 40
    row = next(model for model in models if model["id"] == "mixtral-8x7b")
    assert row["attention_type"] == "gqa" and row["active_params"] < row["total_params"]


def test_models_kind_filter() -> None:
    document = run_json("models", "--kind", "diffusion")
    kinds = {model["kind"] for model in document["models"]}  # type: ignore[attr-defined]
    assert kinds == {"diffusion"}


def test_model_show_json_reports_kv_bytes_per_precision() -> None:
    document = run_json("model", "show", "meta-llama/Llama-3.1-8B-Instruct")
    model = document["model"]
    assert isinstance(model, dict)
    assert model["id"] == "llama-3.1-8b" and model["attention_type"] == "gqa"
    kv = {row["precision"]: row["bytes_per_token"] for row in model["kv_cache"]}
    assert kv["fp16"] == 131_072 and kv["fp8"] == 65_536
    assert model["architecture"]["num_kv_heads"] == 8


def test_model_show_reports_the_format_hint_of_a_quantised_checkpoint() -> None:
    document = run_json("model", "show", "TheBloke/Llama-2-13B-chat-AWQ")
    assert document["matched_by"] == "derived_checkpoint"
    assert document["format_id"] == "awq-int4"


def test_model_show_table_for_each_kind() -> None:
    for name in ("deepseek-v3", "flux-dev", "qwen2.5-vl-7b", "trocr-base"):
        result = runner.invoke(app, ["model", "show", name])
        assert result.exit_code == 0, result.output
        assert "total parameters" in result.output


def test_unknown_model_exits_2_with_candidates() -> None:
    result = runner.invoke(app, ["model", "show", "llama-3.1-9b"])
    assert result.exit_code == 2
    assert "llama-3.1-8b" in result.output


def test_bad_kind_exits_2() -> None:
    result = runner.invoke(app, ["models", "--kind", "audio"])
    assert result.exit_code == 2


def test_formats_json() -> None:
    document = run_json("formats")
    assert document["schema_version"] == "gpuatlas.formats/1"
    ids = {row["id"] for row in document["weight_formats"]}  # type: ignore[attr-defined]
    assert {"fp8", "q4_k_m", "awq-int4", "nvfp4"} <= ids
    kv_ids = {row["id"] for row in document["kv_cache_precisions"]}  # type: ignore[attr-defined]
    assert {"fp16", "fp8", "q8_0", "q4_0"} <= kv_ids
