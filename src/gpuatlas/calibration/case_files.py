"""Batch mode: many cases as rows of text fields in, the same rows with predictions out.

Columns: gpu, gpu_count, model, weights, engine, batch, input_tokens, output_tokens, metric,
and optionally resolution, steps, kv_cache, variant (torch.compile, denoise-loop, ...; on a
training row only the words the training model reads, joined with '+' or spaces:
calibration/case_training.py), layout (serving on several GPUs: 'auto', the fastest split into
replicas and tensor-parallel groups, the default as in `predict serving`; 'tensor', one
tensor-parallel replica over them) and gradient_accumulation
(training: micro-steps per optimizer step, empty = 1) and num_ctx (Ollama's num_ctx /
OLLAMA_CONTEXT_LENGTH, llama.cpp's -c as set; empty = the release's default) and host_ram_gb
(GB of RAM in the machine, the limit of a llama.cpp/Ollama GPU/CPU split; empty = 32 for a
desktop card, 256 per data-center GPU, as `--host-ram-gb`) and, for serving, requests (a
finite run of that many prompts; empty = a steady state) and mean_output_tokens (requests that
stop at end-of-sequence generate this many tokens on average, output_tokens being the cap;
empty = all of output_tokens) and lengths (a finite run's replies: 'sharegpt', spread like
ShareGPT's around output_tokens as vLLM's `--dataset-name sharegpt` sends them; empty =
'fixed', all output_tokens long) and, for prefill and decode, depth (tokens already in the KV
cache when the test starts, llama-bench -d: `pp512 @ d8192`; empty = none). Every row
gets value, low, high and error appended; a row that cannot be predicted gets its reason in
`error` and the others still come out. An empty `weights` (or 'auto') is the format the
checkpoint's name fixes ('Qwen/Qwen3-32B-AWQ': awq-int4); on Ollama or llama.cpp the build that
engine runs for a model named without a format, as `--weights auto` (the Ollama library's
default tag, llama.cpp's Q4_K_M: catalog.model_weights); else fp16. An empty `engine` is vllm,
except that a server checkpoint on an Apple GPU gets the single command's pointer to its GGUF /
MLX builds.
A training row is read as `predict train` reads a request (calibration/case_training.py): on
several GPUs without a sharding word every GPU holds the whole model, and a setup that does not
fit or a sequence past the model's context is the row's error. Measured rows are not read here
(calibration/fitting.case_from_row).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from functools import lru_cache
from typing import Literal, cast

from gpuatlas.calibration.case_training import (
    TRAIN_METRIC,
    require_user_training_case,
    training_variant_problems,
    user_training_variant,
)
from gpuatlas.catalog.model_names import resolve_model_reference
from gpuatlas.catalog.model_weights import WeightsChoice, engine_build_weights
from gpuatlas.catalog.request_lengths import RunLengths, lengths_problems
from gpuatlas.errors import GpuAtlasError, InvalidRequestError
from gpuatlas.performance.apple_builds import case_build_problem
from gpuatlas.performance.cases import METRICS, Case, case_system, predict_case
from gpuatlas.performance.engine_specs import engine_text_profile, image_engine_names
from gpuatlas.performance.llm.refusal import MemoryRefusalError
from gpuatlas.performance.resolve import as_format, as_model, as_system
from gpuatlas.performance.training.engines import training_engine

REQUIRED_COLUMNS = (
    "gpu",
    "gpu_count",
    "model",
    "weights",
    "engine",
    "batch",
    "input_tokens",
    "output_tokens",
    "metric",
)
OPTIONAL_COLUMNS = (
    "resolution",
    "steps",
    "kv_cache",
    "variant",
    "layout",
    "gradient_accumulation",
    "num_ctx",
    "host_ram_gb",
    "requests",
    "mean_output_tokens",
    "lengths",
    "depth",
)
LAYOUTS = ("tensor", "auto")
# a user's serving row on several GPUs that states no layout: the best one, as `predict serving`
# answers (replicas where the model fits one GPU); measured rows state theirs or ran tensor
# parallel (calibration/fitting.case_from_row keeps Case's own default, 'tensor')
DEFAULT_LAYOUT = "auto"
AUTO_WEIGHTS = "auto"  # a weights cell as the single commands' default: as a blank one
RESULT_COLUMNS = ("value", "low", "high", "error")


def missing_columns(header: Iterable[str]) -> list[str]:
    present = {name.strip() for name in header}
    return [column for column in REQUIRED_COLUMNS if column not in present]


def _optional_int(fields: Mapping[str, str], name: str, problems: list[str]) -> int | None:
    text = (fields.get(name) or "").strip()
    if not text:
        return None
    try:
        number = float(text)
    except ValueError:
        problems.append(f"{name} {text!r} is not a number")
        return None
    if not number.is_integer():
        problems.append(f"{name} must be a whole number, got {text}")
        return None
    value = int(number)
    if value < 0:
        problems.append(f"{name} must not be negative, got {value}")
    return value


def _batch(fields: Mapping[str, str], problems: list[str]) -> int | Literal["max"] | None:
    text = (fields.get("batch") or "").strip().lower()
    if text == "max":
        return "max"
    value = _optional_int(fields, "batch", problems)
    if value == 0:  # a negative one is said once, by _optional_int
        problems.append(f"batch must be at least 1 (or 'max'), got {value}")
    return value


def case_from_fields(fields: Mapping[str, str]) -> Case:
    """A Case from one row of text; raises InvalidRequestError listing every problem."""
    problems: list[str] = []
    text = {k: (fields.get(k) or "").strip() for k in (*REQUIRED_COLUMNS, *OPTIONAL_COLUMNS)}
    text["metric"] = text["metric"].lower()  # 'DECODE_TOK_S' is decode_tok_s
    if text["weights"].lower() == AUTO_WEIGHTS:  # as a blank cell: the build the engine runs
        text["weights"] = ""
    for column in ("gpu", "model", "metric"):
        if not text[column]:
            problems.append(f"{column} is empty")
    if text["metric"] and text["metric"] not in METRICS:
        problems.append(f"metric {text['metric']!r} is not one of {', '.join(METRICS)}")
    if text["layout"] and text["layout"].lower() not in LAYOUTS:
        problems.append(f"layout {text['layout']!r} is not one of {', '.join(LAYOUTS)}")
    count = _optional_int(fields, "gpu_count", problems)
    if count == 0:
        problems.append("gpu_count must be at least 1 (or empty: 1), got 0")
    count = count or 1
    batch = _batch(fields, problems)
    input_tokens = _optional_int(fields, "input_tokens", problems)
    output_tokens = _optional_int(fields, "output_tokens", problems)
    steps = _optional_int(fields, "steps", problems)
    num_ctx = _optional_int(fields, "num_ctx", problems)
    depth = _optional_int(fields, "depth", problems)
    accumulation = _optional_int(fields, "gradient_accumulation", problems)
    if accumulation == 0:
        problems.append("gradient_accumulation must be at least 1 (or empty: 1), got 0")
    host_ram_gb = _optional_positive(fields, "host_ram_gb", problems)
    requests = _optional_int(fields, "requests", problems)
    if requests == 0:
        problems.append("requests must be at least 1 (or empty: a steady state), got 0")
    mean_output_tokens = _optional_positive(fields, "mean_output_tokens", problems)
    lengths = (fields.get("lengths") or "").strip().lower() or "fixed"
    problems += lengths_problems(lengths, requests, mean_output_tokens)
    variant = text["variant"] or None
    if text["metric"] == TRAIN_METRIC:
        problems += _training_problems(input_tokens, text["variant"])
        variant = user_training_variant(text["variant"], count)
    if problems:
        raise InvalidRequestError(problems)
    return Case(
        gpu=text["gpu"],
        gpu_count=count,
        model=text["model"],
        weights=text["weights"] or unstated_format(text["model"], text["engine"]),
        engine=text["engine"] or "vllm",
        engine_text=text["engine"] or None,  # 'ollama 0.5.7': that release's slots and num_ctx
        num_ctx=num_ctx,  # Ollama num_ctx / llama.cpp -c as set; empty: the release's default
        batch=batch,
        input_tokens=input_tokens,
        output_tokens=output_tokens,
        metric=text["metric"],
        resolution=text["resolution"] or None,
        steps=steps,
        kv_cache=text["kv_cache"] or "fp16",
        variant=variant,
        layout=text["layout"].lower() or DEFAULT_LAYOUT,  # a user's file: as predict serving
        gradient_accumulation=accumulation,
        requests=requests,  # a finite run of this many prompts; empty: a steady state
        mean_output_tokens=mean_output_tokens,  # requests ended at EOS; empty: all of the cap
        lengths=cast(RunLengths, lengths),  # ShareGPT replies; empty: all output_tokens long
        host_ram_gb=host_ram_gb,  # GB of RAM for llama.cpp/Ollama's CPU side; empty: assumed
        depth=depth or None,  # tokens already in the KV cache (llama-bench -d); empty: none
    )


def _training_problems(input_tokens: int | None, variant: str) -> list[str]:
    """A training row's own problems: a sequence of 0 tokens, variant words the training
    model does not read (calibration/case_training.py)."""
    problems = training_variant_problems(variant)
    if input_tokens == 0:
        problems.insert(
            0, "train_tok_s needs input_tokens (the sequence length) of at least 1 (empty: 2048)"
        )
    return problems


def _optional_positive(fields: Mapping[str, str], name: str, problems: list[str]) -> float | None:
    text = (fields.get(name) or "").strip()
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        problems.append(f"{name} {text!r} is not a number")
        return None
    if not value > 0:
        problems.append(f"{name} must be more than 0, got {text}")
    return value


@lru_cache(maxsize=4096)
def unstated_format(model: str, engine: str) -> str:
    """The format of a row that leaves `weights` empty: on Ollama or llama.cpp what
    `--weights auto` runs there (`native_weights` with the engine: a GGUF build, not the
    16-bit Hub files), else the format the checkpoint's name fixes, else fp16."""
    built = unstated_build(model, engine)
    if built is not None:
        return built.format_id
    return named_checkpoint_format(model) or "fp16"


