"""The weight format a checkpoint really ships in (`--weights auto`), and why.

A name decides the format in this order:

1. a format in the checkpoint name: `…-AWQ`, `…-GPTQ-Int4`, `…-FP8-dynamic`, `…-bnb-4bit`,
   a GGUF file's quant type (`…Q4_K_M.gguf`), an Ollama tag suffix (`:8b-instruct-q8_0`);
2. an Ollama tag without a suffix: the Ollama library's default build, Q4_K_M since the end of
   2024 (ollama/ollama#1543, 2024-12-29: "The default is now q4_k_m"), except for checkpoints
   published already quantised (gpt-oss: MXFP4), which Ollama ships in their own format;
3. a GGUF repository without a quant type in the name (`TheBloke/…-GGUF` holds one file per
   type): Q4_K_M, the type GGUF model cards recommend as the balanced choice;
4. run by llama.cpp (llama-server, llama-bench, LM Studio) and named without a format: the
   GGUF build llama.cpp itself fetches for a model named without a quant type, Q4_K_M
   (`-hf <user>/<model>[:quant]`: "quant is optional, default to Q4_K_M", common/arg.cpp),
   except for checkpoints published in a type GGUF holds as it is (gpt-oss: MXFP4);
5. the checkpoint's config.json: `quantization_config` (awq, gptq, fp8, compressed-tensors,
   bitsandbytes, mxfp4, modelopt), else `torch_dtype`.

Mixed formats are first-class: gpt-oss keeps attention, router and embeddings in bf16 and its
MoE experts in MXFP4; AWQ/GPTQ/FP8 keep embeddings and lm_head at 16 bits (see
`estimate.llm_shape`). Every choice carries a label and the reason it was made.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from gpuatlas.catalog.formats import (
    EXL2_TEMPLATE,
    EXL3_TEMPLATE,
    WeightFormat,
    all_formats,
    find_format,
    gguf_shorthand,
    template_format_id,
)
from gpuatlas.catalog.model_arch import AnyModelArch, ModelArch, VisionLanguageArch
from gpuatlas.catalog.model_names import ModelReference, resolve_model_argument
from gpuatlas.errors import InvalidRequestError

AUTO_WEIGHTS = "auto"
OLLAMA_DEFAULT_FORMAT = "q4_k_m"
OLLAMA_DEFAULT_SOURCE = "ollama/ollama#1543, 2024-12-29"
GGUF_REPOSITORY_FORMAT = "q4_k_m"
# llama.cpp's own default quant type when a model is named without one: common/arg.cpp, option
# -hf/--hf-repo "<user>/<model>[:quant]": "quant is optional, case-insensitive, default to
# Q4_K_M, or falls back to the first file in the repo if Q4_K_M doesn't exist" (ggml-org/
# llama.cpp, tools/server/README.md and tools/llama-bench/README.md print the same help).
LLAMA_CPP_DEFAULT_FORMAT = "q4_k_m"
# The names of llama.cpp and its tools (engines.toml, [[engine]] id "llama.cpp": names).
_LLAMA_CPP_NAMES = frozenset(
    {"llama.cpp", "llamacpp", "llama-cpp", "llama-server", "llama-bench", "llama-cli"}
)
_LLAMA_CPP_BUILD = re.compile(r"^b\d{3,6}$")  # 'b4426': llama.cpp numbers its builds
LLAMA_CPP_DEFAULT_SOURCE = (
    "llama.cpp's -hf <user>/<model>[:quant] takes Q4_K_M when no quant type is named "
    "(ggml-org/llama.cpp common/arg.cpp)"
)
UNSTATED_FORMAT = "fp16"
OLLAMA_ENGINE = "ollama"
# Published low-bit formats a GGUF file holds as they are (ggml's MXFP4 tensor type, added for
# gpt-oss): Ollama ships such checkpoints in their own format. ggml has no FP8 type, so an FP8
# checkpoint (DeepSeek V3/R1, Kimi K2) is in the Ollama library as its default Q4_K_M build.
GGUF_TENSOR_FORMATS = frozenset({"mxfp4"})
GGUF_ENGINE = "llama.cpp"
MLX_ENGINE = "mlx-lm"
MLX_FORMAT_PREFIX = "mlx-"
EXL2_ENGINE = "exllamav2"
EXL3_ENGINE = "exllamav3"
# Names whose format the answer cannot read from them: the reason, for the user to act on.
_BITRATE_NEEDED = {
    "EXL2": "{} is an EXL2 repository: its weights sit in one branch per bitrate; name the "
    "branch ('...-exl2:4.0bpw') or pass --weights exl2-4.0bpw",
    "EXL3": "{} is an EXL3 repository: its weights sit in one branch per bitrate; name the "
    "branch ('...-exl3:4.0bpw') or pass --weights exl3-4.0bpw",
}
# A name that states a format the catalog has no size for ('…-IQ1_S.gguf'): refused, not read
# as the 16-bit original.
_UNKNOWN_NAMED_FORMAT = (
    "{} names the weight format {}, which the catalog does not describe (no size per weight); "
    "pass --weights with a format it knows (gpuatlas formats)"
)
DEFAULT_ENGINE = "vllm"
# Formats a serving plan compares besides the native one: the 16-bit original and the two
# quantisations most served (FP8 where tensor cores run it, AWQ 4-bit), or for GGUF engines the
# two most downloaded GGUF types.
_SERVING_ALTERNATIVES = ("fp8", "awq-int4")
_GGUF_ALTERNATIVES = ("q8_0", "q4_k_m")


@dataclass(frozen=True)
class WeightsChoice:
    """The weight format assumed for a checkpoint: catalog id, label, and why."""

    format_id: str
    label: str
    reason: str
    engine: str | None = None  # the engine this kind of checkpoint is made for, if any

    def describe(self) -> str:
        """'weights: mxfp4 experts + bf16 (from the checkpoint's quantization_config)'."""
        return f"weights: {self.label} ({self.reason})"


