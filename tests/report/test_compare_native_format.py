"""`compare` assumes the checkpoint's own weight format unless told otherwise (issue 10 item 1):
gpt-oss-20b is MXFP4 experts + bf16 and runs on one RTX 4090; an `-AWQ` checkpoint is int4;
`--weights auto` is accepted and means the same; the report says which format and why."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from gpuatlas.cli.main import app
from gpuatlas.report.build import build_comparison
from gpuatlas.report.document import Comparison, Statement

runner = CliRunner()


def _inference_statements(comparison: Comparison) -> list[Statement]:
    return list(comparison.section("inference").statements)


def _assumed(comparison: Comparison) -> Statement:
    return next(
        s for s in _inference_statements(comparison) if s.template.startswith("Weights assumed")
    )


def _speed_title(comparison: Comparison) -> str:
    section = comparison.section("inference")
    return next(t.title for t in section.tables if t.id == "llm-speed")


@pytest.fixture(scope="module")
def gpt_oss() -> Comparison:
    return build_comparison("rtx-4090", "rtx-5090", model="gpt-oss-20b")


def test_gpt_oss_is_modelled_in_mxfp4_and_fits_one_4090(gpt_oss: Comparison) -> None:
    assert "in mxfp4 on" in _speed_title(gpt_oss)
    assert not [
        s for s in _inference_statements(gpt_oss) if s.template.startswith("No modelled LLM speed")
    ]
    assumed = _assumed(gpt_oss)
    assert assumed.words["label"].startswith("mxfp4 experts + bf16")
    assert assumed.words["reason"] == "from the checkpoint's quantization_config"


def test_an_awq_checkpoint_is_int4_with_the_name_as_reason() -> None:
    comparison = build_comparison(
        "h100-sxm", "a100-80gb-sxm", model="meta-llama/Llama-3.1-70B-Instruct-AWQ"
    )
    assert "in awq-int4 on" in _speed_title(comparison)
    assert _assumed(comparison).words["reason"] == "from the checkpoint name: AWQ"
    # ~40 GB of int4 weights fit one 80 GB GPU (in fp16, 141 GB, they would not)
    assert not [
        s
        for s in _inference_statements(comparison)
        if s.template.startswith("No modelled LLM speed")
    ]


def test_auto_is_the_default_and_a_named_format_is_kept(gpt_oss: Comparison) -> None:
    explicit = build_comparison("rtx-4090", "rtx-5090", model="gpt-oss-20b", weights="auto")
    assert _speed_title(explicit) == _speed_title(gpt_oss)
    named = build_comparison("rtx-4090", "rtx-5090", model="llama-3.1-8b", weights="fp8")
    assert "in fp8 on" in _speed_title(named)
    assert _assumed(named).words["reason"] == "as requested"


def test_the_default_model_is_in_its_torch_dtype() -> None:
    comparison = build_comparison("h100-sxm", "a100-80gb-sxm")
    assert "llama-3.1-8b in bf16 on" in _speed_title(comparison)
    assert _assumed(comparison).words["reason"] == "from the checkpoint's torch_dtype"


def test_cli_accepts_weights_auto() -> None:
    result = runner.invoke(
        app,
        [
            "compare",
            "rtx-4090",
            "rtx-5090",
            "--model",
            "gpt-oss-20b",
            "--weights",
            "auto",
            "--format",
            "markdown",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "unknown weight format" not in result.output
    assert "quantization_config" in result.output


def test_an_ollama_tag_is_its_default_build_on_ollama() -> None:
    comparison = build_comparison("rtx-4090", "rtx-3090", model="qwen3:30b-a3b")
    assert "in q4_k_m on ollama" in _speed_title(comparison)
    assert "Ollama library's default build" in _assumed(comparison).words["reason"]
    named = build_comparison("rtx-4090", "rtx-3090", model="qwen3:30b-a3b", weights="q8_0")
    assert "on ollama" not in _speed_title(named)  # a named format keeps each platform's engine


def test_the_fit_table_has_the_assumed_format_row(gpt_oss: Comparison) -> None:
    section = next(s for s in gpt_oss.sections if any(t.id == "memory-fit" for t in s.tables))
    table = next(t for t in section.tables if t.id == "memory-fit")
    row = next(
        r
        for r in table.rows
        if r[0].text == "gpt-oss-20b"  # type: ignore[union-attr]
        and r[1].text == "MXFP4 (assumed)"
    )  # type: ignore[union-attr]
    assert row[3].text.startswith("yes")  # type: ignore[union-attr]  # one RTX 4090 holds it
