"""The A1111 family of web UIs (AUTOMATIC1111, Forge, SD.Next) is an image engine of its own,
'sd-webui': a generation there carries more host time than the same pipeline in diffusers, so
its rows calibrate their own levels instead of pulling eager diffusers' (issue 10)."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest

from gpuatlas.catalog.measurements import load_measurements
from gpuatlas.performance import api
from gpuatlas.performance.calibration_table import (
    Calibration,
    current_calibration,
    group_keys,
    using_calibration,
)
from gpuatlas.performance.media.diffusion import (
    WEB_UI_ENGINE,
    WEB_UI_GENERATION_HOST_S,
    gain_source_engine,
    image_engine,
)


def _without_web_ui_groups() -> Calibration:
    calibration = current_calibration()
    groups = {
        key: values
        for key, values in calibration.groups.items()
        if not key.startswith(f"image|{WEB_UI_ENGINE}|")
    }
    return replace(calibration, groups=groups, version="test-no-web-ui")


def _s_per_image(engine: str, gpu: str = "rtx-4090") -> float:
    found = api.predict_diffusion(gpu, "sdxl", steps=20, engine=engine)
    return found.s_per_image.value


@pytest.mark.parametrize(
    "written", ["a1111", "AUTOMATIC1111", "Forge", "SD.Next", "sdnext", "stable-diffusion-webui"]
)
def test_the_web_uis_as_users_name_them_are_the_web_ui_engine(written: str) -> None:
    assert image_engine(written) == WEB_UI_ENGINE


@pytest.mark.parametrize("written", ["ComfyUI", "SwarmUI", "diffusers"])
def test_comfyui_and_diffusers_stay_eager_diffusers(written: str) -> None:
    assert image_engine(written) == "diffusers"


def test_the_web_ui_refines_the_eager_diffusers_levels() -> None:
    keys = group_keys("image", WEB_UI_ENGINE, "ada/consumer", "unet")
    assert keys[0] == "image|diffusers|*|*"
    assert keys[-1] == f"image|{WEB_UI_ENGINE}|ada/consumer|unet"


def test_without_rows_of_its_own_a_web_ui_is_eager_diffusers_plus_its_generation_time() -> None:
    with using_calibration(_without_web_ui_groups()):
        assert gain_source_engine(WEB_UI_ENGINE) == "diffusers"
        for gpu in ("rtx-4090", "rtx-3060-12gb", "rx-7900-xtx"):
            ui, eager = _s_per_image("a1111", gpu), _s_per_image("diffusers", gpu)
            assert ui == pytest.approx(eager + WEB_UI_GENERATION_HOST_S)
        notes = api.predict_diffusion("rtx-4090", "sdxl", engine="forge").notes
        assert any("costed at eager diffusers' efficiencies" in note for note in notes)


def test_the_web_uis_generation_time_is_per_batch_and_outside_the_denoising_loop() -> None:
    def s_per_image(engine: str, batch: int = 1, variant: str | None = None) -> float:
        found = api.predict_diffusion(
            "h100-sxm", "sdxl", steps=20, batch=batch, engine=engine, variant=variant
        )
        return found.s_per_image.value

    with using_calibration(_without_web_ui_groups()):
        loop = s_per_image("a1111", variant="denoise-loop")
        assert loop == pytest.approx(s_per_image("diffusers", variant="denoise-loop"))
        extra_at_4 = s_per_image("a1111", batch=4) - s_per_image("diffusers", batch=4)
        assert extra_at_4 == pytest.approx(WEB_UI_GENERATION_HOST_S / 4)


def test_a_fitted_web_ui_level_is_used_for_the_web_ui_only() -> None:
    # a UI level fitted with twice eager diffusers' host time per forward at SD 1.5 batch 1
    # (host-bound on an RTX 4090) makes the UI slower there and leaves diffusers as it was
    base = _without_web_ui_groups()
    eager = base.params("image", (0.7, 0.35, 15.0), "diffusers", "ada/consumer", "unet")
    key = f"image|{WEB_UI_ENGINE}|ada/consumer|unet"
    groups = {
        **base.groups,
        key: {
            "eta_compute": eager.eta_compute,
            "step_overhead_ms": 2 * eager.step_overhead_ms,
            "n": 5.0,
        },
    }
    before = api.predict_diffusion("rtx-4090", "sd-1.5", steps=20, engine="diffusers")
    with using_calibration(replace(base, groups=groups, version="test-web-ui-level")):
        ui = api.predict_diffusion("rtx-4090", "sd-1.5", steps=20, engine="a1111")
        eager_now = api.predict_diffusion("rtx-4090", "sd-1.5", steps=20, engine="diffusers")
    assert eager_now.s_per_image.value == pytest.approx(before.s_per_image.value)
    assert ui.s_per_image.value > 1.2 * eager_now.s_per_image.value


def test_the_web_ui_rows_are_the_median_submission_at_twenty_steps() -> None:
    rows = [
        row
        for row in load_measurements()
        if row.source.startswith("https://github.com/vladmandic/sd-data")
    ]
    assert len(rows) >= 30
    for row in rows:
        assert row.engine == WEB_UI_ENGINE and row.steps == 20 and row.batch == 1
        found = re.search(r"DERIVED value = 20 steps / median it/s = 20 / ([\d.]+)", row.notes)
        assert found is not None, row
        assert row.value == pytest.approx(20.0 / float(found.group(1)), rel=1e-3)
    gpus = {row.gpu for row in rows}
    assert {"rx-7900-xtx", "rx-9070-xt", "rtx-5090", "rtx-4090"} <= gpus


def test_a_web_ui_level_on_a_stand_in_class_leaves_diffusers_on_the_stand_in() -> None:
    # the RTX 5090 (blackwell/consumer) is predicted at the RTX 4090's eager class while no
    # diffusers rows are fitted on its own; a web UI's rows there must not move diffusers
    base = _without_web_ui_groups()
    with using_calibration(base):
        before = _s_per_image("diffusers", "rtx-5090")
    eager = base.params("image", (0.7, 0.35, 15.0), "diffusers", "ada/consumer", "unet")
    key = f"image|{WEB_UI_ENGINE}|blackwell/consumer|unet"
    values = {"eta_compute": eager.eta_compute / 2, "step_overhead_ms": 30.0, "n": 3.0}
    with using_calibration(replace(base, groups={**base.groups, key: values}, version="t-bw")):
        assert _s_per_image("diffusers", "rtx-5090") == pytest.approx(before)
        assert _s_per_image("a1111", "rtx-5090") > 1.3 * before
