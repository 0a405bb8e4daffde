"""A library file's text encoders and image-token rule are written as `ComponentParams` and
`ImageTokenRule` declare them: the block schemas are built from those types."""

from __future__ import annotations

import dataclasses
import json
from importlib import resources
from pathlib import Path
from typing import Any

import pytest

from gpuatlas.catalog.model_arch import ComponentParams, ImageTokenRule, VisionLanguageArch
from gpuatlas.catalog.model_library_file import (
    ComponentBlock,
    ImageTokensBlock,
    arch_from_library_document,
)
from gpuatlas.errors import DataFileError

MODELS = Path(str(resources.files("gpuatlas.catalog") / "data" / "models"))


def library_document(name: str) -> dict[str, Any]:
    document: dict[str, Any] = json.loads((MODELS / name).read_text(encoding="utf-8"))
    return document


def test_the_block_schemas_are_the_declared_fields() -> None:
    assert set(ComponentBlock.model_fields) == {f.name for f in dataclasses.fields(ComponentParams)}
    rule_fields = {f.name for f in dataclasses.fields(ImageTokenRule)}
    assert set(ImageTokensBlock.model_fields) == rule_fields | {"source"}  # the rule's source


def test_a_vision_model_gets_its_image_token_rule() -> None:
    arch = arch_from_library_document(library_document("llava-1.5-7b.json"), "llava.json")
    assert isinstance(arch, VisionLanguageArch)
    assert arch.image_tokens == ImageTokenRule(fixed_tokens=576, image_size_px=336)
    assert arch.image_tokens.tokens_for(1024, 768) == 576


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"fixed_tokens": 0}, "image_tokens.fixed_tokens"),  # declared gt=0
        ({"tokens": 576}, "image_tokens.tokens"),  # not a field of the rule
    ],
)
def test_a_bad_image_token_rule_names_the_field(change: dict[str, Any], field: str) -> None:
    document = library_document("llava-1.5-7b.json")
    document["gpuatlas"]["image_tokens"] = {**document["gpuatlas"]["image_tokens"], **change}
    with pytest.raises(DataFileError) as caught:
        arch_from_library_document(document, "llava.json")
    assert [problem.split(":")[0] for problem in caught.value.problems] == [
        f"field 'gpuatlas.{field}'"
    ]


def test_a_text_encoder_needs_a_positive_size() -> None:
    diffusion = next(
        path.name
        for path in sorted(MODELS.glob("*.json"))
        if library_document(path.name)["gpuatlas"].get("kind") == "diffusion"
    )
    document = library_document(diffusion)
    document["gpuatlas"]["text_encoders"][0]["params"] = 0
    with pytest.raises(DataFileError, match=r"gpuatlas\.text_encoders\.0\.params"):
        arch_from_library_document(document, diffusion)
