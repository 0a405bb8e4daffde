"""The base of every request model, and parsing that reports every bad field at once."""

from __future__ import annotations

import difflib
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, ClassVar, TypeVar

from pydantic import AliasChoices, BaseModel, BeforeValidator, ConfigDict, Field, ValidationError
from pydantic.config import JsonDict

from gpuatlas.catalog.formats import resolve_kv_cache_precision
from gpuatlas.catalog.model_weights import WeightsChoice, bare_width, choose_weights, is_auto
from gpuatlas.catalog.models import resolve_model_argument, resolve_model_reference
from gpuatlas.catalog.systems import GpuSystem, resolve_system
from gpuatlas.economics.slo import MIN_RPS, Slo
from gpuatlas.errors import GpuAtlasError, InvalidRequestError
from gpuatlas.numbers import format_given
from gpuatlas.performance.engine_specs import (
    engine_text_profile,
    formats_on,
    gguf_runner_text,
    resolve_engine_on,
)
from gpuatlas.performance.llm.host_memory import with_host_ram
from gpuatlas.performance.platform_engines import auto_engine
from gpuatlas.performance.resolve import SystemArg, as_format, as_system

if TYPE_CHECKING:
    from gpuatlas.economics.slo import Slo

RequestT = TypeVar("RequestT", bound="AnswerRequest")
PATH_MARKS = ("..", "~", "\\")
DEFAULT_TIERS: tuple[str, ...] = ("on-demand", "community")
DEFAULT_GPU_COUNTS: tuple[int, ...] = (1, 2, 4, 8)


class AnswerRequest(BaseModel):
    """A request as people state it; unknown fields are refused (a typo never goes unseen)."""

    model_config = ConfigDict(
        extra="forbid", str_strip_whitespace=True, frozen=True, allow_inf_nan=False
    )
    # Its model, weights and engine name an LLM, a format and an LLM engine (fit, predict llm,
    # serving, plan); diffusion, vision and OCR models resolve through their own catalogs.
    names_an_llm: ClassVar[bool] = False


HOST_RAM_HELP = (
    "GB of RAM in the machine, the limit for llama.cpp/Ollama layers or MoE experts kept on "
    "the CPU; none: a named system's own, else 32 GB for a desktop card and 256 GB per "
    "data-center GPU (stated in the answer)."
)


def system_on_host(system: str, host_ram_gb: float | None) -> str | GpuSystem:
    """The system as named, or with the machine's RAM stated (--host-ram-gb)."""
    if host_ram_gb is None:
        return system
    return with_host_ram(as_system(system), host_ram_gb)


class SystemModelRequest(AnswerRequest):
    """A request about one model on one GPU or system."""

    system: str = Field(
        min_length=1,
        max_length=100,
        examples=["rtx-4090"],
        description="GPU or system, e.g. 'rtx-4090' or '4x h100-sxm'.",
    )
    model: str = Field(
        min_length=1,
        max_length=200,
        examples=["llama-3.1-8b"],
        description="Model name, Hub id or Ollama tag.",
    )


class ServedModelRequest(SystemModelRequest):
    """A model served by an LLM engine on one system: its weight format and engine, both chosen
    for the checkpoint and the platform unless named."""

    names_an_llm: ClassVar[bool] = True

    weights: str = Field(
        "auto",
        min_length=1,
        max_length=40,
        description="Weight format; auto: the checkpoint's own.",
    )
    engine: str = Field(
        "auto",
        min_length=1,
        max_length=120,
        description="Inference engine; auto: the checkpoint's own (Ollama for Ollama tags, "
        "llama.cpp for GGUF), else the system's usual one.",
    )
    host_ram_gb: float | None = Field(
        None,
        gt=0,
        le=1_000_000,
        description=HOST_RAM_HELP,
    )


KV_CACHE_HELP = (
    "KV-cache precision (fp16, fp8, q8_0); auto: what the engine picks for the weights "
    "(TensorRT-LLM: fp8 for FP8/NVFP4 checkpoints; else fp16)."
)
NUM_CTX_HELP = (
    "Ollama/llama.cpp context allocated per sequence (OLLAMA_CONTEXT_LENGTH / -c); default: "
    "the engine's default for its version and GPU memory."
)
DEPTH_HELP = (
    "Tokens already in each sequence's KV cache when the prompt arrives (llama-bench -d, "
    "'pp512 @ d8192'; a conversation's earlier turns the server still holds): the prompt "
    "attends to them and decode runs after them. Default 0."
)
FLASH_ATTENTION_HELP = (
    "llama.cpp/Ollama flash attention (-fa / --flash-attn, OLLAMA_FLASH_ATTENTION): auto, the "
    "build's default; on; off. Library engines (vLLM, SGLang, …) fuse attention either way."
)
PARALLEL_HELP = (
    "Ollama/llama.cpp request slots per replica (OLLAMA_NUM_PARALLEL / llama-server "
    "--parallel): more concurrent requests wait in its queue; default: the release's "
    "(Ollama 0.10+: 1; llama-server since late 2025: 4)."
)
# the precisions a training run is predicted in: mixed precision (bf16, fp16), full fp32, and
# fp8 (Transformer Engine); tf32 is fp32 storage with tf32 matmuls, not a format to ask for
TRAINING_PRECISIONS = ("bf16", "fp16", "fp32", "fp8")
TRAINING_FRAMEWORK_HELP = (
    "Training framework as written: pytorch (FSDP, torchtitan, torchtune), megatron "
    "(Megatron-LM, NeMo), hf-trainer, deepspeed, unsloth, axolotl, maxtext."
)


