"""Load the GPU catalog (data/gpus*.toml) and resolve the names people write.

The parsed, validated catalog is kept in the on-disk cache of `parsed_cache` (keyed by the data
files' bytes and the catalog's code), so a start with an unchanged catalog neither parses TOML
nor imports the files' pydantic schema (`gpu_records`).
"""

from __future__ import annotations

import re
from dataclasses import replace
from functools import cache
from importlib import resources
from pathlib import Path

from gpuatlas.catalog.gpu import Gpu
from gpuatlas.catalog.gpu_variants import (
    NameAssumption,
    cpu_core_reading,
    family_default,
    family_of_bare_name,
    name_assumption,
)
from gpuatlas.catalog.gpu_written_names import (
    pair_parts,
    with_model_number_joined,
    without_retail_words,
)
from gpuatlas.catalog.names import NameEntry, NameIndex
from gpuatlas.catalog.parsed_cache import cached_parse
from gpuatlas.errors import UnknownNameError

__all__ = [
    "Gpu",
    "all_gpus",
    "gpu_by_id",
    "resolve_gpu",
    "read_gpu_name",
    "load_gpu_file",
    "gpu_index",
]


def load_gpu_file(path: Path) -> list[Gpu]:
    """Parse and validate a GPU data file; every problem is reported at once."""
    from gpuatlas.catalog.gpu_records import load_gpu_file as parse_file

    return parse_file(path)


def load_gpu_files(paths: list[Path]) -> list[Gpu]:
    """Every GPU of several files; an id defined in two files is reported like any problem."""
    from gpuatlas.catalog.gpu_records import load_gpu_files as parse_files

    return parse_files(paths)


def packaged_gpu_files() -> list[Path]:
    """The catalog's GPU files: data/gpus.toml, then data/gpus_*.toml (one per family) by name."""
    folder = Path(str(resources.files("gpuatlas.catalog") / "data"))
    return [folder / "gpus.toml", *sorted(folder.glob("gpus_*.toml"))]


@cache
def all_gpus() -> tuple[Gpu, ...]:
    """Every GPU in the packaged catalog, in file order (from the parsed-data cache when the
    files are unchanged)."""
    paths = packaged_gpu_files()
    return cached_parse("gpus", paths, lambda: tuple(load_gpu_files(paths)))


@cache
def gpu_index() -> NameIndex:
    """Names, memory sizes and form-factor words of every GPU ("B200 180GB SXM", "a100-80"),
    from the parsed-data cache when the files are unchanged (building it costs as much as
    reading the catalog)."""
    return cached_parse("gpu_names", packaged_gpu_files(), build_gpu_index)


def build_gpu_index() -> NameIndex:
    entries = [
        NameEntry(
            gpu.id,
            (gpu.name, *gpu.aliases),
            gpu.memory_gb,
            form_factor_words(gpu),
            gpu.memory_options_gb,
        )
        for gpu in all_gpus()
    ]
    return NameIndex("GPU", entries)


def form_factor_words(gpu: Gpu) -> tuple[str, ...]:
    """The form-factor words a name may carry for this GPU: "sxm", "pcie"."""
    form = gpu.form_factor.lower()
    return tuple(word for word in ("sxm", "pcie") if word in form)


def gpu_by_id(gpu_id: str) -> Gpu:
    return gpus_by_id()[gpu_id]


@cache
def gpus_by_id() -> dict[str, Gpu]:
    return {gpu.id: gpu for gpu in all_gpus()}


def resolve_gpu(name: str) -> Gpu:
    """The GPU a name means ("RTX 4090", "NVIDIA A100-SXM4-80GB", "h100-sxm", a bare family
    name as its default variant: "A100"); raises UnknownNameError listing candidates when the
    name is ambiguous with no declared default ("A800") or unknown."""
    return read_gpu_name(name)[0]


_MAC_MODELS = re.compile(
    r"^\s*(?:apple\s+)?(?:mac\s*studio|mac\s*mini|mac\s*pro|macbook\s*pro|macbook\s*air|imac)\b",
    re.IGNORECASE,
)


