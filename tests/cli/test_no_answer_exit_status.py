"""`plan` and `cost` exit 1 when they have no setup to offer (bad input stays 2, an answer 0):
a plan over Macs that no cloud rents printed '0 candidates assessed' and exited 0, as did a
plan whose closest option misses the targets and a cost that no system could run."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from gpuatlas.cli.main import app

pytestmark = pytest.mark.unit


def _status(*words: str) -> int:
    return CliRunner().invoke(app, list(words)).exit_code


def test_a_plan_with_no_setup_meeting_the_request_exits_1() -> None:
    assert _status("plan", "--model", "llama-3.1-8b", "--rps", "1", "--gpu", "Apple M4 Max") == 1
    closest_only = ("--rps", "50", "--p95-ttft-ms", "1", "--gpu", "rtx-4090")
    assert _status("plan", "--model", "llama-3.1-70b", *closest_only) == 1
    assert _status("plan", "--model", "llama-3.1-8b", "--rps", "1", "--gpu", "rtx-4090") == 0


def test_a_cost_no_system_can_run_exits_1() -> None:
    assert _status("cost", "--model", "llama-3.1-8b", "--workload", "llm", "--gpu", "t4") == 1
    assert _status("cost", "--gpu", "rtx-4090") == 0  # renting alone is always an answer