@lru_cache(maxsize=4096)
def unstated_build(model: str, engine: str) -> WeightsChoice | None:
    """The GGUF build Ollama or llama.cpp runs for a row that leaves `weights` empty, with why
    (`engine_build_weights`); None for other engines and for names that do not resolve (the
    row's model error is reported where the case is predicted)."""
    try:
        return engine_build_weights(resolve_model_reference(model, allow_hub=False), engine)
    except GpuAtlasError:
        return None


@lru_cache(maxsize=4096)
def named_checkpoint_format(model: str) -> str | None:
    """The format a checkpoint's name fixes, for a row that leaves `weights` empty:
    'Qwen/Qwen3-32B-AWQ' is awq-int4, 'nvidia/Qwen3-8B-NVFP4' nvfp4, as the single command reads
    them; None for a base model or an Ollama tag (the row's default, fp16, applies)."""
    try:
        reference = resolve_model_reference(model, allow_hub=False)
    except GpuAtlasError:
        return None
    return None if reference.matched_by == "ollama_tag" else reference.format_id


def predict_fields(fields: Mapping[str, str]) -> dict[str, str]:
    """The row with value, low, high and error appended (numbers as text, as in a CSV)."""
    return predict_fields_flagged(fields)[0]


def predict_fields_flagged(fields: Mapping[str, str]) -> tuple[dict[str, str], bool | None]:
    """`predict_fields` and whether the prediction is extrapolated (its GPU, engine, model
    family or precision outside the calibration's data: the wider range); None on error."""
    row = dict(fields)
    try:
        case = case_from_fields(fields)
        require_case_build(case, fields)
        if case.metric == TRAIN_METRIC:
            require_user_training_case(case)
        estimate = predict_case(case)
    except MemoryRefusalError as refusal:  # a batch row's refusal is the brief one
        return _failed(row, refusal.brief), None
    except GpuAtlasError as error:
        return _failed(row, with_name_problems(error, fields)), None
    except (ValueError, ArithmeticError) as error:
        return _failed(row, str(error)), None
    predicted = {
        **row,
        "value": f"{estimate.value:.6g}",
        "low": f"{estimate.low:.6g}",
        "high": f"{estimate.high:.6g}",
        "error": "",
    }
    return predicted, estimate.extrapolated


