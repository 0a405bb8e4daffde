"""GPU names as people write them around the chip's own name: a retail card's maker and model
line ("MSI RTX 4090 Suprim X", "RTX 4090 Founders Edition"), the year of a Mac ("2023 M3 Max"),
the memory in brackets ("M4 Max (128GB)"), "(desktop)" against the laptop part, "(VM)" for a
card passed through to a virtual machine, a Mac's spec sheet wording ("(12-core CPU, 19-core
GPU)", "8GB RAM"), a driver's decorations ("RX 580 Series (RADV POLARIS10)"), a power limit
("(16GB VRAM, 115W TGP)"), a model number written apart from its letters ("mi 50"), and two
GPUs written as one ("H100/H200"). Pure text functions; the
catalog lookup stays in gpus.py, which tries these readings only after the name as written
matched nothing."""

from __future__ import annotations

import re

# Board partners and their product lines name the card, not the chip: an RTX 4090 Suprim X is
# an RTX 4090 at the maker's clocks (NVIDIA's reference specification; factory overclocks of a
# few percent are inside every prediction's range).
_MAKERS = (
    "asus|msi|gigabyte|zotac|pny|evga|palit|gainward|inno3d|galax|kfa2|colorful|maxsun|"
    "sapphire|powercolor|xfx|asrock|acer|sparkle|nvidia\\s+founders"
)
_LINES = (
    "founders\\s+edition|fe|suprim(?:\\s+liquid)?(?:\\s+x)?|gaming(?:\\s+x)?(?:\\s+trio)?|"
    "gaming\\s+oc|oc(?:\\s+edition)?|tuf(?:\\s+gaming)?|rog(?:\\s+strix)?|strix(?!\\s+(?:halo|point))|"
    # (ASUS's Strix line, not AMD's Strix Halo / Strix Point processors)
    "ventus(?:\\s+[23]x)?|"
    "windforce|aorus(?:\\s+master)?|eagle|aero|amp(?:\\s+extreme)?(?:\\s+airo)?|trinity|"
    "xtreme|nitro\\+?|pulse|hellhound|red\\s+devil|steel\\s+legend|twin\\s+edge|prime|"
    # the cooler the owner fitted: an 'RTX 4090 AIO' (all-in-one liquid cooler) is an RTX 4090
    "aio|water\\s*cooled|liquid\\s+cooled|"
    # NVIDIA's own word for the PCIe workstation card ('RTX PRO 4500 Workstation Edition')
    "workstation\\s+edition"
)
_RETAIL_WORDS = re.compile(rf"(?<![\w-])(?:{_MAKERS}|{_LINES})(?![\w-])", re.IGNORECASE)
_DESKTOP = re.compile(r"\(\s*desktop\s*\)|(?<![\w-])desktop(?![\w-])", re.IGNORECASE)
# 'AMD Strix Halo iGPU': the word says the GPU is the one on the processor, which its name says
_INTEGRATED = re.compile(
    r"\(\s*(?:igpu|integrated(?:\s+(?:gpu|graphics))?)\s*\)"
    r"|(?<![\w-])(?:igpu|integrated\s+(?:gpu|graphics))(?![\w-])",
    re.IGNORECASE,
)
# 'GTX 1060 6GB (VM)', 'RTX 3090 (passthrough)': a card passed through to a virtual machine is
# the same card (PCIe passthrough hands the guest the whole device)
_VIRTUAL_MACHINE = re.compile(
    r"\(\s*(?:vm|virtual\s+machine|(?:pcie?\s+)?passthrough|passed\s+through)\s*\)",
    re.IGNORECASE,
)
# What a graphics driver appends to the chip's name: Mesa's RADV Vulkan driver prints 'AMD Radeon
# RX 580 Series (RADV POLARIS10)' (its own name and the chip's code name in brackets), and AMD's
# drivers call a card '... Series'; neither names another product. Mesa's ANV Vulkan driver
# likewise brackets the discrete Arc chip's code name: 'Intel(R) Arc(tm) A310 Graphics (DG2)',
# 'Intel(R) Arc(tm) B580 Graphics (BMG G21)'. ROCm tools bracket AMD's LLVM target: 'AMD
# Instinct MI50 (gfx906)'.
_DRIVER_WORDS = re.compile(
    r"\(\s*radv(?:\s+[^)]*)?\)|\(\s*(?:dg\d|bmg(?:[\s-]*g\d+)?)\s*\)|\(\s*gfx\s*\w+\s*\)"
    r"|(?<![\w-])series(?![\w-])",
    re.IGNORECASE,
)
# A power limit written beside the name ('RTX 3080 Ti Laptop GPU (16GB VRAM, 115W TGP)'): the
# catalog reads a laptop part at the top of its power range and names no product by its watts.
# Intel's driver name of a discrete Arc card carries trademark signs and the word 'Graphics'
# ('Intel(R) Arc(TM) Pro B70 Graphics', as SYCL's device list and Windows print it): neither names
# another product. Only beside 'Arc': 'AMD Radeon Graphics' is a name of its own (an iGPU).
_TRADEMARK_SIGNS = re.compile(r"\(\s*(?:r|tm)\s*\)", re.IGNORECASE)
_ARC = re.compile(r"(?<![\w-])arc(?![\w-])", re.IGNORECASE)
_GRAPHICS_WORD = re.compile(r"(?<![\w-])graphics(?![\w-])", re.IGNORECASE)
_POWER_LIMIT = re.compile(
    r"(?:,\s*)?(?<![\w.])\d{2,3}\s*w(?:atts?)?(?:\s+(?:tgp|tdp|tbp))?(?![\w-])",
    re.IGNORECASE,
)
_YEAR = re.compile(r"^\s*(?:19|20)\d\d\s+(?=\S)")
# 'M1 Ultra (Mac Studio, 128GB)': the Mac named in the brackets, before the memory size
_BRACKETED_MAC = re.compile(
    r"\(\s*(?:apple\s+)?(?:mac\s*studio|mac\s*mini|mac\s*pro|macbook\s*pro|macbook\s*air|imac)"
    r"(?:\s+(?:19|20)\d\d)?\s*[,;]?\s*",
    re.IGNORECASE,
)
_EMPTY_BRACKETS = re.compile(r"\(\s*\)")
# The chip's code name in brackets, as spec databases and reviews write a card ('NVIDIA GeForce
# RTX 4090 (AD102)', 'RTX 3090 (GA102, 24 GB)', 'Radeon RX 7900 XTX (Navi 31)'): it names the
# die, not another product (some cards of one name ship on two dies: RTX 3060 on GA106 or
# GA104), so it is dropped and what else the bracket holds (the memory size) is read on.
_CHIP_CODE_NAME = (
    r"(?:g[kmpv]\d{3}[a-z]?|tu\d{3}|ga\d{3}|gh\d{3}|gb\d{3}|ad\d{3}|"
    r"navi\s*\d{2}|vega\s*\d{2}|polaris\s*\d{2}|aldebaran|arcturus)"
)
# first in its bracket ('(GA102, 24 GB)') or after what else the bracket holds ('(16 GB, AD106)')
_LEADING_CHIP = re.compile(rf"\(\s*{_CHIP_CODE_NAME}\s*(?:[,;]\s*)?(?=[^)]*\))", re.I)
_TRAILING_CHIP = re.compile(rf"(?<=\()([^()]*?)\s*[,;]\s*{_CHIP_CODE_NAME}\s*(?=\))", re.I)
# '(128GB)', '(12GB VRAM)', '(24 GB GDDR6X)': the size in brackets, the memory's own word dropped
_BRACKETED_MEMORY = re.compile(
    r"\(\s*(\d+(?:\.\d+)?\s*gb)(?:\s+(?:vram|memory|of\s+vram|gddr\dx?|hbm\d?e?))?\s*\)",
    re.IGNORECASE,
)

