"""Ollama's default num_ctx by release and GPU memory (performance/data/context_defaults.toml,
read from github:ollama/ollama envconfig/config.go and server/routes.go)."""

from __future__ import annotations

import pytest

from gpuatlas.performance.context_defaults import default_context, semver


@pytest.mark.unit
@pytest.mark.parametrize(
    ("version", "total_gib", "tokens"),
    [
        (None, 11.99, 4096),  # newest Ollama, RTX 3060 12 GB: under 23 GiB
        (None, 23.99, 32768),  # RTX 4090 as nvidia-smi counts it: 23 GiB threshold, not 24
        (None, 47.99, 262144),  # RTX 6000 Ada 48 GB
        ("0.15.5", 23.99, 32768),
        ("0.15.4", 79.6, 4096),  # before the VRAM tiers: 4096 whatever the memory
        ("0.12.6", 23.99, 4096),
        ("0.6.7", 23.99, 4096),
        ("0.6.6", 23.99, 2048),
        ("0.5.7", 79.6, 2048),
        ("0.33.3", 22.9, 4096),
    ],
)
def test_ollama_default_num_ctx(version: str | None, total_gib: float, tokens: int) -> None:
    found = default_context("ollama", version, total_gib)
    assert found is not None
    assert found.tokens == tokens
    assert "ollama/ollama" in found.source


@pytest.mark.unit
def test_default_is_capped_at_the_trained_context() -> None:
    # llm/server.go: a num_ctx over the model's n_ctx_train is set to n_ctx_train
    found = default_context("ollama", None, 80.0, model_max_tokens=131072)
    assert found is not None
    assert (found.tokens, found.capped) == (131072, True)
    uncapped = default_context("ollama", None, 80.0, model_max_tokens=0)
    assert uncapped is not None
    assert uncapped.tokens == 262144


@pytest.mark.unit
def test_engines_without_a_rule_have_none() -> None:
    assert default_context("vllm", "0.11.0", 80.0) is None


@pytest.mark.unit
def test_semver_reads_the_version_in_engine_text() -> None:
    assert semver("Ollama 0.15.5") == (0, 15, 5)
    assert semver("ollama v0.12") == (0, 12, 0)
    assert semver("ollama") is None


@pytest.mark.unit
@pytest.mark.parametrize(
    ("engine_text", "tokens"),
    [
        ("Ollama (run of 2025-03-10)", 2048),  # before v0.6.7 (2025-05-02)
        ("Ollama (run of 2025-09-06)", 4096),  # v0.6.7-v0.15.4
        ("Ollama (run of 2026-02-02)", 4096),  # the day before v0.15.5
        ("Ollama (run of 2026-02-03)", 32768),  # v0.15.5's VRAM tiers on a 24 GB card
        ("Ollama (run of 2025-09)", 4096),  # a month: its first day
        ("Ollama 0.12.6 (run of 2026-06-01)", 4096),  # a stated version wins over the date
    ],
)
def test_a_dated_run_without_a_version_reads_the_release_of_its_date(
    engine_text: str, tokens: int
) -> None:
    found = default_context("ollama", engine_text, 23.99)
    assert found is not None
    assert found.tokens == tokens


@pytest.mark.unit
def test_measured_rows_keep_their_version_or_date_and_both_paths_use_it() -> None:
    """A 2025 Ollama run of qwen3:32b q4_k_m on a 24 GB card ran at 4,096 tokens of num_ctx
    (whole on the GPU); the newest release allocates 32,768 and splits it. The row path and
    the vectorised path agree on both."""
    from gpuatlas.performance.cases import Case, predict_case
    from gpuatlas.performance.llm.vectorised import predict_llm_many

    base = Case(
        gpu="rtx-4090",
        gpu_count=1,
        model="qwen3:32b",
        weights="q4_k_m",
        engine="ollama",
        batch=1,
        input_tokens=469,
        output_tokens=882,
        metric="decode_tok_s",
    )
    dated = Case(**{**base.__dict__, "engine_text": "Ollama (run of 2025-09-06)"})
    newest, then = predict_case(base).value, predict_case(dated).value
    assert then > 3 * newest  # whole on the GPU vs 45 of 64 layers with the rest on the CPU
    vectorised = predict_llm_many([base, dated])
    assert vectorised[0] == pytest.approx(newest, rel=1e-9)
    assert vectorised[1] == pytest.approx(then, rel=1e-9)


@pytest.mark.unit
def test_run_engine_text_of_measured_rows() -> None:
    from dataclasses import replace

    from gpuatlas.calibration.fitting import run_engine_text
    from gpuatlas.catalog.measurements import load_measurements

    row = next(iter(load_measurements()))
    assert run_engine_text(replace(row, engine="Ollama", engine_version="0.5.7")) == (
        "Ollama 0.5.7"
    )
    undated = replace(row, engine="Ollama", engine_version="", source_date="2025-09-06")
    assert run_engine_text(undated) == "Ollama (run of 2025-09-06)"
    assert run_engine_text(replace(undated, source_date=None)) is None
