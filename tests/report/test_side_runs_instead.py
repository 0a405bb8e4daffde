"""`compare rtx-4090 m2-ultra --model llama-3.1-70b`: no format vLLM loads fits one 24 GB card
(even 4-bit weights are ~35-43 GB), so the RTX 4090 side shows what its users run instead:
llama.cpp with its default Q4_K_M GGUF, layers split between GPU and CPU; it says so, and says
that the sides' formats then differ. Where a smaller format of the usual engine fits, the side
runs that one on its engine. A format or engine the user names is kept as asked."""

from __future__ import annotations

from pathlib import Path

from gpuatlas.catalog.formats import find_format
from gpuatlas.catalog.models import resolve_model
from gpuatlas.catalog.systems import resolve_system
from gpuatlas.performance.llm.host_memory import host_ram_of
from gpuatlas.report import build_comparison
from gpuatlas.report.document import Comparison, Table
from gpuatlas.report.phrasing import render_statement

MODEL = "llama-3.1-70b"


def _inference(comparison: Comparison) -> tuple[list[str], Table]:
    section = next(s for s in comparison.sections if s.id == "inference")
    table = next(t for t in section.tables if t.id == "llm-speed")
    return [render_statement(s) for s in section.statements], table


def _row(table: Table, metric: str) -> tuple[object, ...]:
    return next(row for row in table.rows if str(getattr(row[0], "text", "")).startswith(metric))


def test_the_4090_runs_q4_k_m_on_llama_cpp_partly_on_the_cpu(fresh_data_dir: Path) -> None:
    comparison = build_comparison("rtx-4090", "m2-ultra", model=MODEL)
    statements, table = _inference(comparison)
    engine, weights = _row(table, "Engine"), _row(table, "Weights")
    assert getattr(engine[1], "text", "") == "llama.cpp (CUDA)"
    assert getattr(weights[1], "text", "") == "q4_k_m"
    assert getattr(weights[2], "text", "") == "bf16"  # the Mac holds the checkpoint's own
    instead = next(s for s in statements if s.startswith("RTX 4090: llama-3.1-70b in bf16: "))
    assert "no format vLLM loads fits RTX 4090" in instead and "Q4_K_M" in instead
    assert any("--weights q4_k_m compares like for like" in s for s in statements)
    summary = [render_statement(s) for s in comparison.summary]
    assert any(s.startswith("Single-user decode (q4_k_m vs bf16)") for s in summary)


def test_its_decode_is_bounded_by_the_host_memory_it_reads(fresh_data_dir: Path) -> None:
    """Each token reads the layers left on the CPU from host memory: at least the Q4_K_M
    weights that do not fit the card's 24 GiB, at the host's bandwidth at most."""
    comparison = build_comparison("rtx-4090", "m2-ultra", model=MODEL)
    _, table = _inference(comparison)
    decode = getattr(_row(table, "Single-user decode")[1], "value", None)
    q4 = find_format("q4_k_m")
    assert q4 is not None
    weights_gb = resolve_model(MODEL).total_params() * q4.model_bits_per_weight / 8 / 1e9  # type: ignore[union-attr]
    gpu = resolve_system("rtx-4090").gpu
    on_cpu_gb = weights_gb - gpu.memory_gb * 2**30 / 1e9
    assert on_cpu_gb > 10
    host_bandwidth_gb_s = 2 * 8 * 5600 / 1000  # dual-channel DDR5-5600, the stated assumption
    assert decode is not None and 0 < decode < host_bandwidth_gb_s / on_cpu_gb
    assert host_ram_of(resolve_system("rtx-4090")).memory_gb >= weights_gb - 24


def test_a_named_format_or_engine_is_kept(fresh_data_dir: Path) -> None:
    for options in ({"weights": "bf16"}, {"engine": "vllm"}):
        statements, table = _inference(
            build_comparison("rtx-4090", "m2-ultra", model=MODEL, **options)
        )
        assert getattr(_row(table, "Single-user decode")[1], "value", 0) is None
        assert not any(s.startswith("RTX 4090: llama-3.1-70b in") for s in statements)


def test_a_side_where_a_smaller_format_of_its_engine_fits_runs_it_on_that_engine(
    fresh_data_dir: Path,
) -> None:
    """Two RTX 3090s (2 x 24 GiB) cannot hold the 70B model in bf16 (141 GB) but hold it in AWQ
    (4-bit, ~37 GiB) on vLLM: that side keeps vLLM and shows AWQ, the first format worth
    considering that fits, saying so; it does not switch to llama.cpp."""
    statements, table = _inference(build_comparison("2x rtx-3090", "m2-ultra", model=MODEL))
    assert getattr(_row(table, "Engine")[1], "text", "") == "vLLM"
    assert getattr(_row(table, "Weights")[1], "text", "") == "awq-int4"
    assert getattr(_row(table, "Single-user decode")[1], "value", None)
    assert any(
        s.startswith("2× RTX 3090: llama-3.1-70b in bf16: it does not fit 2× RTX 3090 on vLLM")
        and "shown instead: awq-int4" in s
        for s in statements
    )
