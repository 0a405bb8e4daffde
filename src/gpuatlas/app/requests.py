"""The base of every request model, and parsing that reports every bad field at once."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from gpuatlas.errors import InvalidRequestError

RequestT = TypeVar("RequestT", bound="AnswerRequest")
PATH_MARKS = ("..", "~", "\\")


class AnswerRequest(BaseModel):
    """A request as people state it; unknown fields are refused (a typo never goes unseen)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, frozen=True)


class SystemModelRequest(AnswerRequest):
    """A request about one model on one GPU or system."""

    system: str = Field(min_length=1, max_length=100, examples=["rtx-4090"],
                        description="GPU or system, e.g. 'rtx-4090' or '4x h100-sxm'.")
    model: str = Field(min_length=1, max_length=200, examples=["llama-3.1-8b"],
                       description="Model name, Hub id or Ollama tag.")


def parse_request(kind: type[RequestT], values: Mapping[str, Any]) -> RequestT:
    """The request from loose values (query parameters, options); every problem at once.

    Empty strings count as "not given", so the model's default applies."""
    cleaned = {key: value for key, value in values.items() if value != ""}
    try:
        return kind.model_validate(cleaned)
    except ValidationError as error:
        raise InvalidRequestError([_problem(issue) for issue in error.errors()]) from None


def _problem(issue: Any) -> str:
    where = ".".join(str(part) for part in issue["loc"]) or "request"
    return f"{where}: {issue['msg']}"


def split_list(value: Any) -> Any:
    """'fp16, Q4_K_M' → ['fp16', 'Q4_K_M'] (a form field); lists pass through."""
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    return value


def model_reference(name: str, local_files: bool) -> Any:
    """A model name resolved for an answer.

    ``local_files`` (the CLI) also accepts a config.json path or a Hub id; without it (the
    web) only names of the model library resolve, and anything that looks like a path is
    refused before it reaches the file system."""
    from gpuatlas.catalog.models import resolve_model_argument, resolve_model_reference

    if local_files:
        return resolve_model_argument(name)
    if _looks_like_path(name):
        raise InvalidRequestError([f"model: {name!r} looks like a file path; the web app "
                                   "answers for models of the library (see `gpuatlas models`)"])
    return resolve_model_reference(name, allow_hub=False)


def _looks_like_path(name: str) -> bool:
    return (name.endswith(".json") or name.startswith(".") or Path(name).is_absolute()
            or any(mark in name for mark in PATH_MARKS))
