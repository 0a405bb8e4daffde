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