def is_auto(weights: str) -> bool:
    return weights.strip().lower() in (AUTO_WEIGHTS, "native", "default")


def llm_of(model: AnyModelArch) -> ModelArch | None:
    """The language model of a model (a VLM's backbone), None for other kinds."""
    if isinstance(model, VisionLanguageArch):
        return model.language_model
    return model if isinstance(model, ModelArch) else None


MXFP4_FORMAT = "mxfp4"
# llama.cpp's GGUF file type MXFP4_MOE (llama-bench 'MXFP4 MoE'): every MoE model's routed
# experts in MXFP4, its other tensors and output layer in Q8_0 (formats.toml)
MXFP4_MOE_FORMAT = "mxfp4_moe"
MXFP4_GGUF_SOURCE = (
    "huggingface.co/unsloth/gpt-oss-20b-GGUF (files, read 2026-12-02): F16 13.8 GB, Q2_K, "
    "Q3_K_M and Q4_0 11.5 GB, Q4_K_M 11.6 GB, Q5_K_M 11.7 GB: every type keeps the experts"
)


def gguf_keeps_mxfp4_experts(model: ModelArch, weight_format: WeightFormat) -> bool:
    """A GGUF of an MXFP4 MoE checkpoint (gpt-oss) keeps the routed experts in MXFP4 whatever
    its quant type names: the type applies to attention, router and embeddings only
    (MXFP4_GGUF_SOURCE: the files differ by 0.2 GB from Q2_K to Q5_K_M)."""
    return (
        weight_format.family == "gguf" and model.is_moe and model.checkpoint_format == MXFP4_FORMAT
    )


def format_exists_for(model: AnyModelArch, format_id: str) -> bool:
    """Whether a file of this format exists for this architecture: llama.cpp's MXFP4_MOE file
    type quantises routed experts only (formats.toml), so a dense model has none (its file
    would be a Q8_0 file under another name)."""
    if format_id != MXFP4_MOE_FORMAT:
        return True
    llm = llm_of(model)
    return llm is not None and llm.is_moe


