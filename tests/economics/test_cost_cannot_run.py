"""A ranking never aborts on one system: systems that cannot do the work (too little memory,
no catalog figure to predict from) are left out with their reason, and a winner is still
named — in the report, the text output and the JSON document (issue 13 item 4, issue 10)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from typer.testing import CliRunner

from gpuatlas.app.economics_requests import CostRequest, run_cost
from gpuatlas.app.predict import PredictTrainRequest, predict_train_document
from gpuatlas.catalog.systems import resolve_system
from gpuatlas.economics import unit_costs
from gpuatlas.errors import InvalidRequestError

TRAINING = CostRequest(
    ("rtx-4090", "h200-sxm"), "llama-3.1-8b", "auto", "vllm", "training", train_tokens=1e9
)


def test_training_skips_a_gpu_without_the_memory_and_ranks_the_rest() -> None:
    report = run_cost(TRAINING)
    assert [line.system_id for line in report.ranking] == ["h200-sxm"]
    assert [item.system_id for item in report.cannot_run] == ["rtx-4090"]
    assert "does not fit" in report.cannot_run[0].reason


def test_training_uses_the_fastest_setup_that_fits_as_predict_train_does() -> None:
    # 8B full fine-tuning does not fit an H200 (141 GB) at micro-batch 4 without
    # checkpointing; of the setups that fit, the fastest runs, the one `predict train` names
    jobs = run_cost(TRAINING).jobs
    document = predict_train_document(
        PredictTrainRequest(system="h200-sxm", model="llama-3.1-8b", precision="bf16")
    )
    checkpointing = "on" if document["recompute"] else "off"
    setup = f"micro-batch {document['micro_batch']}, checkpointing {checkpointing}"
    assert setup != "micro-batch 4, checkpointing off"
    assert jobs and all(setup in job.work for job in jobs)


def test_an_image_gpu_that_cannot_be_predicted_is_left_out(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    real = unit_costs.api.predict_diffusion

    def missing_figure(system: Any, model: Any, **options: Any) -> Any:
        if system.gpu.id == "l4":
            raise InvalidRequestError(["the catalog has no fp16 tensor throughput for l4"])
        return real(system, model, **options)

    monkeypatch.setattr(unit_costs.api, "predict_diffusion", missing_figure)
    report = run_cost(CostRequest(("l4", "rtx-4090"), "sdxl", "auto", "auto", "image"))
    assert [line.system_id for line in report.ranking] == ["rtx-4090"]
    assert [(c.system_id, c.reason) for c in report.cannot_run] == [
        ("l4", "the catalog has no fp16 tensor throughput for l4")
    ]


def test_cli_names_the_winner_and_counts_what_cannot_run() -> None:
    from gpuatlas.cli.main import app

    runner = CliRunner()
    arguments = [
        "cost",
        "--model",
        "llama-3.1-8b",
        "--workload",
        "training",
        "--train-tokens",
        "1e9",
        "--gpu",
        "rtx-4090",
        "--gpu",
        "h200-sxm",
    ]
    text = runner.invoke(app, arguments, env={"COLUMNS": "200"})
    assert text.exit_code == 0, text.output
    assert "Cheapest: h200-sxm" in text.output
    assert "cannot run: 1 system(s) left out (rtx-4090)" in text.output
    details = runner.invoke(app, [*arguments, "--details"], env={"COLUMNS": "200"})
    assert "cannot run: rtx-4090: full training" in details.output
    document = json.loads(runner.invoke(app, [*arguments, "--json"]).output)
    assert document["winner"]["system_id"] == "h200-sxm"
    assert [item["system_id"] for item in document["cannot_run"]] == ["rtx-4090"]


def test_when_nothing_can_run_the_report_says_so_without_a_winner() -> None:
    from gpuatlas.cli.main import app

    result = CliRunner().invoke(
        app,
        [
            "cost",
            "--model",
            "llama-3.1-8b",
            "--workload",
            "training",
            "--train-tokens",
            "1e9",
            "--gpu",
            "rtx-4090",
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    document = json.loads(result.output)
    assert document["winner"] is None and document["ranking"] == []
    assert document["cannot_run"][0]["system_id"] == "rtx-4090"


def test_several_gpus_shard_with_fsdp_when_a_replica_does_not_fit_each() -> None:
    """`cost --workload training` has no --sharding: 8x A100 full fine-tuning of a 7B model was
    'cannot run' (a DDP replica needs 118.5 GiB per GPU); it runs sharded, as the comparison
    report runs it, and the work says so. A single GPU is never sharded."""
    request = CostRequest(
        ("8x a100-80gb-sxm", "a100-80gb-sxm"),
        "qwen2.5-7b",
        "auto",
        "vllm",
        "training",
        train_tokens=1e8,
    )
    report = run_cost(request)
    works = {job.system_id: job.work for job in report.jobs}
    assert "FSDP sharding" in works["8x a100-80gb-sxm"]
    assert [item.system_id for item in report.cannot_run] == ["a100-80gb-sxm"]
    fitting = unit_costs.fitting_training(
        resolve_system("8x a100-80gb-sxm"), "llama-3.2-1b", tokens=1e8
    )
    assert fitting.sharding == "none"  # a replica fits each GPU: plain data parallel
