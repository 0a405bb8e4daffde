"""Name resolution: the names people write for a model, turned into an architecture.

Exact names (library id, Hub id, alias, Ollama tag; case-insensitive), Ollama tags with a
quantisation suffix (`llama3.1:8b-instruct-q4_K_M`), quantised or fine-tuned checkpoints of a
library model (`…-Instruct-AWQ`, `…-GGUF`, `…-FP8`, dated releases `…-2507`), config.json
paths, and as a last resort a Hub id fetched online. Format words in the name become a hint.
"""

from __future__ import annotations

import dataclasses
import re
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from gpuatlas.catalog.formats import find_format, gguf_shorthand
from gpuatlas.catalog.hub import fetch_hub_model, looks_like_hub_id
from gpuatlas.catalog.llama_bench_names import read_size_label
from gpuatlas.catalog.llama_ftype_names import gguf_type_words
from gpuatlas.catalog.model_arch import AnyModelArch, ModelArch, VisionLanguageArch
from gpuatlas.catalog.model_config import UNMODELLED_MODEL_TYPES
from gpuatlas.catalog.model_library import (
    MatchKind,
    all_llms,
    close_model_matches,
    get_model,
    load_model_config,
    model_name_index,
    normalize_model_name,
)
from gpuatlas.errors import UnknownNameError

# Words in a checkpoint name that say how it was tuned, exported or quantised, not which model.
# fmt: off
_DECORATION_TOKENS = frozenset(
    {
        "instruct", "chat", "hf", "it", "base", "pt", "gguf", "awq", "gptq", "fp8", "fp16", "bf16",
        "int4", "int8", "nvfp4", "mxfp4", "fp4", "4bit", "8bit", "bnb", "exl2", "mlx", "dynamic",
        "exl3",
        "w4a16", "w8a8", "w8a16", "marlin", "g128", "quantized", "static", "fp8dynamic", "v1",
        "gptq-int4", "awq-int4", "turbo", "nf4", "hqq", "eetq", "ct2", "onnx", "openvino", "trtllm",
        "qat", "unsloth", "imatrix", "lmstudio", "community", "thinking", "autoround",
        "abliterated", "uncensored", "ud", "mxfp4_moe", "intermediate",
        # a GGUF that keeps the multi-token-prediction head (unsloth's 'Qwen3.5-9B-MTP-GGUF')
        # for llama.cpp's speculative decoding: the same model, its head a few layers' bytes
        "mtp",
    }
)
# fmt: on
_GGUF_TYPE_PATTERN = re.compile(r"^(i?q\d(_[a-z0-9]+)*|f16|f32|bf16)$")
# "4bit", "6.5bpw", "g128"; "h6": the head bits in EXL2 names ("6.0bpw-h6-exl2").
_BITS_OR_GROUP_PATTERN = re.compile(r"\d+bit|\d+bpw|\d+(\.\d+)?bpw|g\d+|h[68]")
_MLX_ORGANISATION = "mlx-community/"
_SHARD_SUFFIX_PATTERN = re.compile(r"-\d{5}-of-\d{5}$")
# A re-export of a quantised checkpoint numbered after its format: nvidia/DeepSeek-R1-0528-FP4-v2,
# lllyasviel's flux1-dev-bnb-nf4-v2 (Forge writes it "Flux1 Dev NF4 v2").
_EXPORT_REVISION_PATTERN = re.compile(
    r"[-\s](nvfp4|fp4|mxfp4|fp8|awq|gptq|int4|int8|w4a16|w8a8|nf4)[-\s]v\d+$"
)
# AMD Quark exports name FP8 weights that carry FP8 KV-cache scales "-FP8-KV"
# (amd/Llama-3.3-70B-Instruct-FP8-KV): the weights are FP8; the KV-cache precision is the
# serving engine's setting, not part of the model's name.
_KV_SCALES_SUFFIX_PATTERN = re.compile(r"[-_](fp8|int8)[-_]kv$")
_SPACED_BITS_PATTERN = re.compile(r"(?<![.\d])(\d)[\s\-]+bits?\b")
_DOTTED_TYPE_PATTERN = re.compile(r"\.(i?q\d(?:_[a-z0-9]+)*|f16|f32|bf16)$")
_VERSION_PATTERN = re.compile(r"\d+(\.\d+)?")
# llama-bench's model column is '<architecture> <model type> <file type>': the file type is
# llama.cpp's printed name (llama_ftype_names: "Q4_K - Medium", "IQ4_NL - 4.5 bpw", "MXFP4
# MoE"), and the architecture name and model type are src/llama-arch.cpp LLM_ARCH_NAMES and
# src/llama-model.cpp llm_type_name: "qwen3moe 30B.A3B" is the Qwen3 MoE with 30B total and 3B
# active parameters (LLM_TYPE_30B_A3B).
_LLAMACPP_MOE_ARCH_PATTERN = re.compile(r"^(qwen[23])moe\b")
# ... and writes a family's version without its dot or hyphen: "qwen3next" is Qwen3-Next,
# "qwen35" / "qwen35moe" Qwen3.5 (LLM_ARCH_QWEN3NEXT, LLM_ARCH_QWEN35, LLM_ARCH_QWEN35MOE).
_LLAMACPP_GLUED_ARCHES = (
    (re.compile(r"^qwen3next\b"), "qwen3-next"),
    (re.compile(r"^qwen35(moe)?\b"), "qwen3.5"),
)
_LLAMACPP_MOE_TYPE_PATTERN = re.compile(r"\b(\d+(?:\.\d+)?b)\.(a\d+(?:\.\d+)?b)\b")
_OLLAMA_DEFAULT_TAG = "latest"
_MOE_WORD = "moe"
_ACTIVE_SIZE_PATTERN = re.compile(r"a\d+(\.\d+)?b")
_SIZE_PATTERN = re.compile(r"(\d+x)?\d+(\.\d+)?[bm]")
# Names of families whose config model_config refuses (UNMODELLED_MODEL_TYPES): said by name,
# also offline, instead of "unknown model".
_UNMODELLED_NAMES = {
    r"falcon-h1": ("Falcon-H1", "falcon_h1"),
    r"nemotron-3-(super|ultra)": ("NVIDIA Nemotron 3 Super/Ultra", "nemotron_h_latent_moe"),
    r"jamba": ("Jamba", "jamba"),
    r"(^|[-/])mamba": ("Mamba", "mamba"),
}
# Where a checkpoint id was copied from: `hf.co/owner/repo` (Ollama, LM Studio), a Hub URL.
_SOURCE_PREFIX_PATTERN = re.compile(r"^(https?://)?(www\.)?(hf\.co|huggingface\.co)/", re.I)
_MLX_BITS = ("3bit", "4bit", "5bit", "6bit", "8bit")
_FORMAT_HINTS = {
    "awq": "awq-int4",
    "gptq": "gptq-int4",
    "fp8": "fp8",
    "fp8dynamic": "fp8",
    "nvfp4": "nvfp4",
    "mxfp4": "mxfp4",
    "mxfp4_moe": "mxfp4_moe",  # llama.cpp's file type 'MXFP4 MoE' (formats.toml)
    "fp4": "nvfp4",
    "int8": "int8",
    "w8a8": "int8",
    "w4a16": "gptq-int4",
    "int4": "awq-int4",
    "fp16": "fp16",
    "bf16": "bf16",
}