def format_label(model: AnyModelArch, format_id: str) -> str:
    """How a format is laid out in this model: 'mxfp4 experts + bf16', 'awq-int4 + fp16
    embeddings', 'q4_k_m (GGUF)'; plain formats are their id."""
    weight_format = find_format(format_id)
    llm = llm_of(model)
    if weight_format is None:
        return format_id
    if weight_format.id == "mxfp4" and llm is not None and llm.is_moe:
        return "mxfp4 experts + bf16 (attention, router, embeddings)"
    if weight_format.id == MXFP4_MOE_FORMAT and llm is not None and llm.is_moe:
        return "mxfp4 experts + q8_0 (attention, router, embeddings, output; GGUF)"
    if llm is not None and gguf_keeps_mxfp4_experts(llm, weight_format):
        return f"{weight_format.id} (GGUF) + mxfp4 experts (kept as published)"
    if weight_format.family == "gguf":
        return f"{weight_format.id} (GGUF)"
    if weight_format.quantizes_embeddings:
        return f"{weight_format.id} (embeddings and output layer included)"
    if weight_format.bits_per_weight < 16 and llm is not None:
        return f"{weight_format.id} linear layers + 16-bit embeddings"
    return weight_format.id


def _engine_for(weight_format: WeightFormat | None, matched_by: str) -> str | None:
    if matched_by == "ollama_tag":
        return OLLAMA_ENGINE
    if weight_format is not None and weight_format.family == "gguf":
        return GGUF_ENGINE
    if weight_format is not None and weight_format.id.startswith(MLX_FORMAT_PREFIX):
        return MLX_ENGINE  # an mlx-community conversion is made for mlx-lm
    template = template_format_id(weight_format.id) if weight_format is not None else ""
    if template == EXL2_TEMPLATE:
        return EXL2_ENGINE  # an EXL2 checkpoint is made for ExLlamaV2
    if template == EXL3_TEMPLATE:
        return EXL3_ENGINE  # and an EXL3 one for ExLlamaV3
    return None


def _choice(model: AnyModelArch, format_id: str, reason: str, matched_by: str) -> WeightsChoice:
    return WeightsChoice(
        format_id,
        format_label(model, format_id),
        reason,
        _engine_for(find_format(format_id), matched_by),
    )


def _config_format(model: AnyModelArch) -> tuple[str, str]:
    """(format id, reason) from the checkpoint's config.json."""
    llm = llm_of(model)
    found = llm.checkpoint_format if llm is not None else ""
    if found and find_format(found) is not None:
        if found in ("fp16", "bf16", "fp32"):
            return found, "from the checkpoint's torch_dtype"
        return found, "from the checkpoint's quantization_config"
    return UNSTATED_FORMAT, "the config states no dtype; fp16 assumed"


def _ollama_default(model: AnyModelArch) -> tuple[str, str]:
    native, _ = _config_format(model)
    native_format = find_format(native)
    if (
        native_format is not None
        and native_format.bits_per_weight < 16
        and (native_format.family == "gguf" or native in GGUF_TENSOR_FORMATS)
    ):
        return native, "the Ollama library ships this checkpoint in its published format"
    if model.ollama_default_format:
        return model.ollama_default_format, (
            f"the Ollama library's default build of this model, {model.ollama_default_source}"
        )
    return OLLAMA_DEFAULT_FORMAT, f"the Ollama library's default build, {OLLAMA_DEFAULT_SOURCE}"


def _gguf_default(model: AnyModelArch) -> tuple[str, str]:
    """(format id, reason) of a checkpoint run by llama.cpp when named without a format."""
    native, _ = _config_format(model)
    if native in GGUF_TENSOR_FORMATS:
        return native, "its GGUF files keep the checkpoint's published format"
    return LLAMA_CPP_DEFAULT_FORMAT, LLAMA_CPP_DEFAULT_SOURCE


