"""The GPU-name assumptions an answer states: a bare family name in the request ("A100",
"8x H100") was read as its default variant (catalog/data/gpu_variants.toml). Every answer
document carries them under ``name_assumptions`` (added by `documents.versioned`), and the CLI
prints each one's ``note``."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from gpuatlas.catalog.gpus import (
    memory_configuration_advice,
    memory_configuration_note,
    other_memory_sizes_gb,
)
from gpuatlas.catalog.model_kind import model_reading
from gpuatlas.errors import GpuAtlasError
from gpuatlas.performance.resolve import as_system

FIT_ANSWER = "fit"
# The request fields that name GPUs or systems, across the answers (fit/predict: system;
# compare: a, b; cost/plan/fleet: gpus; tco: systems; prices: gpu; gpu/system show: query).
SYSTEM_FIELDS = ("system", "systems", "gpus", "gpu", "a", "b", "query")


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
            assumption = as_system(name).name_assumption  # cached per name, errors too
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


def name_notes(names: Iterable[str], fit: FitSetting | None = None) -> list[str]:
    """The sentences to print: 'A100 read as A100 80GB SXM4 (…); other variants: …' (for a
    fit answer, with the variants on which its verdict would flip), then, for a chip sold with
    several memory sizes and named without one, the size assumed (`memory_notes`)."""
    names = list(names)
    entries = name_assumptions(names)
    if fit is not None and entries:
        entries = with_variant_fits(entries, fit)
    return [entry["note"] for entry in entries] + memory_notes(names, fit) + link_notes(names)


def link_notes(names: Iterable[str]) -> list[str]:
    """For each name of several cards that an optional bridge can join (RTX 3090 pairs with an
    NVLink bridge): that the answer assumed the bridge, which most such rigs lack (GeForce
    cards then talk over PCIe with peer-to-peer off, which slows tensor parallelism)."""
    return [entry["note"] for entry in link_assumptions(names)]


def link_assumptions(names: Iterable[str]) -> list[dict[str, Any]]:
    """`link_notes` as document entries: the name, the link assumed and the note."""
    entries: list[dict[str, Any]] = []
    for name in dict.fromkeys(names):
        try:
            system = as_system(name)
        except GpuAtlasError:
            continue
        link = system.gpu.link
        bridged = system.link is not None and system.link.kind == "nvlink-bridge"
        if (
            system.gpu_count < 2
            or link.kind != "nvlink-bridge"
            or not (bridged or system.bridged_groups is not None)
        ):
            continue
        entries.append(
            {
                "written": name,
                "link_assumed": link.kind,
                "note": (
                    f"{name}: the cards read as joined by an {link.description.split(',')[0]} "
                    f"({link.per_direction_gb_s:g} GB/s per direction), which is sold "
                    "separately; without it they talk over PCIe with peer-to-peer off, which "
                    "slows tensor parallelism (the link is not an input yet)"
                ),
            }
        )
    return entries


def memory_notes(names: Iterable[str], fit: FitSetting | None = None) -> list[str]:
    """'M2 Ultra: memory read as the 192 GB configuration, the largest (also sold with 64 and
    128 GB); with 64 or 128 GB it would not fit: name the size ('M2 Ultra 128GB') to be sure',
    for each name of a GPU sold with several memory sizes that states none (the catalog's size
    is the largest configuration; a fit answer says on which sizes its verdict flips)."""
    return [entry["note"] for entry in memory_assumptions(names, fit)]


def memory_assumptions(names: Iterable[str], fit: FitSetting | None = None) -> list[dict[str, Any]]:
    """`memory_notes` as document entries: the name written, the GPU, the size assumed, the
    other sizes it is sold with, those on which a fit verdict flips, and the note."""
    entries: list[dict[str, Any]] = []
    for name in names:
        try:
            system = as_system(name)
        except GpuAtlasError:
            continue
        gpu = system.gpu
        note = memory_configuration_note(name, gpu)
        if not note:
            continue
        others = other_memory_sizes_gb(gpu)
        flips = _sizes_that_flip(gpu.id, others, fit) if fit and system.gpu_count == 1 else []
        if flips and fit is not None:
            flipped = " or ".join(f"{size:g}" for size in flips)
            note += f"; with {flipped} GB it would {'' if not fit.fits else 'not '}fit"
        entries.append(
            {
                "written": name,
                "read_as": gpu.id,
                "memory_gb": gpu.memory_gb,
                "other_memory_gb": others,
                "fit_differs_on_memory_gb": flips,
                "note": f"{note}: {memory_configuration_advice(name, gpu)}",
            }
        )
    return entries


def document_memory_assumptions(answer: str, document: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The memory-size assumptions of an answer document (a fit answer says on which sizes its
    verdict flips)."""
    names = written_system_names(document)
    setting: FitSetting | None = None
    if answer == FIT_ANSWER and "fits" in document:
        try:
            setting = fit_setting(document)
        except (KeyError, ValueError):
            setting = None
    try:
        return memory_assumptions(names, setting)
    except GpuAtlasError:
        return memory_assumptions(names)


