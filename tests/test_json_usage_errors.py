"""Under --json a command-line mistake is the gpuatlas.error/1 document with exit code 2, and
`agent status --json` is a versioned document like every other (issue 13)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from gpuatlas.cli.main import app


@pytest.fixture
def runner(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("GPUATLAS_DATA_DIR", str(tmp_path / "data"))
    return CliRunner()


@pytest.mark.parametrize(
    ("arguments", "named"),
    [
        (["fit", "rtx-4090", "llama-3.1-8b", "--context", "abc"], "--context"),
        (["plan", "--model", "llama-3.1-8b"], "--rps"),
        (["no-such-command"], "no-such-command"),
    ],
    ids=lambda a: " ".join(a) if isinstance(a, list) else a,
)
def test_usage_errors_under_json_are_the_error_document(
    runner: CliRunner, arguments: list[str], named: str
) -> None:
    result = runner.invoke(app, [*arguments, "--json"])
    assert result.exit_code == 2
    document = json.loads(result.stdout)
    assert document["schema_version"] == "gpuatlas.error/1"
    assert named in document["error"] and document["problems"]


def test_usage_errors_without_json_stay_text(runner: CliRunner) -> None:
    result = runner.invoke(app, ["plan", "--model", "llama-3.1-8b"])
    assert result.exit_code == 2
    assert "Missing option '--rps'" in result.output
    assert not result.stdout.lstrip().startswith("{")


def test_agent_status_json_has_a_schema_version(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(app, ["agent", "status", "--spool", str(tmp_path / "spool"), "--json"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert re.fullmatch(r"gpuatlas\.agent-status/\d+", document["schema_version"])
    assert document["pending"] == 0 and document["rejected"] == []


def test_fits_context_on_a_predict_command_names_the_options_that_say_it() -> None:
    # `fit … --context 32768` is how users size a context; `predict llm` got "No such option"
    for command in ("llm", "serving"):
        result = CliRunner().invoke(
            app, ["predict", command, "rtx-4060", "qwen2.5:7b", "--context", "32768"]
        )
        assert result.exit_code == 2
        text = " ".join(result.output.split())
        assert "--input N" in text and "--output N" in text and "--num-ctx N" in text
