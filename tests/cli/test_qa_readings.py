"""What a stranger reads (issue 10, QA pass 17): the article before a number as it is spoken
('an 8-GPU instance'), sub-second training times in milliseconds, and `predict train`'s
precision checked and its options explained."""

from __future__ import annotations

import json
import re

import pytest
from typer.testing import CliRunner

from gpuatlas.catalog.prices import current_prices
from gpuatlas.catalog.systems import resolve_system
from gpuatlas.cli.catalog_commands import _offer_cell
from gpuatlas.cli.main import app
from gpuatlas.cli.model_render import _SHORT_ARCHITECTURE, all_formats
from gpuatlas.numbers import with_article
from gpuatlas.performance import api
from gpuatlas.report.rental_prices import hostable_offers, offer_label


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("8", "an 8"),
        ("80 ms", "an 80 ms"),
        ("8,192", "an 8,192"),
        ("11", "an 11"),
        ("18,000", "an 18,000"),
        ("4", "a 4"),
        ("110", "a 110"),
        ("180", "a 180"),
        ("1.5", "a 1.5"),
        ("2,048", "a 2,048"),
    ],
)
def test_a_number_takes_the_article_it_is_spoken_with(text: str, expected: str) -> None:
    assert with_article(text) == expected


def test_an_eight_gpu_instance_is_an_8_gpu_instance() -> None:
    offers = [
        p for p in hostable_offers(resolve_system("a100-80gb-sxm")) if p.gpus_per_instance == 8
    ]
    assert offers
    for price in offers:
        assert "per GPU of an 8-GPU instance" in offer_label(price)
        assert "a 8-GPU" not in offer_label(price)


def _train(*extra: str) -> str:
    result = CliRunner().invoke(
        app,
        ["predict", "train", "4x rtx-4090", "llama-3.1-8b", "--method", "lora", *extra],
        env={"COLUMNS": "80"},
    )
    assert result.exit_code == 0, result.output
    return result.output


def _row(output: str, label: str) -> str:
    line = next(line for line in output.splitlines() if line.startswith(f"│ {label} "))
    return line.split("│")[2].strip()


def test_sub_second_training_times_read_in_milliseconds() -> None:
    output = _train()
    for label in ("allreduce", "exposed allreduce"):
        cell = _row(output, label)
        match = re.fullmatch(r"([\d.,]+) ms  \[([\d.,]+) – ([\d.,]+)\]", cell)
        assert match, cell  # was '0.0115 s  [0.00851 – 0.0155]'
        value, low, high = (float(group.replace(",", "")) for group in match.groups())
        assert 0.01 <= low <= value <= high < 1000
    assert re.fullmatch(r"[\d.]+ s  \[.*\]", _row(output, "step")), _row(output, "step")


def test_an_unknown_training_precision_is_refused_by_name() -> None:
    result = CliRunner().invoke(
        app, ["predict", "train", "rtx-4090", "llama-3.1-8b", "--precision", "bar"]
    )
    assert result.exit_code == 2
    assert "--precision" in result.output and "bf16, fp16, fp32, fp8" in result.output
    assert "does not fit" not in result.output  # was a memory verdict for a 16-bit run
    assert _row(_train("--precision", "BF16"), "precision") == "bf16"


