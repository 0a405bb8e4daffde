"""Weight formats and KV-cache precisions, loaded from data/formats.toml.

A `WeightFormat` knows its real bits per weight (scales and zero points included), the
tensor-core precision its matmuls run in where the GPU supports it natively, what engines fall
back to elsewhere, and which GPU architecture families run it natively. Names people write
("Q4_K_M", "FP8", "AWQ", "bfloat16") resolve through `resolve_format`.
"""

from __future__ import annotations

import dataclasses
import difflib
import re
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, ValidationError, create_model

from gpuatlas.catalog.field_meanings import meaning
from gpuatlas.catalog.file_schemas import build, file_schema
from gpuatlas.catalog.llama_ftype_names import gguf_type_words
from gpuatlas.catalog.parsed_cache import cached_parse
from gpuatlas.errors import DataFileError, UnknownNameError

ComputePrecision = Literal["fp32", "tf32", "fp16", "bf16", "fp8", "int8", "int4", "fp4"]
FormatFamily = Literal["float", "int", "microscaling", "gguf"]

FORMATS_FILE = "formats.toml"


@dataclass(frozen=True, kw_only=True)
class WeightFormat:
    """How weights are stored and which precision does the math. Its fields are the one
    declaration of a [[weight_format]] table (the file schema is built from them)."""

    id: str = field(metadata=meaning(pattern=r"^[a-z0-9_\-]+$"))
    names: tuple[str, ...] = ()
    family: FormatFamily
    bits_per_weight: float = field(metadata=meaning("Bits per weight", gt=0, le=32))
    compute_precision: ComputePrecision
    fallback_compute_precision: ComputePrecision
    native_architectures: tuple[str, ...]  # lower-cased when read
    weight_only: bool
    source: str = field(metadata=meaning(min_length=1))
    effective_bits_per_weight: float | None = field(
        default=None, metadata=meaning("Bits per weight, whole model", gt=0, le=32)
    )
    block_size: int = 0
    group_size: int = 0
    scale_format: str = ""
    notes: str = ""
    # Fixed time each quantised linear layer adds to every forward step (extra kernels and host
    # syncs of the format's matmul path: bitsandbytes LLM.int8 outlier decomposition, NF4
    # dequantisation), in ms; 0 for formats whose fused kernels cost only their bytes and FLOPs.
    linear_overhead_ms: float = field(
        default=0.0, metadata=meaning("Linear layer overhead", "ms", ge=0)
    )
    # The token embedding and the output layer are stored in the format too (MLC LLM's
    # q4f16_1); False: they stay 16-bit as in AWQ/GPTQ/bitsandbytes checkpoints (GGUF files say
    # per tensor: their family rule applies).
    quantizes_embeddings: bool = False
    # Integer/float instructions per weight and activation column of the mat-vec that a
    # one-to-few-sequence decode step runs on this format (llama.cpp's ggml-cuda MMVQ
    # vec_dot_<format>_q8_1: loads, unpacking shifts/masks, dp4a, block-scale products),
    # counted from the kernel source; 0 where not counted (no ALU term).
    matvec_alu_ops_per_weight: float = field(
        default=0.0, metadata=meaning("Mat-vec ALU instructions per weight", ge=0)
    )
    # How many of those instructions are ggml_cuda_dp4a calls (four int8 products into an int32),
    # per weight: one instruction where the GPU has a dot4 instruction, more where ggml-cuda's
    # HIP build emulates it (performance.integer_dot.matvec_dp4a_instructions).
    matvec_dp4a_per_weight: float = field(
        default=0.0, metadata=meaning("Mat-vec dp4a calls per weight", ge=0)
    )
    # The same count for llama.cpp's Metal mat-vec kernels (ggml-metal.metal
    # kernel_mul_mv_<format>_f32: float activations, nibbles masked in place and converted to
    # float, no dp4a), where they were counted; 0: the CUDA count stands in.
    metal_matvec_alu_ops_per_weight: float = field(
        default=0.0, metadata=meaning("Metal mat-vec ALU instructions per weight", ge=0)
    )

    def matvec_alu_ops_on(self, backend: str) -> float:
        """Mat-vec ALU instructions per weight on a llama.cpp backend: the backend's own
        count where one was made (Metal), else the ggml-cuda count."""
        if backend == "metal" and self.metal_matvec_alu_ops_per_weight > 0.0:
            return self.metal_matvec_alu_ops_per_weight
        return self.matvec_alu_ops_per_weight

    @property
    def bytes_per_weight(self) -> float:
        return self.bits_per_weight / 8.0

    @property
    def model_bits_per_weight(self) -> float:
        """Whole-model average where a mix is published (GGUF _M/_S), else the nominal bits."""
        return self.effective_bits_per_weight or self.bits_per_weight

    def is_native_on(self, architecture_family: str) -> bool:
        """Whether this architecture family's tensor cores run `compute_precision` directly."""
        return architecture_family.lower() in self.native_architectures

    def compute_precision_on(self, architecture_family: str) -> ComputePrecision:
        """The precision the matmuls actually run in on this architecture family."""
        if self.is_native_on(architecture_family):
            return self.compute_precision
        return self.fallback_compute_precision

    def weight_bytes(self, params: float) -> float:
        """Bytes for `params` weights stored in this format (nominal bits, scales included)."""
        return params * self.bits_per_weight / 8.0


