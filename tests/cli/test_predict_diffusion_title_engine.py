"""`predict diffusion` names the engine in its title, as `predict llm` does: a ComfyUI
prediction (partial loading, its own note) is not shown as if it were diffusers'."""

from __future__ import annotations

from typer.testing import CliRunner

from gpuatlas.cli.main import app


def _first_line(*args: str) -> str:
    result = CliRunner().invoke(app, ["predict", "diffusion", "rtx-4080", "flux.1-dev", *args])
    assert result.exit_code == 0, result.output
    return result.output.splitlines()[0]


def test_the_named_engine_is_in_the_title() -> None:
    assert _first_line("-e", "comfyui").startswith("flux.1-dev (bf16, comfyui) on rtx-4080")


def test_the_default_engine_is_in_the_title() -> None:
    assert _first_line().startswith("flux.1-dev (bf16, diffusers) on rtx-4080")