class TrainingFrameworkChoice(AnswerRequest):
    """The training framework of an answer about training (predict train, cost of training),
    parsed once: a name as users write it ('NeMo 24.07', 'unsloth'); unknown names list the
    close matches."""

    framework: str = Field(
        "pytorch", min_length=1, max_length=60, description=TRAINING_FRAMEWORK_HELP
    )


def split_list(value: Any) -> Any:
    """'fp16, Q4_K_M' → ['fp16', 'Q4_K_M'] (a form field); a list's text items are split the
    same way (the CLI's `--weights awq,q4_k_m`), other items pass through."""
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    if isinstance(value, list | tuple):
        return [part for item in value for part in _split_item(item)]
    return value


def _split_item(item: Any) -> list[Any]:
    return split_list(item) if isinstance(item, str) else [item]  # type: ignore[no-any-return]


TextList = Annotated[list[str], BeforeValidator(split_list)]
# Lower limits documented in the schema; the economics layer reports them with the rest.
CHECKED_MINIMUM: JsonDict = {"minimum": 1}
CHECKED_POSITIVE: JsonDict = {"exclusiveMinimum": 0}
GpuCount = Annotated[int, Field(le=1024, json_schema_extra=CHECKED_MINIMUM)]
CountList = Annotated[list[GpuCount], BeforeValidator(split_list)]
FloatList = Annotated[list[float], BeforeValidator(split_list)]


# The request rate was `requests_per_s` before plan/2 and fleet/2: the old name is still read,
# for one version, so that saved links and scripts keep working (CHANGELOG.md).
OLD_RPS_NAME = "requests_per_s"


def serving_engine_field() -> Any:
    """The `engine` field of a priced serving request (cost, plan, fleet): resolved per GPU."""
    return Field(
        "auto",
        min_length=1,
        max_length=120,
        description="Serving engine; auto: the checkpoint's own (Ollama tags, GGUF), else "
        "the one people run on each GPU (llama.cpp on a Mac, vLLM on NVIDIA).",
    )


MEAN_OUTPUT_TOKENS_HELP = (
    "Requests that stop at end-of-sequence before output_tokens (a client without "
    "--ignore-eos): the tokens each generates on average, from 1 to output_tokens, which is "
    "then their cap; served as requests of this mean length, as `predict serving` costs a "
    "steady stream. None: every request generates all output_tokens."
)


def mean_output_tokens_field() -> Any:
    """The `mean_output_tokens` field of a priced serving request (cost, plan, fleet); its
    range against output_tokens is checked by the economics layer with the other limits."""
    return Field(
        None,
        le=1_000_000,
        json_schema_extra=CHECKED_MINIMUM,
        description=MEAN_OUTPUT_TOKENS_HELP,
    )


def arrival_rate_field(description: str, example: float) -> Any:
    """The `rps` field of a serving request (requests per second, as the `--rps` option)."""
    return Field(
        validation_alias=AliasChoices("rps", OLD_RPS_NAME),
        le=100_000,
        examples=[example],
        json_schema_extra={"minimum": MIN_RPS},
        description=f"{description} ({OLD_RPS_NAME}, its name before schema version 2, "
        "is accepted until the next version).",
    )


class LatencyTargets(AnswerRequest):
    """p95 latency targets of a serving answer (none given: the sustainable rate).

    Lower limits the economics layer checks itself (it words them for people and reports them
    with every other problem at once) are documented in the schema, not enforced twice."""

    p95_ttft_ms: float | None = Field(
        None,
        le=3_600_000,
        examples=[1000.0],
        json_schema_extra=CHECKED_POSITIVE,
        description="p95 time-to-first-token target, ms.",
    )
    p95_tpot_ms: float | None = Field(
        None,
        le=3_600_000,
        examples=[100.0],
        json_schema_extra=CHECKED_POSITIVE,
        description="p95 time-per-output-token target, ms.",
    )
    p95_e2e_ms: float | None = Field(
        None,
        le=36_000_000,
        json_schema_extra=CHECKED_POSITIVE,
        description="p95 end-to-end latency target, ms.",
    )

    def slo(self) -> Slo:
        return Slo(self.p95_ttft_ms, self.p95_tpot_ms, self.p95_e2e_ms)