@dataclass(frozen=True, kw_only=True)
class KvCachePrecision:
    """A KV-cache element type and the engines that offer it (the one declaration of a
    [[kv_cache_precision]] table)."""

    id: str
    names: tuple[str, ...] = ()
    bytes_per_element: float = field(metadata=meaning("Bytes per element", gt=0))
    engines: tuple[str, ...]
    source: str = field(metadata=meaning(min_length=1))


@dataclass(frozen=True)
class FormatsCatalog:
    """What a formats file holds, in file order."""

    weight_formats: tuple[WeightFormat, ...]
    kv_cache_precisions: tuple[KvCachePrecision, ...]


@lru_cache(maxsize=1)
def formats_file_schema() -> type[BaseModel]:
    """A formats.toml document: its two lists of tables, each table as its type declares."""
    strict = ConfigDict(extra="forbid")
    return create_model(
        "FormatsFile",
        __config__=strict,
        weight_format=(list[file_schema(WeightFormat, strict)], ...),  # type: ignore[misc]
        kv_cache_precision=(list[file_schema(KvCachePrecision, strict)], ...),  # type: ignore[misc]
    )


def _problems(error: ValidationError, document: dict[str, object]) -> list[str]:
    problems = []
    for issue in error.errors():
        location = issue["loc"]
        entry = _entry_label(document, location)
        field = ".".join(str(part) for part in location[2:]) or str(location[0])
        problems.append(f"{entry}field '{field}': {issue['msg']}")
    return problems


def _entry_label(document: dict[str, object], location: tuple[int | str, ...]) -> str:
    if len(location) < 2 or not isinstance(location[1], int):
        return ""
    table = document.get(str(location[0]))
    if (
        isinstance(table, list)
        and location[1] < len(table)
        and isinstance(table[location[1]], dict)
    ):
        return f"[[{location[0]}]] id={table[location[1]].get('id')!r}: "
    return f"[[{location[0]}]] #{location[1] + 1}: "


def parse_formats(text: str, origin: str = FORMATS_FILE) -> FormatsCatalog:
    """Validate a formats.toml text (raises DataFileError listing every problem)."""
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise DataFileError(origin, [f"invalid TOML: {error}"]) from None
    try:
        tables = vars(formats_file_schema().model_validate(document))
    except ValidationError as error:
        raise DataFileError(origin, _problems(error, document)) from None
    return FormatsCatalog(
        tuple(_weight_format(table) for table in tables["weight_format"]),
        tuple(build(KvCachePrecision, table) for table in tables["kv_cache_precision"]),
    )


def _weight_format(table: BaseModel) -> WeightFormat:
    architectures = tuple(name.lower() for name in vars(table)["native_architectures"])
    return build(WeightFormat, table, native_architectures=architectures)


def formats_file_path() -> Path:
    """The packaged formats.toml."""
    return Path(str(resources.files("gpuatlas.catalog").joinpath("data", FORMATS_FILE)))


@lru_cache(maxsize=1)
def _formats_file() -> FormatsCatalog:
    """The packaged formats, from the parsed-data cache when the file is unchanged."""
    path = formats_file_path()
    return cached_parse(
        "formats", [path], lambda: parse_formats(path.read_text(encoding="utf-8"), str(path))
    )


def all_formats() -> tuple[WeightFormat, ...]:
    """Every weight format in the catalog, in file order."""
    return _formats_file().weight_formats


def all_kv_cache_precisions() -> tuple[KvCachePrecision, ...]:
    return _formats_file().kv_cache_precisions


# 'AWQ 4-bit', 'MLX 4 bit', 'GPTQ 4-bits': a bit width written apart from its 'bit' is the
# width the names of formats.toml write joined ('awq-4bit', 'mlx-4bit', 'gptq-4bit').
_SPACED_BITS = re.compile(r"(\d)[\s_\-]+bits?\b")