def runs_llama_cpp(engine: str | None) -> bool:
    """An engine text naming llama.cpp itself ('llama.cpp', 'llama.cpp b6000', 'llama-server',
    'llama-bench', 'llama.cpp-vulkan', 'llama.cpp metal', a bare build 'b4426'): the names
    engines.toml gives the llama.cpp profiles (tests/catalog check both agree). Ollama is its
    own engine (`runs_ollama`); front ends (LM Studio) are not read here."""
    words = re.sub(r"[(),;:@]|==", " ", engine or "").strip().lower().split()
    if not words:
        return False
    first = words[0].replace("_", "-")
    if _LLAMA_CPP_BUILD.match(first):
        return True
    if len(words) > 1 and f"{first}-{words[1]}" in _LLAMA_CPP_NAMES:  # 'llama cpp'
        return True
    return first in _LLAMA_CPP_NAMES or first.startswith("llama.cpp-")


def runs_ollama(engine: str | None) -> bool:
    """An engine written as Ollama ('ollama', 'Ollama 0.12', 'ollama-metal', 'ollama-vulkan')."""
    words = (engine or "").strip().lower().split()
    return bool(words) and words[0].startswith(OLLAMA_ENGINE)


def native_weights(reference: ModelReference, engine: str | None = None) -> WeightsChoice:
    """The format the named checkpoint ships in, with the reason (see the module docstring).
    Run by Ollama, a checkpoint named without a format is the Ollama library's build of it
    (`ollama run` pulls the library's default tag), not the Hub's 16-bit files."""
    model, matched_by = reference.model, reference.matched_by
    if (
        runs_ollama(engine)
        and matched_by != "ollama_tag"
        and reference.format_id is None
        and reference.format_hint is None
    ):
        format_id, reason = _ollama_default(model)
        return _choice(model, format_id, f"run by Ollama: {reason}", "ollama_tag")
    if runs_llama_cpp(engine) and reference.format_id is None and reference.format_hint is None:
        format_id, reason = _gguf_default(model)
        return _choice(model, format_id, f"run by llama.cpp: {reason}", matched_by)
    if reference.format_id is not None:
        where = "the Ollama tag" if matched_by == "ollama_tag" else "the checkpoint name"
        return _choice(
            model, reference.format_id, f"from {where}: {reference.format_hint}", matched_by
        )
    if matched_by == "ollama_tag":
        return _choice(model, *_ollama_default(model), matched_by)
    if reference.format_hint in _BITRATE_NEEDED:
        raise InvalidRequestError([_BITRATE_NEEDED[reference.format_hint].format(reference.name)])
    if reference.format_hint == "GGUF":
        return WeightsChoice(
            GGUF_REPOSITORY_FORMAT,
            format_label(model, GGUF_REPOSITORY_FORMAT),
            "a GGUF repository holds one file per type; Q4_K_M assumed, the "
            "type its model cards recommend",
            GGUF_ENGINE,
        )
    if reference.format_hint is not None:  # a format the name states but the catalog lacks
        raise InvalidRequestError(
            [_UNKNOWN_NAMED_FORMAT.format(reference.name, reference.format_hint)]
        )
    return _choice(model, *_config_format(model), matched_by)


def native_weights_for(
    name: str, allow_hub: bool | None = None, engine: str | None = None
) -> WeightsChoice:
    """`native_weights` for a name people write (a config.json path, library name, Hub id)."""
    return native_weights(resolve_model_argument(name, allow_hub), engine)


def engine_build_weights(reference: ModelReference, engine: str | None) -> WeightsChoice | None:
    """The build Ollama or llama.cpp runs for a checkpoint named without a format (as
    `native_weights` with that engine: the Ollama library's default tag, llama.cpp's Q4_K_M);
    None for any other engine, whose answer keeps the checkpoint's own format."""
    if not (runs_ollama(engine) or runs_llama_cpp(engine)):
        return None
    return native_weights(reference, engine)


