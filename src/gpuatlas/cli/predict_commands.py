"""CLI of `gpuatlas predict …` (batch mode with --cases, and one subcommand per workload): an
area of its own, so that `predict --cases FILE` imports neither `fit` nor `calibrate` and their
answers (start-up time of the batch mode: issue 10 item 10)."""

from __future__ import annotations

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


def register(app: typer.Typer) -> None:
    """Attach `predict` and its subcommands to the root app."""
    predict_app.command("llm")(predict_llm_command)
    predict_app.command("serving")(predict_serving_command)
    predict_app.command("diffusion")(predict_diffusion_command)
    predict_app.command("vision")(predict_vision_command)
    predict_app.command("ocr")(predict_ocr_command)
    predict_app.command("train")(predict_train_command)
    predict_app.command("serving-curve")(predict_serving_curve_command)
    # The names `cost --workload` uses, as users carry them over: hidden aliases
    predict_app.command("image", hidden=True, help="Same as `predict diffusion`.")(
        predict_diffusion_command
    )
    predict_app.command("training", hidden=True, help="Same as `predict train`.")(
        predict_train_command
    )
    app.add_typer(predict_app, name="predict")
