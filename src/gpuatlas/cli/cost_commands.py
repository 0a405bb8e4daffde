"""CLI commands of the cost area: `cost`, `tco`, `plan`, `fleet` (parse, call, render).

JSON schemas (stable): gpuatlas.cost/2, gpuatlas.tco/2, gpuatlas.plan/2, gpuatlas.fleet/2 —
each object carries `schema_version`; money is in USD, time in ms/h, power in W.
"""

from __future__ import annotations

import typer

from gpuatlas.cli.cost_plan import fleet_command, plan_command
from gpuatlas.cli.cost_rent import cost_command
from gpuatlas.cli.cost_tco import tco_command


def register(app: typer.Typer) -> None:
    app.command("cost")(cost_command)
    app.command("tco")(tco_command)
    app.command("plan")(plan_command)
    app.command("fleet")(fleet_command)