def _key(name: str) -> str:
    """Case- and separator-insensitive key: 'Q4_K_M', 'q4-k-m' and 'q4 k m' are one name, and
    so are 'AWQ 4-bit' and 'awq-4bit'."""
    joined = _SPACED_BITS.sub(r"\1bit", name.strip().lower())
    return re.sub(r"[\s_\-]+", "_", joined)


@lru_cache(maxsize=1)
def _format_index() -> dict[str, WeightFormat]:
    index: dict[str, WeightFormat] = {}
    for weight_format in all_formats():
        for name in (weight_format.id, *weight_format.names):
            index.setdefault(_key(name), weight_format)
    return index


EXL2_TEMPLATE = "exl2-4bpw"
EXL3_TEMPLATE = "exl3-4bpw"
# "exl2-6.5bpw", "EXL2 4.65 bpw", "exl2_5bpw", "exl3-3.75bpw": ExLlama checkpoints are made at
# any average bitrate. "EXL2 8-bit" (how forum posts write it) is the 8.0 bpw target.
_EXLLAMA_NAME = re.compile(r"^(exl[23])[\s_\-]*(\d+(?:\.\d+)?)[\s_\-]*(?:bpw|bits?)$")
# Each format's template entry and the average bitrates its converter makes: ExLlamaV2 mixes
# 2-8 bit GPTQ-style groups; ExLlamaV3 gives each tensor a whole trellis rate of 1 to 8 bits
# (exllamav3/conversion/allocation.py rate_floor: 'integers 1..8').
_EXLLAMA_BITRATES = {"exl2": (EXL2_TEMPLATE, 2.0, 8.0), "exl3": (EXL3_TEMPLATE, 1.0, 8.0)}


def find_format(name: str) -> WeightFormat | None:
    """The format a name refers to, or None; llama.cpp's printed file-type names ('Q4_K -
    Medium', 'IQ3_S mix - 3.66 bpw') name their GGUF type."""
    key = _key(name)
    found = _format_index().get(key) or exllama_format(name) or _agreeing_parts_format(key)
    return found or _format_index().get(_key(gguf_type_words(name.strip().lower())))


def _agreeing_parts_format(key: str) -> WeightFormat | None:
    """A name made of several names of one format ('INT4-W4A16': 'int4' and 'w4a16' both name
    gptq-int4) is that format; None when a part names nothing or two parts disagree."""
    parts = key.split("_")
    if len(parts) < 2:
        return None
    found = {_format_index().get(part) for part in parts}
    if len(found) != 1 or None in found:
        return None
    return found.pop()


def exllama_format(name: str) -> WeightFormat | None:
    """An EXL2 or EXL3 bitrate ('exl2-6.5bpw', 'exl3-4.0bpw') as its entry of formats.toml with
    the bits per weight the name states (within the converter's range); None for other names."""
    match = _EXLLAMA_NAME.match(name.strip().lower())
    if match is None:
        return None
    template_id, lowest, highest = _EXLLAMA_BITRATES[match.group(1)]
    template = _format_index().get(_key(template_id))
    bits = float(match.group(2))
    if template is None or not lowest <= bits <= highest:
        return None
    return _bitrate_at(template, match.group(1), bits)


def template_format_id(format_id: str) -> str:
    """The catalog entry a format id stands for: every EXL2 (EXL3) bitrate is the EXL2 (EXL3)
    entry."""
    found = exllama_format(format_id)
    return _EXLLAMA_BITRATES[found.id[:4]][0] if found is not None else format_id


@lru_cache(maxsize=64)
def _bitrate_at(template: WeightFormat, prefix: str, bits: float) -> WeightFormat:
    written = f"{bits:.2f}".rstrip("0").rstrip(".")
    return dataclasses.replace(
        template, id=f"{prefix}-{written}bpw", names=(), bits_per_weight=bits
    )


