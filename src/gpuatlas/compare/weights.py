"""The published Atlas Score method: reference GPU and category weights, from a data file."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from gpuatlas.errors import DataFileError


@dataclass(frozen=True)
class ScoreMethod:
    version: str
    reference_gpu: str
    reference_value: float
    weights: dict[str, float]
    source: str

    @property
    def scored_categories(self) -> tuple[str, ...]:
        return tuple(category for category, weight in self.weights.items() if weight > 0)


class _ScoreMethodRecord(BaseModel):
    model_config = ConfigDict(extra="forbid")
    version: str = Field(min_length=1)
    reference_gpu: str = Field(min_length=1)
    reference_value: float = Field(gt=0)
    weights: dict[str, float]

    @field_validator("weights")
    @classmethod
    def _usable_weights(cls, weights: dict[str, float]) -> dict[str, float]:
        problems = [f"{name} = {value} is negative" for name, value in weights.items() if value < 0]
        if sum(weights.values()) <= 0:
            problems.append("the weights sum to zero")
        if problems:
            raise ValueError("; ".join(problems))
        return weights


def load_score_method(path: Path) -> ScoreMethod:
    try:
        record = _ScoreMethodRecord.model_validate(tomllib.loads(path.read_text("utf-8")))
    except (tomllib.TOMLDecodeError, ValidationError) as error:
        raise DataFileError(str(path), [str(error)]) from None
    return ScoreMethod(
        version=record.version,
        reference_gpu=record.reference_gpu,
        reference_value=record.reference_value,
        weights=dict(record.weights),
        source=f"gpuatlas/compare/data/{path.name}",
    )


@cache
def default_score_method() -> ScoreMethod:
    data = resources.files("gpuatlas.compare") / "data" / "atlas_score_v1.toml"
    return load_score_method(Path(str(data)))