# A bit width written with no format ('4-bit', '4bit', '4 bits', '8-bit'): what it means
# depends on the engine (`width_choice`).
_BARE_WIDTH = re.compile(r"^(\d{1,2})[\s_\-]*bits?$", re.IGNORECASE)
_GGUF_WIDTH = re.compile(r"^i?q(\d)_")  # 'q4_k_m', 'iq4_xs': ggml's type names lead with it
MLX_WIDTH_SOURCE = (
    "mlx-lm's own word for its quantisation: mlx_lm.convert -q --q-bits {bits}, affine, group "
    "size 64 (ml-explore/mlx-lm mlx_lm/convert.py), the '-{bits}bit' of mlx-community's "
    "checkpoints"
)
TRANSFORMERS_ENGINE = "transformers"
BNB_INT8_FORMAT = "bnb-int8"
# transformers' BitsAndBytesConfig: load_in_4bit's bnb_4bit_quant_type "defaults to 'fp4'"
# (transformers docs, main_classes/quantization, BitsAndBytesConfig); NF4 is QLoRA's choice and
# the one '-bnb-4bit' checkpoints set. The catalog describes NF4 only.
_BNB_4BIT_REFUSAL = (
    "'{written}' on transformers is bitsandbytes' load_in_4bit, whose default type is FP4 "
    "(BitsAndBytesConfig bnb_4bit_quant_type='fp4'), which the catalog does not describe; "
    "pass --weights nf4 if the run set bnb_4bit_quant_type='nf4' (QLoRA's type)"
)


def bare_width(weights: str) -> int | None:
    """The bit width of a name that states only a width ('4-bit', '4bit', '8 bits'), else
    None."""
    found = _BARE_WIDTH.match(weights.strip())
    return int(found.group(1)) if found else None


_GGUF_STYLE_WIDTH = re.compile(r"^[qQ]([2-8])$")


def _gguf_style_width(weights: str) -> int | None:
    """The width of a GGUF-style shorthand with no type ('Q4', 'q8'), as MLX benchmark tables
    write mlx-lm's N-bit quantisation; else None."""
    found = _GGUF_STYLE_WIDTH.match(weights.strip())
    return int(found.group(1)) if found else None


def gguf_width_formats(bits: int) -> list[str]:
    """The GGUF types of a bit width, as ggml names them ('q4_0', 'q4_k_m', 'iq4_xs' for 4)."""
    found: list[str] = []
    for weight_format in all_formats():
        width = _GGUF_WIDTH.match(weight_format.id)
        if weight_format.family == "gguf" and width and int(width.group(1)) == bits:
            found.append(weight_format.id)
    return found


def width_formats(bits: int) -> list[str]:
    """The catalog's formats of a bit width: the GGUF types its name states ('q4_1'), the
    others by their bits per weight (4.5 counts as 4: scales are not the width)."""
    others = [
        weight_format.id
        for weight_format in all_formats()
        if weight_format.family != "gguf" and int(weight_format.bits_per_weight) == bits
    ]
    return [*others, *gguf_width_formats(bits)]


def runs_mlx_lm(engine: str | None) -> bool:
    """An engine text naming mlx-lm or an MLX engine ('mlx-lm', 'mlx_lm 0.26', 'mlx-engine',
    'LM Studio (MLX engine)'), or one of mlx-lm's programs ('mlx_lm.server', 'mlx_lm.benchmark')."""
    words = re.split(r"[\s(),;:@]+", (engine or "").strip().lower())
    names = ("mlx", "mlx-lm", "mlx-engine")
    return any(word.replace("_", "-").split(".")[0] in names for word in words)