# GGUF quant types written without their mix ("Q6", "Q4"), and Unsloth Dynamic mixes
# ("UD-Q4_K_XL"): the llama.cpp type each is read as, and why. A bare bit count names one type
# where ggml has one (Q6_K; Q8_0, Q8_1/Q8_K being internal to matmuls) and is an assumption
# where several mixes share it, said so.
_ASSUMED_MIX = "assumed: the {} mix, Ollama's default build and the type GGUF model cards recommend"
_GGUF_SHORTHANDS: dict[str, tuple[str, str]] = {
    "q8": ("q8_0", "Q8_0, the only 8-bit type GGUF files use"),
    "q6": ("q6_k", "Q6_K, the only 6-bit GGUF type"),
    "q5": ("q5_k_m", "assumed: Q5_K_M, the 5-bit mix most files use (Q5_K_S, Q5_0, Q5_1 exist)"),
    "q4": ("q4_k_m", _ASSUMED_MIX.format("Q4_K_M") + " (Q4_K_S, Q4_0, Q4_1 exist)"),
    "q3": ("q3_k_m", "assumed: Q3_K_M, the middle 3-bit mix (Q3_K_S, Q3_K_L exist)"),
    "q2": ("q2_k", "Q2_K, the 2-bit K-quant"),
}
# Unsloth Dynamic 2.0 ("UD-Q4_K_XL"): Unsloth picks each layer's type per model, keeping some
# layers above the nominal type (docs.unsloth.ai/basics/unsloth-dynamic-v2.0-ggufs), so the
# file is about its K-quant's size: unsloth/GLM-4.7-Flash-GGUF UD-Q4_K_XL holds 17,520,169,312
# bytes for 29.94B parameters, 4.68 bits per weight (Q4_K_M: 4.84 in llama.cpp's table).
_UNSLOTH_DYNAMIC = re.compile(r"^(q\d)_k_xl$")
_GGUF_TYPE_KEY = re.compile(r"^i?q\d(_[a-z0-9]+)*$")  # a ggml type after "UD-": q4_k_m, iq2_xxs
_UNSLOTH_DYNAMIC_NOTE = (
    "an Unsloth Dynamic mix (per-layer types chosen per model), sized as {}; the file can "
    "differ by a few per cent"
)


def gguf_shorthand(name: str) -> tuple[str, str] | None:
    """(format id, how it was read) for a GGUF type written without its mix ('Q6' -> q6_k,
    'Q4' -> q4_k_m, assumed and said) or an Unsloth Dynamic mix ('UD-Q4_K_XL', 'Q8_K_XL', and
    'UD-Q4_K_M': Unsloth's dynamic build named after a ggml type, sized as that type);
    None for other names (exact types are `find_format`'s)."""
    full_key = _key(name)
    key = full_key.removeprefix("ud_")
    dynamic = _UNSLOTH_DYNAMIC.match(key)
    if dynamic is not None and dynamic.group(1) in _GGUF_SHORTHANDS:
        format_id = _GGUF_SHORTHANDS[dynamic.group(1)][0]
        return format_id, _UNSLOTH_DYNAMIC_NOTE.format(format_id.upper())
    named_type = find_format(key) if key != full_key else None
    if named_type is not None and _GGUF_TYPE_KEY.match(key):
        return named_type.id, _UNSLOTH_DYNAMIC_NOTE.format(named_type.id.upper())
    return _GGUF_SHORTHANDS.get(key)


def resolve_format(name: str) -> WeightFormat:
    """A weight format from the names people write (raises UnknownNameError with matches)."""
    found = find_format(name)
    if found is not None:
        return found
    raise UnknownNameError("weight format", name, _close(name, list(_format_index())))


@lru_cache(maxsize=1)
def _kv_cache_precision_index() -> dict[str, KvCachePrecision]:
    index: dict[str, KvCachePrecision] = {}
    for precision in all_kv_cache_precisions():
        for alias in (precision.id, *precision.names):
            index.setdefault(_key(alias), precision)
    return index


@lru_cache(maxsize=256)
def resolve_kv_cache_precision(name: str) -> KvCachePrecision:
    """A KV-cache precision ("fp16", "fp8", "q8_0", "q4_0", ...); the first entry of the file
    that lists the name wins (the serving simulator asks for the same few names per step)."""
    found = _kv_cache_precision_index().get(_key(name))
    if found is not None:
        return found
    candidates = [precision.id for precision in all_kv_cache_precisions()]
    raise UnknownNameError("KV-cache precision", name, _close(name, candidates) or candidates)


def _close(name: str, keys: list[str]) -> list[str]:
    matches = difflib.get_close_matches(_key(name), keys, n=6, cutoff=0.5)
    ids: list[str] = []
    for match in matches:
        found = find_format(match)
        label = found.id if found is not None else match
        if label not in ids:
            ids.append(label)
    return ids


__all__ = [
    "ComputePrecision",
    "KvCachePrecision",
    "WeightFormat",
    "all_formats",
    "all_kv_cache_precisions",
    "find_format",
    "formats_file_path",
    "gguf_shorthand",
    "parse_formats",
    "resolve_format",
    "resolve_kv_cache_precision",
]
