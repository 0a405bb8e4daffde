"""Engines and frameworks users name that no profile models stay unknown names, and the refusal
says why (performance/data/unmodelled_engines.toml); a framework that is another one underneath
(Oumi's default trainer is the Hugging Face Trainer) reads as that one."""

from __future__ import annotations

import pytest

from gpuatlas.errors import UnknownNameError
from gpuatlas.performance.engine_specs import parse_engine_spec
from gpuatlas.performance.media.diffusion import check_image_engine_known
from gpuatlas.performance.training.engines import training_engine


@pytest.mark.parametrize(
    ("written", "why"),
    [
        ("QServe", "W4A8KV4"),
        ("qserve 0.2", "W4A8KV4"),
        ("DiffusionBee", "TensorFlow"),
        ("KTransformers 0.5.2", "experts that do not fit the GPU run on the CPU"),
        ("kt-kernel", "--cpu-moe"),
    ],
)
def test_an_unmodelled_inference_engine_is_refused_with_its_reason(written: str, why: str) -> None:
    with pytest.raises(UnknownNameError) as caught:
        parse_engine_spec(written)
    assert not caught.value.ambiguous
    assert "is not modelled" in str(caught.value)
    assert why in str(caught.value)


def test_an_unmodelled_image_engine_is_refused_with_its_reason() -> None:
    with pytest.raises(UnknownNameError) as caught:
        check_image_engine_known("DiffusionBee")
    assert caught.value.kind == "image engine"
    assert "TensorFlow" in str(caught.value)
    assert "diffusers" in caught.value.candidates  # the close matches are still given


@pytest.mark.parametrize("written", ["PaddlePaddle", "PaddleNLP 3.0"])
def test_paddle_training_is_refused_with_its_reason(written: str) -> None:
    with pytest.raises(UnknownNameError) as caught:
        training_engine(written)
    assert "PaddlePaddle's own operators" in str(caught.value)


@pytest.mark.parametrize("written", ["oumi", "Oumi 0.5"])
def test_oumi_is_the_hugging_face_trainer(written: str) -> None:
    assert training_engine(written).id == "hf-trainer"


def test_a_typo_gets_no_reason() -> None:
    with pytest.raises(UnknownNameError) as caught:
        parse_engine_spec("vlmm")
    assert "is not modelled" not in str(caught.value)