def runs_gguf_engine(engine: str | None) -> bool:
    """llama.cpp, Ollama, or LM Studio running llama.cpp (an LM Studio text naming no MLX)."""
    text = (engine or "").strip().lower()
    lm_studio = text.replace(" ", "").startswith("lmstudio") and not runs_mlx_lm(engine)
    return runs_llama_cpp(engine) or runs_ollama(engine) or lm_studio


def width_choice(
    weights: str,
    reference: ModelReference,
    engine: str | None,
    engine_formats: Sequence[str] | None = None,
) -> WeightsChoice | None:
    """The format a bare bit width ('4-bit', '4bit') names, decided only where it is not
    ambiguous, else an InvalidRequestError listing the formats it could be. None when
    `weights` is not a bare width, or the engine is not known yet ('auto': the caller asks
    again with the engine it picks).

    1. A checkpoint whose name carries a format of that width ('…-4bit' from mlx-community,
       '…Q4_K_M.gguf'): that format, the one the named files hold.
    2. mlx-lm: its own affine N-bit quantisation (mlx-Nbit, group size 64).
    3. llama.cpp, Ollama, LM Studio: the GGUF type when the width has one (8: q8_0, 6: q6_k);
       a width with several (4: q4_0, q4_1, q4_k_s, q4_k_m, iq4_xs, iq4_nl) is refused with
       them: a '4-bit' GGUF may be any of them.
    4. transformers: bitsandbytes' load_in_8bit (LLM.int8(), bnb-int8); load_in_4bit is
       refused (its default FP4 type is not in the catalog).
    5. Any other engine: the catalog's alias if the width is one ('8bit': bnb-int8), else
       refused with the formats of that width (those in `engine_formats`, the formats the
       engine loads, when the caller knows them)."""
    bits = bare_width(weights)
    if bits is None and engine is not None and runs_mlx_lm(engine):
        bits = _gguf_style_width(weights)  # 'Q4' in an MLX table: mlx-lm loads no GGUF type
    if bits is None:
        return None
    own = find_format(reference.format_id) if reference.format_id is not None else None
    if own is not None and int(own.bits_per_weight) == bits:
        reason = (
            f"{weights} read as the checkpoint's own {bits}-bit format (its name states {own.id})"
        )
        return _choice(reference.model, own.id, reason, reference.matched_by)
    if engine is None or engine.strip().lower() == AUTO_WEIGHTS:
        return None
    if runs_mlx_lm(engine) and find_format(f"{MLX_FORMAT_PREFIX}{bits}bit") is not None:
        format_id = f"{MLX_FORMAT_PREFIX}{bits}bit"
        reason = f"{weights} on mlx-lm read as {format_id}: {MLX_WIDTH_SOURCE.format(bits=bits)}"
        return WeightsChoice(
            format_id, format_label(reference.model, format_id), reason, MLX_ENGINE
        )
    if runs_gguf_engine(engine):
        candidates = gguf_width_formats(bits)
        if len(candidates) == 1:
            reason = f"{weights} on {engine} read as {candidates[0]}, the one {bits}-bit GGUF type"
            return _choice(reference.model, candidates[0], reason, reference.matched_by)
        raise InvalidRequestError([_width_refusal(weights, f"{engine}'s GGUF", candidates)])
    if engine.strip().lower().startswith(TRANSFORMERS_ENGINE):
        if bits == 8:
            reason = (
                f"{weights} on transformers read as bnb-int8: bitsandbytes' load_in_8bit "
                "(LLM.int8())"
            )
            return _choice(reference.model, BNB_INT8_FORMAT, reason, reference.matched_by)
        if bits == 4:
            raise InvalidRequestError([_BNB_4BIT_REFUSAL.format(written=weights)])
    if find_format(weights) is not None:
        return None  # a width the catalog names as a format ('8bit': bitsandbytes' LLM.int8())
    candidates = width_formats(bits)
    if engine_formats is not None:
        loaded = set(engine_formats)
        candidates = [c for c in candidates if c in loaded or template_format_id(c) in loaded]
        raise InvalidRequestError([_width_refusal(weights, f"{engine}'s", candidates)])
    raise InvalidRequestError([_width_refusal(weights, "the catalog's", candidates)])


