"""GeForce / RTX PRO Blackwell (GDDR7) tensor cores run at Ada's rate per SM, not at the B200's
peak: their compute prior is Ada's, and the datacenter part keeps its own."""

from __future__ import annotations

from gpuatlas.catalog.gpus import gpu_by_id
from gpuatlas.performance import api
from gpuatlas.performance.calibration_table import shipped_calibration


def test_gddr_blackwell_takes_adas_compute_prior_and_b200_keeps_its_own() -> None:
    priors = shipped_calibration()
    assert priors.family_priors("blackwell/gddr")[1] == priors.family_priors("ada/gddr")[1]
    assert priors.family_priors("blackwell/hbm")[1] < priors.family_priors("ada/gddr")[1]


def test_the_reason_same_dense_rate_per_sm_as_ada() -> None:
    for blackwell in ("rtx-5090", "rtx-5070-ti", "rtx-5060-ti-16gb"):
        new, old = gpu_by_id(blackwell), gpu_by_id("rtx-4090")
        per_sm = new.fp16_dense_tflops / new.sm_count
        assert abs(per_sm / (old.fp16_dense_tflops / old.sm_count) - 1) < 0.07


def test_an_rtx_5090_prefills_faster_than_an_rtx_4090_by_about_its_peak() -> None:
    def prefill(gpu: str) -> float:
        found = api.predict_llm(
            gpu, "llama-3.1-8b", "fp16", "vllm", batch=1, input_tokens=4096, output_tokens=128
        )
        return found.prefill_tok_s.value

    peaks = gpu_by_id("rtx-5090").fp16_dense_tflops / gpu_by_id("rtx-4090").fp16_dense_tflops
    assert 0.85 * peaks < prefill("rtx-5090") / prefill("rtx-4090") < 1.15 * peaks
