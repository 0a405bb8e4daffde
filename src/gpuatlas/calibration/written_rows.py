"""Held-out measurements written the way their sources write them.

The files in ``catalog/data/measurements/holdout/as_written/`` have the columns of every
measured-data CSV, but the GPU, engine and version, model and weight format are the words of
the source ("Nvidia RTX 3060 12GB", "vLLM 0.8.5.post1", "Llama-3.2-3B-Instruct-Q4_K_M.gguf",
"bfloat16"). Each row goes through the name resolution a user's command goes through
(`resolve_system`, `parse_engine_spec`, `resolve_model_reference`, `resolve_format`); a row
whose names do not resolve is kept with the reason, so the accuracy report can say how much of
a fresh set the tool covers and what a user writing those names would hit.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, cast

from gpuatlas.catalog.formats import find_format, gguf_shorthand, resolve_format
from gpuatlas.catalog.measurements import (
    ENGINES,
    METRIC_UNITS,
    MeasuredRow,
    Metric,
    Parallelism,
    holdout_dir,
)
from gpuatlas.catalog.model_names import ModelReference, resolve_model_reference
from gpuatlas.catalog.model_weights import native_weights, width_choice
from gpuatlas.catalog.request_lengths import RUN_LENGTHS, RunLengths
from gpuatlas.catalog.systems import resolve_system
from gpuatlas.errors import GpuAtlasError
from gpuatlas.performance.engine_profiles import resolve_engine
from gpuatlas.performance.engine_specs import frontend_for_checkpoint, parse_engine_spec
from gpuatlas.performance.llm.attention_setting import SERVER_VARIANT, names_a_server
from gpuatlas.performance.media.image_parallel import IMAGE_METRICS
from gpuatlas.performance.training.engines import training_engine

WRITTEN_FOLDER = "as_written"
TRAINING_METRIC = "train_tok_s"
# A decode rate stated with no lengths (Ollama's eval rate) is predicted where a user's
# `gpuatlas predict llm` would predict it: at the CLI's default lengths (app/predict.py).
DEFAULT_INPUT_TOKENS = 512
DEFAULT_OUTPUT_TOKENS = 256
DECODE_METRIC = "decode_tok_s"
# mlx-lm's own words for its quantised checkpoints ("4bit", as mlx-community names them).
MLX_ENGINE = "mlx-lm"
MLX_BITS = {bits: f"mlx-{bits}" for bits in ("3bit", "4bit", "5bit", "6bit", "8bit")}
SIXTEEN_BIT = ("16-bit", "16bit")


@dataclass(frozen=True)
class UnresolvedRow:
    """A row whose written names do not resolve: where it is, what failed, and why."""

    file: str
    line: int
    source: str
    metric: str
    field: str
    written: str
    reason: str

    @property
    def grouped_reason(self) -> str:
        """The reason without the row's own words (rows failing the same way group)."""
        return f"{self.field} as written does not resolve: {self.reason}"


@dataclass(frozen=True)
class WrittenSet:
    """A folder of written rows: those that resolved (as MeasuredRow) and those that did not."""

    rows: tuple[MeasuredRow, ...]
    unresolved: tuple[UnresolvedRow, ...]

    @property
    def total(self) -> int:
        return len(self.rows) + len(self.unresolved)


class _NameError(Exception):
    def __init__(self, field: str, written: str, reason: str) -> None:
        super().__init__(reason)
        self.field = field
        self.written = written
        self.reason = reason


def written_dir() -> Path:
    """The packaged folder of held-out rows written as their sources write them."""
    return holdout_dir() / WRITTEN_FOLDER


def later_written_dirs() -> list[Path]:
    """The later fresh held-out sets (holdout/as_written_<round>/), each gathered after the
    ones before it and reported on its own."""
    return sorted(path for path in holdout_dir().glob(f"{WRITTEN_FOLDER}_*") if path.is_dir())