@dataclass(frozen=True)
class ModelReference:
    """What a name resolved to: the architecture, how it matched, and any format hint.

    `format_hint` is the raw hint from the name ("AWQ", "FP8", "Q4_K_M", "GGUF");
    `format_id` the catalog format id it maps to, when it maps to one ("awq-int4").
    """

    name: str
    model: AnyModelArch
    matched_by: MatchKind
    format_hint: str | None = None
    format_id: str | None = None


# ----- format hints ---------------------------------------------------------------------------


def _split_tokens(name: str) -> list[str]:
    """Lower-case tokens of the repo part of a name; underscores stay (GGUF types: q4_k_m).
    A checkpoint of the mlx-community organisation gets the token "mlx" (its -4bit is MLX's
    affine 4-bit, not bitsandbytes)."""
    base = name.strip().lower().split("/")[-1]
    base = re.sub(r"\.(gguf|safetensors|sft|ckpt)$", "", base)  # a weights file's own name
    base = _SHARD_SUFFIX_PATTERN.sub("", base)  # gpt-oss-120b-mxfp4-00001-of-00003
    base = _EXPORT_REVISION_PATTERN.sub(r"-\1", base)  # nvidia/DeepSeek-R1-0528-FP4-v2
    base = _KV_SCALES_SUFFIX_PATTERN.sub(r"-\1", base)  # amd/Llama-3.3-70B-Instruct-FP8-KV
    base = _DOTTED_TYPE_PATTERN.sub(r"-\1", base)  # TheBloke's llama-2-7b.Q4_0
    base = _SPACED_BITS_PATTERN.sub(r"\1bit", base)  # "EXL2 8-bit" -> exl2 8bit
    base = gguf_type_words(base)  # llama-bench "Q4_K - Medium", "IQ4_NL - 4.5 bpw", "all F32"
    base = _LLAMACPP_MOE_ARCH_PATTERN.sub(r"\1", base)  # llama-bench "qwen3moe"
    for pattern, family in _LLAMACPP_GLUED_ARCHES:  # llama-bench "qwen3next", "qwen35moe"
        base = pattern.sub(family, base)
    base = _LLAMACPP_MOE_TYPE_PATTERN.sub(r"\1-\2", base)  # llama-bench "30B.A3B"
    tokens = [token for token in re.split(r"[-\s()]+", base) if token]  # "(GGUF)" as a word
    return [*tokens, "mlx"] if name.strip().lower().startswith(_MLX_ORGANISATION) else tokens


def _is_decoration(token: str) -> bool:
    return (
        token in _DECORATION_TOKENS
        or token.startswith("quantized")
        or bool(_GGUF_TYPE_PATTERN.match(token))
        or bool(_BITS_OR_GROUP_PATTERN.fullmatch(token))
        or _is_glued_decoration(token)
    )