class OfferChoice(AnswerRequest):
    """Which cloud offers an economics answer prices against."""

    providers: TextList = Field(
        default_factory=list, max_length=50, description="Only these providers; none: all."
    )
    tiers: TextList = Field(
        list(DEFAULT_TIERS),
        min_length=1,
        max_length=4,
        description="Price tiers: on-demand, community, spot, reserved.",
    )


def field_default(kind: type[AnswerRequest], name: str) -> Any:
    """A request field's default (the CLI's option default: defaults live in the model)."""
    return kind.model_fields[name].get_default(call_default_factory=True)


def parse_request(kind: type[RequestT], values: Mapping[str, Any]) -> RequestT:
    """The request from loose values (query parameters, options); every problem at once.

    Empty strings count as "not given", so the model's default applies."""
    cleaned = {key: value for key, value in values.items() if value != ""}
    try:
        request = kind.model_validate(cleaned)
    except ValidationError as error:
        failed = {str(issue["loc"][0]) for issue in error.errors() if issue["loc"]}
        problems = [_problem(issue, kind) for issue in error.errors()]
        problems += _name_problems(kind, cleaned, failed)
        problems += _checked_limit_problems(kind, cleaned, failed)
        raise InvalidRequestError(list(dict.fromkeys(problems))) from None
    if kind.names_an_llm:  # several unknown names: all at once ('rtx-4909', 'q9_k', 'fp7')
        unknown = _name_problems(kind, cleaned, set())
        if len(unknown) > 1:  # one alone is the answer's own error, in its own words
            raise InvalidRequestError(list(dict.fromkeys(unknown)))
    return request


def _name_problems(
    kind: type[AnswerRequest], values: Mapping[str, Any], failed: set[str]
) -> list[str]:
    """The unknown names of a request whose numbers are already refused, with their close
    matches, so that every problem comes at once ('-c 0' and the GPU '4090x' in one answer,
    not the number first and the name on the next try). Catalog look-ups only: a Hub id
    ('org/name') or a path is left to the answer, which may fetch or read it."""
    fields = kind.model_fields
    checks: list[tuple[Callable[[str], object], str]] = []
    for field in ("system", "gpus", "a", "b"):  # a and b: the two sides of a comparison
        if field in fields and field not in failed:
            checks += [(resolve_system, name) for name in _names(values.get(field))]
    llm = kind.names_an_llm
    if llm and "model" not in failed:
        checks += [
            (_catalog_model, name)
            for name in _names(values.get("model"))
            if "/" not in name and "\\" not in name and not name.lower().endswith(".gguf")
        ]
    if llm and "weights" in fields and "weights" not in failed:
        checks += [
            (as_format, name)
            for name in _names(values.get("weights"))
            if not is_auto(name) and name.lower() != "all" and bare_width(name) is None
        ]
    if llm and "kv_cache" in fields and "kv_cache" not in failed:
        checks += [(resolve_kv_cache_precision, name) for name in _names(values.get("kv_cache"))]
    if llm and "engine" in fields and "engine" not in failed:
        checks += [
            (engine_text_profile, name)
            for name in _names(values.get("engine"))
            if name.lower() != "auto"
        ]
    found: list[str] = []
    for resolve, name in checks:
        try:
            resolve(name)
        except GpuAtlasError as error:
            found.append(str(error))
        except (OSError, ValueError):  # not a name to judge here (a path too long): the answer's
            continue
    return found


def _checked_limit_problems(
    kind: type[AnswerRequest], values: Mapping[str, Any], failed: set[str]
) -> list[str]:
    """The limits the answer layer checks (CHECKED_POSITIVE, CHECKED_MINIMUM fields) of a
    request whose other fields are already refused, so that they come in the same answer
    ('--burstiness -1' beside an unknown '--length-dist'), in the answer layer's words."""
    problems = []
    for name, field in kind.model_fields.items():
        extra = field.json_schema_extra
        if name in failed or name not in values or not isinstance(extra, dict):
            continue
        try:
            value = float(values[name])
        except (TypeError, ValueError):
            continue
        if extra.get("exclusiveMinimum") == 0 and not value > 0:
            problems.append(f"{name}: must be > 0, got {format_given(value)}")
        elif isinstance(minimum := extra.get("minimum"), int | float) and value < minimum:
            problems.append(f"{name}: must be ≥ {format_given(minimum)}, got {format_given(value)}")
    return problems


