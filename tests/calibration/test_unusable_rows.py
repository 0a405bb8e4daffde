"""Rows whose deciding settings the source leaves unknowable stay in the data set with their
reason, and neither calibrate nor validate the estimator (issue 10)."""

from __future__ import annotations

from pathlib import Path

from gpuatlas.calibration.fitting import observations, observe
from gpuatlas.catalog.measurements import COLUMNS, all_measurements, load_measurements


def _seed_sd35_rows() -> dict[str, object]:
    return {
        row.gpu: row
        for row in all_measurements()
        if row.file == "seed_001_fleet_page.csv" and "stable-diffusion-3.5-large" in row.model
    }


def test_the_fleet_pages_offloaded_4090_sd35_row_is_kept_but_marked_unusable() -> None:
    rows = _seed_sd35_rows()
    rtx_4090, a100 = rows["rtx-4090"], rows["a100-80gb-pcie"]
    assert rtx_4090.value == 58  # type: ignore[attr-defined]
    reason = rtx_4090.unusable_for_calibration  # type: ignore[attr-defined]
    assert reason is not None and "offload" in reason
    assert observe(rtx_4090) is None  # type: ignore[arg-type]
    # the A100 80GB holds the whole bf16 pipeline: no offload to be unknown, so it stays usable
    assert a100.unusable_for_calibration is None  # type: ignore[attr-defined]
    assert observe(a100) is not None  # type: ignore[arg-type]


def test_a_marked_row_loads_with_its_reason_and_is_left_out_of_the_fit(tmp_path: Path) -> None:
    header = [*COLUMNS, "unusable_for_calibration"]
    base = {
        "gpu": "rtx-4090",
        "gpu_count": "1",
        "engine": "diffusers",
        "model": "stabilityai/stable-diffusion-xl-base-1.0",
        "weights": "fp16",
        "batch": "1",
        "resolution": "1024x1024",
        "steps": "30",
        "metric": "image_s",
        "unit": "s/image",
        "source": "a test source",
    }
    usable = {**base, "value": "5.0", "unusable_for_calibration": ""}
    marked = {**base, "value": "40.0", "unusable_for_calibration": "offload kind not stated"}
    lines = [",".join(header)]
    lines += [",".join(row.get(column, "") for column in header) for row in (usable, marked)]
    (tmp_path / "rows.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    loaded = load_measurements(tmp_path)
    assert [row.unusable_for_calibration for row in loaded] == [None, "offload kind not stated"]
    assert [item.row.value for item in observations(loaded)] == [5.0]
