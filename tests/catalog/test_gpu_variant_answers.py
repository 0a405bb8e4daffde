"""Every answer to a request naming a bare GPU family ("A100", "8x H100") states how the name
was read: the JSON documents carry `name_assumptions`, the CLI prints the note, and the
comparison's sides carry the sentence."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from gpuatlas.app.name_notes import name_assumptions, written_system_names
from gpuatlas.cli.main import app

runner = CliRunner()


def _json(arguments: list[str]) -> dict[str, Any]:
    result = runner.invoke(app, [*arguments, "--json"])
    assert result.exit_code == 0, result.output
    document: dict[str, Any] = json.loads(result.stdout)
    return document


def test_fit_document_states_the_variant_and_the_memory_difference() -> None:
    document = _json(["fit", "A100", "llama-3.1-8b"])
    assert document["system_id"] == "a100-80gb-sxm"
    (assumed,) = document["name_assumptions"]
    assert assumed["written"] == "A100" and assumed["read_as"] == "a100-80gb-sxm"
    assert assumed["other_variants"] == ["a100-80gb-pcie", "a100-40gb-sxm", "a100-40gb-pcie"]
    assert assumed["other_variants_memory_gb"] == [80.0, 40.0, 40.0]
    assert assumed["memory_differs"] is True


def test_predict_text_prints_the_note_for_a_multi_gpu_system() -> None:
    result = runner.invoke(app, ["predict", "llm", "2x H100", "llama-3.1-8b"])
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    assert "note: H100 read as H100 SXM5" in text
    assert "other variants: h100-pcie" in text


def test_cost_document_lists_each_assumed_gpu() -> None:
    document = _json(["cost", "--model", "llama-3.1-8b", "--workload", "llm", "--gpu", "A100"])
    assert [entry["read_as"] for entry in document["name_assumptions"]] == ["a100-80gb-sxm"]


def test_a_named_variant_adds_no_assumption() -> None:
    document = _json(["fit", "a100-40gb-sxm", "llama-3.1-8b"])
    assert "name_assumptions" not in document


def test_request_fields_of_every_answer_are_read() -> None:
    body = {"request": {"a": "A100", "b": "rtx-4090", "gpus": ["V100"], "model": "H100"}}
    assert written_system_names(body) == ["V100", "A100", "rtx-4090"]
    assert [entry["read_as"] for entry in name_assumptions(["V100", "rtx-4090", "nonsense"])] == [
        "v100-16gb-sxm2"
    ]


def test_an_error_on_a_default_variant_says_how_the_name_was_read() -> None:
    # llama-2-13b in fp16 (26 GB) does not fit the 16 GB V100 the bare name is read as
    result = runner.invoke(app, ["predict", "llm", "V100", "llama-2-13b", "--engine", "hf"])
    assert result.exit_code == 2
    text = " ".join(result.output.split())
    assert "768 tokens of context do not fit on v100-16gb-sxm2" in text
    assert "note: V100 read as V100 16GB SXM2" in text and "v100-32gb-sxm2 (32 GB)" in text


def test_a_json_error_carries_the_name_assumptions() -> None:
    arguments = ["predict", "llm", "V100", "llama-2-13b", "--engine", "hf", "--json"]
    result = runner.invoke(app, arguments)
    assert result.exit_code == 2
    document = json.loads(result.stdout)
    assert document["schema_version"] == "gpuatlas.error/1"
    assert [entry["read_as"] for entry in document["name_assumptions"]] == ["v100-16gb-sxm2"]


def test_a_fit_names_the_variants_on_which_its_verdict_flips() -> None:
    # Qwen2.5-32B in bf16 (~66 GB) fits the 80 GB A100 the name is read as, not a 40 GB one
    document = _json(["fit", "A100", "qwen2.5-32b", "-w", "bf16"])
    assert document["fits"] is True
    (assumed,) = document["name_assumptions"]
    assert assumed["fit_differs_on"] == [
        {"gpu": "a100-40gb-sxm", "memory_gb": 40.0, "fits": False},
        {"gpu": "a100-40gb-pcie", "memory_gb": 40.0, "fits": False},
    ]
    result = runner.invoke(app, ["fit", "A100", "qwen2.5-32b", "-w", "bf16"])
    assert "On a100-40gb-sxm (40 GB) it would not fit" in " ".join(result.output.split())


def test_a_fit_that_holds_on_every_variant_names_none() -> None:
    (assumed,) = _json(["fit", "A100", "llama-3.1-8b"])["name_assumptions"]
    assert assumed["fit_differs_on"] == []


def test_gpu_and_system_show_say_how_a_family_name_was_read() -> None:
    shown = runner.invoke(app, ["gpu", "show", "A100"])
    assert shown.exit_code == 0
    assert "note: A100 read as A100 80GB SXM4" in " ".join(shown.output.split())
    system = runner.invoke(app, ["system", "show", "4x V100"])
    assert system.exit_code == 0
    assert "note: V100 read as V100 16GB SXM2" in " ".join(system.output.split())
    assert _json(["gpu", "show", "A100"])["name_assumptions"][0]["read_as"] == "a100-80gb-sxm"


def test_tco_text_says_how_a_family_name_was_read() -> None:
    result = runner.invoke(app, ["tco", "A100"])
    assert result.exit_code == 0, result.output
    assert "note: A100 read as A100 80GB SXM4" in " ".join(result.output.split())


def test_every_comparison_format_says_how_a_family_name_was_read() -> None:
    for output_format in ("markdown", "html", "text"):
        result = runner.invoke(app, ["compare", "A100", "rtx-4090", "--format", output_format])
        assert result.exit_code == 0, result.output
        assert "A100 read as A100 80GB SXM4" in " ".join(result.output.split()), output_format


def test_prices_of_a_family_name_say_which_variant_they_are() -> None:
    document = _json(["prices", "A100"])
    assert document["gpu_id"] == "a100-80gb-sxm"
    assert [entry["read_as"] for entry in document["name_assumptions"]] == ["a100-80gb-sxm"]
    text = runner.invoke(app, ["prices", "A100"]).output
    assert "note: A100 read as A100 80GB SXM4" in " ".join(text.split())


def test_a_cases_file_naming_a_family_lists_the_assumption_once(tmp_path: Path) -> None:
    cases = tmp_path / "cases.csv"
    header = "gpu,gpu_count,model,weights,engine,metric,batch,input_tokens,output_tokens"
    row = "1,llama-3.1-8b,bf16,vllm,decode_tok_s,1,512,256"
    cases.write_text(f"{header}\nA100,{row}\nA100,{row}\na100-80gb-sxm,{row}\n", "utf-8")
    document = _json(["predict", "--cases", str(cases)])
    values = [case["value"] for case in document["rows"]]
    assert values[0] == values[1] == values[2] and values[0] > 0
    assert [entry["written"] for entry in document["name_assumptions"]] == ["A100"]