def _failed(row: dict[str, str], message: str) -> dict[str, str]:
    return {**row, "value": "", "low": "", "high": "", "error": _one_line(message)}


def name_problems(fields: Mapping[str, str]) -> list[str]:
    """Every name of a failed row that does not resolve (the GPU, the model, the weight format,
    the engine of whichever kind), each with its close matches: a row is answered with all its
    problems at once, not its field problems first and its names on the next try."""
    return list(
        _name_problems(
            (fields.get("gpu") or "").strip(),
            (fields.get("model") or "").strip(),
            (fields.get("weights") or "").strip(),
            (fields.get("engine") or "").strip(),
        )
    )


@lru_cache(maxsize=4096)
def _name_problems(gpu: str, model: str, weights: str, engine: str) -> tuple[str, ...]:
    """`name_problems` of one set of names, worked out once: the rows of a file repeat a few
    configurations, and an unknown name's close matches cost a search each."""
    checks: list[Callable[[], object]] = []
    if gpu:
        checks.append(lambda: as_system(gpu))
    if model:
        checks.append(lambda: as_model(model))
    if weights and weights.lower() != "auto":
        checks.append(lambda: as_format(weights))
    if engine and engine.lower() != "auto":
        checks.append(lambda: _engine_of_any_kind(engine))
    problems = []
    for check in checks:
        try:
            check()
        except GpuAtlasError as error:
            problems.append(str(error))
    return tuple(problems)


def with_name_problems(error: GpuAtlasError, fields: Mapping[str, str]) -> str:
    """A failed row's error with every other name of it that does not resolve."""
    text = str(error)
    return "; ".join([text, *(p for p in name_problems(fields) if p not in text)])


def _engine_of_any_kind(text: str) -> object:
    """The engine a row names, whichever kind it is: an image engine, a training framework, or
    an inference engine (an unknown one lists the inference engines' close matches)."""
    try:
        return engine_text_profile(text)
    except GpuAtlasError:
        if text.strip().lower().replace(" ", "-") in image_engine_names():
            return text
        try:
            return training_engine(text)
        except GpuAtlasError:
            pass
        raise


def require_case_build(case: Case, fields: Mapping[str, str]) -> None:
    """Raise the single command's pointer for a server checkpoint on a Mac when the row names
    no engine (performance.apple_builds.case_build_problem)."""
    problem = case_build_problem(
        case_system(case), case.model, fields.get("weights") or "", fields.get("engine") or ""
    )
    if problem is not None:
        raise InvalidRequestError([problem])


def predict_rows(rows: Iterable[Mapping[str, str]]) -> Iterator[dict[str, str]]:
    """Every row, in order, with its prediction or its error."""
    for fields in rows:
        yield predict_fields(fields)


def _one_line(text: str) -> str:
    return " ".join(text.split())
