"""The 'backend' column of a row as its source writes it ('Vulkan', 'ROCm w/ rocWMMA',
'llama.cpp-hip', 'llama.cpp-vulkan_amdvlk') is read as the backend, so the row is predicted on
that backend's profile and never on CUDA's."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from gpuatlas.calibration.fitting import observations, predicted_value
from gpuatlas.calibration.written_rows import _stated_backend, load_written

pytestmark = pytest.mark.unit

COLUMNS = [
    "gpu",
    "gpu_count",
    "engine",
    "engine_version",
    "model",
    "weights",
    "kv_cache",
    "batch",
    "input_tokens",
    "output_tokens",
    "resolution",
    "steps",
    "metric",
    "value",
    "unit",
    "source",
    "source_date",
    "notes",
    "parallelism",
    "backend",
    "variant",
]


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
