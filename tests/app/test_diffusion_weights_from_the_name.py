"""An image checkpoint named with its format runs in that format by default: `predict diffusion
7900xtx flux1-dev-Q8_0.gguf` said "format from the name: Q8_0", then ran bf16 with sequential
offload (81 s/image) where -w Q8_0 runs whole (40 s); `flux.1 schnell nf4` likewise. `cost
--workload image` read the name the same wrong way."""

from __future__ import annotations

import pytest

from gpuatlas.app.economics_requests import CostRequest, image_weights, run_cost
from gpuatlas.app.predict import PredictDiffusionRequest, predict_diffusion_document


def _predicted(model: str, weights: str = "auto") -> dict[str, object]:
    return predict_diffusion_document(
        PredictDiffusionRequest(system="rx-7900-xtx", model=model, weights=weights)
    )


@pytest.mark.parametrize(
    ("named", "model", "format_id"),
    [
        ("flux1-dev-Q8_0.gguf", "flux.1-dev", "q8_0"),
        ("flux.1 schnell nf4", "flux.1-schnell", "nf4"),
    ],
)
def test_the_name_s_format_runs_as_if_asked(named: str, model: str, format_id: str) -> None:
    by_name, asked = _predicted(named), _predicted(model, format_id)
    assert by_name["weights"] == format_id and by_name["offload"] == "none"
    assert by_name["s_per_image"] == asked["s_per_image"]


def test_a_name_without_a_format_stays_bf16_and_an_asked_format_wins() -> None:
    assert image_weights("auto", "flux.1-dev") == "bf16"
    assert image_weights("fp8", "flux1-dev-Q8_0.gguf") == "fp8"
    assert image_weights("auto", None) == "bf16"
    plain = _predicted("flux.1-dev")
    assert plain["weights"] == "bf16" and plain["offload"] == "sequential"  # 24 GB card


def test_cost_prices_the_name_s_format() -> None:
    def offloads(model: str) -> set[str]:
        request = CostRequest(("rtx-4090",), model, "auto", "auto", "image")
        return {job.offload for job in run_cost(request).jobs}

    assert offloads("flux.1-dev") != {""}  # bf16 FLUX dev does not fit 24 GB whole
    assert offloads("flux1-dev-Q8_0.gguf") == {""}


@pytest.mark.parametrize(
    ("file_name", "model", "format_id"),
    [
        ("flux1-dev-fp8.safetensors", "flux.1-dev", "fp8"),  # ComfyUI's usual file name
        ("sd3.5_large_turbo.safetensors", "sd-3.5-large-turbo", "bf16"),
    ],
)
def test_a_safetensors_file_name_reads_as_its_checkpoint(
    file_name: str, model: str, format_id: str
) -> None:
    """'flux1-dev-fp8.safetensors' was an unknown model (a '.gguf' name was read)."""
    answer = _predicted(file_name)
    assert (answer["model_id"], answer["weights"]) == (model, format_id)
