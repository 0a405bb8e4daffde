"""The at-a-glance chart's axis names fit their half of the chart at phone width: 'Apple M4 Max
(40-core GPU) faster →' ran off the right edge at 390 px ('... fas')."""

from __future__ import annotations

import pytest

from gpuatlas.report.glance import AXIS_CHARACTER, AXIS_ROOM, _squeezed, axis_name

pytestmark = pytest.mark.unit


def test_a_long_bracketed_name_drops_its_variant_under_the_axis() -> None:
    assert axis_name("Apple M4 Max (40-core GPU)") == "Apple M4 Max"
    assert len("Apple M4 Max faster →") * AXIS_CHARACTER <= AXIS_ROOM
    assert axis_name("RTX 5090") == "RTX 5090"
    assert axis_name("A100 80GB SXM4") == "A100 80GB SXM4"


def test_a_label_still_too_long_is_fitted_not_clipped() -> None:
    long = "Radeon Pro W7900 Dual Slot 48GB Edition faster →"
    assert len(long) * AXIS_CHARACTER > AXIS_ROOM
    assert f'textLength="{AXIS_ROOM:.0f}"' in _squeezed(long)
    assert _squeezed("RTX 5090 faster →") == ""
