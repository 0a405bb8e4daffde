"""A model name read as another library id is said, as GPU names are: documents carry
`model_assumption` and the CLI prints its note ('Hermes-3-Llama-3.1-8B read as llama-3.1-8b,
a fine-tune of it'); a name that is the id (or only spelled differently) says nothing."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from gpuatlas.app.fit import FitRequest, fit_document
from gpuatlas.app.name_notes import model_assumption
from gpuatlas.cli.main import app


def test_a_fine_tune_or_an_alias_is_said_as_read() -> None:
    hermes = model_assumption("Hermes-3-Llama-3.1-8B")
    assert hermes is not None
    assert hermes["read_as"] == "llama-3.1-8b" and hermes["matched_by"] == "derived_checkpoint"
    awq = model_assumption("Qwen/Qwen2.5-32B-Instruct-AWQ")
    assert awq is not None and awq["note"].endswith("format from the name: AWQ)")
    assert model_assumption("llama-3.1-8b") is None
    assert model_assumption("llama3.3:70b") is None  # the id, spelled as Ollama spells it
    assert model_assumption("no-such-model-xyz") is None  # the answer's own error says it


def test_documents_and_the_cli_carry_it() -> None:
    document = fit_document(FitRequest(system="rtx-4090", model="Hermes-3-Llama-3.1-8B"))
    assert document["model_assumption"]["read_as"] == "llama-3.1-8b"
    plain = fit_document(FitRequest(system="rtx-4090", model="llama-3.1-8b"))
    assert "model_assumption" not in plain
    result = CliRunner().invoke(app, ["fit", "rtx-4090", "Hermes-3-Llama-3.1-8B"])
    assert result.exit_code == 0, result.output
    assert "note: Hermes-3-Llama-3.1-8B read as llama-3.1-8b (a fine-tune" in " ".join(
        result.output.split()
    )


def test_compare_says_it_in_the_report_itself() -> None:
    note = (
        "Hermes-3-Llama-3.1-8B read as llama-3.1-8b (a fine-tune or quantised checkpoint of it: "
        "the same architecture)."
    )
    arguments = ["compare", "rtx-4090", "rtx-5090", "--model", "Hermes-3-Llama-3.1-8B"]
    result = CliRunner().invoke(app, arguments)
    assert result.exit_code == 0, result.output
    assert note in " ".join(result.output.replace("│", " ").split())
    document = json.loads(CliRunner().invoke(app, [*arguments, "--json"]).stdout)
    summary = [s for s in document["summary"] if "read_as" in s["words"]]
    assert [s["words"]["read_as"] for s in summary] == ["llama-3.1-8b"]  # JSON and HTML too
