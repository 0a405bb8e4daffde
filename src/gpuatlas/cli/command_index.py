"""Which module defines each top-level command, and its one-line help, so `gpuatlas --help`
and `gpuatlas --version` answer without importing any command's dependencies.

`tests/test_cli_command_index.py` checks this table against the commands the modules really
register (names and help), so it cannot drift.
"""

from __future__ import annotations

from typing import NamedTuple


class CommandEntry(NamedTuple):
    name: str
    area: str  # module in gpuatlas.cli whose register(app) defines the command
    short_help: str


COMMANDS: tuple[CommandEntry, ...] = (
    CommandEntry(
        "gpus",
        "catalog_commands",
        "List the GPU catalog, optionally filtered by vendor, memory and kind.",
    ),
    CommandEntry(
        "gpu",
        "catalog_commands",
        "One GPU's datasheet facts.",
    ),
    CommandEntry(
        "system",
        "catalog_commands",
        "Multi-GPU systems: N × a GPU plus its links.",
    ),
    CommandEntry(
        "prices",
        "catalog_commands",
        "Cloud prices per GPU-hour: the newest snapshot of each offer, with its date and source.",
    ),
    CommandEntry(
        "models",
        "model_commands",
        "List the model library.",
    ),
    CommandEntry(
        "model",
        "model_commands",
        "One model from the library (or a config.json).",
    ),
    CommandEntry(
        "formats",
        "model_commands",
        "List weight formats (real bits per weight) and KV-cache precisions.",
    ),
    CommandEntry(
        "fit",
        "estimate_commands",
        (
            "Does a model fit, and in which formats: memory per GPU, the longest context, how"
            " many sequences (or training memory with --training)."
        ),
    ),
    CommandEntry(
        "calibrate",
        "estimate_commands",
        "Fit efficiencies from measured rows; bands from leave-one-source-out errors.",
    ),
    CommandEntry(
        "predict",
        "predict_commands",
        "Predict speed: LLM latency/throughput, image generation, vision, OCR, training.",
    ),
    CommandEntry(
        "cost",
        "cost_commands",
        (
            "Cost per offer: $/h, $/GB VRAM/h, a job of --hours, --days of serving; with "
            "--workload, $/1M output tokens, $/request, $/image or $/training run from each "
            "system's OWN speed."
        ),
    ),
    CommandEntry(
        "tco",
        "cost_commands",
        (
            "On-prem TCO (purchase, power × PUE, hosting, residual) → $/GPU-hour and the "
            "break-even month against the cheapest matching cloud offer."
        ),
    ),
    CommandEntry(
        "plan",
        "cost_commands",
        "The cheapest GPU setup that meets p95 latency targets at a traffic, ranked, explained.",
    ),
    CommandEntry(
        "fleet",
        "cost_commands",
        "Several models sharing traffic: each on its cheapest pool vs one GPU type for all.",
    ),
    CommandEntry(
        "compare",
        "report_commands",
        "Compare two GPUs or systems: the full report (hardware, fit, speed, cost, measured).",
    ),
    CommandEntry(
        "leaderboard",
        "report_commands",
        "Atlas Scores (RTX 3090 = 100) with 95% intervals and coverage, best first.",
    ),
    CommandEntry(
        "bench",
        "bench_commands",
        "Run the benchmark suite, show and import result files.",
    ),
    CommandEntry(
        "db",
        "store_commands",
        "The results database: create, migrate, import, export, release.",
    ),
    CommandEntry(
        "token",
        "store_commands",
        "Bearer tokens for fleet agents (stored hashed).",
    ),
    CommandEntry(
        "agent",
        "store_commands",
        (
            "Run the suite here and push results to a GPU Atlas server; `agent status` shows "
            "the spool."
        ),
    ),
    CommandEntry(
        "serve",
        "store_commands",
        "Serve the web app and the ingest API (FastAPI + uvicorn).",
    ),
)

AREAS: tuple[str, ...] = tuple(dict.fromkeys(entry.area for entry in COMMANDS))


def entry_for(name: str) -> CommandEntry | None:
    return next((entry for entry in COMMANDS if entry.name == name), None)
