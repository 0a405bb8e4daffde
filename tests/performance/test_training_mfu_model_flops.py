"""A training answer's MFU counts the model's FLOPs only (PaLM's model FLOPs utilisation):
recomputing the forward or dequantising QLoRA's base lengthens the step without counting as
work. `predict train h100 llama-3.1-8b --method lora` gave 32.7 % at 10,243 tok/s and, with
`--recompute`, 33.9 % at 7,120 tok/s: the recomputed forward was counted as useful FLOPs (the
hardware FLOPs utilisation), so MFU rose while the run got slower."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from gpuatlas.cli.main import app

pytestmark = pytest.mark.unit


def _train(*options: str) -> dict[str, object]:
    arguments = ["predict", "train", "h100", "llama-3.1-8b", "--method", *options, "--json"]
    result = CliRunner().invoke(app, arguments)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def _value(document: dict[str, object], name: str) -> float:
    entry = document[name]
    assert isinstance(entry, dict)
    return float(entry["value"])


def test_recomputation_lowers_mfu_with_the_rate() -> None:
    plain, recomputed = _train("lora"), _train("lora", "--recompute")
    assert plain["tokens_per_step"] == recomputed["tokens_per_step"]
    # the same model FLOPs per token in less or more time: MFU in proportion to the rate
    assert _value(recomputed, "mfu") / _value(plain, "mfu") == pytest.approx(
        _value(recomputed, "tok_s") / _value(plain, "tok_s"), rel=1e-9
    )


def test_qlora_counts_lora_s_model_flops() -> None:
    lora, qlora = _train("lora"), _train("qlora")
    # QLoRA runs the LoRA model's FLOPs, more slowly (dequantising the 4-bit base)
    assert _value(qlora, "mfu") / _value(lora, "mfu") == pytest.approx(
        _value(qlora, "tok_s") / _value(lora, "tok_s"), rel=0.02
    )