# 'M2 Air', 'M4 Mac mini', 'M3 Max MacBook Pro': an Apple chip followed by the Mac it sits in
_MAC_MODEL_AFTER_CHIP = re.compile(
    r"^(\s*(?:apple\s+)?m\d+(?:\s+(?:pro|max|ultra))?)\s+"
    r"(?:mac\s*studio|mac\s*mini|mac\s*pro|macbook\s*pro|macbook\s*air|macbook|imac|air)\s*$",
    re.IGNORECASE,
)


def without_mac_model(text: str) -> str:
    """'Mac Studio M2 Ultra' → 'M2 Ultra', 'M2 Air' → 'M2': the chip names the GPU."""
    chip = _MAC_MODEL_AFTER_CHIP.sub(r"\1", text)
    return _MAC_MODELS.sub("", chip).strip() or text


def read_gpu_name(name: str) -> tuple[Gpu, NameAssumption | None]:
    """The GPU a name means and, when the name was a bare family name read as its default
    variant (data/gpu_variants.toml), the assumption the answer must state. The Mac a chip
    sits in is dropped ('MacBook Pro M1 Max 32 core' names the M1 Max's GPU). A name that
    matches nothing as written is read without a card maker's words, a Mac's year or brackets
    ('MSI RTX 4090 Suprim X', '2024 M4 Max (128GB)'), then as two GPUs joined by a slash
    ('H100/H200': the first one written, the other named in the assumption). A model number
    written apart from its letters is read joined ('amd instinct mi 50')."""
    name = without_mac_model(name)
    try:
        return _read_written_gpu_name(name)
    except UnknownNameError as error:
        target = _GFX_TARGET.search(name)
        if target is not None and not _CHIP_ONLY_WORDS.sub("", name).strip():
            raise _gfx_target_error(name, target.group(1).lower()) from None
        plain = with_model_number_joined(without_retail_words(name))
        if plain != name:
            try:
                gpu, assumption = _read_written_gpu_name(plain)
            except UnknownNameError as plain_error:
                if plain_error.ambiguous:
                    raise _with_memory_hint(plain_error) from None
            else:
                return gpu, assumption and replace(assumption, written=name.strip())
        pair = _read_gpu_pair(name)
        if pair is None:
            if _GENERIC_IGPU_NAME.fullmatch(name.strip()):
                raise _integrated_gpu_error(name) from None
            platform = _INTEL_PLATFORM_IGPU.fullmatch(name.strip())
            if platform is not None:
                raise _intel_platform_error(name, platform.group("platform").lower()) from None
            raise _with_laptop_hint(name, _with_memory_hint(error)) from None
        return pair


# An AMD chip's LLVM target as drivers print it in place of a product name: Mesa's RADV
# ('AMD Radeon Graphics (RADV GFX1201)'), ROCm's rocminfo and llama.cpp's HIP log ('gfx1201').
_GFX_TARGET = re.compile(r"(?<![\w])gfx\s*(\d{3,4}[a-f]?)(?![\w])", re.IGNORECASE)
# What such a name holds besides the target when it names no card ('AMD Radeon Graphics (RADV
# GFX1201)'); a name with more ('AMD Instinct MI50 (gfx906)') is read by its card's words.
_CHIP_ONLY_WORDS = re.compile(
    r"gfx\s*\w+|\bradv\b|\bamd\b|\bradeon\b|\(tm\)|\bgraphics\b|[()]", re.IGNORECASE
)


def _gfx_target_error(name: str, target: str) -> UnknownNameError:
    """A name that gives an AMD chip's target ('RADV GFX1201') and no card: ambiguous among the
    catalog's cards of that chip (the RX 9070 and 9070 XT share gfx1201), listing them, or
    unknown where the catalog holds none. A single catalog card is not assumed either: other
    cards of the chip (an RX 5700 beside the RX 5700 XT) may be outside the catalog."""
    chip = f"gfx{target}"
    cards = [gpu for gpu in all_gpus() if (gpu.compute_capability or "").lower() == chip]
    listed = "; ".join(f"{gpu.id} ({gpu.name})" for gpu in cards) or "none"
    hint = (
        f"'{chip}' is the chip's LLVM target, which the driver printed in place of the card's "
        f"name; several cards can share one chip. Cards with {chip} in the catalog: {listed}. "
        "Write the card's name instead (Linux: lspci or rocm-smi --showproductname; Windows: "
        f"Device Manager), e.g. '{cards[0].name if cards else 'Radeon RX 9070 XT'}'."
    )
    return UnknownNameError(
        "GPU", name, [gpu.id for gpu in cards], ambiguous=bool(cards), hint=hint
    )


