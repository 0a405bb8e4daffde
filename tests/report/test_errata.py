"""The A100-vs-RTX-4090 report repeats none of the errors listed in shared/seeds/ERRATA.md."""

from __future__ import annotations

import re

import pytest

from gpuatlas.report import Comparison, render_markdown, render_text
from gpuatlas.report.document import Quantity, Table, Text
from gpuatlas.report.phrasing import render_statement


@pytest.fixture(scope="module")
def text(a100_vs_4090: Comparison) -> str:
    return render_text(a100_vs_4090, width=200) + render_markdown(a100_vs_4090)


def _table(comparison: Comparison, table_id: str) -> Table:
    for section in comparison.sections:
        for table in section.tables:
            if table.id == table_id:
                return table
    raise AssertionError(f"no table {table_id}")


def _row(table: Table, label: str) -> tuple[Quantity | Text, ...]:
    for row in table.rows:
        if isinstance(row[0], Text) and row[0].text == label:
            return row
    raise AssertionError(f"no row {label!r} in {table.id}")


def _value(cell: Quantity | Text) -> float | None:
    assert isinstance(cell, Quantity)
    return cell.value


def test_names_the_a100_variant(a100_vs_4090: Comparison, text: str) -> None:
    assert a100_vs_4090.a.gpu_id == "a100-80gb-sxm"
    assert a100_vs_4090.a.label == "A100 80GB SXM4"
    assert "A = A100 80GB SXM4 (SXM4)" in text


def test_tensor_throughput_is_dense_tf32_156_vs_82_6(a100_vs_4090: Comparison) -> None:
    row = _row(_table(a100_vs_4090, "hardware"), "TF32 tensor, dense")
    assert (_value(row[1]), _value(row[2])) == (156.0, 82.6)
    assert _value(row[3]) == pytest.approx(156 / 82.6)


def test_no_sparse_figure_is_shown_as_tf32(text: str) -> None:
    assert not re.search(r"312 TFLOPS[^\n]*TF32|TF32[^\n|]*312 TFLOPS", text)
    assert not re.search(r"TF32[^\n|]*165 TFLOPS", text)


def test_memory_bandwidth_is_1008_and_2039_about_2x(a100_vs_4090: Comparison, text: str) -> None:
    row = _row(_table(a100_vs_4090, "hardware"), "Memory bandwidth")
    assert (_value(row[1]), _value(row[2])) == (2039.0, 1008.0)
    assert "2.02× the memory bandwidth" in text
    assert "1.08 TB/s" not in text
    assert not re.search(r"1\.85[x×][^\n]{0,20}bandwidth", text)


def test_l2_cache_is_larger_on_the_4090(a100_vs_4090: Comparison, text: str) -> None:
    row = _row(_table(a100_vs_4090, "hardware"), "L2 cache")
    assert (_value(row[1]), _value(row[2])) == (40.0, 72.0)
    assert "RTX 4090 has 1.80× the L2 cache of A100 80GB SXM4 (72 vs 40 MB)" in text
    assert "12MB" not in text and "12 MB" not in text


def test_nvlink_is_300_gb_s_per_direction_and_the_4090_has_pcie_only(text: str) -> None:
    assert "NVLink 3 (12 links), 300 GB/s per direction" in text
    assert "RTX 4090: no GPU-to-GPU link, PCIe only (31.5 GB/s per direction)" in text
    assert "75 GB/s" not in text and "600 Gbps" not in text


def test_fp8_on_ada_not_on_ampere(text: str) -> None:
    assert (
        "RTX 4090 (Ada Lovelace (AD102)) has native FP8 tensor cores; A100 80GB SXM4 "
        "(Ampere (GA100)) does not."
    ) in text


def test_tdp_is_the_sxm_variants_400_w(a100_vs_4090: Comparison, text: str) -> None:
    row = _row(_table(a100_vs_4090, "hardware"), "TDP")
    assert (_value(row[1]), _value(row[2])) == (400.0, 450.0)
    assert "300-400" not in text and "300–400" not in text


