"""`predict diffusion --variant` refuses a word the image model does not read, with its close
matches: 'turbo-mode' and 'torch.compile+bogus' answered the plain diffusers figure (8.18 s on an
RTX 4090) as if the variant applied. A split that needs more GPUs names the count it needs
('cfg-parallel' on one GPU said "give e.g. '1x <gpu>'")."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from gpuatlas.app.predict import PredictDiffusionRequest, predict_diffusion_document
from gpuatlas.errors import InvalidRequestError
from gpuatlas.performance.media import diffusion, image_parallel
from gpuatlas.performance.media.variant_words import DIFFUSION_VARIANT_WORDS, variant_problems

pytestmark = pytest.mark.unit


def test_an_unknown_word_is_refused_with_its_close_matches() -> None:
    with pytest.raises(ValidationError) as raised:
        PredictDiffusionRequest(system="rtx-4090", model="sdxl", variant="torch.compil+tf32")
    assert "unknown variant word 'torch.compil'; close matches: torch.compile" in str(raised.value)
    assert variant_problems("turbo-mode")[0].startswith("unknown variant word 'turbo-mode' (known:")


def test_every_word_the_model_reads_is_accepted() -> None:
    read = {
        diffusion.CUDA_GRAPHS,
        diffusion.NO_CFG,
        diffusion.PARTIAL_LOAD,
        diffusion.SEQUENTIAL_OFFLOAD,
        diffusion.OFFLOAD_STREAM,
        image_parallel.CFG_PARALLEL,
        *diffusion.VANILLA_ATTENTION,
    }
    assert read <= DIFFUSION_VARIANT_WORDS
    words = "+".join(sorted(DIFFUSION_VARIANT_WORDS)) + "+ulysses-2+ring-2"
    assert variant_problems(words) == []
    document = predict_diffusion_document(
        PredictDiffusionRequest(system="rtx-4090", model="sdxl", variant="torch.compile")
    )
    plain = predict_diffusion_document(PredictDiffusionRequest(system="rtx-4090", model="sdxl"))
    assert document["s_per_image"]["value"] < plain["s_per_image"]["value"]


def test_a_split_over_more_gpus_than_the_system_has_names_the_count_it_needs() -> None:
    with pytest.raises(InvalidRequestError) as raised:
        predict_diffusion_document(
            PredictDiffusionRequest(system="rtx-4090", model="sdxl", variant="cfg-parallel")
        )
    assert "does not divide the system's 1 GPU (give e.g. '2x <gpu>')" in str(raised.value)