def _width_refusal(weights: str, whose: str, candidates: list[str]) -> str:
    bits = bare_width(weights)
    if not candidates:
        return (
            f"'{weights}' names a bit width, not a format; {whose} formats have no {bits}-bit one"
        )
    return (
        f"'{weights}' names a bit width, not a format; {whose} {bits}-bit formats: "
        f"{', '.join(candidates)}; pass one with --weights"
    )


def choose_weights(
    weights: str,
    reference: ModelReference,
    engine: str | None = None,
    engine_formats: Sequence[str] | None = None,
) -> WeightsChoice:
    """The format for a `--weights` value: 'auto' is the native format, a name is the user's
    (a bare width, '4-bit', as the engine reads it: `width_choice`)."""
    if is_auto(weights):
        return native_weights(reference, engine)
    by_width = width_choice(
        weights, reference, engine, engine_formats
    )  # '4-bit': what it means on the engine
    if by_width is not None:
        return by_width
    found = find_format(weights)
    shorthand = gguf_shorthand(weights) if found is None else None
    if shorthand is not None:  # '--weights Q6': the ggml type it stands for, said
        found = find_format(shorthand[0])
    format_id = found.id if found is not None else weights
    label = format_label(reference.model, format_id)
    reason = f"as requested: {weights} read as {shorthand[1]}" if shorthand else "as requested"
    return WeightsChoice(format_id, label, reason, _engine_for(found, ""))


def choose_engine(engine: str, choice: WeightsChoice) -> str:
    """An `--engine auto` value: the engine the checkpoint is made for, else vLLM."""
    if engine.strip().lower() != AUTO_WEIGHTS:
        return engine
    return choice.engine or DEFAULT_ENGINE


def formats_worth_considering(native: WeightsChoice, engine_formats: tuple[str, ...]) -> list[str]:
    """The native format first, then the alternatives a deployment would weigh that the engine
    loads: FP8 and AWQ for a 16-bit checkpoint; the 16-bit original for one published already
    quantised (no re-quantisation of quantised weights); Q8_0 and Q4_K_M for GGUF."""
    native_format = find_format(native.format_id)
    gguf = native_format is not None and native_format.family == "gguf"
    quantised = native_format is not None and native_format.bits_per_weight < 16
    if gguf:
        alternatives: tuple[str, ...] = _GGUF_ALTERNATIVES
    elif quantised:  # published already quantised (gpt-oss MXFP4, an AWQ repo): vs its original
        alternatives = ("bf16",)
    else:
        alternatives = _SERVING_ALTERNATIVES
    ordered = [native.format_id, *alternatives]
    chosen: list[str] = []
    for format_id in ordered:
        if format_id in engine_formats and format_id not in chosen:
            chosen.append(format_id)
    return chosen or [native.format_id]


def first_format_that_fits(
    candidates: Iterable[str], fits: Callable[[str], bool], *, besides: str
) -> str | None:
    """The first candidate format, other than the one asked for (`besides`), for which `fits`
    holds: the format an answer names when the one asked for does not fit (fit's verdict, a
    comparison's LLM section). Each distinct candidate is tried once, in order; None when none
    fits."""
    return next(
        (
            format_id
            for format_id in dict.fromkeys(candidates)
            if format_id != besides and fits(format_id)
        ),
        None,
    )


__all__ = [
    "AUTO_WEIGHTS",
    "WeightsChoice",
    "choose_engine",
    "choose_weights",
    "bare_width",
    "width_choice",
    "engine_build_weights",
    "first_format_that_fits",
    "format_label",
    "formats_worth_considering",
    "is_auto",
    "llm_of",
    "native_weights",
    "native_weights_for",
    "runs_llama_cpp",
    "runs_ollama",
]
