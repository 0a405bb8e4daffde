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


def test_an_mlx_community_checkpoint_is_made_for_mlx_lm() -> None:
    from gpuatlas.catalog.model_weights import native_weights
    from gpuatlas.catalog.models import resolve_model_reference

    reference = resolve_model_reference("mlx-community/Meta-Llama-3.1-8B-Instruct-4bit", False)
    assert (native_weights(reference).format_id, native_weights(reference).engine) == (
        "mlx-4bit",
        "mlx-lm",
    )


def test_predict_with_lm_studio_on_a_mac_runs_the_mlx_engine_and_says_so() -> None:
    from gpuatlas.app.predict import PredictLlmRequest, predict_llm_document

    mlx = predict_llm_document(
        PredictLlmRequest(
            system="M2 Ultra",
            model="mlx-community/Meta-Llama-3.1-8B-Instruct-4bit",
            engine="LM Studio",
        )
    )
    assert mlx["engine_note"].startswith("LM Studio (MLX engine) runs mlx-lm")
    gguf = predict_llm_document(
        PredictLlmRequest(
            system="M2 Ultra",
            model="bartowski/Meta-Llama-3.1-8B-Instruct-GGUF:Q4_K_M",
            engine="LM Studio",
        )
    )
    assert gguf["engine_note"].startswith("LM Studio runs llama.cpp")
    assert mlx["decode_tok_s"]["value"] != gguf["decode_tok_s"]["value"]
