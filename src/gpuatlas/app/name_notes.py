"""The GPU-name assumptions an answer states: a bare family name in the request ("A100",
"8x H100") was read as its default variant (catalog/data/gpu_variants.toml). Every answer
document carries them under ``name_assumptions`` (added by `documents.versioned`), and the CLI
prints each one's ``note``."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from gpuatlas.catalog.systems import resolve_system
from gpuatlas.errors import GpuAtlasError

# The request fields that name GPUs or systems, across the answers (fit/predict: system;
# compare: a, b; cost/plan/fleet: gpus; tco: systems; gpu/system show: query).
SYSTEM_FIELDS = ("system", "systems", "gpus", "a", "b", "query")


def written_system_names(body: Mapping[str, Any]) -> list[str]:
    """The GPU/system names of a document's request (or its top-level query), as written."""
    request = body.get("request")
    fields: dict[str, Any] = dict(request) if isinstance(request, Mapping) else {}
    if "query" in body:
        fields["query"] = body["query"]
    names: list[str] = []
    for key in SYSTEM_FIELDS:
        value = fields.get(key)
        values = (
            [value] if isinstance(value, str) else value if isinstance(value, list | tuple) else []
        )
        names += [item for item in values if isinstance(item, str) and item]
    return list(dict.fromkeys(names))


def name_assumptions(names: Iterable[str]) -> list[dict[str, Any]]:
    """One entry per name read as a default variant: what was written, the GPU it was read as,
    the other variants it matched, whether they differ in memory, and the note to print. Names
    that do not resolve are left to the answer's own error."""
    found: list[dict[str, Any]] = []
    for name in names:
        try:
            assumption = resolve_system(name).name_assumption
        except GpuAtlasError:
            continue
        if assumption is None:
            continue
        found.append(
            {
                "written": assumption.written,
                "read_as": assumption.gpu_id,
                "gpu_name": assumption.gpu_name,
                "other_variants": list(assumption.other_variants),
                "other_variants_memory_gb": list(assumption.other_memory_gb),
                "memory_differs": assumption.memory_differs,
                "note": assumption.sentence,
                "source": assumption.source,
            }
        )
    return found


def name_notes(names: Iterable[str]) -> list[str]:
    """The sentences to print: 'A100 read as A100 80GB SXM4 (…); other variants: …'."""
    return [entry["note"] for entry in name_assumptions(names)]