def test_train_help_explains_every_option() -> None:
    result = CliRunner().invoke(app, ["predict", "train", "--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0
    text = " ".join(result.output.split())
    assert "(1,000,000,000)" not in text  # the default is written once, plainly
    assert "default: 1,000,000,000" in text
    assert "bf16, fp16, fp32, fp8" in text
    assert "none, zero1, zero2, zero3 or fsdp" in text
    assert "Tokens per training sequence" in text


@pytest.mark.parametrize(
    ("arguments", "shown"),
    [
        (["gpu", "rtx-4090"], ["gpu", "show", "rtx-4090"]),
        (["system", "2x rtx-3090"], ["system", "show", "2x rtx-3090"]),
        (["model", "llama-3.1-8b"], ["model", "show", "llama-3.1-8b"]),
    ],
)
def test_a_name_after_gpu_system_or_model_is_shown(arguments: list[str], shown: list[str]) -> None:
    runner = CliRunner()
    result = runner.invoke(app, arguments, env={"COLUMNS": "80"})
    assert result.exit_code == 0, result.output  # was "No such command 'rtx-4090'"
    assert result.output == runner.invoke(app, shown, env={"COLUMNS": "80"}).output


def test_a_misspelled_gpu_after_gpu_gets_close_matches() -> None:
    result = CliRunner().invoke(app, ["gpu", "rtx-4900"])
    assert result.exit_code != 0
    assert "unknown GPU 'rtx-4900'" in result.output and "rtx-4090" in result.output


def test_a_ranked_system_keeps_its_rank_and_name_on_one_line_at_80_columns() -> None:
    result = CliRunner().invoke(
        app,
        ["cost", "--model", "sdxl", "--workload", "image"]
        + ["--gpu", "rtx-5090", "--gpu", "rtx-4090"],
        env={"COLUMNS": "80"},
    )
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert any(line.startswith("│ 1. rtx-4090 ") for line in lines), result.output
    assert any(line.startswith("│ 2. rtx-5090 ") for line in lines), result.output
    assert all(len(line) <= 80 for line in lines)


def test_the_serving_curve_title_is_one_line_and_its_price_says_output_tokens() -> None:
    result = CliRunner().invoke(
        app, ["predict", "serving-curve", "rtx-4090", "llama-3.1-8b"], env={"COLUMNS": "80"}
    )
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    # was wrapped to the narrow table's width: '... (vllm,' / '1024 in / 1024 out)'
    assert "Serving curve: llama-3.1-8b on rtx-4090 (vllm, 1,024 in / 1,024 out tokens)" in lines
    assert "$/1M output tokens" in result.output
    assert " % left" not in result.output


def test_train_memory_reads_in_gib_as_fit_training_does() -> None:
    output = _train()
    line = next(line for line in output.splitlines() if line.startswith("memory per GPU:"))
    assert re.fullmatch(r"memory per GPU: [\d.]+ GiB \(fits; GiB = 2\^30 bytes\)", line), line
    assert "GB per GPU of" not in " ".join(output.split())


def test_a_gpu_without_prices_gets_a_sentence_not_an_empty_price_table() -> None:
    result = CliRunner().invoke(
        app, ["compare", "M2 Ultra", "RTX 4090", "--model", "llama-3.1-8b"], env={"COLUMNS": "80"}
    )
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    title = next(i for i, line in enumerate(lines) if "(76-core GPU): current cloud prices" in line)
    assert "No price in the catalog for this GPU." in lines[title + 1]  # no header over no rows


def test_two_offers_of_one_provider_tier_and_date_are_told_apart_in_prices() -> None:
    vast = [
        s for s in current_prices("rtx-4090") if s.provider == "Vast.ai" and s.tier == "on-demand"
    ]
    assert len(vast) == 2  # $0.68 and $0.88, both 'Vast.ai on-demand 2026-06'
    assert sorted(_offer_cell(s) for s in vast) == [
        "high end of captured range",
        "low end of captured range",
    ]  # the offer column read '—' on both
    result = CliRunner().invoke(app, ["prices", "rtx-4090"])
    assert result.exit_code == 0, result.output
    words = " ".join(result.output.replace("│", " ").split())
    assert words.count("captured") >= 2, result.output  # wrapped or not, in the table


def test_each_leaderboard_row_is_one_line_at_80_columns() -> None:
    result = CliRunner().invoke(app, ["leaderboard"], env={"COLUMNS": "80"})
    assert result.exit_code == 0, result.output
    rows = [line for line in result.output.splitlines() if line.startswith("│")]
    assert rows and all(re.search(r"│ \d+ of \d+ +│$", line) for line in rows), result.output
    # was '33 of 44' / 'benchmarks' on two lines under 'Coverage', every row
    assert "Benchmarks" in result.output


def test_predict_llm_opens_with_what_was_predicted() -> None:
    result = CliRunner().invoke(
        app, ["predict", "llm", "rtx-4090", "llama-3.1-8b"], env={"COLUMNS": "80"}
    )
    assert result.exit_code == 0, result.output
    labels = [line.split("│")[1].strip() for line in result.output.splitlines() if "│" in line]
    # 'kv cache assumed' was the first row, above the system and the model
    assert labels[:5] == ["system id", "model id", "weights", "kv cache assumed", "engine"]


def test_predict_vision_states_the_weights_and_engine_it_predicts() -> None:
    result = CliRunner().invoke(
        app, ["predict", "vision", "rtx-4090", "qwen2.5-vl-7b", "--json"], env={"COLUMNS": "80"}
    )
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert (document["weights"], document["engine"]) == ("bf16", "vllm")  # were unstated
    expected = api.predict_vision("rtx-4090", "qwen2.5-vl-7b", batch=8)  # the API's defaults
    assert document["images_per_min"]["value"] == pytest.approx(expected.value)
    text = CliRunner().invoke(app, ["predict", "vision", "rtx-4090", "qwen2.5-vl-7b"]).output
    assert text.startswith("qwen2.5-vl-7b (bf16, vllm) on rtx-4090, batch 8")


def test_comparing_a_gpu_with_itself_says_so_first() -> None:
    result = CliRunner().invoke(app, ["compare", "rtx-4090", "4090"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    summary = " ".join(result.output.replace("│", " ").split())
    assert "both names are rtx-4090, so the report compares it with itself" in summary
    other = CliRunner().invoke(app, ["compare", "rtx-3090", "rtx-4090"], env={"COLUMNS": "200"})
    assert "compares it with itself" not in other.output


def test_every_native_architecture_in_formats_has_its_display_name() -> None:
    families = {family for fmt in all_formats() for family in fmt.native_architectures}
    # 'Volta Turing … CDNA2 CDNA3 … pascal cdna1 cdna4 rdna1 … xe-hpg apple7' mixed case before
    assert families <= _SHORT_ARCHITECTURE.keys(), sorted(families - _SHORT_ARCHITECTURE.keys())


def test_the_ladder_guidance_says_it_is_about_the_ladder() -> None:
    result = CliRunner().invoke(app, ["compare", "rtx-4090", "rtx-3090"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.replace("│", " ").split())
    # was 'RTX 4090 holds models up to 7B in FP16' beside a VRAM-fit row of an 8B that fits
    assert "Of the 7B/13B/34B/70B models, RTX 4090 holds up to 7B in FP16 and up to 34B" in text
