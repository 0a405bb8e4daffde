"""The JSON contract: every command's --json output is one JSON document with a
`schema_version` of the form gpuatlas.<name>/<n>, and under --json an error is JSON too."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import typer.main
from typer.testing import CliRunner

from gpuatlas.app.documents import SCHEMA_VERSIONS, is_usd_field, schema_name
from gpuatlas.app.registry import ANSWERS
from gpuatlas.cli.main import app, full_app

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "bench"
SCHEMA = re.compile(r"^gpuatlas\.[a-z0-9-]+/\d+$")
PUBLISHED = {answer.schema_version for answer in ANSWERS}

COMMANDS = [
    ["gpus"],
    ["gpu", "show", "rtx-4090"],
    ["system", "show", "2x rtx-3090"],
    ["prices", "rtx-4090"],
    ["models"],
    ["model", "show", "llama-3.1-8b"],
    ["formats"],
    ["fit", "rtx-4090", "llama-3.1-8b"],
    ["fit", "rtx-4090", "llama-3.2-1b", "--training", "lora"],
    ["predict", "llm", "rtx-4090", "llama-3.1-8b"],
    ["predict", "serving", "2x rtx-4090", "llama-3.1-8b"],
    ["predict", "diffusion", "rtx-4090", "sdxl"],
    ["predict", "vision", "rtx-4090", "llava-1.5-7b"],
    ["predict", "ocr", "rtx-4090", "trocr-base"],
    ["predict", "train", "rtx-4090", "llama-3.2-1b", "--method", "qlora", "--tokens", "1e8"],
    ["predict", "serving-curve", "h100-sxm", "llama-3.1-8b"],
    ["cost", "--gpu", "rtx-4090"],
    ["cost", "--model", "llama-3.1-8b", "--workload", "llm", "--gpu", "rtx-4090"],
    ["tco", "--gpu", "rtx-4090"],
    ["plan", "--model", "llama-3.1-8b", "--rps", "1", "--gpu", "rtx-4090"],
    [
        "fleet",
        "--model",
        "llama-3.1-8b=0.5",
        "--model",
        "qwen2.5-7b=0.5",
        "--rps",
        "2",
        "--gpu",
        "rtx-4090",
    ],
    ["compare", "rtx-4090", "rtx-3090"],
    ["bench", "list"],
    ["bench", "run", "system-cpu-single", "--param", "seconds=0.05", "--repeats", "1"],
    ["bench", "import", str(FIXTURES / "vllm_bench_serve.json"), "--gpu", "rtx-4090"],
    ["leaderboard"],
]


@pytest.fixture
def runner(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("GPUATLAS_DATA_DIR", str(tmp_path / "data"))
    return CliRunner()


@pytest.mark.parametrize("arguments", COMMANDS, ids=lambda a: " ".join(a))
def test_every_json_document_carries_its_schema_version(
    runner: CliRunner, arguments: list[str]
) -> None:
    result = runner.invoke(app, [*arguments, "--json"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert isinstance(document, dict)
    assert SCHEMA.match(document.get("schema_version", "")), document.get("schema_version")
    assert document["schema_version"] in PUBLISHED  # the README's schema table lists it
    _DOCUMENTS[tuple(arguments)] = document


_DOCUMENTS: dict[tuple[str, ...], Any] = {}  # each command's document, read once


def _noisy_usd_values(value: Any, path: str = "", in_usd: bool = False) -> list[str]:
    """Every float under a USD-named field with more than 10 significant digits."""
    if isinstance(value, dict):
        return [
            found
            for key, item in value.items()
            for found in _noisy_usd_values(item, f"{path}.{key}", in_usd or is_usd_field(key))
        ]
    if isinstance(value, list):
        return [
            found
            for index, item in enumerate(value)
            for found in _noisy_usd_values(item, f"{path}[{index}]", in_usd)
        ]
    digits = len(repr(value).lstrip("-0.").replace(".", "").split("e")[0].rstrip("0"))
    return [f"{path} = {value!r}"] if in_usd and isinstance(value, float) and digits > 10 else []


def test_the_noise_finder_finds_float_noise() -> None:
    assert _noisy_usd_values({"plan": [{"monthly_cost_usd": 248.20000000000002}]}) == [
        ".plan[0].monthly_cost_usd = 248.20000000000002"
    ]
    assert _noisy_usd_values({"monthly_cost_usd": 248.2, "tokens": 1 / 3}) == []


@pytest.mark.parametrize("arguments", COMMANDS, ids=lambda a: " ".join(a))
def test_money_in_every_document_is_rounded(runner: CliRunner, arguments: list[str]) -> None:
    document = _DOCUMENTS.get(tuple(arguments))
    if document is None:  # run alone: read the document here
        document = json.loads(runner.invoke(app, [*arguments, "--json"]).stdout)
    assert _noisy_usd_values(document) == []


def test_predict_cases_is_a_versioned_document(runner: CliRunner, tmp_path: Path) -> None:
    cases = tmp_path / "cases.csv"
    cases.write_text(
        "gpu,gpu_count,model,weights,engine,batch,input_tokens,output_tokens,"
        "metric\nrtx-4090,1,llama-3.1-8b,fp16,vllm,1,512,128,decode_tok_s\n"
        "rtx-9999,1,llama-3.1-8b,fp16,vllm,1,512,128,decode_tok_s\n",
        encoding="utf-8",
    )
    result = runner.invoke(app, ["predict", "--cases", str(cases), "--json"])
    assert result.exit_code == 1, result.output  # some rows have no prediction
    document = json.loads(result.stdout)
    assert document["schema_version"] == "gpuatlas.predict-cases/1" in PUBLISHED
    assert document["request"] == {"cases": str(cases)}
    first, unknown = document["rows"]
    assert first["gpu"] == "rtx-4090" and first["value"] > 0 and first["error"] is None
    assert unknown["value"] is None and "rtx-9999" in unknown["error"]


@pytest.mark.parametrize(
    "arguments",
    [
        ["gpu", "show", "a800"],
        ["fit", "rtx-4090", "no-such-model"],
        ["fit", "rtx-4090", "llama-3.1-8b", "--context", "1000000"],
    ],
    ids=lambda a: " ".join(a),
)
def test_errors_under_json_are_json_with_exit_code_2(
    runner: CliRunner, arguments: list[str]
) -> None:
    result = runner.invoke(app, [*arguments, "--json"])
    assert result.exit_code == 2
    document = json.loads(result.stdout)
    assert document["schema_version"] == "gpuatlas.error/1" in PUBLISHED
    assert document["error"] and document["problems"]


def test_every_bumped_schema_version_says_in_the_changelog_what_changed() -> None:
    changelog = (Path(__file__).resolve().parents[1] / "CHANGELOG.md").read_text(encoding="utf-8")
    for answer, version in SCHEMA_VERSIONS.items():
        name = schema_name(answer)
        assert name == f"gpuatlas.{answer}/{version}" and name in PUBLISHED
        assert f"`{name}`: `" in changelog, f"CHANGELOG.md lists no renamed keys of {name}"


# Commands whose --json prints a record of its own published schema, not an answer document.
RECORD_COMMANDS = {"bench show": "the result file itself (gpuatlas.result/1)"}


def _json_commands() -> list[str]:
    """Every command (group callbacks included) that takes --json, as 'db status'; hidden
    aliases ('predict image' for 'predict diffusion') are left out: test_predict_aliases.py
    checks they print the same document."""
    found = []

    def walk(command: Any, path: list[str]) -> None:
        if any("--json" in getattr(param, "opts", ()) for param in command.params):
            found.append(" ".join(path))
        for name, sub in getattr(command, "commands", {}).items():  # a group's commands
            if not getattr(sub, "hidden", False):  # a hidden alias prints its command's document
                walk(sub, [*path, name])

    for name, command in typer.main.get_command(full_app()).commands.items():  # type: ignore[attr-defined]
        walk(command, [name])
    return found


def test_every_command_with_json_output_has_an_answer_in_the_registry() -> None:
    spelled = [
        alternative.strip() for answer in ANSWERS for alternative in answer.command.split(" / ")
    ]
    missing = [
        command
        for command in _json_commands()
        if command not in RECORD_COMMANDS
        and not any(f"{text} ".startswith(f"{command} ") for text in spelled)
    ]
    assert len(_json_commands()) > 30 and missing == []