def _is_glued_decoration(token: str) -> bool:
    """'exl2_6.5bpw': decorations joined by underscores (not a GGUF type such as q4_k_m)."""
    parts = [part for part in token.split("_") if part]
    return len(parts) > 1 and all(
        part in _DECORATION_TOKENS or _BITS_OR_GROUP_PATTERN.fullmatch(part) for part in parts
    )


def _gguf_reading(token: str) -> tuple[str, str | None]:
    """(hint, format id) for a GGUF type token: an exact ggml type ('Q4_K_M'), or a type
    written without its mix / an Unsloth Dynamic mix ('Q6', 'Q4_K_XL'), read as a ggml type
    with the reading in the hint; (hint, None) for a type the catalog does not know."""
    found = find_format(token)
    if found is not None:
        return token.upper(), found.id
    shorthand = gguf_shorthand(token)
    if shorthand is not None:
        return f"{token.upper()} read as {shorthand[0].upper()}: {shorthand[1]}", shorthand[0]
    return token.upper(), None


_WHOLE_BITS_PATTERN = re.compile(r"^(\d)bits?$")
_BPW_PATTERN = re.compile(r"^(\d+(?:\.\d+)?)bpw$")
_BRANCH_BITS_PATTERN = re.compile(r"^(\d)_(\d{1,2})$")  # bartowski's EXL2 branches: "6_5"


def _exllama_hint(tokens: list[str]) -> tuple[str, str | None] | None:
    """ExLlama checkpoints: ('EXL2-6.5BPW', 'exl2-6.5bpw') from '-exl2:6.5bpw', '_6.5bpw',
    '6.0bpw-h6-exl2' or bartowski's '-exl2:6_5'; ('EXL3-4.00BPW', 'exl3-4bpw') from
    '-exl3_4.00bpw_H6' (a bitrate without the format word is EXL2's); ('EXL2', None) or
    ('EXL3', None) for a repository named without its bitrate; None for other names."""
    parts = [part for token in tokens for part in token.split("_") if part]
    kind = "exl3" if "exl3" in parts else "exl2"
    bits = [m.group(1) for part in parts if (m := _BPW_PATTERN.match(part))]
    if kind in parts and not bits:  # "EXL2 8-bit": the 8.0 bpw target
        bits = [m.group(1) for part in parts if (m := _WHOLE_BITS_PATTERN.match(part))]
    if kind in parts and not bits:
        branches = [_BRANCH_BITS_PATTERN.match(token) for token in tokens]
        bits = [f"{m.group(1)}.{m.group(2)}" for m in branches if m is not None]
    if not bits:
        return (kind.upper(), None) if kind in parts else None
    found = find_format(f"{kind}-{bits[0]}bpw")
    return f"{kind.upper()}-{bits[0]}BPW", found.id if found is not None else None


def _format_hint(tokens: list[str]) -> tuple[str | None, str | None]:
    """(raw hint, catalog format id) from a name's tokens; a GGUF type wins over a word."""
    exllama = _exllama_hint(tokens)
    if exllama is not None:
        return exllama
    for token in tokens if "mlx" not in tokens else ():  # MLX's "-Q8" is not a GGUF type
        if _GGUF_TYPE_PATTERN.match(token) and token != "bf16":
            return _gguf_reading(token)
    mlx_bits = [t for t in tokens if t in _MLX_BITS] if "mlx" in tokens else []
    if mlx_bits:  # mlx-community/…-4bit: MLX affine, group 64 (formats.toml mlx-4bit)
        return f"MLX-{mlx_bits[0].upper()}", f"mlx-{mlx_bits[0]}"
    if "bnb" in tokens or "nf4" in tokens:  # bitsandbytes exports: unsloth/…-bnb-4bit
        return ("BNB-8BIT", "bnb-int8") if "8bit" in tokens else ("BNB-4BIT", "nf4")
    if "gptq" in tokens and "int8" in tokens:
        return "GPTQ-INT8", "int8"
    if "autoround" in tokens:  # Intel/…-int4-AutoRound: GPTQ's packing (formats.toml gptq-int4)
        eight = "int8" in tokens or "8bit" in tokens
        return ("AUTOROUND-INT8", "int8") if eight else ("AUTOROUND", "gptq-int4")
    for token in tokens:
        key = token.split(".")[-1] if token.startswith("quantized") else token
        if key in _FORMAT_HINTS:
            return key.upper(), _FORMAT_HINTS[key]
    if "gguf" in tokens:
        return "GGUF", None
    return None, None


# ----- the resolution steps -------------------------------------------------------------------


def _exact_reference(name: str) -> ModelReference | None:
    index = model_name_index()
    hit = index.get(normalize_model_name(name)) or index.get(name.strip().lower())
    if hit is None:
        return None
    hint, format_id = _format_hint(_split_tokens(name))
    return ModelReference(name, get_model(hit[0]), hit[1], hint, format_id)


