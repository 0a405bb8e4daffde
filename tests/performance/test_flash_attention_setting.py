"""Flash attention as a run sets it (llama-bench / llama-server `-fa`): a case's or a measured
row's `variant` chooses the attention path over the profile's default, on the engines whose
own kernels the flag switches."""

from __future__ import annotations

import math
from dataclasses import replace

import pytest

from gpuatlas.calibration.fitting import _runtime_of, observations
from gpuatlas.catalog.measurements import load_measurements
from gpuatlas.performance.cases import Case, predict_case
from gpuatlas.performance.llm.attention_setting import stated_flash_attention
from gpuatlas.performance.llm.vectorised import predict_llm_many

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("variant", "stated"),
    [
        ("fa 1", True),
        ("-fa 0", False),
        ("--flash-attn 1", True),
        ("flash_attn=on", True),
        ("flash-attention", True),
        ("fa-0", False),
        ("fa=0, n_batch=256, coopmat off", False),
        ("-fa auto", None),
        ("flash-attention-2", None),  # transformers' attn_implementation, not the flag
        ("denoise-loop+torch.compile", None),
        (None, None),
    ],
)
def test_the_flag_reads_as_written(variant: str | None, stated: bool | None) -> None:
    assert stated_flash_attention(variant) == stated


def _prefill(engine: str, variant: str | None, tokens: int = 32768) -> float:
    case = Case(
        "rtx-5090", 1, "gpt-oss-20b", "mxfp4_moe", engine, 1, tokens, 0, "prefill_tok_s",
        variant=variant,
    )  # fmt: skip
    return predict_case(case).value


def test_flash_attention_on_skips_the_score_traffic_of_a_build_that_defaults_off() -> None:
    # llama-bench before b9437 ran -fa 0: the 32k-token scores go through memory
    default = _prefill("llama.cpp-2025", None)
    assert _prefill("llama.cpp-2025", "fa 1") > 2 * default
    assert _prefill("llama.cpp-2025", "fa 0") == default


def test_flash_attention_off_pays_the_scores_on_a_build_that_defaults_on() -> None:
    default = _prefill("llama.cpp", None)
    assert _prefill("llama.cpp", "-fa 0") < default / 2
    assert _prefill("llama.cpp", "fa 1") == default


def test_a_library_engines_attention_is_fused_whatever_the_flag() -> None:
    case = Case("h100-sxm", 1, "llama-3.1-8b", "bf16", "vllm", 1, 32768, 0, "prefill_tok_s")
    assert predict_case(replace(case, variant="fa 0")).value == predict_case(case).value


def test_the_vectorised_path_reads_the_flag_as_the_scalar_path() -> None:
    cases = [
        Case(
            "rtx-5090",
            1,
            "gpt-oss-20b",
            "mxfp4_moe",
            "llama.cpp-2025",
            1,
            tokens,
            out,
            metric,
            variant=variant,
        )  # fmt: skip
        for variant in (None, "fa 1", "fa 0")
        for tokens, out, metric in ((8192, 0, "prefill_tok_s"), (8192, 128, "decode_tok_s"))
    ]
    for case, value in zip(cases, predict_llm_many(cases), strict=True):
        assert math.isclose(value, predict_case(case).value, rel_tol=1e-9), case


def test_measured_rows_that_state_flash_attention_are_fitted_with_it() -> None:
    rows = [r for r in load_measurements() if r.variant and "flash-attention" in r.variant]
    assert len(rows) >= 30
    runtimes = [_runtime_of(item.case) for item in observations(rows) if item.kind != "image"]
    assert runtimes
    assert all(runtime is not None and runtime.flash_attention for runtime in runtimes)
