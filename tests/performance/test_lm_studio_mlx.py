"""LM Studio runs GGUF checkpoints with llama.cpp and, on a Mac, MLX checkpoints with its MLX
engine (lmstudio-ai/mlx-engine, built on mlx-lm): `-e "LM Studio"` with an mlx-community model
is predicted as mlx-lm and the answer says so (issue 10; engine_releases.toml
`runs_for_checkpoints`)."""

from __future__ import annotations

from gpuatlas.performance.engine_specs import (
    engine_notes,
    frontend_for_checkpoint,
    parse_engine_spec,
)
from gpuatlas.performance.platform_engines import auto_engine


def test_lm_studio_runs_an_mlx_checkpoint_with_its_mlx_engine() -> None:
    text = frontend_for_checkpoint("LM Studio 0.3.5", "mlx-lm")
    assert text == "LM Studio (MLX engine) 0.3.5"
    assert parse_engine_spec(text).engine == "mlx-lm"
    (note,) = engine_notes(text)
    assert note.startswith("LM Studio (MLX engine) 0.3.5 runs mlx-lm")


def test_lm_studio_runs_other_checkpoints_with_llama_cpp() -> None:
    for checkpoint_engine in (None, "llama.cpp", "ollama"):
        text = frontend_for_checkpoint("LM Studio", checkpoint_engine)
        assert parse_engine_spec(text).engine == "llama.cpp"


def test_an_engine_named_directly_is_kept() -> None:
    assert frontend_for_checkpoint("vllm 0.8.5", "mlx-lm") == "vllm 0.8.5"
    assert frontend_for_checkpoint("auto", "mlx-lm") == "auto"


def test_auto_engine_keeps_the_mlx_engine_of_lm_studio_on_a_mac() -> None:
    engine = auto_engine("LM Studio", "mlx-lm", "M2 Ultra")
    assert parse_engine_spec(engine).engine == "mlx-lm"
