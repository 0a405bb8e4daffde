"""CLI of `gpuatlas predict …` (batch mode with --cases, and one subcommand per workload): an
area of its own, so that `predict --cases FILE` imports neither `fit` nor `calibrate` and their
answers (start-up time of the batch mode: issue 10 item 10)."""

from __future__ import annotations

import inspect
from collections.abc import Callable

import typer

from gpuatlas.cli.estimate_predict import (
    predict_app,
    predict_diffusion_command,
    predict_llm_command,
    predict_ocr_command,
    predict_serving_command,
    predict_train_command,
    predict_vision_command,
)
from gpuatlas.cli.serving_curve_command import predict_serving_curve_command


def one_paragraph(command: Callable[..., object]) -> str:
    """A command's docstring as one paragraph: the help printer keeps the docstring's line
    breaks ('…on llama.cpp/Ollama a' then ' model that does not fit…' in `predict --help`)."""
    return " ".join((inspect.getdoc(command) or "").split())


def register(app: typer.Typer) -> None:
    """Attach `predict` and its subcommands to the root app."""
    for name, command in (
        ("llm", predict_llm_command),
        ("serving", predict_serving_command),
        ("diffusion", predict_diffusion_command),
        ("vision", predict_vision_command),
        ("ocr", predict_ocr_command),
        ("train", predict_train_command),
        ("serving-curve", predict_serving_curve_command),
    ):
        predict_app.command(name, help=one_paragraph(command))(command)
    # The names `cost --workload` uses, as users carry them over: hidden aliases
    predict_app.command("image", hidden=True, help="Same as `predict diffusion`.")(
        predict_diffusion_command
    )
    predict_app.command("training", hidden=True, help="Same as `predict train`.")(
        predict_train_command
    )
    app.add_typer(predict_app, name="predict")
