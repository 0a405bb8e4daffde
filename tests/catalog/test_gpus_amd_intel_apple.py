"""AMD, Intel and Apple entries: sourced and dated, values as their datasheets give them, names
as tools print them, and the Apple variants Apple sells (one per GPU-core count)."""

from __future__ import annotations

import pytest

from gpuatlas.catalog.gpus import all_gpus, gpu_by_id, packaged_gpu_files, resolve_gpu
from gpuatlas.catalog.unified_memory import macos_default_gpu_share
from gpuatlas.errors import UnknownNameError

FAMILY_FILES = ("gpus_amd.toml", "gpus_intel.toml", "gpus_apple.toml")


def test_family_files_are_loaded() -> None:
    names = {path.name for path in packaged_gpu_files()}
    assert set(FAMILY_FILES) <= names


@pytest.mark.parametrize("vendor", ["AMD", "Intel", "Apple"])
def test_every_new_entry_has_source_date_and_notes(vendor: str) -> None:
    gpus = [g for g in all_gpus() if g.vendor == vendor]
    assert gpus
    for gpu in gpus:
        assert len(gpu.source) > 20, gpu.id
        assert gpu.as_of >= "2026-01-01", gpu.id
        assert gpu.memory_gb and gpu.memory_bandwidth_gb_s, gpu.id


@pytest.mark.parametrize(
    "gpu_id",
    [
        "mi100",
        "mi300a",
        "mi355x",
        "rx-6700-xt",
        "rx-6800-xt",
        "rx-6900-xt",
        "rx-7900-gre",
        "rx-7900-xt",
        "rx-7900-xtx",
        "rx-9070",
        "rx-9070-xt",
        "radeon-pro-w7700",
        "radeon-pro-w7800",
        "radeon-pro-w7900",
        "radeon-ai-pro-r9700",
        "ryzen-ai-max-plus-395",
        "arc-a770",
        "arc-b580",
        "arc-pro-b60",
        "max-1100",
    ],
)
def test_amd_and_intel_ids_exist(gpu_id: str) -> None:
    assert gpu_by_id(gpu_id).id == gpu_id


def test_amd_values_match_datasheets() -> None:
    xtx = gpu_by_id("rx-7900-xtx")  # AMD product page: 24 GB, 960 GB/s, 122.8 FP16, 355 W
    assert (xtx.memory_gb, xtx.memory_bandwidth_gb_s, xtx.tdp_w) == (24.0, 960.0, 355.0)
    assert xtx.fp16_dense_tflops == pytest.approx(122.8, abs=0.1)
    assert xtx.fp8_dense_tflops is None  # RDNA 3 has no FP8
    mi300a = gpu_by_id("mi300a")  # AMD data sheet: 980.6 FP16 dense, 128 GB HBM3, 5.3 TB/s
    assert mi300a.fp16_dense_tflops == 980.6 and mi300a.unified_memory
    mi355x = gpu_by_id("mi355x")  # 288 GB, 8 TB/s, 5 PF FP8 dense, 1,400 W
    assert (mi355x.memory_gb, mi355x.memory_bandwidth_gb_s, mi355x.tdp_w) == (288, 8000, 1400)
    assert mi355x.fp8_dense_tflops == pytest.approx(5033, abs=1)
    assert mi355x.supports_fp8_natively
    xt = gpu_by_id("rx-9070-xt")  # AMD: INT8 779 TOPS with sparsity -> 389 dense
    assert xt.int8_dense_tops == pytest.approx(779 / 2, abs=0.5)


def test_intel_values_match_datasheets() -> None:
    b580 = gpu_by_id("arc-b580")  # Intel: 12 GB, 456 GB/s, 233 INT8 TOPS, 190 W
    assert (b580.memory_gb, b580.memory_bandwidth_gb_s, b580.int8_dense_tops) == (12, 456, 233)
    assert gpu_by_id("max-1100").memory_gb == 48.0


def test_rdna2_documents_that_it_has_no_matrix_units() -> None:
    for gpu_id in ("rx-6700-xt", "rx-6800-xt", "rx-6900-xt"):
        gpu = gpu_by_id(gpu_id)
        assert gpu.fp16_dense_tflops == pytest.approx(2 * (gpu.fp32_tflops or 0), rel=0.01)
        assert "no matrix units" in gpu.notes


APPLE_VARIANTS = {
    "m1": (7, 8),
    "m1-pro": (14, 16),
    "m1-max": (24, 32),
    "m1-ultra": (48, 64),
    "m2": (8, 10),
    "m2-pro": (16, 19),
    "m2-max": (30, 38),
    "m2-ultra": (60, 76),
    "m3": (8, 10),
    "m3-pro": (14, 18),
    "m3-max": (30, 40),
    "m3-ultra": (60, 80),
    "m4": (8, 10),
    "m4-pro": (16, 20),
    "m4-max": (32, 40),
    # M5 family: the M5 Max's 32-core variant is sourced (460 GB/s, 36 GB); the cut-down M5 and
    # M5 Pro variants are not in the catalog yet.
    "m5": (10,),
    "m5-pro": (20,),
    "m5-max": (32, 40),
}