def _ollama_reference(name: str) -> ModelReference | None:
    """Ollama tags with a quantisation suffix: `llama3.1:8b-instruct-q4_K_M`; a tag that is
    only a quantisation (`llama3.1:q4_0`) is the bare name's model in that format."""
    if ":" not in name:
        return None
    model_part, tag = name.lower().split(":", 1)
    index = model_name_index()
    if tag == _OLLAMA_DEFAULT_TAG and model_part in index:  # `mistral-small3.2:latest`
        return ModelReference(name, get_model(index[model_part][0]), "ollama_tag")
    tag_tokens = tag.split("-")
    if model_part in index and all(_is_decoration(token) for token in tag_tokens):
        hint, format_id = _format_hint(tag_tokens)  # `llama3.1:q4_0`: the default tag, quantised
        if format_id is not None:
            model = get_model(index[model_part][0])
            return ModelReference(name, model, "ollama_tag", hint, format_id)
    for end in range(len(tag_tokens), 0, -1):  # the longest tag the library knows wins
        hit = index.get(f"{model_part}:{'-'.join(tag_tokens[:end])}")
        if hit is not None:
            hint, format_id = _format_hint(tag_tokens[end:])
            return ModelReference(name, get_model(hit[0]), "ollama_tag", hint, format_id)
    return None


def _stems(tokens: list[str]) -> list[list[str]]:
    """The model-naming tokens of a checkpoint name, and the same without a re-uploader's copy
    of the original organisation (`bartowski/google_gemma-3-27b-it-GGUF` -> gemma 3 27b); last,
    without the word "MoE" that benchmark tables add after a mixture-of-experts model's total
    and active sizes ("Qwen3 30B-A3B MoE Q4_K_M" is qwen3-30b-a3b): only beside an active size
    (a3b), which already says the model is one (a dense "Llama-3-8B-MoE" merge is not
    llama-3-8b), and only after the name as written (phi-3.5-moe keeps the word)."""
    stem = [token for token in tokens if not _is_decoration(token)]
    stems = [stem, [stem[0].split("_", 1)[1], *stem[1:]]] if stem and "_" in stem[0] else [stem]
    glued = _glue_versions(stem)
    stems = [*stems, glued] if glued != stem else stems
    without_moe = [
        [token for token in each if token != _MOE_WORD]
        for each in stems
        if any(_ACTIVE_SIZE_PATTERN.fullmatch(token) for token in each)
    ]
    return [*stems, *(each for each in without_moe if each not in stems and each)]


def _glue_versions(stem: list[str]) -> list[str]:
    """A family and its version written apart ("qwen 2.5 7B") -> as the library spells it
    ("qwen2.5", "7b"): a bare version number joins the word before it."""
    glued: list[str] = []
    for token in stem:
        if glued and _VERSION_PATTERN.fullmatch(token) and not glued[-1][-1].isdigit():
            glued[-1] += token
        else:
            glued.append(token)
    return glued


def _derived_checkpoint(name: str) -> ModelReference | None:
    """A fine-tune or quantised export of a library model (…-Instruct-AWQ, …-GGUF, …-FP8), or
    a fine-tune that names its base inside its own name (Hermes-3-Llama-3.1-8B)."""
    tokens = _split_tokens(name)
    index = model_name_index()
    keys = (
        *_written_prefix_keys(tokens),
        *_prefix_keys(tokens),
        *_inner_keys(tokens),
        *_fine_tune_suffix_keys(tokens),
    )
    for key in keys:
        hit = index.get(key)
        if hit is not None:
            hint, format_id = _format_hint(tokens)
            model = get_model(hit[0])
            return ModelReference(name, model, "derived_checkpoint", hint, format_id)
    return None


def _written_prefix_keys(tokens: list[str]) -> list[str]:
    """The name as written less only its trailing decorations, longest first: a library name
    that itself ends in a decoration word ('stable-diffusion-2-1-base-fp16' is
    stable-diffusion-2-1-base, the 512 px model, not the 768 px stable-diffusion-2-1 that the
    name without its 'base' would be)."""
    keys: list[str] = []
    for end in range(len(tokens) - 1, 0, -1):
        if not _is_decoration(tokens[end]):
            break
        if any(_is_decoration(token) for token in tokens[:end]):
            keys.append(normalize_model_name("-".join(tokens[:end])))
    return keys


def _prefix_keys(tokens: list[str]) -> list[str]:
    """The name's leading words, longest first; only release dates (…-2507, …-0528,
    …-20241022: four digits or more) may be dropped beyond decorations, at the end or, after
    the name as written, wherever they stand (a size written after the date:
    Mistral-Large-Instruct-2407-123B is mistral-large-123b). A shorter bare number is a size
    written without its unit ("llama-3.1-70"), never dropped: the family's default size (8B)
    would stand in for the 70B meant."""
    stems = _stems(tokens)
    undated = [
        each
        for each in ([token for token in stem if not _is_release_date(token)] for stem in stems)
        if each and each not in stems
    ]
    return [
        normalize_model_name("-".join(stem[:end]))
        for stem in (*stems, *undated)
        for end in range(len(stem), 0, -1)
        if all(_is_release_date(token) for token in stem[end:])
    ]


