"""Model constants as data: each with its meaning and source, read by the models."""

from __future__ import annotations

from pathlib import Path

import pytest

from gpuatlas.economics.constants import DEFAULT_PUE, economics_constant, economics_constants
from gpuatlas.errors import DataFileError
from gpuatlas.performance.calibration_table import Calibration
from gpuatlas.performance.llm import step_times
from gpuatlas.performance.media import pipeline_compute, vision
from gpuatlas.performance.model_constants import model_constant, model_constants, read_constants


def test_every_constant_says_what_it_is_and_where_it_comes_from() -> None:
    for constants in (model_constants(), economics_constants()):
        for area, entries in constants.items():
            for name, constant in entries.items():
                assert len(constant.meaning) > 20, f"{area}.{name}"
                assert len(constant.source) > 10, f"{area}.{name}"


def test_the_models_read_the_data_values() -> None:
    assert vision.ENCODER_ETA == model_constant("vision", "encoder_eta") == 0.4
    assert DEFAULT_PUE == economics_constant("on_prem", "pue") == 1.3
    assert model_constant("llm", "ridge_sharpness") == step_times.RIDGE_SHARPNESS
    assert (
        model_constant("diffusion_pipeline", "pcie_offload_share")
        == pipeline_compute.PCIE_OFFLOAD_SHARE
    )
    calibration = Calibration("v", "m", {"ampere": 1.0}, {"ampere": 0.9})
    assert calibration.family_priors("ampere/hbm") == (1.0, 0.9)
    assert calibration.family_priors("unlisted/gddr") == (
        model_constant("calibration_fallback", "eta_memory_prior"),
        model_constant("calibration_fallback", "eta_compute_prior"),
    )


def test_a_constant_without_its_source_is_rejected_with_its_name(tmp_path: Path) -> None:
    path = tmp_path / "constants.toml"
    path.write_text(
        '[llm.reuse]\nvalue = 0.5\nunit = ""\nmeaning = "a share of something"\n'
        '[llm.bad]\nvalue = "high"\nunit = ""\nmeaning = "m"\nsource = "s"\n'
    )
    with pytest.raises(DataFileError) as error:
        read_constants(path)
    assert "[llm.reuse]: missing source" in str(error.value)
    assert "[llm.bad]: value must be a number" in str(error.value)


def test_an_unknown_constant_names_the_known_ones() -> None:
    with pytest.raises(KeyError, match="vision.encoder_eta"):
        model_constant("vision", "encoder_efficiency")


def test_the_report_and_the_tco_assume_one_pue() -> None:
    from gpuatlas.economics.tco import OnPremInputs
    from gpuatlas.report.context import DEFAULT_PUE

    assert DEFAULT_PUE == OnPremInputs().pue == economics_constants()["on_prem"]["pue"].value


def test_the_unet_reuse_fallback_lies_between_the_counted_unets() -> None:
    from gpuatlas.catalog.model_library import get_model
    from gpuatlas.performance.media.diffusion import UNET_REUSE
    from gpuatlas.performance.media.unet_flops import UNET_SHAPES, unet_forward_flops

    reuses = []
    for model_id, native_px in (("sd-1.5", 512), ("sdxl-base-1.0", 1024)):
        model = get_model(model_id)
        side = model.latent_size(native_px)  # type: ignore[union-attr]
        flops = unet_forward_flops(UNET_SHAPES[model_id], side).total
        reuses.append(flops / (2 * model.denoiser_params * side * side))  # type: ignore[union-attr]
    assert reuses[0] == pytest.approx(0.114, abs=0.001)
    assert reuses[1] == pytest.approx(0.080, abs=0.001)
    assert min(reuses) <= UNET_REUSE <= max(reuses)
