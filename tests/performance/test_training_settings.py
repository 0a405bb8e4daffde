"""Training answers are for setups that fit, in one set of settings, like for like."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from gpuatlas.catalog.systems import resolve_system
from gpuatlas.cli.main import app
from gpuatlas.errors import InvalidRequestError
from gpuatlas.performance import api
from gpuatlas.report.context import ReportContext, ReportOptions
from gpuatlas.report.document import Quantity, Text
from gpuatlas.report.profiles import ProfileCache
from gpuatlas.report.profiles.training import MICRO_BATCH
from gpuatlas.report.sections.training import budget_table, fit_table, sync_table


def _context(a: str, b: str, model: str) -> ReportContext:
    return ReportContext(resolve_system(a), resolve_system(b), ReportOptions(model=model))


def test_no_time_for_lora_that_needs_68_gb_per_gpu_and_what_would_fit_is_named() -> None:
    with pytest.raises(InvalidRequestError) as raised:
        api.predict_training("4x rtx-4090", "llama-3.1-8b", tokens=1e9, method="lora")
    message = str(raised.value)
    # 68.5 GB (10^9 bytes) in GiB, against the usable memory and the share kept free
    assert "does not fit: needs 63.8 GiB per GPU of 22.8 GiB usable" in message
    assert "micro-batch 1 with checkpointing" in message and "qlora" in message


def test_cli_predict_train_prints_no_time_for_a_setup_that_does_not_fit() -> None:
    result = CliRunner().invoke(
        app,
        [
            "predict",
            "train",
            "4x rtx-4090",
            "llama-3.1-8b",
            "--method",
            "lora",
            "--micro-batch",
            "4",
            "--no-recompute",
        ],
    )
    assert result.exit_code != 0
    assert "time for budget" not in result.output and "would fit" in result.output
    fitting = CliRunner().invoke(
        app,
        [
            "predict",
            "train",
            "4x rtx-4090",
            "llama-3.1-8b",
            "--method",
            "lora",
            "--micro-batch",
            "1",
            "--recompute",
        ],
    )
    assert fitting.exit_code == 0 and "time for budget" in fitting.output


def test_fit_and_sync_tables_share_the_settings_and_sync_times_only_what_fits() -> None:
    context = _context("rtx-4090", "a100-80gb-sxm", "llama-3.1-8b")
    profiles = ProfileCache().pair(context)
    assert f"micro-batch {MICRO_BATCH}" in fit_table(context, *profiles).notes[0]
    table = sync_table(context, *profiles)
    assert f"micro-batch {MICRO_BATCH}" in table.notes[0]
    for row in table.rows:
        memory = row[-1]
        assert isinstance(memory, Text)
        allreduce, step = row[2], row[3]
        assert isinstance(allreduce, Quantity) and isinstance(step, Quantity)
        if memory.text.startswith("does not fit"):
            assert step.value is None and allreduce.value is None
        else:
            assert memory.text.startswith("fits") and step.value is not None


def test_both_sides_of_the_budget_table_use_the_same_method() -> None:
    for a, b, model in (
        ("rtx-4090", "a100-80gb-sxm", "llama-3.1-8b"),
        ("a100-80gb-sxm", "rtx-4090", "llama-3.1-8b"),
        ("rtx-3090", "h100-sxm", "llama-3-70b"),
    ):
        context = _context(a, b, model)
        rows = budget_table(context, *ProfileCache().pair(context)).rows
        methods = {row[1].text for row in rows if isinstance(row[1], Text)}
        if len(rows) == 2:
            assert len(methods) == 1, (a, b, rows)
        else:  # no method fits both: every method for each side
            assert len(rows) == 6 and methods == {"full", "lora", "qlora"}


def test_lora_on_gpus_it_does_not_fit_unsharded_names_fsdp_over_them() -> None:
    # 70B LoRA on 8 H100s: each GPU holds the whole bf16 base without sharding; FSDP over the
    # same eight fits (`--sharding fsdp`), which the answer left out (only QLoRA or 16 and 32
    # H100s were named)
    with pytest.raises(InvalidRequestError) as raised:
        api.predict_training("8x h100-sxm", "llama-3.1-70b", tokens=1e9, method="lora")
    message = " ".join(str(raised.value).split())
    assert "would fit: FSDP sharding, micro-batch 1 with checkpointing (" in message
    assert "GB/GPU" not in message  # one unit: GiB, as `fit` writes it
