"""The variant a bare GPU family name means ("A100" → the SXM4 80 GB board), from
data/gpu_variants.toml, and the assumption every answer states when it read a name that way.

A name matching several catalog entries is ambiguous. When all of them belong to one family of
the file, the first of the family's variants among them is used instead of an error, and the
answer carries a `NameAssumption`: what was written, what it was read as and why, the other
variants, and whether they differ in memory (so that a fit answer could flip).
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from gpuatlas.catalog.gpu import Gpu
from gpuatlas.errors import DataFileError


@dataclass(frozen=True)
class VariantFamily:
    """One [[family]] table: the variants of one GPU, the default first. (A plain dataclass: the
    resolver imports this module on every start, and a start never imports pydantic.)"""

    name: str
    variants: tuple[str, ...]
    reason: str
    source: str
    as_of: str
    # Names that resolve straight to the default variant but still leave a choice open (Apple's
    # "M2 Ultra" is sold with 60 or 76 GPU cores): the answer states the assumption for them too.
    bare_names: tuple[str, ...] = ()
    # The CPU core count Apple pairs with each variant, in `variants` order ("M4 Max 16 Core" is
    # the 16-core CPU, sold only with the 40-core GPU); empty when unknown or not distinct.
    cpu_cores: tuple[int, ...] = ()


_FAMILY_KEYS = ("name", "variants", "reason", "source", "as_of")
_OPTIONAL_FAMILY_KEYS = ("bare_names", "cpu_cores")


def _family_problems(position: int, table: dict[str, Any]) -> list[str]:
    label = f"[[family]] #{position} ({table.get('name', '?')})"
    known = (*_FAMILY_KEYS, *_OPTIONAL_FAMILY_KEYS)
    problems = [f"{label}: unknown field {key!r}" for key in table if key not in known]
    problems += [f"{label}: missing field {key!r}" for key in _FAMILY_KEYS if key not in table]
    variants = table.get("variants", [])
    if not isinstance(variants, list) or len(variants) < 2:
        problems.append(f"{label}: variants must list at least two GPU ids")
    cpu_cores = table.get("cpu_cores", [])
    if cpu_cores and (not isinstance(cpu_cores, list) or len(cpu_cores) != len(variants)):
        problems.append(f"{label}: cpu_cores must give one count per variant")
    elif len(set(cpu_cores)) != len(cpu_cores):
        problems.append(f"{label}: cpu_cores must differ between variants")
    texts = [key for key in _FAMILY_KEYS if key != "variants" and key in table]
    problems += [f"{label}: {k} must be text" for k in texts if not isinstance(table[k], str)]
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", str(table.get("as_of", ""))):
        problems.append(f"{label}: as_of must be a date YYYY-MM-DD")
    return problems


@dataclass(frozen=True)
class NameAssumption:
    """A GPU name read as one variant of several: `written` → `gpu_id`, with the reason."""

    written: str
    gpu_id: str
    gpu_name: str
    family: str
    reason: str
    source: str
    other_variants: tuple[str, ...]
    memory_gb: float | None
    other_memory_gb: tuple[float, ...]

    @property
    def memory_differs(self) -> bool:
        return any(size != self.memory_gb for size in self.other_memory_gb)

    @property
    def sentence(self) -> str:
        """'A100 read as NVIDIA A100 SXM4 80GB (the SXM4 80 GB board: …); other variants: …'."""
        others = ", ".join(
            _variant_label(gpu_id, size, self.memory_differs)
            for gpu_id, size in zip(self.other_variants, self.other_memory_gb, strict=True)
        )
        text = f"{self.written} read as {self.gpu_name} ({self.reason})"
        text += f"; other variants: {others}" if others else ""
        if self.memory_differs:
            sizes = sorted({*self.other_memory_gb, self.memory_gb or 0.0})
            low, high = f"{sizes[0]:g}", f"{sizes[-1]:g}"
            text += (
                f". The variants differ in memory ({low}-{high} GB), so whether a model fits "
                "may differ: name the variant to be sure"
            )
        return text


def _variant_label(gpu_id: str, memory_gb: float, with_memory: bool) -> str:
    return f"{gpu_id} ({memory_gb:g} GB)" if with_memory else gpu_id


@cache
def variant_families() -> tuple[VariantFamily, ...]:
    """data/gpu_variants.toml; every problem of the file reported at once."""
    path = resources.files("gpuatlas.catalog") / "data" / "gpu_variants.toml"
    tables = tomllib.loads(path.read_text("utf-8")).get("family", [])
    problems = [p for i, table in enumerate(tables, start=1) for p in _family_problems(i, table)]
    if problems:
        raise DataFileError(str(path), problems)
    families = [
        VariantFamily(
            **{
                **table,
                "variants": tuple(table["variants"]),
                "bare_names": tuple(table.get("bare_names", ())),
                "cpu_cores": tuple(table.get("cpu_cores", ())),
            }
        )
        for table in tables
    ]
    return tuple(families)


def _name_key(text: str) -> str:
    return " ".join(text.lower().split())


def family_of_bare_name(written: str) -> VariantFamily | None:
    """The family whose `bare_names` include `written` (case and spacing ignored), or None."""
    key = _name_key(written)
    for family in variant_families():
        if any(_name_key(name) == key for name in family.bare_names):
            return family
    return None


def family_default(candidates: Sequence[str]) -> tuple[VariantFamily, str] | None:
    """The family all `candidates` belong to and its first variant among them, or None."""
    for family in variant_families():
        if set(candidates) <= set(family.variants):
            chosen = next(gpu_id for gpu_id in family.variants if gpu_id in candidates)
            return family, chosen
    return None


def name_assumption(
    written: str,
    family: VariantFamily,
    candidates: Sequence[str],
    gpu_by_id: Callable[[str], Gpu],
) -> NameAssumption:
    """What an answer says when `written`, matching `candidates` of `family`, was read as the
    first of them in the family's order; the others are the variants the name also matched."""
    chosen = next(gpu_id for gpu_id in family.variants if gpu_id in candidates)
    gpu = gpu_by_id(chosen)
    others = tuple(
        gpu_id for gpu_id in family.variants if gpu_id in candidates and gpu_id != chosen
    )
    return NameAssumption(
        written=written,
        gpu_id=chosen,
        gpu_name=gpu.name,
        family=family.name,
        reason=family.reason,
        source=f"{family.source} (as of {family.as_of})",
        other_variants=others,
        memory_gb=gpu.memory_gb,
        other_memory_gb=tuple(gpu_by_id(gpu_id).memory_gb or 0.0 for gpu_id in others),
    )


