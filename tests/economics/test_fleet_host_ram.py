"""`fleet --host-ram-gb`: the RAM of each machine, as `plan` and `cost` take it, for a pool whose
llama.cpp/Ollama splits layers between GPU and CPU (the weights on the CPU live in host RAM)."""

from __future__ import annotations

from typing import Any

import pytest

from gpuatlas.app import fleet as fleet_answer
from gpuatlas.app.economics_requests import FleetRequest, run_fleet
from gpuatlas.app.fleet import FleetPlanRequest, fleet_plan
from gpuatlas.economics.slo import Slo
from gpuatlas.errors import InvalidRequestError


def test_the_request_carries_the_host_ram_to_the_fleet(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[FleetRequest] = []

    def capture(request: FleetRequest) -> Any:
        seen.append(request)
        return None

    monkeypatch.setattr(fleet_answer, "run_fleet", capture)
    fleet_plan(FleetPlanRequest(models=["llama-3.1-8b=1"], rps=1.0, host_ram_gb=128))
    assert seen[0].host_ram_gb == 128


def test_a_host_ram_of_nothing_is_refused_with_the_option_named() -> None:
    request = FleetRequest(("llama-3.1-8b=1",), (), 1.0, 512, 256, Slo(), host_ram_gb=0.0)
    with pytest.raises(InvalidRequestError, match="--host-ram-gb must be more than 0"):
        run_fleet(request)