def test_one_apple_entry_per_gpu_core_count_and_no_m4_ultra() -> None:
    expected = {
        f"apple-{chip}-{cores}c" for chip, counts in APPLE_VARIANTS.items() for cores in counts
    }
    apple_ids = {gpu.id for gpu in all_gpus() if gpu.vendor == "Apple"}
    assert apple_ids == expected
    assert not any("m4-ultra" in gpu_id for gpu_id in apple_ids)


def test_apple_entries_are_unified_memory_devices_with_macos_share() -> None:
    for gpu in (g for g in all_gpus() if g.vendor == "Apple"):
        assert gpu.segment == "apple" and gpu.unified_memory, gpu.id
        assert gpu.gpu_cores is not None and gpu.id.endswith(f"-{gpu.gpu_cores}c")
        assert gpu.memory_gb == max(gpu.memory_options_gb), gpu.id
        assert gpu.gpu_memory_share_default == pytest.approx(
            macos_default_gpu_share(gpu.memory_gb or 0), abs=1e-3
        ), gpu.id
        assert "iogpu.wired_limit_mb" in gpu.gpu_memory_share_text
        assert gpu.link.kind == "none" and gpu.tdp_w is None


def test_apple_values_match_published_figures() -> None:
    m2_ultra = gpu_by_id("apple-m2-ultra-76c")  # Apple: 800 GB/s, 192 GB, 27.2 TFLOPS
    assert (m2_ultra.memory_bandwidth_gb_s, m2_ultra.memory_gb) == (800.0, 192.0)
    assert m2_ultra.fp32_tflops == pytest.approx(27.2, abs=0.05)
    assert m2_ultra.fp16_dense_tflops == m2_ultra.fp32_tflops  # no tensor units
    assert gpu_by_id("apple-m3-ultra-80c").memory_options_gb[-1] == 512.0
    assert gpu_by_id("apple-m4-max-32c").memory_bandwidth_gb_s == 410.0
    assert gpu_by_id("apple-m4-max-40c").memory_bandwidth_gb_s == 546.0
    assert gpu_by_id("apple-m3-max-30c").memory_bandwidth_gb_s == 300.0


# Top GPU clock (GHz) macOS powermetrics reports for each M3/M4 die (sources in the entries).
APPLE9_CLOCK_GHZ = {
    "m3": 1.338,
    "m3-pro": 1.380,
    "m3-max": 1.380,
    "m3-ultra": 1.380,
    "m4": 1.470,
    "m4-pro": 1.578,
    "m4-max": 1.578,
}


def test_apple_m3_and_m4_throughput_is_derived_from_cores_and_clock_and_says_so() -> None:
    for gpu in (g for g in all_gpus() if g.vendor == "Apple" and g.architecture_family == "apple9"):
        chip = gpu.id.removeprefix("apple-").rsplit("-", 1)[0]
        assert gpu.gpu_cores is not None
        expected_tflops = gpu.gpu_cores * 128 * 2 * APPLE9_CLOCK_GHZ[chip] / 1000
        assert gpu.fp32_tflops == pytest.approx(expected_tflops, abs=0.006), gpu.id
        assert gpu.fp16_dense_tflops == gpu.fp32_tflops, gpu.id  # FP16 at the FP32 rate
        assert "DERIVED, not published" in gpu.notes and "GPU clock:" in gpu.source, gpu.id


def test_derivation_rule_reproduces_apples_published_m1_m2_figures() -> None:
    published_tflops = {"apple-m1-8c": 2.6, "apple-m1-max-32c": 10.4, "apple-m2-ultra-76c": 27.2}
    for gpu_id, tflops in published_tflops.items():
        assert gpu_by_id(gpu_id).fp32_tflops == pytest.approx(tflops, rel=0.025), gpu_id
    assert gpu_by_id("apple-m4-max-40c").fp32_tflops > gpu_by_id("apple-m3-max-40c").fp32_tflops


@pytest.mark.parametrize(
    "name, gpu_id",
    [
        ("Apple M2 Ultra", "apple-m2-ultra-76c"),  # system_profiler's Chipset Model
        ("Apple M2 Ultra (76-core GPU)", "apple-m2-ultra-76c"),
        ("Apple M2 Ultra (60-core GPU)", "apple-m2-ultra-60c"),
        ("M2 Ultra 60c", "apple-m2-ultra-60c"),
        ("M4 Max", "apple-m4-max-40c"),
        ("7900 XTX", "rx-7900-xtx"),
        ("AMD Radeon RX 7900 XTX", "rx-7900-xtx"),
        ("Radeon 8060S", "ryzen-ai-max-plus-395"),
        ("Intel(R) Arc(TM) A770 Graphics", "arc-a770"),
        ("B580", "arc-b580"),
        ("MI355X", "mi355x"),
    ],
)
def test_names_people_and_tools_write_resolve(name: str, gpu_id: str) -> None:
    assert resolve_gpu(name).id == gpu_id


def test_an_unsold_chip_is_unknown_with_close_matches() -> None:
    with pytest.raises(UnknownNameError) as error:
        resolve_gpu("Apple M4 Ultra")
    assert "apple-m3-ultra-80c" in str(error.value)  # there is no M4 Ultra