# What Windows (Device Manager, Task Manager) and Linux's amdgpu driver report for many Ryzen
# integrated GPUs: it names no model, so the CPU decides which iGPU it is.
_GENERIC_IGPU_NAME = re.compile(r"(?:amd\s+)?radeon(?:\(tm\))?\s+graphics", re.IGNORECASE)


def _integrated_gpu_error(name: str) -> UnknownNameError:
    """'AMD Radeon Graphics': ambiguous among the catalog's integrated GPUs, asking for the CPU
    model that names one (and saying that other Ryzen iGPUs are not in the catalog)."""
    integrated = [gpu for gpu in all_gpus() if "iGPU" in gpu.architecture]
    listed = "; ".join(f"{gpu.id} ({gpu.name})" for gpu in integrated)
    hint = (
        "'AMD Radeon Graphics' is what Windows and Linux report for many Ryzen integrated GPUs; "
        "it names no model. Give the CPU model instead (Windows: Settings > System > About, "
        f"Processor; Linux: lscpu), e.g. 'Ryzen AI Max+ 395'. Integrated GPUs in the catalog: "
        f"{listed}; other Ryzen iGPUs (Radeon 780M, 880M, 890M, Vega) are not in it."
    )
    return UnknownNameError("GPU", name, [gpu.id for gpu in integrated], ambiguous=True, hint=hint)


# Mesa's Vulkan driver (ANV) names an Intel integrated GPU by its platform's abbreviation, as
# llama.cpp's Vulkan log prints it: 'Intel(R) Graphics (LNL)', 'Intel(R) Arc(tm) Graphics (MTL)'
# (lhl/intel-inference). A platform has several iGPU configurations (Lunar Lake: Arc 140V with 8
# Xe2 cores, Arc 130V with 7), so the name is refused with them.
_INTEL_PLATFORM_IGPU = re.compile(
    r"intel(?:\(r\))?\s+(?:arc(?:\(tm\))?\s+)?graphics\s*\(\s*(?P<platform>[a-z]{3})\s*\)",
    re.IGNORECASE,
)
_INTEL_PLATFORMS = {
    "lnl": "Lunar Lake",
    "mtl": "Meteor Lake",
    "arl": "Arrow Lake",
    "ptl": "Panther Lake",
}


def _intel_platform_error(name: str, platform: str) -> UnknownNameError:
    """'Intel(R) Graphics (LNL)': the catalog's iGPUs of that platform, asking for the GPU or
    CPU model that names one."""
    platform_name = _INTEL_PLATFORMS.get(platform)
    found = [gpu for gpu in all_gpus() if platform_name and platform_name in gpu.architecture]
    listed = "; ".join(f"{gpu.id} ({gpu.name})" for gpu in found)
    known = (
        f"{platform_name} iGPUs in the catalog: {listed}"
        if found
        else f"no {platform_name or platform.upper()} iGPU is in the catalog"
    )
    hint = (
        f"'{name.strip()}' is how Mesa's Vulkan driver names an Intel integrated GPU by its "
        "platform; it does not say which configuration. Give the GPU or the CPU model instead "
        f"(e.g. 'Arc 140V', 'Core Ultra 7 258V'); {known}."
    )
    return UnknownNameError(
        "GPU", name, [gpu.id for gpu in found], ambiguous=bool(found), hint=hint
    )