def test_runpod_prices_name_their_tier(a100_vs_4090: Comparison) -> None:
    rows = [
        row
        for row in _table(a100_vs_4090, "prices-rtx-4090").rows
        if isinstance(row[0], Text) and row[0].text == "RunPod"
    ]
    tiers = {(_value(row[3]), row[1].text) for row in rows if isinstance(row[1], Text)}
    assert (0.34, "community") in tiers
    assert (0.34, "on-demand") not in tiers


def test_coreweave_price_is_per_gpu_with_the_node_price_shown(a100_vs_4090: Comparison) -> None:
    rows = [
        row
        for row in _table(a100_vs_4090, "prices-a100-80gb-sxm").rows
        if isinstance(row[0], Text) and row[0].text == "CoreWeave"
    ]
    assert rows
    assert _value(rows[0][3]) == pytest.approx(2.70)
    offer = rows[0][2]
    assert isinstance(offer, Text) and "$21.60/h ÷ 8 GPUs" in offer.text


def test_cost_per_million_tokens_uses_each_gpus_own_throughput(
    a100_vs_4090: Comparison,
) -> None:
    speed = _table(a100_vs_4090, "llm-speed")
    throughput = {"A": _value(speed.rows[2][1]), "B": _value(speed.rows[2][2])}
    labels = {a100_vs_4090.a.label: "A", a100_vs_4090.b.label: "B"}
    for row in _table(a100_vs_4090, "llm-cost").rows:
        side = labels[row[0].text]  # type: ignore[union-attr]
        hourly, per_million = _value(row[2]), _value(row[3])
        own = throughput[side]
        assert hourly is not None and own is not None
        assert per_million == pytest.approx(hourly / (own * 3600) * 1e6)
    assert throughput["A"] != throughput["B"]


def test_serving_scenario_replicas_come_from_each_gpus_capacity(
    a100_vs_4090: Comparison,
) -> None:
    rows = _table(a100_vs_4090, "serving-scenario").rows
    replicas = {
        (r[0].text, r[1].text): r[2].text
        for r in rows  # type: ignore[union-attr]
        if isinstance(r[2], Text)
    }
    assert replicas[("A100 80GB SXM4", "100 req/s")] != replicas[("RTX 4090", "100 req/s")]


def test_no_13b_mistral(text: str) -> None:
    assert not re.search(r"Mistral[^\n]{0,20}13B|13B[^\n]{0,20}Mistral", text, re.IGNORECASE)


def test_power_efficiency_is_one_statement_on_the_same_workload(
    a100_vs_4090: Comparison,
) -> None:
    power = a100_vs_4090.section("power")
    efficiency = [s for s in power.statements if "efficiency" in render_statement(s).lower()]
    assert len(efficiency) == 1
    assert efficiency[0].numbers["x"].unit == "tok/J"
    assert "FLOPS" not in render_statement(efficiency[0])


def test_70b_full_training_does_not_fit_24_gb_cards(a100_vs_4090: Comparison) -> None:
    rows = _table(a100_vs_4090, "training-fit").rows
    full_70b = [r for r in rows if r[0].text == "llama-3-70b" and r[1].text == "full"]  # type: ignore[union-attr]
    assert full_70b and full_70b[0][3].text.startswith("does not fit")  # type: ignore[union-attr]


def test_gradient_sync_uses_each_systems_link(a100_vs_4090: Comparison) -> None:
    links = {r[0].text: r[1].text for r in _table(a100_vs_4090, "gradient-sync").rows}  # type: ignore[union-attr]
    assert "NVLink" in links["2× A100 80GB SXM4"] and "300 GB/s" in links["2× A100 80GB SXM4"]
    assert "PCIe" in links["2× RTX 4090"]
