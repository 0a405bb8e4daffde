"""A chip sold with several memory sizes, named without one, says which size the answer
assumed (issue 10). `fit "M2 Ultra" llama-3.3-70b` answered "fits" in bf16 on the catalog's
192 GB configuration: 70.6B weights x 2 bytes = 131 GiB fit macOS's default GPU share of
192 GB (three quarters, 144 GiB) but not of 128 GB (96 GiB) or 64 GB; nothing said that the
verdict rests on the largest Mac Studio configuration."""

from __future__ import annotations

from typer.testing import CliRunner

from gpuatlas.app.fit import FitRequest, fit_document
from gpuatlas.app.name_notes import memory_notes
from gpuatlas.catalog.systems import resolve_system
from gpuatlas.cli.main import app
from gpuatlas.report.build import build_comparison

runner = CliRunner()


def _fit_text(system: str, model: str, *options: str) -> str:
    """`gpuatlas fit SYSTEM MODEL OPTIONS` as printed, on one line."""
    result = runner.invoke(app, ["fit", system, model, *options])
    assert result.exit_code == 0, result.output
    return " ".join(result.output.split())


def test_fit_on_a_bare_mac_chip_names_the_sizes_on_which_it_would_not_fit() -> None:
    # bf16 as asked (named without a format, llama.cpp on a Mac runs its Q4_K_M build: 40 GiB,
    # which every size holds)
    text = _fit_text("M2 Ultra", "llama-3.3-70b", "--weights", "bf16")
    assert "verdict: fits" in text
    assert (
        "note: M2 Ultra: memory read as the 192 GB configuration, the largest (also sold with "
        "64 and 128 GB); with 64 or 128 GB it would not fit: name the size ('M2 Ultra 128GB')"
    ) in text


def test_a_model_that_fits_every_size_only_names_the_size_assumed() -> None:
    text = _fit_text("M2 Ultra", "llama-3.1-8b", "--weights", "q4_k_m")
    assert "memory read as the 192 GB configuration" in text
    assert "it would not fit" not in text


def test_a_name_with_its_size_or_a_card_with_one_size_says_nothing() -> None:
    assert memory_notes(["M2 Ultra 128GB", "rtx-4090", "apple-m4-max-32c"]) == []
    assert memory_notes(["M4 Max"]) == [
        "M4 Max: memory read as the 128 GB configuration, the largest (also sold with 48 and "
        "64 GB): name the size ('M4 Max 64GB') to be sure"
    ]


def test_the_fit_json_carries_the_memory_assumption() -> None:
    # The same sentence as the terminal's, with the sizes as values: 131 GiB of bf16 weights
    # fit 144 GiB (3/4 of 192 GB) but not 96 GiB (3/4 of 128 GB) or 48 GiB.
    document = fit_document(FitRequest(system="M2 Ultra", model="llama-3.3-70b", weights=["bf16"]))
    (entry,) = document["memory_assumptions"]
    assert entry["written"] == "M2 Ultra"
    assert entry["memory_gb"] == 192.0
    assert entry["other_memory_gb"] == [64.0, 128.0]
    assert entry["fit_differs_on_memory_gb"] == [64.0, 128.0]
    assert "name the size ('M2 Ultra 128GB') to be sure" in entry["note"]


def test_a_named_size_adds_no_memory_assumption_to_the_json() -> None:
    document = fit_document(FitRequest(system="M2 Ultra 128GB", model="llama-3.1-8b"))
    assert "memory_assumptions" not in document


def test_the_comparison_side_carries_the_memory_assumption_in_every_format() -> None:
    from gpuatlas.report.context import side_of
    from gpuatlas.report.render_html import render_html
    from gpuatlas.report.render_markdown import render_markdown

    side = side_of(resolve_system("M4 Max"), "M4 Max")
    assert side.memory_assumption == (
        "M4 Max: memory read as the 128 GB configuration, the largest (also sold with 48 and "
        "64 GB): name the size ('M4 Max 64GB') to be sure"
    )
    assert side_of(resolve_system("M4 Max 64GB"), "M4 Max 64GB").memory_assumption == ""
    comparison = build_comparison("M4 Max", "rtx-4090")
    assert comparison.a.memory_assumption == side.memory_assumption
    assert "memory read as the 128 GB configuration" in render_html(comparison)
    assert "memory read as the 128 GB configuration" in render_markdown(comparison)
    # the terminal report says it under its title, before the figures that rest on it (it
    # came after the last of ~2,000 lines)
    text = runner.invoke(app, ["compare", "M4 Max", "rtx-4090"]).output
    assert text.index("memory read as the 128 GB") < text.index("Summary")