# A Mac's spec sheet wording around its chip. Memory written with 'RAM' or 'unified memory'
# ('M1 8GB RAM', '(16GB unified memory)') is the memory size; a CPU core count written beside
# the GPU's ('(12-core CPU, 19-core GPU)', '12 cpu/19 gpu cores') is not the chip's name, the GPU
# count is; one count for both ('8 cpu/gpu core': Apple's M1 with the 8-core CPU and 8-core GPU)
# is the GPU's count too.
_RAM_WORDS = re.compile(r"(\d+(?:\.\d+)?\s*gb)\s+(?:of\s+)?(?:unified\s+)?(?:ram|memory)\b", re.I)
_SHARED_CORES = re.compile(r"(?<![\w.])(\d{1,2})[\s-]*cpu\s*/\s*gpu[\s-]*cores?\b", re.I)
_SPLIT_CORES = re.compile(
    r"(?<![\w.])\d{1,2}[\s-]*cpu\s*/\s*(\d{1,2})[\s-]*gpu[\s-]*cores?\b", re.I
)
_GPU_CORE_COUNT = re.compile(r"\d{1,2}[\s-]*(?:core[\s-]*)?gpu|gpu[\s-]*cores?", re.I)
_CPU_CORE_COUNT = re.compile(r"(?<![\w.])\d{1,2}[\s-]*core[\s-]*cpu\b\s*[,;]?\s*", re.I)