RELEASE_DATE_DIGITS = 4  # YYMM (2507), MMDD (0528), YYYYMMDD (20241022)


def _is_release_date(token: str) -> bool:
    return token.isdigit() and len(token) >= RELEASE_DATE_DIGITS


def _inner_keys(tokens: list[str]) -> list[str]:
    """Runs of two or more words inside the name that include a size ("llama-3.1-8b" in
    hermes-3-llama-3.1-8b), longest first: a fine-tune named after its base; then the base
    written size first ("70b-llama-3.3" in Wayfarer-Large-70B-Llama-3.3 is llama-3.3-70b)."""
    keys: list[str] = []
    size_first: list[str] = []
    for stem in _stems(tokens):
        for length in range(len(stem) - 1, 1, -1):
            for start in range(1, len(stem) - length + 1):
                run = stem[start : start + length]
                if any(_SIZE_PATTERN.fullmatch(token) for token in run):
                    keys.append(normalize_model_name("-".join(run)))
                if _SIZE_PATTERN.fullmatch(run[0]) and run[-1] == stem[-1]:
                    size_first.append(normalize_model_name("-".join([*run[1:], run[0]])))
    return [*keys, *size_first]


# Words after a base's name that change what is computed, so the name is not a fine-tune of
# that base: a vision or audio tower, experts, an embedding or draft model, a KV-cache format.
_ARCHITECTURE_WORDS = frozenset(
    {
        "vl",
        "vision",
        "audio",
        "omni",
        "llava",
        "moe",
        "embed",
        "embedding",
        "draft",
        "eagle",
        "mtp",
        "kv",
    }
)
# A release written after the size ('Mistral-7B-Instruct-v0.4', '-2', '-v2'): another release
_RELEASE_WORD = re.compile(r"v?\d+(\.\d+)*")


def _fine_tune_suffix_keys(tokens: list[str]) -> list[str]:
    """A fine-tune named with its own words after its base's name and size
    ('tinyllama-1.1b-1t-openorca', 'llama-2-7b-guanaco'), longest base first: the leading words
    up to a size, when the words after it name no other size (a 1M-context variant, an active
    size), no release (v0.4) and no architecture change (`_ARCHITECTURE_WORDS`). A name without
    a size before its own words ('mistral-openorca') is not read: a family's default size would
    stand in."""
    keys: list[str] = []
    for stem in _stems(tokens):
        for end in range(len(stem) - 1, 0, -1):
            rest = stem[end:]
            if not _SIZE_PATTERN.fullmatch(stem[end - 1]):
                continue
            if any(_SIZE_PATTERN.fullmatch(t) or _ACTIVE_SIZE_PATTERN.fullmatch(t) for t in rest):
                continue
            if any(_RELEASE_WORD.fullmatch(token) for token in rest):
                continue
            if _ARCHITECTURE_WORDS.isdisjoint(rest):
                keys.append(normalize_model_name("-".join(stem[:end])))
    return keys


@cache
def _image_finetune_prefixes() -> tuple[tuple[str, str], ...]:
    """(name prefix, base model id) of image fine-tunes whose names hide their base
    (data/image_finetunes.toml), longest prefix first."""
    path = Path(__file__).parent / "data" / "image_finetunes.toml"
    table = tomllib.loads(path.read_text(encoding="utf-8"))
    pairs = [(prefix, entry["base"]) for entry in table["finetune"] for prefix in entry["prefixes"]]
    return tuple(sorted(pairs, key=lambda pair: -len(pair[0])))


def _image_finetune(name: str) -> ModelReference | None:
    """A community fine-tune of an image model named without its base ('Juggernaut XL v9',
    'SG161222/Realistic_Vision_V5.1_noVAE', also after a base word: 'SD 1.5 Realistic Vision
    version 6', or the family it was trained from in brackets: 'Hassaku XL (Illustrious)'): its
    base's architecture, said as a fine-tune."""
    key = normalize_model_name(name).split("/")[-1]
    key = re.sub(r"-*[()\[\]]+-*", "-", key).strip("-")  # 'Hassaku XL (Illustrious)'
    for prefix, base in _image_finetune_prefixes():
        if key.startswith(prefix) or f"-{prefix}" in key:  # 'SDXL Juggernaut XL v11'
            return ModelReference(name, get_model(base), "derived_checkpoint")
    return None


# Apple's Core ML conversions name their repository after the converted checkpoint's, with a
# "coreml-" prefix (apple/coreml-stable-diffusion-2-1-base converts
# stabilityai/stable-diffusion-2-1-base): the same architecture, in Core ML's packaging.
_COREML_PREFIX_PATTERN = re.compile(r"^(?:apple/)?coreml[-_]", re.IGNORECASE)