# "16 Core", "16-core CPU", "16 cores" - not followed by "GPU", which names the GPU core count.
_CORE_COUNT = re.compile(
    r"(?<![\w.])(\d{1,2})[\s-]*(?:cpu[\s-]*)?cores?(?:[\s-]*cpu)?\b(?![\s-]*gpu)", re.I
)


@dataclass(frozen=True)
class CpuCoreReading:
    """A core count that is no GPU variant's but one variant's CPU core count: the name with
    that count written as the paired GPU core count, and the assumption to state."""

    rewritten: str
    family: VariantFamily
    gpu_id: str
    reason: str


def cpu_core_reading(
    written: str, gpu_cores_of: Callable[[str], int | None]
) -> CpuCoreReading | None:
    """'Apple M4 Max 48GB 16 Core' → 'Apple M4 Max 48GB 40-core GPU': the most specific family
    named by the text whose variants pair CPU core counts, when the written count is one of its
    CPU counts and none of its GPU counts; None otherwise."""
    counts = _CORE_COUNT.findall(written)
    family = _family_named_by(written)
    if len(counts) != 1 or family is None:
        return None
    count = int(counts[0])
    gpu_cores = [gpu_cores_of(gpu_id) for gpu_id in family.variants]
    if count in gpu_cores or count not in family.cpu_cores:
        return None
    index = family.cpu_cores.index(count)
    paired = gpu_cores[index]
    rewritten = _CORE_COUNT.sub(f"{paired}-core GPU", written)
    others = [
        f"the {cpu}-core CPU with the {gpu}-core GPU"
        for cpu, gpu in zip(family.cpu_cores, gpu_cores, strict=True)
        if cpu != count
    ]
    reason = (
        f"{count} cores is a CPU core count of the {family.name}, not a GPU core count; Apple "
        f"pairs the {count}-core CPU with the {paired}-core GPU ({', '.join(others)})"
    )
    return CpuCoreReading(rewritten, family, family.variants[index], reason)


def _family_named_by(written: str) -> VariantFamily | None:
    """The family with CPU pairings whose name's words (without 'apple') all appear in the
    text, the one with most such words first ('M4 Max' before 'M4')."""
    words = set(re.split(r"[^a-z0-9]+", written.lower()))
    named = [
        (len(family_words), family)
        for family in variant_families()
        if family.cpu_cores
        and (family_words := set(family.name.lower().split()) - {"apple"}) <= words
    ]
    return max(named, key=lambda found: found[0])[1] if named else None
