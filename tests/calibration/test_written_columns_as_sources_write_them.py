"""Columns of a held-out row as its source writes them: the 'backend' column ('Vulkan', 'ROCm
w/ rocWMMA', 'llama.cpp-hip', 'llama.cpp-vulkan_amdvlk') is read as the backend, so the row is
predicted on that backend's profile and never on CUDA's; a GGUF file name in the 'weights'
column gives the format its name carries."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from gpuatlas.calibration.fitting import observations, predicted_value
from gpuatlas.calibration.written_rows import _NameError, _stated_backend, _weights, load_written
from gpuatlas.catalog.measurements import COLUMNS as MEASUREMENT_COLUMNS
from gpuatlas.catalog.models import resolve_model_reference

pytestmark = pytest.mark.unit

COLUMNS = [*MEASUREMENT_COLUMNS, "parallelism", "backend", "variant"]


@pytest.mark.parametrize(
    ("engine", "written", "backend"),
    [
        ("llama.cpp", "Vulkan", "vulkan"),
        ("llama.cpp", "CUDA", "cuda"),
        ("llama.cpp", "llama.cpp-hip", "rocm"),
        ("llama.cpp", "llama.cpp-vulkan_amdvlk", "vulkan"),
        ("llama.cpp", "llama.cpp-vulkan_radv", "vulkan"),
        ("llama.cpp", "ROCm w/ rocWMMA", "rocm"),
        ("llama.cpp", "Vulkan AMDVLK", "vulkan"),
        ("vLLM", "ROCm + AITER", "rocm"),
        ("Ollama", "rocm", "rocm"),
    ],
)
def test_the_backend_column_reads_as_written(engine: str, written: str, backend: str) -> None:
    assert _stated_backend(engine, written) == backend


def test_a_column_naming_no_backend_of_the_engine_is_kept_as_written() -> None:
    # an image application's device label: the image model reads it, not the LLM profiles
    assert _stated_backend("DiffusionBee", "mps") == "mps"
    assert _stated_backend("llama.cpp", None) is None


def test_a_row_written_with_vulkan_capitalised_is_predicted_on_vulkan(tmp_path: Path) -> None:
    rows = []
    for backend in ("Vulkan", "vulkan", "ROCm"):
        rows.append(
            {
                **dict.fromkeys(COLUMNS, ""),
                "gpu": "AMD Radeon RX 7900 XTX",
                "gpu_count": "1",
                "engine": "llama.cpp",
                "engine_version": "34ce48d97 (7356)",
                "model": "llama 7B Q4_0",
                "weights": "Q4_0",
                "batch": "1",
                "output_tokens": "128",
                "metric": "decode_tok_s",
                "value": "100",
                "unit": "tok/s",
                "source": "https://example.org/test",
                "source_date": "2025-12-11",
                "backend": backend,
            }
        )
    with (tmp_path / "rows.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
    written = load_written(tmp_path)
    assert [row.backend for row in written.rows] == ["vulkan", "vulkan", "rocm"]
    capital, lower, rocm = observations(written.rows)
    assert capital.case.engine == lower.case.engine
    assert "vulkan" in capital.case.engine and "rocm" in rocm.case.engine
    assert predicted_value(capital) == predicted_value(lower) is not None


def test_a_gguf_file_name_as_the_weights_gives_its_format() -> None:
    reference = resolve_model_reference("Qwen3.6-35B-A3B")
    assert _weights("Qwen3.6-35B-A3B-UD-Q8_K_XL.gguf", reference, "llama.cpp") == "q8_0"
    assert _weights("qwen3.6-35b-a3b-Q4_K_M.gguf", reference, "llama.cpp") == "q4_k_m"


def test_a_file_of_another_model_as_the_weights_is_refused() -> None:
    reference = resolve_model_reference("Qwen3.6-35B-A3B")
    with pytest.raises(_NameError, match="unknown weight format"):
        _weights("gemma-3-12b-it-Q8_0.gguf", reference, "llama.cpp")


@pytest.mark.parametrize(
    ("written", "format_id"),
    [
        ("FP8 e4m3 weights with dynamic activation quant", "fp8"),
        ("Q4_K_M with imatrix", "q4_k_m"),
    ],
)
def test_a_description_that_opens_with_a_format_reads_as_it(written: str, format_id: str) -> None:
    reference = resolve_model_reference("Qwen/Qwen3-8B")
    assert _weights(written, reference, "vllm" if format_id == "fp8" else "llama.cpp") == format_id


@pytest.mark.parametrize("written", ["Q4 and Q8 mixed", "weights in fp8", "some text"])
def test_a_description_with_two_formats_or_none_up_front_is_refused(written: str) -> None:
    reference = resolve_model_reference("Qwen/Qwen3-8B")
    with pytest.raises(_NameError):
        _weights(written, reference, "llama.cpp")


def _serving_row(**cells: str) -> dict[str, str]:
    return {
        **dict.fromkeys([*COLUMNS, *SETTINGS], ""),
        "gpu": "H100 SXM",
        "gpu_count": "1",
        "engine": "vLLM",
        "engine_version": "0.11.0",
        "model": "Qwen/Qwen3-8B",
        "weights": "BF16",
        "batch": "64",
        "input_tokens": "512",
        "output_tokens": "256",
        "metric": "serving_output_tok_s",
        "value": "500",
        "unit": "tok/s",
        "source": "https://example.org/test",
        "source_date": "2026-10-01",
        **cells,
    }


SETTINGS = ["requests", "mean_output_tokens", "gpu_layers", "num_ctx", "server_slots"]


def test_a_written_row_carries_the_run_settings_it_states(tmp_path: Path) -> None:
    # round 35: the written loader dropped these columns, so a finite burst (`requests`) was
    # predicted as a steady state; they decide the prediction as they do for a fitted row
    rows = [
        _serving_row(),
        _serving_row(requests="100"),  # waves of 64 then 36: the second half-empty
        _serving_row(requests="100", mean_output_tokens="180.5", num_ctx="8192"),
        _serving_row(
            engine="llama.cpp",
            engine_version="b6000",
            gpu_layers="20",
            server_slots="4",
            weights="Q4_K_M",
        ),
    ]
    with (tmp_path / "rows.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=[*COLUMNS, *SETTINGS])
        writer.writeheader()
        writer.writerows(rows)
    steady, burst, early, offload = load_written(tmp_path).rows
    assert (steady.requests, burst.requests, early.requests) == (None, 100, 100)
    assert early.mean_output_tokens == 180.5 and early.num_ctx == 8192
    assert (offload.gpu_layers, offload.server_slots) == (20, 4)
    steady_case, burst_case, _, _ = observations([steady, burst, early, offload])
    steady_tok_s = predicted_value(steady_case)
    burst_tok_s = predicted_value(burst_case)
    assert steady_tok_s is not None and burst_tok_s is not None
    assert burst_tok_s < steady_tok_s  # the last wave runs 36 of 64 slots