def load_written(path: Path | str | None = None) -> WrittenSet:
    """Resolve every row of the CSV files in `path` (default: the packaged folder)."""
    target = Path(path) if path is not None else written_dir()
    files = sorted(target.glob("*.csv")) if target.is_dir() else [target]
    folder = target.name if target.is_dir() else target.parent.name
    rows: list[MeasuredRow] = []
    unresolved: list[UnresolvedRow] = []
    for csv_path in files:
        with csv_path.open(encoding="utf-8", newline="") as handle:
            reader = csv.DictReader(handle)
            for cells in reader:
                outcome = resolve_written_row(cells, csv_path.name, reader.line_num, folder)
                if isinstance(outcome, MeasuredRow):
                    rows.append(outcome)
                else:
                    unresolved.append(outcome)
    return WrittenSet(tuple(rows), tuple(unresolved))


def resolve_written_row(
    cells: dict[str, str], file: str, line: int, folder: str = WRITTEN_FOLDER
) -> MeasuredRow | UnresolvedRow:
    """The row with catalog ids for its written names, or why one of them does not resolve."""
    text = {key: (value or "").strip() for key, value in cells.items()}
    try:
        return _measured_row(text, f"{folder}/{file}", line)
    except _NameError as error:
        return UnresolvedRow(
            file, line, text["source"], text["metric"], error.field, error.written, error.reason
        )


def _measured_row(text: dict[str, str], file: str, line: int) -> MeasuredRow:
    metric = _metric(text["metric"], text["unit"])
    try:
        reference = _model(text["model"])
    except _NameError:
        _engine(text, metric)  # an unknown engine is said first, as before the model
        raise
    engine, version, backend = _engine(text, metric, _checkpoint_engine(reference))
    input_tokens, output_tokens, notes = _lengths(text, metric)
    return MeasuredRow(
        gpu=_gpu_id(text["gpu"]),
        gpu_count=int(text["gpu_count"]),
        engine=engine,
        engine_version=version,
        model=reference.model.id,
        weights=_weights(text["weights"], reference, engine),
        kv_cache=text.get("kv_cache") or None,
        batch=_batch(text["batch"]),
        input_tokens=input_tokens,
        output_tokens=output_tokens,
        resolution=text["resolution"] or None,
        steps=_optional_int(text["steps"]),
        metric=metric,
        value=float(text["value"]),
        unit=text["unit"],
        source=text["source"],
        source_date=text["source_date"] or None,
        notes=notes,
        file=file,
        line=line,
        parallelism=_parallelism(text.get("parallelism", ""), int(text["gpu_count"])),
        variant=_variant(text),
        backend=backend,
        depth=_optional_int(text.get("depth", "")),  # llama-bench -d; empty: none
        # the optional run settings as the row states them (their meaning in
        # data/measurements/README.md): they decide the prediction as they do for a fitted
        # row (a finite burst of `requests` runs in waves, `gpu_layers` leaves layers on the
        # host); empty = not stated
        requests=_optional_int(text.get("requests", "")),
        mean_output_tokens=_optional_float(text.get("mean_output_tokens", "")),
        lengths=_run_lengths(text.get("lengths", "")),  # ShareGPT replies; empty: fixed
        server_slots=_optional_int(text.get("server_slots", "")),
        num_ctx=_optional_int(text.get("num_ctx", "")),
        gpu_layers=_optional_int(text.get("gpu_layers", "")),
        host_bandwidth_gb_s=_optional_float(text.get("host_bandwidth_gb_s", "")),
        gradient_accumulation=_optional_int(text.get("gradient_accumulation", "")),
        unusable_for_calibration=text.get("unusable_for_calibration") or None,
    )


def _stated_backend(engine: str, stated: str | None) -> str | None:
    """The 'backend' column as a backend id: the whole text, alone ('llama.cpp-hip') or after
    the engine's name ('Vulkan', 'ROCm'); else the first of its words that reads as a backend
    after the engine's name ('ROCm w/ rocWMMA', 'Vulkan (Mesa 26.2 RADV)', 'MLX (Metal)',
    'llama.cpp-vulkan_amdvlk'); else the text as written (an image row's device label)."""
    if stated is None:
        return None
    words = re.split(r"[^0-9a-z]+", stated.lower())
    for text in (stated, f"{engine} {stated}", *(f"{engine} {word}" for word in words if word)):
        try:
            backend = parse_engine_spec(text).backend
        except GpuAtlasError:
            continue
        if backend is not None:
            return backend
    return stated