# 'RTX 4070 Laptop GPU', 'RTX 2070 with Max-Q Design', 'RTX 3080 Mobile': a notebook part.
_LAPTOP_WORDS = re.compile(
    r"(?:\bwith\s+)?\bmax-?[qp](?:\s+design)?\b|\b(?:laptop|mobile|notebook)(?:\s+gpu)?\b", re.I
)
# A catalog entry that is a notebook part (a workstation 'Max-Q' card is not one).
_NOTEBOOK_NAME = re.compile(r"\b(?:laptop|mobile|notebook)\b", re.I)


def _with_laptop_hint(name: str, error: UnknownNameError) -> UnknownNameError:
    """An unknown laptop part whose desktop namesake the catalog holds says so: the notebook GPU
    runs at lower clocks and power than the desktop card, so the desktop card's figures are not
    its figures; the laptop GPUs the catalog does hold are listed. Any other error stays."""
    desktop_name = " ".join(_LAPTOP_WORDS.sub(" ", name).split())
    if error.ambiguous or desktop_name == " ".join(name.split()):
        return error
    try:
        desktop = resolve_gpu(desktop_name)
    except UnknownNameError:
        return error
    laptops = sorted(gpu.id for gpu in all_gpus() if _NOTEBOOK_NAME.search(gpu.name))
    hint = (
        f"The catalog has the desktop {desktop.name} ({desktop.id}) but not this laptop part, "
        "which runs at lower clocks and power; the desktop card's figures are not its figures. "
        f"Laptop GPUs in the catalog: {', '.join(laptops)}"
    )
    return UnknownNameError(error.kind, error.name, error.candidates, hint=hint)


def _with_memory_hint(error: UnknownNameError) -> UnknownNameError:
    """An ambiguous name whose candidates are one card sold with different memory ('4060Ti':
    8 or 16 GB) says so and how to choose; any other error stays as it is."""
    if not error.ambiguous or len(error.candidates) < 2:
        return error
    cards = [gpu_by_id(gpu_id) for gpu_id in error.candidates]
    if len({memory_word(gpu.name)[1] for gpu in cards}) != 1:
        return error
    sizes = sorted({gpu.memory_gb or 0.0 for gpu in cards})
    written = " or ".join(f"{size:g} GB" for size in sizes)
    hint = (
        f"The {memory_word(cards[0].name)[1]} is sold with {written}, which decides what fits: "
        f"write the size, e.g. '{error.name.strip()} {sizes[-1]:g}GB'."
    )
    return UnknownNameError(error.kind, error.name, error.candidates, ambiguous=True, hint=hint)


def _read_gpu_pair(name: str) -> tuple[Gpu, NameAssumption] | None:
    """'H100/H200' read as its first GPU, the second named in the assumption; None unless both
    halves name one GPU each and they differ."""
    parts = pair_parts(name)
    if parts is None:
        return None
    try:
        first = _read_written_gpu_name(parts[0])[0]
        others = _pair_second_ids(parts[1])
    except UnknownNameError:
        return None
    if first.id in others:
        return None
    assumption = NameAssumption(
        written=name.strip(),
        gpu_id=first.id,
        gpu_name=first.name,
        family=name.strip(),
        reason="the name lists two GPUs; read as the first one written",
        source="the name as written",
        other_variants=others,
        memory_gb=first.memory_gb,
        other_memory_gb=tuple(gpu_by_id(other).memory_gb or 0.0 for other in others),
    )
    return first, assumption


def _pair_second_ids(name: str) -> tuple[str, ...]:
    """The GPU the second half of a pair names, or every variant it may name when it is
    ambiguous ('MI60 / MI50': the 16 and 32 GB MI50): the pair is read as its first GPU either
    way, and the others are listed in the assumption. Unknown: UnknownNameError."""
    try:
        return (_read_written_gpu_name(name)[0].id,)
    except UnknownNameError as error:
        if error.ambiguous and error.candidates:
            return tuple(error.candidates)
        raise


def _read_written_gpu_name(name: str) -> tuple[Gpu, NameAssumption | None]:
    try:
        gpu_id = gpu_index().resolve(name)
    except UnknownNameError as error:
        default = family_default(error.candidates) if error.ambiguous else None
        if default is None:
            return _read_cpu_core_count(name, error)
        family, chosen = default
        assumption = name_assumption(name.strip(), family, error.candidates, gpu_by_id)
        return gpu_by_id(chosen), assumption
    return gpu_by_id(gpu_id), _bare_name_assumption(name, gpu_id)


