"""`cost --workload image --engine E` costs each image with that image engine (it was ignored:
every image was costed as diffusers), names it in the work, and refuses an unknown one with
close matches before pricing anything."""

from __future__ import annotations

import pytest

from gpuatlas.app.cost import RentingCostRequest, cost_report
from gpuatlas.errors import GpuAtlasError
from gpuatlas.performance import api


def _image(engine: str) -> tuple[float, str]:
    request = RentingCostRequest(gpus=["rtx-4090"], model="sdxl", workload="image", engine=engine)
    job = cost_report(request).jobs[0]
    return job.hours.value, job.work


def test_the_named_engine_sets_the_seconds_per_image() -> None:
    hours, work = _image("tensorrt")
    expected = api.predict_diffusion("rtx-4090", "sdxl", engine="tensorrt").s_per_image.value
    assert hours * 3600 == pytest.approx(expected)
    assert work.endswith(", tensorrt)")
    eager_hours, eager_work = _image("auto")
    assert eager_work.endswith(", diffusers)")
    assert hours < eager_hours  # TensorRT's measured gain over eager diffusers


def test_an_unknown_image_engine_is_refused() -> None:
    request = RentingCostRequest(gpus=["rtx-4090"], model="sdxl", workload="image", engine="foo")
    with pytest.raises(GpuAtlasError, match="unknown image engine 'foo'"):
        cost_report(request)