def _gpu_id(written: str) -> str:
    """A GPU name or a system name ('DGX-H100', '8x H100 SXM'): the catalog GPU id."""
    try:
        return resolve_system(written).gpu.id
    except GpuAtlasError as error:
        raise _NameError("GPU", written, _first_line(error)) from None


def _variant(text: dict[str, str]) -> str | None:
    """The variant as written, with 'llama-server' joined where the engine as written names
    llama.cpp's server program (the engine resolves to llama.cpp, and the server's defaults,
    such as its '-fa auto', must still apply)."""
    variant = text.get("variant") or ""
    if names_a_server(text["engine"]) and not names_a_server(variant):
        variant = f"{variant}+{SERVER_VARIANT}" if variant else SERVER_VARIANT
    return variant or None


def _checkpoint_engine(reference: ModelReference) -> str | None:
    """The engine the named checkpoint is made for (an mlx-community conversion: mlx-lm), as
    `--engine` reads an application's name with it (LM Studio runs MLX checkpoints with its
    MLX engine: `frontend_for_checkpoint`)."""
    try:
        return native_weights(reference).engine
    except GpuAtlasError:
        return None


def _engine(
    text: dict[str, str], metric: Metric, checkpoint_engine: str | None = None
) -> tuple[str, str, str | None]:
    """(engine id, version text, backend) of 'engine' + 'engine_version' as written.

    Training rows name a training framework ('NeMo', 'torchtitan'): its id (training/engines.py,
    `gpuatlas predict train --framework`), the version kept as written.
    """
    written = f"{text['engine']} {text['engine_version']}".strip()
    stated_backend = _stated_backend(text["engine"], text.get("backend") or None)
    if metric == TRAINING_METRIC:
        try:
            framework = training_engine(text["engine"]).id
        except GpuAtlasError as error:
            raise _NameError("training framework", text["engine"], _first_line(error)) from None
        return framework, written, stated_backend
    try:
        spec = parse_engine_spec(frontend_for_checkpoint(written, checkpoint_engine))
    except GpuAtlasError as error:
        raise _NameError("engine", written, _first_line(error)) from None
    if spec.engine not in ENGINES:
        raise _NameError("engine", written, f"engine {spec.engine!r} has no measured-row form")
    if metric in IMAGE_METRICS and spec.frontend is not None:
        # an image application over diffusers ('xDiT xfuser 0.3.4'): its name stays in the
        # version text, where the image model reads what the application does (xDiT splits
        # one image over its GPUs: performance/media/image_parallel.py)
        return spec.engine, spec.frontend, stated_backend or spec.backend
    return spec.engine, spec.version or "", stated_backend or spec.backend


def _model(written: str) -> ModelReference:
    try:
        return resolve_model_reference(written, allow_hub=False)
    except GpuAtlasError as error:
        raise _NameError("model", written, _first_line(error)) from None


def _lengths(text: dict[str, str], metric: Metric) -> tuple[int | None, int | None, str]:
    """(input, output tokens, notes): as stated; for a decode rate stating neither, the CLI's
    defaults, said in the notes."""
    input_tokens = _optional_int(text["input_tokens"])
    output_tokens = _optional_int(text["output_tokens"])
    if metric != DECODE_METRIC or input_tokens is not None or output_tokens is not None:
        return input_tokens, output_tokens, text["notes"]
    assumed = (
        f"lengths not stated: predicted at gpuatlas predict llm's defaults "
        f"({DEFAULT_INPUT_TOKENS} in, {DEFAULT_OUTPUT_TOKENS} out; a decode rate at a short "
        "context)"
    )
    notes = f"{text['notes']}; {assumed}" if text["notes"] else assumed
    return DEFAULT_INPUT_TOKENS, DEFAULT_OUTPUT_TOKENS, notes