def _coreml_conversion(name: str) -> ModelReference | None:
    """'coreml-stable-diffusion-2-1-base' -> sd-2.1-base: the name after Apple's "coreml-"
    prefix, resolved as written first (so '-base' keeps naming the 512 px base model)."""
    converted = _COREML_PREFIX_PATTERN.sub("", name.strip())
    if converted == name.strip() or not converted:
        return None
    reference = _exact_reference(converted) or _derived_checkpoint(converted)
    if reference is None:
        return None
    return dataclasses.replace(reference, name=name, matched_by="derived_checkpoint")


def _checkpoint_and_tag(name: str) -> tuple[str, str]:
    """`hf.co/owner/repo-GGUF:Q4_K_M` (Ollama's and LM Studio's way to pick a file of a GGUF
    repo) -> ('owner/repo-GGUF', 'q4_k_m'); names without a repo-and-tag form come back whole."""
    bare = _SOURCE_PREFIX_PATTERN.sub("", name.strip())
    repo, _, tag = bare.partition(":")
    if "/" not in repo or not tag or "/" in tag:
        return bare, ""
    return repo, tag.lower()


def _with_tag_format(reference: ModelReference, tag: str) -> ModelReference:
    """The reference with the format of a `:TAG` suffix (a GGUF type; an EXL2 or EXL3
    repository's bitrate branch, '-exl2:4.0bpw', '-exl3:4.0bpw'), when the tag names one."""
    written = (reference.format_hint or "")[:4].lower()
    exllama = [written] if written in ("exl2", "exl3") else []
    hint, format_id = _format_hint([*tag.split("-"), *exllama])
    if hint is None:
        return reference
    return dataclasses.replace(reference, format_hint=hint, format_id=format_id)


def _file_or_hub_reference(name: str, allow_hub: bool | None) -> ModelReference | None:
    if name.endswith(".json") or Path(name).is_dir():
        return ModelReference(name, load_model_config(name), "file")
    if looks_like_hub_id(name):
        return ModelReference(name, fetch_hub_model(name, allow_hub), "hub_fetch")
    return None


def _close_matches(checkpoint: str) -> list[str]:
    """Library models that look like `checkpoint`; for a checkpoint file name whose whole
    spelling matches nothing ('Qwen3.8-27B-ABLITERATED-Q4_K_M.gguf'), those that look like its
    model-naming words (qwen3.8-27b), so the refusal still names the nearest models."""
    matches = close_model_matches(checkpoint)
    stem = next(iter(_stems(_split_tokens(checkpoint))), [])
    return matches or (close_model_matches("-".join(stem)) if stem else [])


def resolve_model_reference(name: str, allow_hub: bool | None = None) -> ModelReference:
    """Resolve a name people write to a library model (or a Hub config), with a format hint.

    Tries, in order: id / Hub id / alias / Ollama tag (case-insensitive); an Ollama tag with a
    quantisation suffix; a quantised or fine-tuned checkpoint of a known model; a config.json
    path; a Hub id fetched with huggingface_hub (when online); last, llama-bench's
    '<architecture> <rounded size> <file type>' (llama_bench_names). Raises UnknownNameError.
    """
    checkpoint, tag = _checkpoint_and_tag(name)
    reference = (
        _exact_reference(checkpoint)
        or _ollama_reference(checkpoint)
        or _coreml_conversion(checkpoint)
        or _derived_checkpoint(checkpoint)
        or _image_finetune(checkpoint)
        or _active_size_completion(checkpoint)
    )
    if reference is None:
        _refuse_unmodelled_family(name, checkpoint)
        reference = _file_or_hub_reference(checkpoint, allow_hub)
    if reference is None:
        reference = _bracketed_size_reference(name, allow_hub)
    if reference is None:
        reference = _trailing_size_reference(name, allow_hub)
    if reference is None:
        reference = _moe_word_reference(name, allow_hub)
    if reference is None:
        reference = _square_bracketed_reference(name, allow_hub)
    if reference is None:
        reference = _conversion_label_reference(name, allow_hub)
    if reference is None:
        reference = _llama_bench_reference(checkpoint)
    if reference is None:
        raise UnknownNameError("model", name, _close_matches(checkpoint))
    reference = dataclasses.replace(reference, name=name)
    return _with_tag_format(reference, tag) if tag else reference


def _llama_bench_reference(name: str) -> ModelReference | None:
    """'phi2 3B F16' -> phi-2: llama-bench's architecture and rounded size label
    (llama_bench_names), with the file type as the format hint."""
    reading = read_size_label(name)
    if reading is None:
        return None
    hint, format_id = _format_hint(_split_tokens(name))
    return ModelReference(name, reading.model, "alias", hint, format_id)


_TOTAL_SIZE_KEY_PATTERN = re.compile(r"-\d+(\.\d+)?b$")


