"""`predict …` tables: a note that is about some rows only names them ('note (memory): …
exact'), so an exact memory figure is not read as a claim about the predicted times."""

from __future__ import annotations

from typer.testing import CliRunner

from gpuatlas.cli.main import app


def test_a_note_about_some_rows_names_them() -> None:
    result = CliRunner().invoke(app, ["predict", "diffusion", "rtx-4090", "sdxl"])
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    assert "note (memory): computed from the configuration (no fitted efficiency): exact" in text
    assert "note: computed from the configuration" not in text
    assert "note (s per image, images per min): diffusers defaults assumed" in text
