"""Engines as users write them ('vLLM 0.8.5', 'vllm==0.6.3.post1', 'llama.cpp build 57291f264',
'b4426', 'Ollama 0.5.7', 'llama.cpp vulkan') parsed into engine, version and backend, and the
engine profile a case on a given GPU uses (data/engines.toml: profiles with their backends and
release bounds, [[backend]] tables saying which GPUs each backend serves, [[engine_name]] for
engines without an LLM profile, [[release]] notes, [[image]] for engines named by their
container image)."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, replace
from functools import cache, lru_cache
from typing import NamedTuple

from pydantic import BaseModel, ConfigDict, Field

from gpuatlas.catalog.formats import WeightFormat
from gpuatlas.catalog.gpu import Gpu
from gpuatlas.errors import DataFileError, GpuAtlasError, InvalidRequestError, UnknownNameError
from gpuatlas.performance.calibration_table import base_engine, level_engine, precision_keys
from gpuatlas.performance.engine_images import (
    ImageReading,
    ImageRecord,
    image_reference,
    read_image,
)
from gpuatlas.performance.engine_profiles import (
    EngineProfile,
    all_engines,
    as_predictions_use_it,
    require_format,
)
from gpuatlas.performance.engine_releases import (
    BRANCH_NAMES,
    check_release,
    frontends,
    read_data_file,
    validated_tables,
    version_notes,
)
from gpuatlas.performance.peak_rates import (
    PRECISION_CLASSES,
    compute_precision,
    lacks_sixteen_bit_rate,
)
from gpuatlas.performance.unmodelled_engines import with_unmodelled_reason

__all__ = [
    "Backend",
    "EngineSpec",
    "all_backends",
    "check_backend",
    "engine_notes",
    "engine_profile",
    "parse_engine_spec",
    "release_notes",
]


class Platform(NamedTuple):
    """What backend choice needs of a GPU (hashable, so choices are cached per platform)."""

    id: str
    vendor: str
    architecture_family: str
    target: str = ""  # the compiler target ('gfx1031'; catalog compute_capability)


def platform_of(gpu: Gpu) -> Platform:
    return Platform(gpu.id, gpu.vendor, gpu.architecture_family, gpu.compute_capability or "")


@dataclass(frozen=True)
class Backend:
    """A compute backend and the GPUs it serves."""

    id: str
    names: tuple[str, ...]
    vendors: tuple[str, ...]
    families: tuple[str, ...]
    excluded_families: tuple[str, ...]
    source: str

    def serves(self, gpu: Gpu | Platform) -> bool:
        family = gpu.architecture_family
        return (
            gpu.vendor in self.vendors
            and family not in self.excluded_families
            and (not self.families or family in self.families)
        )


@dataclass(frozen=True)
class EngineSpec:
    """An engine as a user named it: engine id, version text (None = unstated) and backend
    (None = the engine's default for the GPU). `profile` is set when the text named a profile
    directly ('llama.cpp-2023', 'vllm-rocm'); `frontend` is the application the text named
    when it runs the engine underneath ('LM Studio 0.3.5' runs llama.cpp)."""

    engine: str
    version: str | None = None
    backend: str | None = None
    profile: str | None = None
    frontend: str | None = None
    image: ImageReading | None = None  # the container image the text named the engine by
    month: str | None = None  # 'YYYY-MM' of a dated build that names no release


class _BackendRecord(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str
    names: list[str] = []
    vendors: list[str] = Field(min_length=1)
    families: list[str] = []
    excluded_families: list[str] = []
    source: str = Field(min_length=3)


class _NameRecord(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str
    names: list[str] = []
    kind: str = Field(pattern="^(llm|image)$")
    backends: list[str] = Field(min_length=1)
    source: str = Field(min_length=3)


class _ReleaseRecord(BaseModel):
    model_config = ConfigDict(extra="forbid")
    engine: str
    from_version: str
    behaviour: str
    source: str = Field(min_length=3)


@dataclass(frozen=True)
class _Tables:
    backends: tuple[Backend, ...]
    names: tuple[_NameRecord, ...]
    releases: tuple[_ReleaseRecord, ...]
    images: tuple[ImageRecord, ...]


@cache
def _tables() -> _Tables:
    path, document = read_data_file("engines.toml")
    problems: list[str] = []
    backends = validated_tables(_BackendRecord, document, "backend", problems)
    names = validated_tables(_NameRecord, document, "engine_name", problems)
    releases = validated_tables(_ReleaseRecord, document, "release", problems)
    images = validated_tables(ImageRecord, document, "image", problems)
    if problems:
        raise DataFileError(path, problems)
    return _Tables(
        tuple(
            Backend(
                b.id,
                tuple(b.names),
                tuple(b.vendors),
                tuple(b.families),
                tuple(b.excluded_families),
                b.source,
            )
            for b in backends
        ),
        tuple(names),
        tuple(releases),
        tuple(images),
    )


def all_backends() -> tuple[Backend, ...]:
    return _tables().backends


@cache
def known_images() -> dict[str, ImageRecord]:
    """Repository (lower case, registry host kept, Docker Hub's dropped) -> its [[image]]."""
    return {name.lower(): record for record in _tables().images for name in record.repositories}


def _key(text: str) -> str:
    return re.sub(r"[\s_]+", "-", text.strip().lower())


# ----- parsing ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Named:
    engine: str
    profile: str | None
    backend: str | None
    frontend: str | None = None


@cache
def _engine_names() -> dict[str, _Named]:
    """Every name a user may write for an engine -> engine, profile and implied backend."""
    index: dict[str, _Named] = {}
    profiles = all_engines()
    for profile in profiles:
        family = [p for p in profiles if p.engine == profile.engine]
        implied = _implied_backend(profile, family)
        is_default = profile is family[0]
        for name in (profile.id, *profile.names):
            index.setdefault(
                _key(name), _Named(profile.engine, None if is_default else profile.id, implied)
            )
    for record in _tables().names:
        backend = record.backends[0] if len(record.backends) == 1 else None
        for name in (record.id, *record.names):
            index.setdefault(_key(name), _Named(record.id, None, backend))
    for frontend in frontends():
        for name in (frontend.id, *frontend.names):
            index.setdefault(_key(name), _Named(frontend.runs, None, None, frontend.name))
    return index


@cache
def _longest_first() -> tuple[str, ...]:
    return tuple(sorted(_engine_names(), key=len, reverse=True))


def _implied_backend(profile: EngineProfile, family: list[EngineProfile]) -> str | None:
    """The backend a name implies: a single-backend engine's, or a backend profile's own."""
    backends = {b for p in family for b in p.backends}
    if len(backends) == 1:
        return next(iter(backends))
    if profile is not family[0] and len(profile.backends) == 1:
        return profile.backends[0]
    return None


@cache
def _backend_names() -> dict[str, str]:
    return {_key(name): b.id for b in all_backends() for name in (b.id, *b.names)}


_BUILD = re.compile(r"^b(\d{3,6})$")
# A PEP 440 local label ends source and nightly builds (0.9.1.dev59+gb6a6e7a52).
_SEMVER = re.compile(r"^v?\d+(\.\d+)*([.-]?(post|rc|dev|a|b)\d*)*(\+[0-9a-z.]+)?$")
_COMMIT = re.compile(r"^[0-9a-f]{7,40}$")
# A pre-release or post-release label written after the version with a hyphen ('0.30.0-rc31').
_PRE_RELEASE = re.compile(r"^(rc|post|dev)\d+$")
_FILLER = {"build", "version", "release", "engine", "on", "with", "backend", "v", "commit"}


def parse_engine_spec(text: str) -> EngineSpec:
    """'vLLM 0.8.5' -> (vllm, 0.8.5, None); 'vllm==0.6.3.post1' -> (vllm, 0.6.3.post1, None);
    'llama.cpp build 57291f264' -> (llama.cpp, 57291f264, None); 'b4426' -> (llama.cpp, b4426,
    None); 'mlx-lm 0.21' -> (mlx-lm, 0.21, mlx); 'llama.cpp vulkan b4426' -> (llama.cpp, b4426,
    vulkan). Unknown engines raise UnknownNameError with close matches; words that are neither
    a version nor a backend raise InvalidRequestError."""
    outcome = _parse_outcome(text)
    if isinstance(outcome, GpuAtlasError):
        raise outcome.with_traceback(None)
    return outcome


@lru_cache(maxsize=4096)
def _parse_outcome(text: str) -> EngineSpec | GpuAtlasError:
    """The parse of `text`, or the error it raises, cached: a bad name in a batch of cases
    costs its close-match search once, not once per row."""
    try:
        return _parse(text)
    except GpuAtlasError as error:
        return error


# A bracket after the engine's own version that lists other libraries ('transformers 5.17.0
# (torch 2.11.0, CUDA 13.0)', 'vLLM 0.6.3 [PyTorch 2.4]'): read without it when the whole
# text cannot be read.
_BRACKETED = re.compile(r"\([^()]*\)|\[[^\[\]]*\]")


def _parse(text: str) -> EngineSpec:
    try:
        return _parse_bracketed(text)
    except (InvalidRequestError, UnknownNameError) as error:
        image = _image_spec(text)
        if image is not None:
            return image
        unknown = image_reference(text)
        if isinstance(error, UnknownNameError) and unknown is not None:
            raise _unknown_image(unknown[0]) from None
        raise


def _unknown_image(repository: str) -> UnknownNameError:
    close = difflib.get_close_matches(repository, list(known_images()), n=4, cutoff=0.4)
    return UnknownNameError(
        "engine image",
        repository,
        close,
        hint="images read as engines: "
        + ", ".join(sorted(known_images()))
        + "; another repository is read where its tag names the engine and its release "
        "('..._vllm_0.10.1_...'); or write the engine and its release ('vllm 0.8.5')",
    )


def _image_spec(text: str) -> EngineSpec | None:
    """The engine a text names by one known container image ('vllm/vllm-openai:v0.8.5'),
    alone, beside the engine's own name ('vllm rocm/vllm-dev:20241121') or in a bracket after
    it ('llama.cpp (ghcr.io/ggml-org/llama.cpp:server-cuda)'); None otherwise."""
    readings = _image_readings(text)
    if len(readings) != 1:
        return None
    (reading,) = readings
    names = _engine_names()
    outside = _BRACKETED.sub(" ", text).split()
    for other in (w for w in outside if _read_image(w) is None):
        named = names.get(_key(other))
        if named is None or named.engine != reading.engine:
            return None
    check_release(reading.engine, reading.version, text)
    return EngineSpec(
        reading.engine, reading.version, reading.backend, image=reading, month=reading.month
    )


def _image_readings(text: str) -> list[ImageReading]:
    """The known images a text writes outside its brackets; where it writes none there, those
    inside its brackets ('(rocm/vllm-dev:20241121)')."""
    outside = _BRACKETED.sub(" ", text).split()
    readings = [r for w in outside if (r := _read_image(w)) is not None]
    if readings:
        return readings
    inside = re.sub(r"[()\[\],;]", " ", " ".join(_BRACKETED.findall(text))).split()
    return [r for w in inside if (r := _read_image(w)) is not None]


def _version_image(engine: str, version: str | None) -> ImageReading | None:
    """The one image of `engine` a version text names, alone or in a bracket ('build of Nov
    2024 (rocm/vllm-dev:20241121-tuned)' in a data row's engine_version); else None."""
    if not version or "/" not in version:
        return None
    readings = _image_readings(version)
    return readings[0] if len(readings) == 1 and readings[0].engine == engine else None


def _read_image(word: str) -> ImageReading | None:
    return read_image(
        word, known_images(), lambda name: _backend_names().get(_key(name)), _engine_ids()
    )


@cache
def _engine_ids() -> dict[str, str]:
    return {name: named.engine for name, named in _engine_names().items()}


def _parse_bracketed(text: str) -> EngineSpec:
    try:
        return _parse_words(text)
    except InvalidRequestError:
        outside = _BRACKETED.sub(" ", text).strip()
        if outside == text.strip() or not outside:
            raise
        spec = _parse_outcome(outside)
        if isinstance(spec, EngineSpec) and (spec.version or spec.frontend):
            return spec
        raise


def _parse_words(text: str) -> EngineSpec:
    # ' / ' between a commit and its build number ('86a9c79f8 / 10066'), not inside an image
    cleaned = re.sub(r"[(),;:]|==|@|\s/\s", " ", text).strip()
    if _BUILD.match(cleaned.lower()):
        check_release("llama.cpp", cleaned.lower(), text)
        return EngineSpec("llama.cpp", cleaned.lower())
    named, rest = _named_engine(cleaned)
    rest = _without_own_names(rest, named.engine)
    try:
        version, backend = _version_and_backend_read(text, rest, named.frontend is not None)
    except InvalidRequestError:
        _refuse_glued_name(cleaned, rest)
        raise
    if backend is not None and named.backend is not None and backend != named.backend:
        raise InvalidRequestError(
            [
                f"engine text {text!r} names backend {backend!r}, but {named.engine} runs on "
                f"{named.backend} only"
            ]
        )
    if named.frontend is not None:  # the application's version names no engine release
        label = f"{named.frontend} {version}" if version else named.frontend
        return EngineSpec(named.engine, None, backend or named.backend, named.profile, label)
    if named.engine == "llama.cpp" and version is not None and version.isdigit():
        version = f"b{version}"  # 'llama.cpp build 3891': llama.cpp numbers its builds
    check_release(named.engine, version, text)
    return EngineSpec(named.engine, version, backend or named.backend, named.profile)


def _without_own_names(rest: str, engine: str) -> str:
    """The words after an engine's name less another plain name of the same engine: the
    program a source names beside it ('llama.cpp (llama-server)', 'llama.cpp llama-bench
    b5000'). Names that pick a backend or a profile ('llama.cpp-hip') stay to be read."""
    padded = f"-{rest}-"
    for name in _plain_names(engine):
        padded = padded.replace(f"-{name}-", "-")
    return padded.strip("-")


@cache
def _plain_names(engine: str) -> tuple[str, ...]:
    """The keys of an engine's names that imply neither a backend nor a profile, longest
    first."""
    names = _engine_names()
    plain = [
        key
        for key, named in names.items()
        if named.engine == engine
        and named.profile is None
        and named.backend is None
        and named.frontend is None
    ]
    return tuple(sorted(plain, key=len, reverse=True))


def _version_and_backend_read(
    text: str, rest: str, frontend: bool
) -> tuple[str | None, str | None]:
    """The version and backend the words after the engine's name give. After an application
    ('ipex-llm Ollama 0.9.3 ollama-ipex-llm-2.3.0b20250725') words that are neither are the
    application's own and stay as its label: its version names no engine release anyway."""
    try:
        return _version_and_backend(text, rest)
    except InvalidRequestError:
        if not frontend:
            raise
        return " ".join(rest.split()) or None, None


def _named_engine(text: str) -> tuple[_Named, str]:
    """The engine a text names; a vendor written first ('NVIDIA TensorRT-LLM', 'AMD vLLM 0.6.3')
    is read as the backend it names, as if written after the engine."""
    try:
        return _leading_name(text)
    except UnknownNameError:
        words = text.split()
        if len(words) < 2 or _key(words[0]) not in _backend_names():
            raise
        try:
            return _leading_name(" ".join([*words[1:], words[0]]))
        except UnknownNameError:
            pass
        raise


def _leading_name(text: str) -> tuple[_Named, str]:
    """The longest known engine name the text starts with, and the rest of the text."""
    key = _key(text)
    index = _engine_names()
    for name in _longest_first():
        if key == name or (key.startswith(name) and key[len(name)] == "-"):
            return index[name], key[len(name) :].strip("-")
    raise with_unmodelled_reason(
        UnknownNameError("engine", text, _close_engines(key), known=_all_engines())
    )


def _close_engines(key: str) -> list[str]:
    """The engines whose names are close to `key` (or to its first word)."""
    index = _engine_names()
    head = key.split("-")[0] if key else key
    close = difflib.get_close_matches(key, list(index), n=6, cutoff=0.5)
    close += difflib.get_close_matches(head, list(index), n=6, cutoff=0.6)
    return sorted({index[name].engine for name in close})


def _all_engines() -> list[str]:
    return sorted({named.engine for named in _engine_names().values()})


def _refuse_glued_name(cleaned: str, rest: str) -> None:
    """A word glued to a known engine's name by '-' or '_' that is no version or backend names
    another program ('mlx_audio', 'mlx-audio', 'llama-cpp-python'): refused as an unknown engine
    with the close matches, not as an unreadable version of the engine it starts with."""
    first = cleaned.split()[0] if cleaned.split() else ""
    glued = rest.split("-")[0] if rest else ""
    if glued.isalpha() and glued not in _FILLER and f"-{glued}" in _key(first):
        raise UnknownNameError("engine", first, _close_engines(_key(first)), known=_all_engines())


def _version_and_backend(text: str, rest: str) -> tuple[str | None, str | None]:
    version: str | None = None
    backend: str | None = None
    for word in [w for w in rest.split("-") if w]:
        if word in _FILLER:
            continue
        if word in _backend_names():
            backend = _backend_names()[word]
        elif version is None and (_BUILD.match(word) or _SEMVER.match(word) or _COMMIT.match(word)):
            version = word.removeprefix("v") if _SEMVER.match(word) else word
        elif version is None and word in BRANCH_NAMES:
            version = word
        elif version is not None and _commit_and_build_number(version, word):
            version = version if _is_build_number(version) else word
        elif version is not None and _PRE_RELEASE.match(word):
            version = f"{version}{word}"  # '0.30.0-rc31': PEP 440 writes 0.30.0rc31
        else:
            raise InvalidRequestError(
                [
                    f"engine text {text!r}: cannot read {word!r} (expected a version such as "
                    f"0.8.5, a llama.cpp build such as b4426, a commit, a branch ("
                    f"{', '.join(sorted(BRANCH_NAMES))}), or a backend: "
                    f"{', '.join(sorted({b.id for b in all_backends()}))})"
                ]
            )
    return version, backend


def _is_build_number(word: str) -> bool:
    return word.isdigit() or bool(_BUILD.match(word))


def _commit_and_build_number(first: str, second: str) -> bool:
    """llama-bench prints 'build: 086a63e3a (7340)': a commit and its build number, in either
    order ('b4426 57291f264' too); the number is kept (it places the build in a generation)."""
    numbered = _is_build_number(first)
    return numbered != _is_build_number(second) and bool(
        _COMMIT.match(second if numbered else first)
    )


def frontend_for_checkpoint(text: str, checkpoint_engine: str | None) -> str:
    """The engine text an application runs a checkpoint with: 'LM Studio 0.3.5' with an MLX
    checkpoint (its own engine mlx-lm) is 'LM Studio (MLX engine) 0.3.5' (data:
    engine_releases.toml `runs_for_checkpoints`). Any other text comes back as written."""
    if not checkpoint_engine or text.strip().lower() == "auto":
        return text
    named, rest = _leading_name(text)
    record = next((f for f in frontends() if f.name == named.frontend), None)
    variant_id = record.runs_for_checkpoints.get(checkpoint_engine) if record else None
    variant = next((f for f in frontends() if f.id == variant_id), None)
    if variant is None:
        return text
    return " ".join(part for part in (variant.name, rest.replace("-", " ")) if part)


GGUF_RUNNERS = ("llama.cpp", "ollama")  # engines that fetch a GGUF build of a checkpoint


def gguf_runner_text(text: str) -> str:
    """The engine a checkpoint's build is chosen for: an application that runs llama.cpp or
    Ollama underneath ('LM Studio 0.3.5', 'ipex-llm') fetches their GGUF builds (LM Studio's
    download defaults to Q4_K_M), so its text reads as the engine it runs; any other text
    (and one that names no known engine) comes back as written. LM Studio and ipex-llm were
    answered in the checkpoint's bf16, 6.5x slower than the Q4_K_M they run."""
    try:
        spec = parse_engine_spec(text)
    except GpuAtlasError:
        return text
    if spec.frontend is None or spec.engine not in GGUF_RUNNERS:
        return text
    return spec.engine if spec.version is None else f"{spec.engine} {spec.version}"


def engine_notes(text: str) -> tuple[str, ...]:
    """What an answer must say about the engine as the user wrote it: an application that
    runs another engine ('LM Studio 0.3.5': llama.cpp), a version newer than the newest
    known release ('vLLM 0.34.0') or a commit naming no release. Empty for 'auto' or a
    plain engine name; the text must parse (see parse_engine_spec)."""
    spec = parse_engine_spec(text)
    notes: list[str] = [spec.image.note] if spec.image is not None else []
    if spec.frontend is not None:
        notes.append(
            f"{spec.frontend} runs {spec.engine}: predicted with {spec.engine}'s newest "
            f"profile (the application's version names no {spec.engine} release)"
        )
    return (*notes, *version_notes(spec.engine, spec.version))


def unmeasured_engine_notes(
    profile: EngineProfile,
    measured_engines: frozenset[str],
    measured_prefill_engines: frozenset[str] | None = None,
) -> tuple[str, ...]:
    """What an engine of another family is costed at where it has no measured rows of its own:
    the calibrated levels of the engine its profile extends (engines.toml calibrate_from), said
    in the answer. `measured_engines`: the engines the calibration's decode rows cover; an engine
    with none (ExLlamaV3) borrows every level. `measured_prefill_engines` (the engines its prompt
    rows cover, when known): an engine measured in decode but not in prompts (LMDeploy, whose
    tables time decode and serving) borrows its prefill level only. Empty for a measured engine
    and for a generation or backend of the same engine (llama.cpp-2023)."""
    parent = profile.calibrate_from
    if not parent:
        return ()
    parent_family = next((p.engine for p in all_engines() if p.id == parent), parent)
    if parent_family == profile.engine:
        return ()
    if profile.id not in measured_engines:
        return (
            f"{profile.engine} has no measured rows in the calibration: costed at {parent}'s "
            "calibrated levels with its own memory, KV-cache and batching settings (engines.toml "
            "source), and marked extrapolated",
        )
    if measured_prefill_engines is None or profile.id in measured_prefill_engines:
        return ()
    return (
        f"{profile.engine} has no measured prompt rows in the calibration: its prefill and TTFT "
        f"are costed at {parent}'s calibrated prompt level and marked extrapolated (its decode "
        "and serving levels are its own)",
    )


def unmeasured_precision_notes(
    profile: EngineProfile, precision_class: str, measured: frozenset[str], kind: str = "decode"
) -> tuple[str, ...]:
    """Where an engine's rows of `kind` exist but none at this precision class (`measured`:
    the calibration's `<kind>:engine_precision` keys; a profile that shares its levels counts its
    parent's): the answer is marked extrapolated and says where the level comes from, the
    engine's other classes (calibration_table.group_keys: LMDeploy's rows are 4-bit, a bf16 run
    is not measured), refining its base engine's level at this class where the base measured
    it (llama.cpp-rocm at 16 bits: llama.cpp's). Empty when the class is measured or the engine
    has no rows at all (`unmeasured_engine_notes` says that)."""
    classes = [c for c in PRECISION_CLASSES if precision_keys(profile.id, c) & measured]
    if not classes or precision_class in classes:
        return ()
    asked, others = _bits_label(precision_class), ", ".join(_bits_label(c) for c in classes)
    levels = level_engine(profile.id)
    base = base_engine(levels)
    if base and precision_keys(base, precision_class) & measured:
        level = f"is {base}'s {asked} level corrected by its own {others} rows"
    else:
        level = f"comes from its {others} rows"
    name = profile.engine if levels == profile.engine else f"{profile.engine} ({levels})"
    return (
        f"{name} has no measured {asked} {kind} rows in the calibration (only {others}): its "
        f"{asked} {kind} level {level}, and is marked extrapolated",
    )


def _bits_label(precision_class: str) -> str:
    """'16bit' (a calibration precision class) as a reader writes it: '16-bit'."""
    return precision_class.replace("bit", "-bit")


def target_notes(profile: EngineProfile, gpu: Gpu) -> tuple[str, ...]:
    """Why the profile runs on another backend than the vendor's usual one: a build of the
    engine that has no kernels for this GPU's target (stock Ollama's ROCm build on an RX
    6700 XT, gfx1031), as engines.toml's unserved_targets say."""
    target = gpu.compute_capability or ""
    skipped = [
        p
        for p in all_engines()
        if p.engine == profile.engine and p.id != profile.id and target in p.unserved_targets
    ]
    if not target or not skipped:
        return ()
    backends = ", ".join(dict.fromkeys(b for p in skipped for b in p.backends))
    return (
        f"stock {profile.engine}'s {backends} build has no kernels for {gpu.name} ({target}): "
        f"it runs on {', '.join(profile.backends)} ({profile.id}); name the backend "
        f"('{profile.engine} {skipped[0].backends[0]}') for a build with an override",
    )


def bf16_in_fp32_math(profile: EngineProfile, gpu: Gpu, format_id: str) -> bool:
    """Whether this engine runs bf16 weights' GEMMs in fp32 math on this GPU: an NVIDIA GPU
    without a bf16 rate (before Ampere) under an engine that keeps bf16 as asked
    (engines.toml bf16_in_fp32_math: PyTorch's cuBLAS call computes in fp32 there)."""
    return format_id == "bf16" and profile.bf16_in_fp32_math and lacks_sixteen_bit_rate(gpu, "bf16")


def runs_weight_only(profile: EngineProfile, gpu: Gpu, format_id: str) -> bool:
    """Whether this engine runs these weights weight-only on this GPU (engines.toml
    weight_only_formats on a GPU of one of weight_only_capabilities): the packed weights are
    dequantised inside the GEMM and the math runs in 16 bits, although the architecture family
    has matrix instructions for the format (vLLM's MXFP4 MoE on sm120/sm121)."""
    return (
        format_id in profile.weight_only_formats
        and gpu.compute_capability in profile.weight_only_capabilities
    )


def engine_compute_precision(profile: EngineProfile, gpu: Gpu, weight_format: WeightFormat) -> str:
    """The precision this engine's matmuls run in for these weights on this GPU: the format's
    fallback precision where the engine runs it weight-only there, else the format's own."""
    if runs_weight_only(profile, gpu, weight_format.id):
        return weight_format.fallback_compute_precision
    return compute_precision(gpu, weight_format)


def dtype_notes(profile: EngineProfile, gpu: Gpu, format_id: str) -> tuple[str, ...]:
    """What the engine does with bf16 weights on a GPU it refuses bf16 on (vLLM below compute
    capability 8.0, engines.toml bf16_min_compute_capability): the user must pass fp16, which
    is what the prediction computes in (bf16 has no rate there: formats.toml's fallback); and
    with weights it runs weight-only on this GPU (engines.toml weight_only_formats)."""
    if bf16_in_fp32_math(profile, gpu, format_id):
        return (
            f"{profile.engine} runs bf16 on {gpu.name} without bf16 tensor cores (NVIDIA's start "
            "with Ampere, compute capability 8.0): PyTorch's bf16 GEMMs compute in fp32 on the "
            f"CUDA cores, at most {gpu.fp32_tflops:g} TFLOPS; torch_dtype=torch.float16 uses "
            "the fp16 tensor cores",
        )
    if runs_weight_only(profile, gpu, format_id):
        return (
            f"{profile.engine} runs {format_id} weight-only on {gpu.name} (compute capability "
            f"{gpu.compute_capability}): its kernels there dequantise the 4-bit weights inside "
            "the GEMM and compute with 16-bit activations, so the matmuls are costed at the "
            "bf16 tensor rate, not the FP4/FP8 rate",
        )
    needed = profile.bf16_min_compute_capability
    if format_id != "bf16" or not needed or gpu.vendor != "NVIDIA":
        return ()
    try:
        capability = float(gpu.compute_capability or "")
    except ValueError:
        return ()
    if capability >= needed:
        return ()
    return (
        f"{profile.engine} refuses bf16 on {gpu.name} (compute capability "
        f"{gpu.compute_capability}; it needs {needed:.1f}) and asks for --dtype half: costed "
        "in fp16, the dtype that runs (same memory, fp16 tensor rate)",
    )


# ----- choosing the profile ---------------------------------------------------------------------


def engine_profile(
    engine: str | EngineSpec,
    gpu: Gpu | None = None,
    version: str | None = None,
    date: str | None = None,
    backend: str | None = None,
) -> EngineProfile:
    """The profile a case uses: the engine's profiles on the backend (named, else the first
    that serves `gpu`; CUDA when no GPU is given), then the generation whose release bounds
    hold the version (else whose month bounds hold the version text's month or `date`, else
    the newest). A backend the engine has no profile for, or one that does not serve the GPU,
    is an error: it is never predicted as CUDA. Cached per engine text and GPU platform."""
    platform = platform_of(gpu) if gpu is not None else None
    outcome = _profile_outcome(engine, platform, version, date, backend)
    if isinstance(outcome, GpuAtlasError):
        raise outcome.with_traceback(None)
    return outcome


@lru_cache(maxsize=4096)
def _profile_outcome(
    engine: str | EngineSpec,
    gpu: Platform | None,
    version: str | None,
    date: str | None,
    backend: str | None,
) -> EngineProfile | GpuAtlasError:
    try:
        return _engine_profile(engine, gpu, version, date, backend)
    except GpuAtlasError as error:
        return error


def _engine_profile(
    engine: str | EngineSpec,
    gpu: Platform | None,
    version: str | None,
    date: str | None,
    backend: str | None,
) -> EngineProfile:
    spec = engine if isinstance(engine, EngineSpec) else parse_engine_spec(engine)
    image = _version_image(spec.engine, version)
    if image is not None:  # a version written as the image ('rocm/vllm-dev:20241121-tuned')
        spec = replace(spec, version=image.version, image=image, month=image.month)
        spec = replace(spec, backend=spec.backend or image.backend)
        version = image.version
    version = version or spec.version
    chosen_backend = backend or spec.backend
    profiles = _profiles_of(spec)
    if spec.profile is not None:
        named = next(p for p in profiles if p.id == spec.profile)
        if version is None or not _is_current_generation(named):
            _require_serves(named, chosen_backend or named.backends[0], gpu)
            return named
        # 'vllm rocm 0.6.1' names the backend's current profile and a version: the version
        # picks the generation on that backend, as 'vllm 0.6.1' does on an AMD GPU
        chosen_backend = chosen_backend or named.backends[0]
    chosen_backend = chosen_backend or _default_backend(spec.engine, profiles, gpu)
    on_backend = [p for p in profiles if chosen_backend in p.backends]
    if not on_backend:
        offered = sorted({b for p in profiles for b in p.backends})
        raise InvalidRequestError(
            [
                f"engine {spec.engine} has no {chosen_backend} profile (it is modelled on: "
                f"{', '.join(offered)})"
            ]
        )
    profile = _generation(on_backend, version, spec.month or date)  # a dated image's month first
    _require_serves(profile, chosen_backend, gpu)
    return profile


def _is_current_generation(profile: EngineProfile) -> bool:
    """A profile with no upper version or month bound: its backend's newest generation."""
    return not profile.before_version and not profile.before_month


def _profiles_of(spec: EngineSpec) -> list[EngineProfile]:
    profiles = [p for p in all_engines() if p.engine == spec.engine]
    if profiles:
        return profiles
    record = next(r for r in _tables().names if r.id == spec.engine)
    modelled = sorted({p.engine for p in all_engines()})
    what = (
        "is an image engine: the diffusion model takes it as its engine"
        if record.kind == "image"
        else "has no speed profile yet"
    )
    raise InvalidRequestError(
        [f"engine {spec.engine} {what}; LLM engines modelled: {', '.join(modelled)}"]
    )


def _default_backend(engine: str, profiles: list[EngineProfile], gpu: Platform | None) -> str:
    order = [b for p in profiles for b in p.backends]
    if gpu is None:
        return order[0]
    backends = {b.id: b for b in all_backends()}
    for backend in order:
        serves = backend in backends and backends[backend].serves(gpu)
        if serves and _build_runs_on(backend, profiles, gpu):
            return backend
    raise InvalidRequestError(
        [
            f"engine {engine} is not modelled on {gpu.vendor} {gpu.id} (its backends: "
            f"{', '.join(dict.fromkeys(order))}); engines modelled there: {_engines_on(gpu)}"
        ]
    )


def _build_runs_on(backend: str, profiles: list[EngineProfile], gpu: Platform) -> bool:
    """Whether the engine's build for this backend runs on the GPU's target: stock Ollama's
    ROCm build has no kernels for gfx1010/gfx1031/gfx1032 (engines.toml unserved_targets), so
    it runs those cards through its next backend (Vulkan). A backend the user names is kept."""
    on_backend = [p for p in profiles if backend in p.backends]
    return not gpu.target or any(gpu.target not in p.unserved_targets for p in on_backend)


def _engines_on(gpu: Platform) -> str:
    return ", ".join(engines_on(gpu)) or "none"


def engines_on(gpu: Platform, format_id: str | None = None) -> list[str]:
    """The LLM engines modelled on this GPU (a profile with a backend that serves it), by
    name; with `format_id`, only those with such a profile that loads that weight format."""
    backends = {b.id: b for b in all_backends()}
    return sorted(
        {
            p.engine
            for p in all_engines()
            if any(b in backends and backends[b].serves(gpu) for b in p.backends)
            and gpu.target not in p.unserved_targets
            and (format_id is None or p.supports_format(format_id))
        }
    )


def require_format_on(profile: EngineProfile, format_id: str, gpu: Gpu) -> None:
    """`engine_profiles.require_format` for a case on `gpu`: the refusal names every engine
    that loads the format on the GPU's platform (`engines_on`); and a format the engine loads
    but refuses on this GPU's compute capability (engines.toml format_min_compute_capability:
    vLLM's fp8 below 8.0) is refused with the capability it needs."""
    if not profile.supports_format(format_id):
        require_format(profile, format_id, engines_on(platform_of(gpu), format_id))
    needed = capability_needed(profile, gpu, format_id)
    if needed is None:
        return
    runs = ", ".join(formats_on(profile, gpu))
    raise InvalidRequestError(
        [
            f"{profile.engine} does not run {format_id} weights on {gpu.name} (compute "
            f"capability {gpu.compute_capability}; it needs {needed:.1f}); formats it runs "
            f"there: {runs}"
        ]
    )


def capability_needed(profile: EngineProfile, gpu: Gpu, format_id: str) -> float | None:
    """The compute capability this engine needs for weights of this format where this NVIDIA
    GPU has less (engines.toml format_min_compute_capability), else None."""
    needed = dict(profile.format_min_compute_capability).get(format_id)
    if needed is None or gpu.vendor != "NVIDIA":
        return None
    try:
        capability = float(gpu.compute_capability or "")
    except ValueError:
        return None
    return needed if capability < needed else None


def formats_on(profile: EngineProfile, gpu: Gpu) -> tuple[str, ...]:
    """The weight formats the engine loads and runs on this GPU (its formats less those it
    refuses on the GPU's compute capability), in the profile's order."""
    return tuple(f for f in profile.formats if capability_needed(profile, gpu, f) is None)


def check_backend(profile: EngineProfile, gpu: Gpu) -> None:
    """Raise unless one of the profile's backends serves this GPU."""
    platform = platform_of(gpu)
    served = [b for b in all_backends() if b.id in profile.backends and b.serves(platform)]
    if not served:
        _require_serves(profile, profile.backends[0], platform)


def profile_backend(profile: EngineProfile, gpu: Gpu) -> str:
    """The backend a case of this profile runs on this GPU: the first of its backends that
    serves the GPU (file order), else its first backend."""
    platform = platform_of(gpu)
    served = [b.id for b in all_backends() if b.id in profile.backends and b.serves(platform)]
    ordered = [backend for backend in profile.backends if backend in served]
    return ordered[0] if ordered else profile.backends[0]


def _require_serves(profile: EngineProfile, backend: str, gpu: Platform | None) -> None:
    _require_a_build_for(profile.engine, gpu)
    found = next((b for b in all_backends() if b.id == backend), None)
    if gpu is None or found is None or found.serves(gpu):
        return
    raise InvalidRequestError(
        [
            f"backend {backend} ({profile.id}) does not run on {gpu.vendor} {gpu.id}; it serves: "
            f"{', '.join(found.vendors)}; engines modelled on {gpu.id}: {_engines_on(gpu)}"
        ]
    )


def _require_a_build_for(engine: str, gpu: Platform | None) -> None:
    """Refuse a GPU whose compiler target no build of the engine runs on (ExLlamaV3 targets
    sm_80 and newer: engines.toml unserved_targets in every profile of the engine)."""
    profiles = [p for p in all_engines() if p.engine == engine]
    if gpu is None or not gpu.target or not profiles:
        return
    if all(gpu.target in p.unserved_targets for p in profiles):
        raise InvalidRequestError(
            [
                f"{engine} has no build for {gpu.id} (target {gpu.target}; engines.toml "
                f"unserved_targets); engines modelled there: {_engines_on(gpu)}"
            ]
        )


# ----- generations by release -------------------------------------------------------------------

_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
Point = tuple[str, tuple[int, ...]]


def _version_point(text: str | None) -> Point | None:
    """('build', (n,)) for a llama.cpp build, ('semver', (major, minor, patch)) for a release."""
    lowered = (text or "").lower()
    build = re.search(r"\bb(\d{3,6})\b", lowered)
    if build is not None:
        return "build", (int(build.group(1)),)
    semver = re.search(r"(?<![\w.])v?(\d+)\.(\d+)(?:\.(\d+))?", lowered)
    if semver is not None:
        return "semver", tuple(int(part or 0) for part in semver.groups())
    return None


def _bound(text: str) -> Point | None:
    return _version_point(text) if text else None


def _month_point(text: str | None, date: str | None) -> tuple[int, int] | None:
    lowered = (text or "").lower()
    found = re.search(r"\b(" + "|".join(_MONTHS) + r")[a-z]*\.? (20\d\d)\b", lowered)
    if found is not None:
        return int(found.group(2)), _MONTHS.index(found.group(1)) + 1
    iso = re.match(r"(20\d\d)(?:-(\d\d))?", date or "")
    if iso is not None:
        return int(iso.group(1)), int(iso.group(2) or 1)
    return None


def _iso_month(text: str) -> tuple[int, int] | None:
    return (int(text[:4]), int(text[5:7])) if text else None


def _in_months(profile: EngineProfile, month: tuple[int, int]) -> bool:
    first, last = _iso_month(profile.from_month), _iso_month(profile.before_month)
    if first is None and last is None:
        return False
    return (first is None or month >= first) and (last is None or month < last)


def _generation(
    profiles: list[EngineProfile], version: str | None, date: str | None
) -> EngineProfile:
    point = _version_point(version)
    month = _month_point(version, date)
    for profile in profiles:
        low, high = _bound(profile.from_version), _bound(profile.before_version)
        if (
            point is not None
            and (low or high)
            and all(b is None or b[0] == point[0] for b in (low, high))
        ):
            if (low is None or point[1] >= low[1]) and (high is None or point[1] < high[1]):
                return profile
            continue
        if point is None and month is not None and _in_months(profile, month):
            return profile
    newest = [p for p in profiles if not p.before_version and not p.before_month]
    return (newest or profiles)[0]


def release_notes(engine: str, version: str | None) -> list[str]:
    """What changed by this version of the engine ([[release]] notes in engines.toml)."""
    point = _version_point(version)
    notes = []
    for record in _tables().releases:
        bound = _bound(record.from_version)
        if (
            record.engine == engine
            and point
            and bound
            and point[0] == bound[0]
            and point[1] >= bound[1]
        ):
            notes.append(f"{engine} {record.from_version}+: {record.behaviour}")
    return notes


def engine_for_version(engine: str, version: str | None, date: str | None = None) -> str:
    """The engine profile id for an engine at a version on its default (CUDA) backend: the
    profiles' version and month bounds in engines.toml choose the generation (TensorRT-LLM
    0.5-0.7 static batching, llama.cpp builds before b2000 and b2000-b3999); `date` (ISO, of
    the measurement's source) places a version text that names no release. The engine's
    current profile (and any name that is not an LLM engine) keeps the name as given."""
    try:
        profile = engine_profile(engine, version=version, date=date)
    except GpuAtlasError:
        return engine
    current = next(p for p in all_engines() if p.engine == profile.engine)
    return engine if profile is current else profile.id


def resolve_engine_on(name: str | EngineProfile, gpu: Gpu) -> EngineProfile:
    """The profile of an engine on this GPU's backend ('vllm' on an MI300X is 'vllm-rocm',
    'llama.cpp' on an Apple GPU 'llama.cpp-metal'); an engine with no profile for the GPU's
    backends is an InvalidRequestError, never a CUDA prediction."""
    if isinstance(name, EngineProfile):
        check_backend(name, gpu)
        return name
    found = engine_profile(name, gpu)
    return as_predictions_use_it(found)


def engine_text_profile(text: str) -> EngineProfile:
    """The profile an engine text names ('vLLM 0.8.5', 'vllm-rocm', 'b4426') on its default
    backend, with no GPU check: for memory questions that ask about an engine, not a GPU."""
    return as_predictions_use_it(engine_profile(text))


def llama_cpp_generation(version: str | None, date: str | None = None) -> str:
    """'llama.cpp-2023' (before b2000), 'llama.cpp-2024' (b2000-b3999) or 'llama.cpp' (newer,
    or unknown), from a build number ('b2833'), else a month named in the version text
    ('builds of Dec 2023'), else the source's date."""
    return engine_for_version("llama.cpp", version, date)


# ----- image engines ----------------------------------------------------------------------------


def image_engine_names() -> dict[str, str]:
    """Every name of an image engine in [[engine_name]] (as `_key` writes it) -> its id."""
    return {
        _key(name): record.id
        for record in _tables().names
        if record.kind == "image"
        for name in (record.id, *record.names)
    }


def check_image_engine_runs_on(engine: str, gpu: Gpu) -> None:
    """Raise when an image engine of [[engine_name]] has no backend serving this GPU (Core ML
    on an NVIDIA card), naming the platforms it runs on; unknown names pass (eager PyTorch)."""
    key = _key(engine or "")
    record = next(
        (
            r
            for r in _tables().names
            if r.kind == "image" and key in {_key(name) for name in (r.id, *r.names)}
        ),
        None,
    )
    if record is None:
        return
    backends = [b for b in all_backends() if b.id in record.backends]
    platform = platform_of(gpu)
    if not backends or any(b.serves(platform) for b in backends):
        return
    vendors = ", ".join(dict.fromkeys(v for b in backends for v in b.vendors))
    usable = [
        r.id
        for r in _tables().names
        if r.kind == "image"
        and any(b.id in r.backends and b.serves(platform) for b in all_backends())
    ]
    raise InvalidRequestError(
        [
            f"image engine {record.id} does not run on {gpu.vendor} {gpu.id}: it runs on {vendors} "
            f"GPUs only (backends: {', '.join(b.id for b in backends)}); image engines for "
            f"{gpu.id}: {', '.join(usable) or 'none'}"
        ]
    )
