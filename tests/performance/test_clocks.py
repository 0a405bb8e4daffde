"""Sustained clocks of power-limited parts (performance/sustained_clocks.py)."""

from gpuatlas.catalog.gpus import resolve_gpu
from gpuatlas.performance import api
from gpuatlas.performance.sustained_clocks import (
    boost_clock_ghz,
    datasheet_peaks,
    sustained_clock_share,
)


def test_boost_clock_from_fp32_rate_matches_the_datasheet() -> None:
    # T4 datasheet boost 1590 MHz; RTX 4090 boost 2520 MHz
    assert abs(boost_clock_ghz(resolve_gpu("t4")) - 1.59) < 0.02  # type: ignore[operator]
    assert abs(boost_clock_ghz(resolve_gpu("rtx-4090")) - 2.52) < 0.02  # type: ignore[operator]


def test_a_70_w_t4_cannot_hold_its_boost_clock_under_load() -> None:
    # 1.75 W per SM against the TU104 design's 5.2 W: (0.34)^(1/3) x 1.815 GHz ≈ 1.26 GHz
    share = sustained_clock_share(resolve_gpu("t4"))
    assert 0.75 < share < 0.85


def test_full_power_parts_keep_their_boost_and_unknown_families_are_untouched() -> None:
    assert sustained_clock_share(resolve_gpu("rtx-4090")) > 0.99
    assert sustained_clock_share(resolve_gpu("h100-sxm")) > 0.99
    assert sustained_clock_share(resolve_gpu("mi300x")) == 1.0


def test_power_limited_datacenter_cards_rank_below_their_full_power_siblings() -> None:
    assert sustained_clock_share(resolve_gpu("l4")) < sustained_clock_share(resolve_gpu("l40s"))
    assert sustained_clock_share(resolve_gpu("h100-pcie")) < 1.0


def test_the_roofline_baseline_uses_datasheet_peaks() -> None:
    with datasheet_peaks():
        assert sustained_clock_share(resolve_gpu("t4")) == 1.0


def test_a100_pcie_is_judged_against_its_own_die() -> None:
    """GA100 runs at a lower clock than GA102: the 250 W A100 PCIe 40GB cannot hold its 1410 MHz
    boost under a dense load the way the 400 W SXM4 does. Lambda's SD 1.4 fp16 runs (batch 16,
    30 steps, same container) measured 0.909 s/image on the PCIe card and 0.786 on the SXM4:
    1.16x (modelled ~1.08x: the attention-score traffic does not slow with the clock); judged
    against the RTX 3090 the PCIe card kept 0.98 of its boost and came out ~1.01x."""
    pcie = sustained_clock_share(resolve_gpu("a100-40gb-pcie"))
    assert 0.8 < pcie < 0.9
    assert sustained_clock_share(resolve_gpu("a100-40gb-sxm")) == 1.0
    found = {
        gpu: api.predict_diffusion(
            gpu,
            "CompVis/stable-diffusion-v1-4",
            steps=30,
            batch=16,
            weights="fp16",
            variant="vanilla-attention",
        ).s_per_image.value
        for gpu in ("a100-40gb-pcie", "a100-40gb-sxm")
    }
    assert 1.05 < found["a100-40gb-pcie"] / found["a100-40gb-sxm"] < 1.25
