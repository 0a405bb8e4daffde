"""Intel AutoRound checkpoints: 4-bit integer weights in GPTQ's packing by default (vLLM runs
them on its GPTQ kernels), named as people write them (`-int4-AutoRound`, `AutoRound INT4`)
or read from their quantization_config (quant_method 'auto-round')."""

from __future__ import annotations

import pytest

from gpuatlas.catalog.formats import resolve_format
from gpuatlas.catalog.model_config import _quantization_format
from gpuatlas.catalog.models import resolve_model_reference

pytestmark = pytest.mark.unit


@pytest.mark.parametrize("written", ["AutoRound INT4", "autoround", "auto-round", "AutoRound"])
def test_the_format_as_written_is_gptqs_4_bit(written: str) -> None:
    assert resolve_format(written).id == "gptq-int4"


def test_a_checkpoint_named_int4_autoround_is_gptq_packed_not_awq() -> None:
    """'int4' alone reads as AWQ's 4-bit; with AutoRound's name it is its GPTQ packing."""
    reference = resolve_model_reference("Intel/Qwen3-8B-int4-AutoRound")
    assert reference.model.id == "qwen3-8b"
    assert reference.format_id == "gptq-int4"
    assert resolve_model_reference("Qwen/Qwen3-8B-int4").format_id == "awq-int4"


@pytest.mark.parametrize(
    ("config", "format_id"),
    [
        ({"quant_method": "auto-round", "bits": 4, "group_size": 128, "sym": True,
          "packing_format": "auto_round:auto_gptq"}, "gptq-int4"),
        ({"quant_method": "auto-round", "bits": 4, "packing_format": "auto_round:auto_awq"},
         "awq-int4"),
        ({"quant_method": "auto-round", "bits": 8}, "int8"),
        ({"quant_method": "auto-round", "bits": 2}, ""),
        ({"quant_method": "auto-round", "bits": 4, "data_type": "mx_fp"}, ""),
    ],
)  # fmt: skip
def test_the_quantization_config_names_the_packing(
    config: dict[str, object], format_id: str
) -> None:
    assert _quantization_format(config) == format_id
