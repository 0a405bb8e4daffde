"""Ollama's own Go engine (runner/ollamarunner), read in github:ollama/ollama: before v0.30.0
the architectures of fs/ggml/ggml.go OllamaEngineRequired() run on it (gptoss from v0.11.0,
qwen3moe from v0.12.2, qwen35moe from v0.17.1, ...), every other GGUF on the llama.cpp runner;
from v0.30.0 (PR #16031) every GGUF runs on the bundled llama-server. A case takes the Go
engine's profile, whose calibrated levels refine Ollama's own."""

from __future__ import annotations

import pytest

from gpuatlas.calibration.fitting import observe
from gpuatlas.catalog.measurements import MeasuredRow, load_measurements
from gpuatlas.performance.calibration_table import group_keys
from gpuatlas.performance.engine_profiles import engine_for_model, resolve_engine
from gpuatlas.performance.engine_specs import engine_profile
from gpuatlas.performance.llm.predict import llm_runtime

_BACKEND_GPUS = {"metal": "apple-m4-10c", "rocm": "rx-7900-xtx", "vulkan": "rx-6600"}


@pytest.mark.unit
@pytest.mark.parametrize(
    ("version", "profile"),
    [
        ("0.13.4", "ollama-2026"),
        ("0.21.0", "ollama-2026"),
        ("0.29.9", "ollama-2026"),
        ("0.30.0", "ollama"),
        ("0.30.11", "ollama"),
        ("0.12.6", "ollama-2025"),
    ],
)
def test_the_release_before_llama_server_is_its_own_generation(version: str, profile: str) -> None:
    assert engine_profile("ollama", version=version).id == profile


@pytest.mark.unit
@pytest.mark.parametrize(
    ("engine", "model", "profile"),
    [
        ("ollama 0.21.0", "Qwen/Qwen3.6-35B-A3B", "ollama-go"),  # qwen35moe, v0.17.1 on
        ("ollama 0.21.0", "Qwen/Qwen3-30B-A3B", "ollama-go"),  # qwen3moe, v0.12.2 on
        ("ollama 0.12.6", "openai/gpt-oss-20b", "ollama-go"),  # gptoss, v0.11.0 on
        ("ollama 0.21.0", "llama3.1:8b", "ollama-2026"),  # llama: the llama.cpp runner
        ("ollama 0.30.11", "Qwen/Qwen3.6-35B-A3B", "ollama"),  # llama-server for every GGUF
        ("ollama 0.30.11", "openai/gpt-oss-20b", "ollama"),
    ],
)
def test_a_model_runs_on_the_path_its_release_gives_its_architecture(
    engine: str, model: str, profile: str
) -> None:
    weights = "mxfp4" if "gpt-oss" in model else "q4_k_m"
    assert llm_runtime("rtx-4090", model, weights, engine).engine.id == profile


@pytest.mark.unit
def test_the_switch_is_the_releases_own() -> None:
    assert engine_for_model(resolve_engine("ollama"), "qwen3.5").id == "ollama"
    assert engine_for_model(resolve_engine("ollama-2024"), "gemma-3").id == "ollama-go-2024"
    assert engine_for_model(resolve_engine("ollama-2024"), "qwen3").id == "ollama-2024"
    assert engine_for_model(resolve_engine("ollama-2026"), "qwen3.5").id == "ollama-go"
    assert engine_for_model(resolve_engine("ollama-2026"), "llama-3.1").id == "ollama-2026"


@pytest.mark.unit
def test_go_engine_levels_refine_ollamas() -> None:
    keys = group_keys("decode", "ollama-go", "ada/gddr", "q4")
    assert keys[0] == "decode|ollama|*|*"
    assert keys[-1] == "decode|ollama-go|ada/gddr|q4"


def _l40s_row(metric: str) -> MeasuredRow:
    return next(
        row
        for row in load_measurements()
        if "ollama/issues/14861" in row.source and row.gpu == "l40s" and row.metric == metric
    )


@pytest.mark.unit
@pytest.mark.parametrize("metric", ["decode_tok_s", "prefill_tok_s"])
def test_rows_that_ran_on_the_go_engine_calibrate_its_levels(metric: str) -> None:
    found = observe(_l40s_row(metric))
    assert found is not None
    assert found.engine == "ollama-go"


@pytest.mark.unit
@pytest.mark.parametrize("backend", sorted(_BACKEND_GPUS))
@pytest.mark.parametrize(
    ("version", "model", "path"),
    [
        ("0.21.0", "Qwen/Qwen3-8B", "ollama-go-{b}"),  # qwen3: the Go engine from v0.12.0
        ("0.21.0", "meta-llama/Llama-3.1-8B-Instruct", "ollama-{b}-2026"),  # the llama runner
        ("0.12.6", "google/gemma-3-12b-it", "ollama-go-{b}"),
        ("0.9.0", "google/gemma-3-12b-it", "ollama-go-{b}-2024"),  # gemma3 from v0.6.0
        ("0.9.0", "Qwen/Qwen3-8B", "ollama-{b}-2024"),  # qwen3 joined in v0.12.0
        ("0.30.11", "Qwen/Qwen3-8B", "ollama-{b}"),  # llama-server for every GGUF
    ],
)
def test_every_backend_routes_an_architecture_as_cuda_does(
    backend: str, version: str, model: str, path: str
) -> None:
    # llm/server.go NewLlamaServer: NewEngine() || OllamaEngineRequired(), no GPU library
    runtime = llm_runtime(_BACKEND_GPUS[backend], model, "q4_k_m", f"ollama {version}")
    assert runtime.engine.id == path.format(b=backend)


@pytest.mark.unit
@pytest.mark.parametrize("go_engine", ["ollama-go-2024", "ollama-go-metal-2024"])
def test_the_go_engine_before_0_11_8_decodes_without_flash_attention(go_engine: str) -> None:
    profile = resolve_engine(go_engine)
    assert profile.decode_attention_per_query_head
    assert profile.attention_score_bytes > 0
    assert not resolve_engine("ollama-go").decode_attention_per_query_head


@pytest.mark.unit
@pytest.mark.parametrize("backend", sorted(_BACKEND_GPUS))
def test_the_go_engine_on_a_backend_runs_that_backends_kernels(backend: str) -> None:
    runner, go = resolve_engine(f"ollama-{backend}"), resolve_engine(f"ollama-go-{backend}")
    assert go.backends == runner.backends
    assert go.dp4a_families == runner.dp4a_families
    assert go.block_scale_ops == runner.block_scale_ops
    assert go.layer_overhead_ms == runner.layer_overhead_ms
    assert go.expert_pass_tokens == runner.expert_pass_tokens
    assert go.unserved_targets == runner.unserved_targets


@pytest.mark.unit
def test_go_engine_levels_on_metal_refine_the_go_engines() -> None:
    keys = group_keys("decode", "ollama-go-metal", "apple/unified", "4bit")
    assert keys[0] == "decode|ollama-go|*|*"
    assert keys[-1] == "decode|ollama-go-metal|apple/unified|4bit"


@pytest.mark.unit
def test_ollama_rows_of_march_2026_on_a_mac_calibrate_the_go_engine_on_metal() -> None:
    rows = [r for r in load_measurements() if "jitesh.dev" in r.source and r.engine == "ollama"]
    assert rows
    found = [observe(row) for row in rows]
    assert {f.engine for f in found if f is not None} == {"ollama-go-metal"}