def _sizes_that_flip(gpu_id: str, sizes: list[float], setting: FitSetting) -> list[float]:
    """The memory sizes of the chip on which the fit answer's verdict would be the other one."""
    return [size for size in sizes if fits_on(f"{gpu_id} {size:g}GB", setting) != setting.fits]


def fits_on(system: str, setting: FitSetting) -> bool:
    """Whether the fit answer's model, format, engine and context fit `system`."""
    from gpuatlas.performance.api import inference_memory

    return inference_memory(
        system,
        setting.model_id,
        setting.weights,
        context_tokens=setting.context_tokens,
        concurrency=setting.concurrency,
        kv_cache=setting.kv_cache,
        engine=setting.engine,
    ).fits


@dataclass(frozen=True)
class FitSetting:
    """What a fit answer was computed for, to recompute it on the other variants."""

    model_id: str
    weights: str
    engine: str
    context_tokens: int
    concurrency: int
    kv_cache: str
    gpu_count: int
    fits: bool


# FitSetting's fields a fit answer's MemoryFit and its document share by name.
_SETTING_FIELDS = ("model_id", "weights", "engine", "context_tokens", "concurrency", "gpu_count")


def answer_fit_setting(detail: Any, kv_cache: str) -> FitSetting:
    """The setting of a fit answer's detail (a `MemoryFit`), for the CLI's text view."""
    shared = {name: getattr(detail, name) for name in _SETTING_FIELDS}
    return FitSetting(**shared, kv_cache=kv_cache, fits=bool(detail.fits))


def fit_setting(document: Mapping[str, Any]) -> FitSetting:
    """The setting of a fit document (`gpuatlas.fit/1`)."""
    shared = {name: document[name] for name in _SETTING_FIELDS}
    shared["engine"] = document.get("engine_profile") or shared["engine"]  # the profile id
    kv_cache = str(
        document.get("kv_cache_assumed") or document.get("request", {}).get("kv_cache", "fp16")
    )
    return FitSetting(**shared, kv_cache=kv_cache, fits=bool(document["fits"]))


def with_variant_fits(entries: list[dict[str, Any]], setting: FitSetting) -> list[dict[str, Any]]:
    """Each assumption with the other variants of another memory size on which the fit answer
    flips (`fit_differs_on`), said in its note: 'On a100-40gb-sxm (40 GB) it would not fit.'"""
    enriched: list[dict[str, Any]] = []
    for entry in entries:
        flips: list[dict[str, Any]] = []
        pairs = zip(entry["other_variants"], entry["other_variants_memory_gb"], strict=True)
        chosen_memory = as_system(entry["read_as"]).gpu.memory_gb
        for gpu_id, memory_gb in pairs:
            if memory_gb == chosen_memory:
                continue
            system = gpu_id if setting.gpu_count == 1 else f"{setting.gpu_count}x {gpu_id}"
            fits = fits_on(system, setting)
            if fits != setting.fits:
                flips.append({"gpu": gpu_id, "memory_gb": memory_gb, "fits": fits})
        enriched.append({**entry, "fit_differs_on": flips, "note": _flip_note(entry, flips)})
    return enriched


def _flip_note(entry: Mapping[str, Any], flips: list[dict[str, Any]]) -> str:
    if not flips:
        return str(entry["note"])
    said = [
        f"{flip['gpu']} ({flip['memory_gb']:g} GB) it would {'' if flip['fits'] else 'not '}fit"
        for flip in flips
    ]
    return f"{entry['note']}. On {'; on '.join(said)}"


def document_name_assumptions(answer: str, document: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The name assumptions of an answer document; a fit answer also says on which other
    variants its verdict would flip."""
    entries = name_assumptions(written_system_names(document))
    if answer != FIT_ANSWER or not entries or "fits" not in document:
        return entries
    try:
        return with_variant_fits(entries, fit_setting(document))
    except (GpuAtlasError, KeyError, ValueError):
        return entries  # a fit the variants cannot recompute keeps the plain note


def model_assumption(name: str) -> dict[str, Any] | None:
    """The model-name counterpart of `name_assumptions`: a name read as another id of the
    library ('Hermes-3-Llama-3.1-8B' read as llama-3.1-8b, a fine-tune of it), with the note to
    print (catalog.model_kind.model_reading); None when the name is the id."""
    reading = model_reading(name)
    if reading is None:
        return None
    return {
        "written": reading.written,
        "read_as": reading.read_as,
        "matched_by": reading.matched_by,
        "note": reading.note,
    }


def document_model_assumption(document: Mapping[str, Any]) -> dict[str, Any] | None:
    """The model assumption of an answer document's request (its `model` field, when text)."""
    request = document.get("request")
    name = request.get("model") if isinstance(request, Mapping) else None
    return model_assumption(name) if isinstance(name, str) and name else None
