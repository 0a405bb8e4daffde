"""`gpuatlas cost | tco | plan | fleet` end to end, with the real catalog and estimator."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from gpuatlas.cli.main import app

runner = CliRunner()
ISSUE_EXAMPLE = [
    "plan",
    "--model",
    "meta-llama/Llama-2-13b-hf",
    "--weights",
    "fp16",
    "--rps",
    "100",
    "--input-tokens",
    "512",
    "--output-tokens",
    "256",
    "--p95-ttft-ms",
    "500",
    "--p95-tpot-ms",
    "50",
    "--json",
]


def run_json(arguments: list[str]) -> dict:
    result = runner.invoke(app, arguments)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_plan_json_lists_options_cheapest_first_with_the_documented_fields() -> None:
    document = run_json(ISSUE_EXAMPLE)
    options = document["options"]
    assert document["schema_version"] == "gpuatlas.plan/2" and document["feasible"]
    costs = [o["monthly_cost_usd"] for o in options]
    assert costs == sorted(costs) and len(options) == 10
    required = {
        "gpu",
        "gpu_count",
        "replicas",
        "provider",
        "monthly_cost_usd",
        "p95_ttft_ms",
        "p95_tpot_ms",
        "utilization",
        "meets_slo",
        "tier",
        "price_observed_date",
        "price_source",
    }
    assert all(required <= set(o) for o in options)
    assert all(
        o["meets_slo"] and o["p95_ttft_ms"] <= 500 and o["p95_tpot_ms"] <= 50 for o in options
    )
    # what ranked the runner-up second follows from the two options' own numbers (two single
    # GPUs and one 2-GPU node serving as two replicas can cost the same: a tie)
    winner, runner = options[0], options[1]
    same_cost = round(winner["monthly_cost_usd"]) == round(runner["monthly_cost_usd"])
    same_ttft = round(winner["p95_ttft_ms"]) == round(runner["p95_ttft_ms"])
    expected = "cost" if not same_cost else ("latency" if not same_ttft else "tie")
    assert document["explanation"]["runner_up_lost_on"] == expected
    # one RTX 4090 cannot hold 13B fp16 weights (26 GB > 24 GB): rejected on memory
    assert any(
        r["gpu"] == "rtx-4090" and r["gpu_count"] == 1 and r["kind"] == "memory"
        for r in document["rejected"]
    )


def test_plan_reports_every_bad_input_at_once() -> None:
    result = runner.invoke(
        app,
        [
            "plan",
            "--model",
            "llama-2-13b",
            "--rps",
            "-5",
            "--provider",
            "NoSuchCloud",
            "--p95-ttft-ms",
            "-1",
            "--gpu-count",
            "0",
        ],
    )
    assert result.exit_code == 2
    message = " ".join(result.output.split())
    for expected in (
        "request rate must be > 0 req/s, got -5",
        "unknown provider 'NoSuchCloud'",
        "RunPod",
        "Lambda",
        "p95 TTFT target must be > 0 ms",
        "GPU count must be ≥ 1, got 0",
    ):
        assert expected in message


def test_plan_with_an_unreachable_target_names_the_closest_option() -> None:
    document = run_json(
        [
            "plan",
            "--model",
            "llama-2-13b",
            "--rps",
            "10",
            "--p95-ttft-ms",
            "1",
            "--gpu",
            "rtx-4090",
            "--gpu",
            "a100-80gb-pcie",
            "--json",
        ]
    )
    assert not document["feasible"]
    assert document["message"].startswith("no configuration meets p95 TTFT ≤ 1 ms; the closest is")
    assert document["options"] and not document["options"][0]["meets_slo"]


def test_rental_costs_match_the_articles_long_duration_figures() -> None:
    document = run_json(
        [
            "cost",
            "--gpu",
            "rtx-4090",
            "--gpu",
            "a100-80gb-pcie",
            "--provider",
            "RunPod",
            "--tier",
            "community",
            "--json",
        ]
    )
    by_gpu = {row["system_id"]: row for row in document["rentals"]}
    assert by_gpu["rtx-4090"]["usd_for_hours"] == pytest.approx(8.16)
    assert by_gpu["rtx-4090"]["usd_for_days"] == pytest.approx(244.80)
    assert by_gpu["a100-80gb-pcie"]["usd_for_hours"] == pytest.approx(28.56)
    assert by_gpu["a100-80gb-pcie"]["usd_for_days"] == pytest.approx(856.80)
    assert by_gpu["rtx-4090"]["price"]["tier"] == "community"


def test_serving_cost_uses_each_gpus_own_rate() -> None:
    document = run_json(
        [
            "cost",
            "--gpu",
            "rtx-4090",
            "--gpu",
            "a100-80gb-pcie",
            "--provider",
            "RunPod",
            "--tier",
            "community",
            "--workload",
            "llm",
            "--model",
            "llama-2-7b",
            "--weights",
            "fp16",
            "--json",
        ]
    )
    rows = {row["system_id"]: row for row in document["serving"]}
    rtx, a100 = rows["rtx-4090"], rows["a100-80gb-pcie"]
    assert rtx["sustained"]["rps"] != pytest.approx(a100["sustained"]["rps"])
    for row in (rtx, a100):
        hourly = row["price"]["usd_per_hour"]
        expected = hourly / (3600 * row["sustained"]["rps"])
        # documents round money below a dollar to 3 significant digits (app/documents.py)
        assert row["usd_per_request"] == pytest.approx(expected, rel=5e-3)
        band = row["usd_per_million_output_tokens"]
        assert band["low"] <= band["value"] <= band["high"]


def test_tco_power_over_five_years_corrects_the_articles_arithmetic() -> None:
    document = run_json(
        [
            "tco",
            "--gpu",
            "4x rtx-4090",
            "--gpu",
            "2x a100-80gb-sxm",
            "--years",
            "5",
            "--usd-per-kwh",
            "0.12",
            "--pue",
            "1.3",
            "--json",
        ]
    )
    rtx, a100 = document["systems"]
    assert rtx["facility_w"] == pytest.approx(2340.0)
    assert rtx["electricity_usd_per_year"] == pytest.approx(2459.81)  # to the cent
    assert a100["electricity_usd_per_year"] == pytest.approx(1093.25)
    comparison = document["comparisons"][0]
    assert comparison["electricity_difference_usd_total"] == pytest.approx(6832.80)


def test_tco_used_rtx_4090_break_even() -> None:
    document = run_json(
        [
            "tco",
            "--gpu",
            "rtx-4090",
            "--purchase-usd",
            "700",
            "--condition",
            "used",
            "--usd-per-kwh",
            "0.08",
            "--pue",
            "1.0",
            "--provider",
            "RunPod",
            "--tier",
            "community",
            "--json",
        ]
    )
    even = document["systems"][0]["break_even"]
    assert even["cloud_usd_per_month"] == pytest.approx(0.34 * 730)
    assert even["break_even_months"] == pytest.approx(700 / (0.34 * 730 - 0.45 * 730 * 0.08))
    assert even["break_even_month"] == 4


def test_tco_bad_inputs_are_listed_together() -> None:
    result = runner.invoke(
        app, ["tco", "--gpu", "rtx-4090", "--pue", "0.8", "--years", "0", "--provider", "Nowhere"]
    )
    assert result.exit_code == 2
    message = " ".join(result.output.split())
    assert "PUE must be ≥ 1.0" in message and "years must be > 0" in message
    assert "unknown provider 'Nowhere'" in message


def test_one_replica_at_100_rps_is_overloaded_and_queues_more_than_at_10() -> None:
    def one_replica(rps: str) -> dict:
        return run_json(
            [
                "plan",
                "--model",
                "llama-2-13b",
                "--weights",
                "int8",
                "--rps",
                rps,
                "--p95-ttft-ms",
                "500",
                "--p95-tpot-ms",
                "50",
                "--gpu",
                "a100-80gb-pcie",
                "--gpu-count",
                "1",
                "--replicas",
                "1",
                "--json",
            ]
        )["options"][0]

    busy, calm = one_replica("100"), one_replica("1")
    assert busy["replicas"] == calm["replicas"] == 1
    assert busy["utilization"] > 1.0 and not busy["meets_slo"]
    assert calm["utilization"] < 1.0 and calm["meets_slo"]
    assert busy["p95_ttft_ms"] > 100 * calm["p95_ttft_ms"]
