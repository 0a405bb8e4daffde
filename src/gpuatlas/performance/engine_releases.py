"""The known releases of each engine (data/engine_releases.toml) and what a version a user
writes means against them: an error for a version that cannot exist ('vLLM 9.9', a build
number for vLLM), a note for one newer than the data ('vLLM 0.34.0': predicted with the
newest profile), and the applications that run an engine underneath ('LM Studio 0.3.5')."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from gpuatlas.errors import DataFileError, InvalidRequestError

__all__ = [
    "BRANCH_NAMES",
    "EngineRelease",
    "Frontend",
    "check_release",
    "frontends",
    "read_data_file",
    "release_range",
    "validated_table",
    "validated_tables",
    "version_notes",
    "version_point",
]

Scheme = Literal["semver", "build"]
VersionPoint = tuple[Scheme, tuple[int, ...]]


class EngineRelease(BaseModel):
    """An engine's known releases (see the comments of data/engine_releases.toml)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    engine: str
    scheme: Scheme
    first: str = ""
    newest: str = Field(min_length=1)
    newest_date: str = Field(default="", pattern=r"^(\d{4}-\d{2}-\d{2})?$")
    plausible_before: str = Field(min_length=1)
    source: str = Field(min_length=3)
    as_of: str = Field(pattern=r"^\d{4}-\d{2}-\d{2}$")

    def known_range(self) -> str:
        """'0.0.1 to 0.33.0' or 'b1 to b11364 (2026-10-03)'."""
        dated = f" ({self.newest_date})" if self.newest_date else ""
        first = f"{self.first} to " if self.first else "up to "
        return f"{first}{self.newest}{dated}"

    def cited(self) -> str:
        return f"source: {self.source}, as of {self.as_of}"