def _active_size_completion(name: str) -> ModelReference | None:
    """A mixture-of-experts model named by its total size alone ('Qwen3.5-397B' for
    qwen3.5-397b-a17b, as release notes and benchmark tables shorten it): the library model
    whose name is that name plus an active size (-a17b), when exactly one model has one."""
    tokens = _split_tokens(name)
    if any(_ACTIVE_SIZE_PATTERN.fullmatch(token) for token in tokens):
        return None
    index = model_name_index()
    for key in _prefix_keys(tokens):
        if not _TOTAL_SIZE_KEY_PATTERN.search(key):
            continue
        completion = re.compile(re.escape(key) + r"-a\d+(\.\d+)?b$")
        ids = {index[other][0] for other in index if completion.match(other)}
        if len(ids) == 1:
            hint, format_id = _format_hint(tokens)
            model = get_model(ids.pop())  # another name of it, said so ("alias")
            return ModelReference(name, model, "alias", hint, format_id)
    return None


# A size written after the name in brackets ("Phi3-mini (3.8B)", as benchmark tables list
# models): the name before the brackets, when its model has about that many parameters.
_BRACKETED_SIZE_PATTERN = re.compile(
    r"^(?P<name>.+?)\s*\(\s*(?P<size>\d+(?:\.\d+)?)\s*(?P<unit>[bmt])\s*\)\s*$", re.IGNORECASE
)
BRACKETED_SIZE_TOLERANCE = 0.2  # published sizes are rounded ("3.8B" for 3.82e9)


def _bracketed_size_reference(name: str, allow_hub: bool | None) -> ModelReference | None:
    """'Phi3-mini (3.8B)' -> phi-3-mini: the name without its bracketed size, kept only when
    the model it names has that size within BRACKETED_SIZE_TOLERANCE."""
    match = _BRACKETED_SIZE_PATTERN.match(name.strip())
    if match is None:
        return None
    return _sized_reference(
        match.group("name"), match.group("size"), match.group("unit"), allow_hub
    )


# A total size written after a name that does not carry one, apart from it ("DeepSeek V3 671B",
# as training and benchmark tables label models): the name before it, when its model has that
# size within TRAILING_SIZE_TOLERANCE. Tighter than a bracketed size: a family name alone reads
# as its default variant, and a size that is not that variant's ("llama-3.1 9b") is another model.
_TRAILING_SIZE_PATTERN = re.compile(
    r"^(?P<name>.+?)\s+(?P<size>\d+(?:\.\d+)?)\s*(?P<unit>[bmt])\s*$", re.IGNORECASE
)
TRAILING_SIZE_TOLERANCE = 0.05  # "1T" for Kimi K2's 1.03e12, "120B" for gpt-oss-120b's 1.17e11


def _trailing_size_reference(name: str, allow_hub: bool | None) -> ModelReference | None:
    """'DeepSeek V3 671B' -> deepseek-v3: the name without its trailing size, kept only when the
    model it names has that many parameters within TRAILING_SIZE_TOLERANCE (a size that names
    another model of the family, 'Llama 3 405B' or 'llama-3.1 9b', never resolves this way)."""
    match = _TRAILING_SIZE_PATTERN.match(name.strip())
    if match is None:
        return None
    return _sized_reference(
        match.group("name"),
        match.group("size"),
        match.group("unit"),
        allow_hub,
        TRAILING_SIZE_TOLERANCE,
    )


_MOE_WORD_PATTERN = re.compile(rf"(?<![^\s_-]){_MOE_WORD}(?![^\s_-])", re.IGNORECASE)


def _moe_word_reference(name: str, allow_hub: bool | None) -> ModelReference | None:
    """'Qwen3 MoE 30B' -> qwen3-30b-a3b: the name without the word "MoE" that training tables
    put between a family and its total size, kept only when the model it names is a mixture of
    experts (a dense "Llama-3-8B-MoE" merge is not llama-3-8b)."""
    if not _MOE_WORD_PATTERN.search(name):
        return None
    without = " ".join(_MOE_WORD_PATTERN.sub(" ", name).split())
    try:
        reference = resolve_model_reference(without, allow_hub)
    except UnknownNameError:
        return None
    model = reference.model
    return reference if isinstance(model, ModelArch) and model.is_moe else None


def _sized_reference(
    name: str,
    size: str,
    unit: str,
    allow_hub: bool | None,
    tolerance: float = BRACKETED_SIZE_TOLERANCE,
) -> ModelReference | None:
    """`name`'s reference when its model has `size` (in trillions, billions or millions: `unit`
    t, b or m) parameters within `tolerance`, else None."""
    try:
        reference = resolve_model_reference(name, allow_hub)
    except UnknownNameError:
        return None
    stated = float(size) * {"t": 1e12, "b": 1e9, "m": 1e6}[unit.lower()]
    if abs(reference.model.total_params() / stated - 1.0) > tolerance:
        return None
    return reference


# Black Forest Labs writes a model's variant in square brackets ("FLUX.1 [dev]", "FLUX.1
# [schnell]": the names its model cards use, and benchmark threads copy, e.g. xDiT issue #378):
# the same name with the brackets dropped.
_SQUARE_BRACKETS = re.compile(r"\[\s*([^\]]+?)\s*\]")


