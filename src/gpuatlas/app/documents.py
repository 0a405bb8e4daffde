"""What every answer document shares: the schema_version name, JSON-ready plain values and
money rounded to the cent (no float noise such as 248.20000000000002 in a `*_usd` field)."""

from __future__ import annotations

import dataclasses
import math
from pathlib import PurePath
from typing import Any

from gpuatlas.app.name_notes import (
    document_memory_assumptions,
    document_model_assumption,
    document_name_assumptions,
    link_assumptions,
    written_system_names,
)

SCHEMA_PREFIX = "gpuatlas."
# The answers whose document changed incompatibly (a key renamed or removed) since /1, with
# their current version; CHANGELOG.md lists what changed in each. Every other answer is at /1.
SCHEMA_VERSIONS: dict[str, int] = {
    "cost": 2,  # power.draw_w, sustained.output_tok_s / single_stream_tok_s / rps
    "tco": 2,  # facility_w, tco.power.draw_w
    "serving-curve": 2,  # power_per_gpu_w, power_basis
    "predict-train": 2,  # tok_s
    "plan": 2,  # request.rps, workload.rps
    "fleet": 2,  # request.rps, mixed[].rps, single_type.assignments[].rps
}


def schema_name(answer: str, version: int | None = None) -> str:
    """``gpuatlas.<answer>/<version>``: the one naming convention of every document (by default
    the answer's current version)."""
    return f"{SCHEMA_PREFIX}{answer}/{version or SCHEMA_VERSIONS.get(answer, 1)}"


def versioned(answer: str, body: dict[str, Any], version: int | None = None) -> dict[str, Any]:
    """The document with its schema_version first, every value JSON-ready and every USD amount
    of the answer rounded (`usd_rounded`; the echoed `request` stays as the user gave it), and
    `name_assumptions` when a GPU name of the request was read as a default variant ("A100"),
    `memory_assumptions` when it names a chip sold with several memory sizes and no size,
    `link_assumptions` when it names cards an optional bridge joins (the bridge assumed),
    and `model_assumption` when its model name was read as another library id (a fine-tune,
    an Ollama tag, an alias)."""
    document = plain(body)
    assumed = document_name_assumptions(answer, document)
    if assumed and "name_assumptions" not in document:
        document["name_assumptions"] = assumed
    memory = document_memory_assumptions(answer, document)
    if memory and "memory_assumptions" not in document:
        document["memory_assumptions"] = memory
    links = link_assumptions(written_system_names(document))
    if links and "link_assumptions" not in document:
        document["link_assumptions"] = links
    model = document_model_assumption(document)
    if model is not None and "model_assumption" not in document:
        document["model_assumption"] = model
    return {
        "schema_version": schema_name(answer, version),
        **{
            key: item if key == "request" else usd_rounded(item, is_usd_field(key))
            for key, item in document.items()
        },
    }


def is_usd_field(name: str) -> bool:
    """A field holding US dollars: `usd`, `usd_per_hour`, `monthly_cost_usd`, `cost_usd_total`
    (not a rate per dollar such as `tokens_per_usd`)."""
    parts = name.lower().split("_")
    return "usd" in parts and "per_usd" not in name.lower()


def round_usd(amount: float) -> float:
    """To the cent (248.20000000000002 → 248.2), keeping 3 significant digits below a dollar
    so that unit prices survive ($0.035/M tokens, $0.000123/token; gpuatlas.numbers shows
    money to the cent or 3 significant digits below a cent)."""
    if amount == 0 or not math.isfinite(amount):
        return amount
    return round(amount, max(2, 2 - math.floor(math.log10(abs(amount)))))


def usd_rounded(value: Any, in_usd_field: bool = False) -> Any:
    """The plain value with every float under a USD field (at any depth) rounded."""
    if isinstance(value, dict):
        return {
            key: usd_rounded(item, in_usd_field or is_usd_field(key)) for key, item in value.items()
        }
    if isinstance(value, list):
        return [usd_rounded(item, in_usd_field) for item in value]
    if in_usd_field and isinstance(value, float):
        return round_usd(value)
    return value


def plain(value: Any) -> Any:
    """Dataclasses, tuples, paths and dates as plain JSON values (dict, list, str, number)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {str(key): plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [plain(item) for item in value]
    if isinstance(value, PurePath):
        return str(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value
