"""Engines named by the container image users run them from ('vllm/vllm-openai:v0.8.5',
'lmsysorg/sglang:v0.4.6.post1-rocm630', 'rocm/vllm:rocm6.4.1_vllm_0.10.1_20250909',
'rocm/vllm-dev:20241121-tuned'). The repository names the engine, and for a vendor's build its
backend (data/engines.toml [[image]], read with the other engine tables by
engine_specs); the tag is read word by word for the engine's release, the backend the image was
built for and the date of a dated build. An image of a repository the table does not list is
read only where its tag names an engine and its release ('rocm/7.0:rocm7.0_ubuntu_22.04_vllm_
0.10.1_instinct_20250927_rc1', AMD's ROCm release images that hold several engines' builds)."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["ImageReading", "ImageRecord", "image_reference", "read_image"]

# [registry host/]namespace/repository[:tag][@sha256:digest]; a repository with no namespace
# ('vllm:0.8.5') is read as an engine name and a version instead
_REFERENCE = re.compile(
    r"^(?P<path>(?:[a-z0-9-]+(?:\.[a-z0-9-]+)+(?::\d+)?/)?[a-z0-9][a-z0-9._-]*"
    r"(?:/[a-z0-9][a-z0-9._-]*)+)(?::(?P<tag>\w[\w.+-]{0,127}))?(?:@sha256:[0-9a-f]{64})?$"
)
_HUB_PREFIXES = ("docker.io/library/", "docker.io/", "index.docker.io/", "registry.hub.docker.com/")
_DATED_BUILD = re.compile(r"^(20\d\d)(0[1-9]|1[0-2])(\d\d)?$")  # 20241121, 202411
_RELEASE = re.compile(r"^v?\d+\.\d+(\.\d+)*((post|rc|dev|a|b)\d*|\.(post|rc|dev)\d*)*$")
_LLAMA_CPP_BUILD = re.compile(r"^b\d{3,6}$")
_PREFIXED = re.compile(r"^(?P<word>[a-z]+)(?P<number>v?\d[\d.]*)?$")  # rocm630, cu129, vllm0.8.3
CUDA_TAG_PREFIX = "cu"  # CUDA builds tag their toolkit as cuXYZ (cu121, cu126, cu12)
# Words that name a framework an image is built on, not the engine it serves with: an unlisted
# image's tag is not read by them ('rocm/pytorch:rocm6.1_..._pytorch_2.1.2' is PyTorch 2.1.2,
# not transformers 2.1.2; 'mlx-0.20' is the MLX array library, not mlx-lm)
_FRAMEWORK_WORDS = frozenset({"pytorch", "torch", "mlx", "hf", "trt", "tensorrt", "jax", "tf"})


@dataclass(frozen=True)
class ImageReading:
    """What an image reference says: the engine, and from the tag the release (None: the tag
    names none, as 'latest' or 'nightly'), the backend and the month of a dated build."""

    image: str
    engine: str
    version: str | None
    backend: str | None
    month: str | None  # 'YYYY-MM'
    listed: bool = True  # False: a repository engines.toml does not list, read by its tag

    @property
    def note(self) -> str:
        """How the image was read, for an answer's notes."""
        read = " ".join(part for part in (self.engine, self.version) if part)
        if self.backend:
            read += f" on {self.backend}"
        if not self.listed:
            read += " (a repository not in the image table: its tag names the engine and release)"
        if self.month and not self.version:
            read += f", a build of {self.month} (placed among the engine's releases by date)"
        elif not self.version:
            read += ": its tag names no release, so the newest profile is used"
        return f"container image {self.image} read as {read}"


class ImageRecord(BaseModel):
    """One engines.toml [[image]] table: the repositories that hold an engine's images."""

    model_config = ConfigDict(extra="forbid")
    engine: str
    repositories: list[str] = Field(min_length=1)
    backend: str | None = None
    source: str = Field(min_length=3)