def _square_bracketed_reference(name: str, allow_hub: bool | None) -> ModelReference | None:
    """'FLUX.1 [dev]' -> flux.1-dev: the name read without its square brackets."""
    plain = " ".join(_SQUARE_BRACKETS.sub(r" \1 ", name).split())
    if plain == " ".join(name.split()):
        return None
    try:
        return resolve_model_reference(plain, allow_hub)
    except UnknownNameError:
        return None


# Who published a GGUF or MLX conversion, written after the model's name in a bracket with its
# file types ("gpt-oss-120b (ggml-org, Q8/MXFP4)" in lhl/strix-halo-testing, "Qwen3-30B-A3B
# (bartowski, Q4_K_M)"): the Hugging Face organisations whose conversions benchmark tables name.
_CONVERSION_PUBLISHERS = frozenset(
    {
        "ggml-org", "bartowski", "unsloth", "thebloke", "lmstudio-community", "mradermacher",
        "mlx-community", "ggml", "lmstudio",
    }
)  # fmt: skip
# Two file types written for one file that mixes them: 'Q8/MXFP4' is llama.cpp's MXFP4_MOE type
# (formats.toml mxfp4_moe: routed experts MXFP4, every other tensor Q8_0).
_MIXED_FILE_TYPES = frozenset({frozenset({"q8", "mxfp4"}), frozenset({"q8_0", "mxfp4"})})
_BRACKETED_LABEL_PATTERN = re.compile(r"^(?P<name>[^()]+?)\s*\((?P<label>[^()]+)\)\s*$")


def _conversion_label_reference(name: str, allow_hub: bool | None) -> ModelReference | None:
    """'gpt-oss-120b (ggml-org, Q8/MXFP4)' -> gpt-oss-120b: a bracket after the name that lists
    only conversion publishers and file types. One file type is the format hint; two that
    name one mixed file type ('Q8/MXFP4': mxfp4_moe) that type; any other several leave the
    format to the weights the case states, else to the model's native format."""
    match = _BRACKETED_LABEL_PATTERN.match(name.strip())
    if match is None:
        return None
    words = [word for word in re.split(r"[\s,;/+]+", match.group("label").lower()) if word]
    types = [word for word in words if word not in _CONVERSION_PUBLISHERS]
    if not words or not all(_is_decoration(word) for word in types):
        return None
    try:
        reference = resolve_model_reference(match.group("name"), allow_hub)
    except UnknownNameError:
        return None
    hint, format_id = _format_hint(types) if len(types) == 1 else (None, None)
    if frozenset(types) in _MIXED_FILE_TYPES:  # 'Q8/MXFP4': llama.cpp's MXFP4_MOE file type
        hint, format_id = "/".join(word.upper() for word in types), "mxfp4_moe"
    return dataclasses.replace(
        reference,
        format_hint=hint or reference.format_hint,
        format_id=format_id or reference.format_id,
    )


class UnmodelledModelError(UnknownNameError):
    """A model of a family whose layers are not one repeated block (Gemma 3n, Qwen3-Next)."""

    def __init__(self, name: str, family: str, reason: str, candidates: list[str]):
        super().__init__("model", name, candidates)
        close = f"; close matches in the library: {', '.join(candidates)}" if candidates else ""
        Exception.__init__(
            self,
            f"model {name!r} ({family}) is not modelled: {reason}; gpuatlas models "
            f"transformers whose layers all have one shape{close}",
        )


def _refuse_unmodelled_family(name: str, checkpoint: str) -> None:
    """Raise UnmodelledModelError for a name of a family the library cannot model (a path to a
    config.json is left to its loader, which refuses the config by its model_type)."""
    if checkpoint.endswith(".json") or Path(checkpoint).is_dir():
        return
    key = normalize_model_name(checkpoint)
    for pattern, (family, model_type) in _UNMODELLED_NAMES.items():
        if re.search(pattern, key):
            reason = UNMODELLED_MODEL_TYPES[model_type]
            raise UnmodelledModelError(name, family, reason, close_model_matches(checkpoint))


def resolve_model(name: str, allow_hub: bool | None = None) -> AnyModelArch:
    """The architecture a name refers to (see `resolve_model_reference`)."""
    return resolve_model_reference(name, allow_hub).model


def resolve_llm(name: str, allow_hub: bool | None = None) -> ModelArch:
    """Like resolve_model, for callers that need an LLM: a VLM gives its language backbone."""
    model = resolve_model(name, allow_hub)
    if isinstance(model, VisionLanguageArch):
        return model.language_model
    if not isinstance(model, ModelArch):
        raise UnknownNameError("LLM", name, [m.id for m in all_llms() if m.family == model.family])
    return model


def resolve_model_argument(value: str, allow_hub: bool | None = None) -> ModelReference:
    """For a CLI `--model` value: an existing file or directory path, else a model name."""
    path = Path(value)
    if path.is_file() or (path.is_dir() and (path / "config.json").is_file()):
        return ModelReference(value, load_model_config(path), "file")
    return resolve_model_reference(value, allow_hub)


__all__ = [
    "ModelReference",
    "UnmodelledModelError",
    "resolve_llm",
    "resolve_model",
    "resolve_model_argument",
    "resolve_model_reference",
]