def _catalog_model(name: str) -> object:
    """The library model a name resolves to, never fetched from the Hub."""
    return resolve_model_reference(name, allow_hub=False)


def _names(value: Any) -> list[str]:
    """The names a field's value holds: one text, a comma list, or a list of texts."""
    listed = split_list(value) if value is not None else []
    return [item.strip() for item in listed if isinstance(item, str) and item.strip()]


def _problem(issue: Any, kind: type[AnswerRequest]) -> str:
    where = ".".join(str(part) for part in issue["loc"]) or "request"
    if issue["type"] == "extra_forbidden" and where == OLD_RPS_NAME:  # given beside rps
        return f"{where}: the old name of rps, given beside it: give rps alone"
    if issue["type"] == "extra_forbidden":  # a misspelt parameter: name the close ones
        known = list(kind.model_fields)
        close = difflib.get_close_matches(where, known, n=3, cutoff=0.6)
        hint = f"did you mean {', '.join(close)}?" if close else f"known: {', '.join(known)}"
        return f"{where}: not a parameter of this request ({hint})"
    return f"{where}: {str(issue['msg']).removeprefix('Value error, ')}"


def weights_and_engine(
    weights: str, reference: Any, engine: str, system: SystemArg
) -> tuple[WeightsChoice, str]:
    """The format and the engine a request runs: `--engine auto` from the checkpoint and the
    GPU, then the format again with that engine (run by Ollama, a checkpoint named without a
    format is the Ollama library's build)."""
    names_known_together([weights], engine, system)
    # a bare width ('4-bit') is read once the engine is known, with the formats it loads
    choice = choose_weights(weights, reference, None if bare_width(weights) else engine)
    engine_id = auto_engine(engine, choice.engine, system)
    formats = _formats_of(engine_id, system)
    return choose_weights(weights, reference, gguf_runner_text(engine_id), formats), engine_id


def _formats_of(engine: str, system: SystemArg) -> tuple[str, ...] | None:
    """The formats an engine loads on the system's GPU (a bare width's candidates), or None
    where the engine does not resolve (its own error comes where it is resolved)."""
    try:
        gpu = as_system(system).gpu
        return formats_on(resolve_engine_on(engine, gpu), gpu)
    except GpuAtlasError:
        return None


def names_known_together(weights: Sequence[str], engine: str, system: object) -> None:
    """An unknown weight format and an unknown engine in one answer, each with its close
    matches ('--engine vlm --weights q4km' named the engine, and the format only on the next
    try); one unknown name alone is raised where it is resolved, as before."""
    checks: list[Callable[[], object]] = []
    for name in (part.strip() for text in weights for part in text.split(",") if part.strip()):
        if not is_auto(name) and name.strip().lower() != "all" and bare_width(name) is None:
            checks.append(lambda name=name: as_format(name))  # type: ignore[misc]
    if engine.strip().lower() != "auto":
        checks.append(lambda: resolve_engine_on(engine, as_system(system).gpu))  # type: ignore[arg-type]
    found: list[str] = []
    for check in checks:
        try:
            check()
        except GpuAtlasError as error:
            found.append(str(error))
    if len(found) > 1:
        raise InvalidRequestError(found)


def system_model_reference(system: str, name: str, local_files: bool) -> Any:
    """`model_reference(name)`, after checking that the system resolves too: a request whose
    GPU and model are both unknown gets both problems at once, each with its close matches
    ('4090x' and 'qwen3:30b-a3' in one answer, not the GPU's alone and then the model's); one
    problem alone is raised as it is."""
    found: list[GpuAtlasError] = []
    reference = None
    try:
        resolve_system(system)
    except GpuAtlasError as error:
        found.append(error)
    try:
        reference = model_reference(name, local_files)
    except GpuAtlasError as error:
        found.append(error)
    if len(found) == 1:
        raise found[0]
    if found:
        raise InvalidRequestError([str(error) for error in found])
    return reference


def model_reference(name: str, local_files: bool) -> Any:
    """A model name resolved for an answer.

    ``local_files`` (the CLI) also accepts a config.json path or a Hub id; without it (the
    web) only names of the model library resolve, and anything that looks like a path is
    refused before it reaches the file system."""
    if local_files:
        return resolve_model_argument(name)
    if _looks_like_path(name):
        raise InvalidRequestError(
            [
                f"model: {name!r} looks like a file path; the web app "
                "answers for models of the library (see `gpuatlas models`)"
            ]
        )
    return resolve_model_reference(name, allow_hub=False)


def _looks_like_path(name: str) -> bool:
    return (
        name.endswith(".json")
        or name.startswith(".")
        or Path(name).is_absolute()
        or any(mark in name for mark in PATH_MARKS)
    )