class Frontend(BaseModel):
    """An application users name that runs an engine underneath (LM Studio runs llama.cpp)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    id: str
    name: str = Field(min_length=1)
    names: list[str] = []
    runs: str
    source: str = Field(min_length=3)
    # checkpoint engine -> the frontend record that runs it instead (LM Studio runs an MLX
    # checkpoint with its MLX engine, not llama.cpp)
    runs_for_checkpoints: dict[str, str] = {}


_Record = TypeVar("_Record", bound=BaseModel)


@dataclass(frozen=True)
class _Tables:
    releases: dict[str, EngineRelease]
    frontends: tuple[Frontend, ...]


@cache
def _tables() -> _Tables:
    path, document = read_data_file("engine_releases.toml")
    problems: list[str] = []
    releases = validated_tables(EngineRelease, document, "engine_release", problems)
    front = validated_tables(Frontend, document, "frontend", problems)
    for release in releases:
        problems += _bound_problems(release)
    if problems:
        raise DataFileError(path, problems)
    return _Tables({r.engine: r for r in releases}, tuple(front))


def read_data_file(file_name: str) -> tuple[str, dict[str, Any]]:
    """(path, parsed TOML) of a file in performance/data/."""
    path = resources.files("gpuatlas.performance") / "data" / file_name
    return str(path), tomllib.loads(path.read_text(encoding="utf-8"))


def validated_tables(
    model: type[_Record], document: dict[str, Any], kind: str, problems: list[str]
) -> list[_Record]:
    """Every [[kind]] table of a parsed data file that validates as `model`; the problems of
    the others are appended to `problems`."""
    found = [validated_table(model, table, kind, problems) for table in document.get(kind, [])]
    return [record for record in found if record is not None]


def validated_table(
    model: type[_Record], table: dict[str, object], kind: str, problems: list[str]
) -> _Record | None:
    """One [[kind]] table of a data file as `model`, or None with its problems appended
    (labelled by the table's id, else its engine)."""
    try:
        return model.model_validate(table)
    except ValidationError as error:
        label = f"[[{kind}]] {table.get('id', table.get('engine', '?'))}"
        problems += [f"{label}, field {e['loc'][0]}: {e['msg']}" for e in error.errors()]
        return None


def _bound_problems(release: EngineRelease) -> list[str]:
    """Every bound must be a version of the engine's scheme, in order."""
    points = {
        name: version_point(text)
        for name, text in (
            ("first", release.first),
            ("newest", release.newest),
            ("plausible_before", release.plausible_before),
        )
        if text
    }
    problems = [
        f"[[engine_release]] {release.engine}, field {name}: not a {release.scheme} version"
        for name, point in points.items()
        if point is None or point[0] != release.scheme
    ]
    ordered = [p for p in points.values() if p is not None]
    if not problems and ordered != sorted(ordered):
        problems.append(
            f"[[engine_release]] {release.engine}: first <= newest < plausible_before must hold"
        )
    return problems


def release_range(engine: str) -> EngineRelease | None:
    return _tables().releases.get(engine)


def frontends() -> tuple[Frontend, ...]:
    return _tables().frontends


# The tip of a development branch, as users write a build they compiled from source ('llama.cpp
# master', 'vLLM main', 'SGLang nightly'): no release, predicted like a commit (`version_notes`).
BRANCH_NAMES = frozenset({"master", "main", "head", "nightly", "latest"})
_BUILD_POINT = re.compile(r"^b(\d+)$")
_SEMVER_POINT = re.compile(
    r"^v?(\d+)(?:\.(\d+)(?:\.(\d+))?(?:\.\d+)*"
    r"(?:[.\-]?(?:post|rc|dev|alpha|beta|a|b)\d*)*(?:\+[a-z0-9.]+)?)?$"
)


def version_point(text: str) -> VersionPoint | None:
    """('build', (4426,)) for 'b4426'; ('semver', (0, 6, 3)) for '0.6.3.post1', '1.0.0rc4',
    'v0.6.2' or '0.1.dev'; None for anything else (a commit hash)."""
    lowered = text.strip().lower()
    build = _BUILD_POINT.match(lowered)
    if build is not None:
        return "build", (int(build.group(1)),)
    semver = _SEMVER_POINT.match(lowered)
    if semver is not None:
        return "semver", tuple(int(part or 0) for part in semver.groups())
    return None


def _scheme_example(release: EngineRelease) -> str:
    return (
        f"a build such as {release.newest} or a commit"
        if release.scheme == "build"
        else f"a release such as {release.newest}"
    )


def check_release(engine: str, version: str | None, text: str) -> None:
    """Raise InvalidRequestError when `version` cannot be a release of `engine`: the wrong
    kind of version (a build number for vLLM, 0.8.5 for llama.cpp), before the first release,
    or past what is plausible as of the data's date. Commits and engines without data pass."""
    release = release_range(engine)
    point = version_point(version) if version else None
    if release is None or point is None:
        return
    if point[0] != release.scheme:
        raise InvalidRequestError(
            [
                f"engine text {text!r}: {version} is not a {engine} version ({engine} versions "
                f"are {_scheme_example(release)}; known: {release.known_range()}; "
                f"{release.cited()})"
            ]
        )
    first = version_point(release.first) if release.first else None
    limit = version_point(release.plausible_before)
    if first is not None and point < first:
        raise InvalidRequestError(
            [
                f"engine text {text!r}: {engine} {version} is before the first {engine} release "
                f"({release.first}); known releases: {release.known_range()} ({release.cited()})"
            ]
        )
    if limit is not None and point >= limit:
        raise InvalidRequestError(
            [
                f"engine text {text!r}: there is no {engine} {version}: known releases run "
                f"{release.known_range()} ({release.cited()}); a version newer than "
                f"{release.newest} is accepted up to (not including) {release.plausible_before}"
            ]
        )


def version_notes(engine: str, version: str | None) -> tuple[str, ...]:
    """What the answer must say about the version: newer than the newest known release, or a
    commit that names no release (both predicted with the engine's newest profile)."""
    release = release_range(engine)
    if release is None or not version:
        return ()
    point = version_point(version)
    newest = version_point(release.newest)
    if point is None and version.lower() in BRANCH_NAMES:
        return (
            f"{engine} {version} names a branch or moving tag, not a release: predicted with "
            f"{engine}'s newest profile (releases known: {release.known_range()})",
        )
    if point is None:
        return (
            f"{engine} {version} names no release (a commit): predicted with {engine}'s "
            f"newest profile (releases known: {release.known_range()})",
        )
    if newest is not None and point > newest:
        return (
            f"{engine} {version} is newer than the newest {engine} release known "
            f"({release.newest}{f' of {release.newest_date}' if release.newest_date else ''}, "
            f"as of {release.as_of}): predicted with {engine}'s newest profile",
        )
    return ()