def _bare_name_assumption(name: str, gpu_id: str) -> NameAssumption | None:
    """A name that resolved to a family's default variant although the family has others
    ("M2 Ultra": 76 of 60 or 76 GPU cores; "M3 Pro 18GB": both are sold with 18 GB) carries the
    same assumption as an ambiguous one; a memory size only one variant has settles it."""
    memory_gb, bare = memory_word(name)
    family = family_of_bare_name(bare)
    if family is None or family.variants[0] != gpu_id:
        return None
    sold = [v for v in family.variants if memory_gb is None or _sold_with(v, memory_gb)]
    if len(sold) < 2:
        return None
    return name_assumption(name.strip(), family, sold, gpu_by_id)


def memory_word(name: str) -> tuple[float | None, str]:
    """'M3 Pro 18GB' → (18.0, 'M3 Pro'); a name without one size word stays as it is."""
    sizes = re.findall(r"(?<![\w.])(\d+(?:\.\d+)?)\s*gb\b", name, re.IGNORECASE)
    if len(sizes) != 1:
        return None, name
    rest = re.sub(r"(?<![\w.])\d+(?:\.\d+)?\s*gb\b", " ", name, flags=re.IGNORECASE)
    return float(sizes[0]), " ".join(rest.split())


def _sold_with(gpu_id: str, memory_gb: float) -> bool:
    gpu = gpu_by_id(gpu_id)
    return memory_gb in (gpu.memory_gb, *gpu.memory_options_gb)


def _read_cpu_core_count(name: str, error: UnknownNameError) -> tuple[Gpu, NameAssumption]:
    """A name whose core count is the chip's CPU count ("Apple M4 Max 48GB 16 Core") read as
    the GPU variant Apple pairs with that CPU, with the assumption stated; else `error`."""
    reading = cpu_core_reading(name, lambda gpu_id: gpu_by_id(gpu_id).gpu_cores)
    if reading is None:
        raise error
    try:
        gpu_id = gpu_index().resolve(reading.rewritten)
    except UnknownNameError:
        raise error from None
    if gpu_id != reading.gpu_id:
        raise error
    gpu = gpu_by_id(gpu_id)
    # The CPU count rules the other variants out; the reason names their pairing.
    assumption = NameAssumption(
        written=name.strip(),
        gpu_id=gpu_id,
        gpu_name=gpu.name,
        family=reading.family.name,
        reason=reading.reason,
        source=f"{reading.family.source} (as of {reading.family.as_of})",
        other_variants=(),
        memory_gb=gpu.memory_gb,
        other_memory_gb=(),
    )
    return gpu, assumption


def other_memory_sizes_gb(gpu: Gpu) -> list[float]:
    """The sizes a chip is also sold with besides the catalog's (its largest), smallest first."""
    return sorted(size for size in gpu.memory_options_gb if size != gpu.memory_gb)


def memory_configuration_note(written: str, gpu: Gpu) -> str:
    """'M2 Ultra: memory read as the 192 GB configuration, the largest (also sold with 64 and
    128 GB)' for a name of a chip sold with several memory sizes that states none (the catalog's
    size is the largest configuration); '' when the name states a size or there is one size."""
    others = other_memory_sizes_gb(gpu)
    if not others or gpu.memory_gb is None or memory_word(written)[0] is not None:
        return ""
    sizes = " and ".join(f"{size:g}" for size in others)
    return (
        f"{written}: memory read as the {gpu.memory_gb:g} GB configuration, the largest "
        f"(also sold with {sizes} GB)"
    )


def memory_configuration_advice(written: str, gpu: Gpu) -> str:
    """How to name the size: "name the size ('M2 Ultra 128GB') to be sure"."""
    others = other_memory_sizes_gb(gpu)
    example = f"{written} {others[-1]:g}GB" if others else written
    return f"name the size ('{example}') to be sure"
