"""mlx-lm runs mlx-community's gpt-oss '-MXFP4-Q8' checkpoints (MXFP4 experts): the checkpoint
id resolves to gpt-oss in MXFP4 and mlx-lm loads the format (round 38; before, the six gpt-oss
rows of the as_written_r38 folder were refused), while formats MLX has no kernels for stay
refused with the list it does load."""

from __future__ import annotations

import pytest

from gpuatlas.catalog.model_names import resolve_model_reference
from gpuatlas.economics.serving_engine import engine_loads
from gpuatlas.errors import GpuAtlasError
from gpuatlas.performance.llm.predict import llm_runtime

pytestmark = pytest.mark.unit


def test_the_mxfp4_checkpoint_resolves_and_mlx_lm_loads_it() -> None:
    reference = resolve_model_reference("mlx-community/gpt-oss-20b-MXFP4-Q8")
    assert (reference.model.id, reference.format_id) == ("gpt-oss-20b", "mxfp4")
    assert engine_loads("mlx-lm", "mxfp4")
    runtime = llm_runtime("apple-m5-max-40c", "gpt-oss-20b", "mxfp4", "mlx-lm")
    # experts in MXFP4 (4.25 bits): the weights read per token are far below a bf16 copy's
    bf16 = llm_runtime("apple-m5-max-40c", "gpt-oss-20b", "bf16", "mlx-lm")
    assert runtime.shape.held_weight_bytes < 0.4 * bf16.shape.held_weight_bytes


def test_a_format_mlx_has_no_kernels_for_is_still_refused() -> None:
    assert not engine_loads("mlx-lm", "q4_k_m")
    with pytest.raises(GpuAtlasError, match="mlx-4bit"):
        llm_runtime("apple-m5-max-40c", "gpt-oss-20b", "q4_k_m", "mlx-lm")
