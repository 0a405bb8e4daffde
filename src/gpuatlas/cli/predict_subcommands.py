"""The subcommands of `gpuatlas predict` (one per workload, and the hidden aliases `cost
--workload` users carry over), built when the `predict` group first looks one up
(predict_batch.LazySubcommandGroup): `predict --cases FILE` never imports them."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from functools import cache
from typing import Any

import typer

from gpuatlas.cli.estimate_predict import (
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


@cache
def subcommands() -> dict[str, Any]:
    """Each subcommand's click command by name, in the order `predict --help` lists them
    (built once per process, as the command areas are: main.area_group)."""
    holder = typer.Typer(add_completion=False, pretty_exceptions_enable=False)
    holder.callback()(lambda: None)  # a callback makes Typer build a group for the commands
    for name, command in (
        ("llm", predict_llm_command),
        ("serving", predict_serving_command),
        ("diffusion", predict_diffusion_command),
        ("vision", predict_vision_command),
        ("ocr", predict_ocr_command),
        ("train", predict_train_command),
        ("serving-curve", predict_serving_curve_command),
    ):
        holder.command(name, help=one_paragraph(command))(command)
    holder.command("image", hidden=True, help="Same as `predict diffusion`.")(
        predict_diffusion_command
    )
    holder.command("training", hidden=True, help="Same as `predict train`.")(predict_train_command)
    return dict(typer.main.get_command(holder).commands)  # type: ignore[attr-defined]