def _weights(written: str, reference: ModelReference, engine: str = "") -> str:
    """The stated format, else the one `--weights auto` assumes for the model as named (the
    format its name or Ollama tag carries, else the checkpoint's own). On mlx-lm, "4bit" (as
    written, or ending the checkpoint's name) is MLX's affine 4-bit (mlx-4bit). A bare width
    on another engine is what `--weights 4-bit` reads there (`width_choice`: q8_0 for '8-bit' on
    llama.cpp; a '4-bit' GGUF is refused with its candidate types)."""
    if engine == MLX_ENGINE:
        named = [MLX_BITS[word] for word in _words(written or reference.name) if word in MLX_BITS]
        if named:  # "4bit", or a checkpoint named "…-4bit" run by mlx-lm
            return named[0]
    if not written:  # as `--weights auto` with this engine (Ollama: its library's build)
        return native_weights(reference, engine).format_id
    native = native_weights(reference).format_id
    if written.lower() in SIXTEEN_BIT and native in ("fp16", "bf16"):
        return native  # "16-bit": the checkpoint's own half precision, unquantised
    try:
        by_width = width_choice(written, reference, engine, _engine_formats(engine))
        return by_width.format_id if by_width is not None else resolve_format(written).id
    except GpuAtlasError as error:
        shorthand = gguf_shorthand(written)  # "Q6" as a model name's tag is read: Q6_K
        if shorthand is not None:
            return shorthand[0]
        from_file = _file_name_format(written, reference)
        if from_file is not None:
            return from_file
        described = _described_format(written)
        if described is not None:
            return described
        raise _NameError("weights", written, _first_line(error)) from None


def _described_format(written: str) -> str | None:
    """The format a description opens with ('FP8 e4m3 weights with dynamic activation quant'
    → fp8): the longest run of leading words that names a format, when the words after it
    are plain words (no digits, none naming a format of its own); else None."""
    words = written.split()
    plain = [not any(c.isdigit() for c in word) and find_format(word) is None for word in words]
    for count in range(len(words) - 1, 0, -1):
        found = find_format(" ".join(words[:count])) if all(plain[count:]) else None
        if found is not None:
            return found.id
    return None


def _file_name_format(written: str, reference: ModelReference) -> str | None:
    """The format a GGUF file name in the weights column carries
    ('Qwen3.6-35B-A3B-UD-Q8_K_XL.gguf'), when the file is of the row's model."""
    if not written.lower().endswith(".gguf"):
        return None
    try:
        named = resolve_model_reference(written)
    except GpuAtlasError:
        return None
    return named.format_id if named.model.id == reference.model.id else None


def _engine_formats(engine: str) -> tuple[str, ...] | None:
    """The formats the engine loads (its profile's), for a bare width's candidates."""
    try:
        return resolve_engine(engine).formats
    except GpuAtlasError:
        return None


def _words(text: str) -> list[str]:
    return [word for word in re.split(r"[-_\s/]+", text.lower()) if word]


def _metric(written: str, unit: str) -> Metric:
    if METRIC_UNITS.get(written) != unit:
        raise _NameError("metric", written, f"unknown metric or unit {unit!r}")
    return cast(Metric, written)


def _batch(written: str) -> int | Literal["max"] | None:
    if written == "max":
        return "max"
    return _optional_int(written)


def _optional_int(written: str) -> int | None:
    """A whole number as written ('8192', '8192.0'); empty: not stated."""
    if not written:
        return None
    number = float(written)
    if not number.is_integer():
        raise ValueError(f"{written!r} is not a whole number")
    return int(number)


def _optional_float(written: str) -> float | None:
    return float(written) if written else None


def _run_lengths(written: str) -> RunLengths | None:
    """The `lengths` column: how the run's replies were sized (None: not stated, fixed)."""
    if not written:
        return None
    if written not in RUN_LENGTHS:
        reason = f"lengths {written!r} is not one of {', '.join(RUN_LENGTHS)}"
        raise _NameError("lengths", written, reason)
    return cast(RunLengths, written)


def _parallelism(written: str, gpu_count: int) -> Parallelism | None:
    if written in ("tp", "pp", "layer-split", "dp", "none"):
        return cast(Parallelism, written)
    return "none" if gpu_count == 1 else None


REASON_CHARS = 160
_UNMODELLED = " is not modelled: "


def _first_line(error: GpuAtlasError) -> str:
    """The error's first line, cut to REASON_CHARS; where a long list of close matches would
    cut off why the name is not modelled ('PaddlePaddle / PaddleNLP is not modelled: …'), that
    sentence instead."""
    line = str(error).splitlines()[0]
    unmodelled = line.find(_UNMODELLED)
    if unmodelled > REASON_CHARS:
        line = line[line.rfind(". ", 0, unmodelled) + 2 :]
    return line[:REASON_CHARS]