def image_reference(word: str) -> tuple[str, str] | None:
    """(repository, tag) of a word written as a container image reference, else None. The
    tag is '' when none is written; Docker Hub's own host prefix is dropped."""
    found = _REFERENCE.match(word.strip().lower())
    if found is None:
        return None
    path = found.group("path")
    for prefix in _HUB_PREFIXES:
        path = path.removeprefix(prefix)
    return path, found.group("tag") or ""


def read_image(
    word: str,
    images: Mapping[str, ImageRecord],
    backend_of: Callable[[str], str | None],
    engine_keys: Mapping[str, str],
) -> ImageReading | None:
    """The reading of a reference to one of `images` (repository, lower case -> its record),
    else None. `backend_of` maps a word to the backend it names (None for no backend);
    `engine_keys` maps every name of an engine (lower case) to its engine id, so that
    'vllm_0.10.1' in a tag is read as vLLM's release."""
    reference = image_reference(word)
    if reference is None:
        return None
    record = images.get(reference[0])
    if record is None:
        return _read_unlisted(word, reference[1], backend_of, engine_keys)
    version, backend, month = _read_tag(reference[1], record.engine, backend_of, engine_keys)
    return ImageReading(word.strip(), record.engine, version, record.backend or backend, month)


def _read_unlisted(
    word: str,
    tag: str,
    backend_of: Callable[[str], str | None],
    engine_keys: Mapping[str, str],
) -> ImageReading | None:
    """The reading of an image whose repository the table does not list, where its tag names
    exactly one engine with its release right after it ('..._vllm_0.10.1_...',
    '...-vllm0.8.3-...'); else None (the repository is then unknown)."""
    engines = set()
    words = [w for w in re.split(r"[_-]", tag) if w]
    for index, tag_word in enumerate(words):
        following = words[index + 1] if index + 1 < len(words) else ""
        prefixed = _PREFIXED.match(tag_word)
        joined = prefixed is not None and prefixed.group("number") is not None  # 'vllm0.8.3'
        name = prefixed.group("word") if prefixed is not None and joined else tag_word
        if name in _FRAMEWORK_WORDS or name not in engine_keys:
            continue
        if joined or _RELEASE.match(following):
            engines.add(engine_keys[name])
    if len(engines) != 1:
        return None
    (engine,) = engines
    version, backend, month = _read_tag(tag, engine, backend_of, engine_keys)
    return ImageReading(word.strip(), engine, version, backend, month, listed=False)


def _read_tag(
    tag: str,
    engine: str,
    backend_of: Callable[[str], str | None],
    engine_keys: Mapping[str, str],
) -> tuple[str | None, str | None, str | None]:
    """(release, backend, month) a tag gives. A release written after the engine's own name
    ('vllm_0.10.1', 'vllm0.8.3') is preferred to any other release-like word; words that are
    none of these ('latest', 'tuned', 'ubuntu22.04', 'py3') are the image's own labels."""
    named: str | None = None
    plain: str | None = None
    backend: str | None = None
    month: str | None = None
    after_engine = False
    for word in (w for w in re.split(r"[_-]", tag) if w):
        dated = _DATED_BUILD.match(word)
        prefixed = _PREFIXED.match(word)
        if after_engine and _RELEASE.match(word):
            named = word.removeprefix("v")
        elif dated is not None:
            month = f"{dated.group(1)}-{dated.group(2)}"
        elif _RELEASE.match(word) or (engine == "llama.cpp" and _LLAMA_CPP_BUILD.match(word)):
            plain = plain or word.removeprefix("v")
        elif prefixed is not None and engine_keys.get(prefixed.group("word")) == engine:
            number = prefixed.group("number")
            named = named or (number.removeprefix("v") if number else None)
        elif prefixed is not None:
            backend = backend or _tag_backend(prefixed.group("word"), backend_of)
        after_engine = (
            prefixed is not None
            and prefixed.group("number") is None
            and engine_keys.get(prefixed.group("word")) == engine
        )
    return named or plain, backend, month


def _tag_backend(word: str, backend_of: Callable[[str], str | None]) -> str | None:
    if word == CUDA_TAG_PREFIX:
        return backend_of("cuda")
    return backend_of(word)