def without_spec_sheet_words(name: str) -> str:
    """'M1 (8 cpu/gpu core, 8gb ram)' → 'M1 (8-core GPU, 8gb)'; 'M2 Pro (12-core CPU, 19-core
    GPU)' → 'M2 Pro (19-core GPU)'; 'M2 Pro 12 cpu/19 gpu cores' → 'M2 Pro 19-core GPU'; a
    CPU core count alone ('M4 Max 16 Core') stays: the variant readings pair it with its GPU."""
    text = _RAM_WORDS.sub(r"\1", name)
    text = _SPLIT_CORES.sub(r"\1-core GPU", _SHARED_CORES.sub(r"\1-core GPU", text))
    if _GPU_CORE_COUNT.search(_CPU_CORE_COUNT.sub(" ", text)):
        text = _CPU_CORE_COUNT.sub("", text)
    return " ".join(text.split())


def without_retail_words(name: str) -> str:
    """'MSI RTX 4090 Suprim X' → 'RTX 4090'; '2024 M4 Max (128GB)' → 'M4 Max 128GB';
    'RTX 4070 12GB (desktop)' → 'RTX 4070 12GB'; 'RTX 4080 Laptop (12GB VRAM)' → 'RTX 4080
    Laptop 12GB'; 'RTX 4090 AIO' → 'RTX 4090'; 'M1 Ultra (Mac Studio, 128GB)' → 'M1 Ultra
    128GB'; 'AMD Strix Halo iGPU' → 'AMD Strix Halo'; 'M1 (8 cpu/gpu core, 8gb ram)' → 'M1
    8-core GPU, 8gb'; 'GTX 1060 6GB (VM)' → 'GTX 1060 6GB'; 'AMD Radeon RX 580 Series (RADV
    POLARIS10)' → 'AMD Radeon RX 580'; 'Intel(R) Arc(tm) A310 Graphics (DG2)' → 'Intel Arc
    A310'; 'RTX 3080 Ti Laptop GPU (16GB VRAM, 115W TGP)' → 'RTX 3080 Ti Laptop GPU 16GB';
    'NVIDIA RTX 3090 (GA102, 24 GB)' → 'NVIDIA RTX 3090 24 GB'. A name with none of these stays
    as it is."""
    text = without_spec_sheet_words(_YEAR.sub("", name))
    text = _POWER_LIMIT.sub(" ", _DRIVER_WORDS.sub(" ", text))
    text = _without_arc_driver_words(text)
    text = _without_chip_code_names(text)
    text = _EMPTY_BRACKETS.sub(" ", _BRACKETED_MAC.sub("(", text))
    text = _BRACKETED_MEMORY.sub(r" \1 ", text)
    text = _DESKTOP.sub(" ", text)
    text = _INTEGRATED.sub(" ", text)
    text = _VIRTUAL_MACHINE.sub(" ", text)
    text = _RETAIL_WORDS.sub(" ", text)
    return " ".join(text.split()) or name


def _without_chip_code_names(text: str) -> str:
    """'RTX 3090 (GA102, 24 GB)' → 'RTX 3090 (24 GB)'; 'RTX 4090 (AD102)' → 'RTX 4090 ()'."""
    return _TRAILING_CHIP.sub(r"\1", _LEADING_CHIP.sub("(", text))


def _without_arc_driver_words(text: str) -> str:
    """'Intel(R) Arc(TM) Pro B70 Graphics' → 'Intel Arc Pro B70'; other names stay."""
    unmarked = _TRADEMARK_SIGNS.sub("", text)
    if not _ARC.search(unmarked):
        return text
    return _GRAPHICS_WORD.sub(" ", unmarked)


def pair_parts(name: str) -> tuple[str, str] | None:
    """'H100/H200' → ('H100', 'H200'); 'RTX 3090/4090' → ('RTX 3090', 'RTX 4090') (the words
    before the first chip's number carry over); None for a name that is not two names joined by
    one slash."""
    parts = [part.strip() for part in name.split("/")]
    if len(parts) != 2 or not all(parts):
        return None
    first, second = parts
    leading = re.match(r"^(\D*?)\s*[A-Za-z]*\d", first)
    prefix = leading.group(1).strip() if leading else ""
    if prefix and re.match(r"^\d", second):
        second = f"{prefix} {second}"
    return first, second


# 'amd instinct mi 50', 'H 100': a model number of two or three digits written apart from its one
# to three letters (a number of four digits is a model number on its own: 'RTX 3090'; a size
# follows as 'GB').
_SPACED_MODEL_NUMBER = re.compile(
    r"(?<![\w.-])([a-z]{1,3})\s+(\d{2,3})(?![\w.])(?!\s*gb?\b)", re.IGNORECASE
)


def with_model_number_joined(name: str) -> str:
    """'amd instinct mi 50' → 'amd instinct mi50'; 'H 100 80GB' → 'H100 80GB'; a name without
    such a split stays as it is."""
    return _SPACED_MODEL_NUMBER.sub(r"\1\2", name)
