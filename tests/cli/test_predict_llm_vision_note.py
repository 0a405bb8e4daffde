"""`predict llm` on a vision-language model prints the image tower note; a text model none."""

from __future__ import annotations

from typer.testing import CliRunner

from gpuatlas.cli.main import app


def _output(*args: str) -> str:
    result = CliRunner().invoke(app, ["predict", "llm", *args], env={"COLUMNS": "400"})
    assert result.exit_code == 0, result.output
    return " ".join(result.output.split())  # the console's width wraps the note anywhere


def test_a_vision_model_states_its_image_encoder() -> None:
    out = _output("rtx-4090", "llava-1.5-7b")
    assert "note: llava-1.5-7b is a vision-language model" in out
    assert "0.32B parameters (vision encoder + projector)" in out
    assert "576 image tokens per image" in out
    assert "image encoding time is not included" in out


def test_a_text_model_has_no_vision_note() -> None:
    assert "vision-language" not in _output("rtx-4090", "llama-3.1-8b")
