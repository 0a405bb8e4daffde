"""The NVIDIA GPUs added for issue 11: every one issue 11 lists is in the catalog, each carries
its source and date, the dense/GeForce conventions hold, and values match the cited datasheets."""

from __future__ import annotations

import pytest

from gpuatlas.catalog.gpu import Gpu
from gpuatlas.catalog.gpus import all_gpus, gpu_by_id, load_gpu_file, packaged_gpu_files
from gpuatlas.catalog.prices import current_prices
from gpuatlas.catalog.purchase_prices import default_purchase_price

NVIDIA_FILES = (
    "gpus_nvidia_geforce.toml",
    "gpus_nvidia_workstation.toml",
    "gpus_nvidia_datacenter.toml",
)

ISSUE_11_NVIDIA_IDS = {
    # GeForce
    "gtx-1060-6gb", "gtx-1070", "gtx-1080-ti",
    "rtx-2060", "rtx-2060-super", "rtx-2070", "rtx-2070-super", "rtx-2080", "rtx-2080-super",
    "rtx-2080-ti",
    "rtx-3060-8gb", "rtx-3060-12gb", "rtx-3060-ti", "rtx-3070", "rtx-3070-ti", "rtx-3080-10gb",
    "rtx-3080-12gb", "rtx-3080-ti", "rtx-3090", "rtx-3090-ti",
    "rtx-4060", "rtx-4060-ti-8gb", "rtx-4060-ti-16gb", "rtx-4070", "rtx-4070-super",
    "rtx-4070-ti", "rtx-4070-ti-super", "rtx-4080", "rtx-4080-super", "rtx-4090", "rtx-4090-d",
    "rtx-5060-ti-16gb", "rtx-5070", "rtx-5070-ti", "rtx-5080", "rtx-5090",
    "rtx-4090-laptop", "rtx-5090-laptop",
    # workstation
    "rtx-a2000", "rtx-a4000", "rtx-a4500", "rtx-a5000", "rtx-a5500", "rtx-a6000",
    "rtx-2000-ada", "rtx-4000-ada", "rtx-4500-ada", "rtx-5000-ada", "rtx-6000-ada",
    "rtx-pro-4000-blackwell", "rtx-pro-4500-blackwell", "rtx-pro-5000-blackwell",
    "rtx-pro-6000-blackwell", "rtx-pro-6000-blackwell-server", "rtx-pro-6000-blackwell-max-q",
    # data centre, rack-scale, desktop AI, embedded
    "p40", "p100-16gb-pcie", "p100-sxm2", "v100-32gb-sxm2", "t4", "a2", "a10", "a16", "a30",
    "a40", "a100-40gb-pcie", "a100-40gb-sxm", "a100-80gb-pcie", "a100-80gb-sxm",
    "a800-80gb-sxm", "a800-80gb-pcie", "h800-sxm", "h800-pcie", "h20", "l4", "l20", "l40",
    "l40s", "h100-pcie", "h100-sxm", "h100-nvl", "h200-sxm", "h200-nvl", "gh200-96gb", "b100",
    "b200", "b300", "gb200", "gb300", "dgx-spark-gb10", "jetson-agx-orin-64gb", "jetson-agx-thor",
}  # fmt: skip


def added_gpus() -> list[Gpu]:
    folder = packaged_gpu_files()[0].parent
    return [gpu for name in NVIDIA_FILES for gpu in load_gpu_file(folder / name)]


def test_every_nvidia_gpu_issue_11_lists_is_in_the_catalog() -> None:
    assert ISSUE_11_NVIDIA_IDS - {gpu.id for gpu in all_gpus()} == set()


def test_the_additions_are_new_files_beside_the_reference_file() -> None:
    names = [path.name for path in packaged_gpu_files()]
    assert names[0] == "gpus.toml" and set(NVIDIA_FILES) <= set(names)
    reference_ids = {gpu.id for gpu in load_gpu_file(packaged_gpu_files()[0])}
    assert not reference_ids & {gpu.id for gpu in added_gpus()}
    assert len(added_gpus()) >= 60


@pytest.mark.parametrize("gpu", added_gpus(), ids=lambda gpu: gpu.id)
def test_each_addition_has_source_date_and_notes(gpu: Gpu) -> None:
    assert gpu.vendor == "NVIDIA"
    assert len(gpu.source) > 20 and gpu.as_of >= "2026-12-01"
    assert gpu.notes
    assert gpu.memory_gb and gpu.memory_bandwidth_gb_s


@pytest.mark.parametrize(
    "gpu",
    [g for g in added_gpus() if g.tensor_accumulate == "fp32-accumulate-half-rate"],
    ids=lambda gpu: gpu.id,
)
def test_geforce_rule_fp16_accumulate_doubles_the_fp32_accumulate_figure(gpu: Gpu) -> None:
    assert gpu.segment == "consumer"
    assert gpu.fp16_dense_tflops and gpu.fp16_with_fp16_accumulate_dense_tflops
    ratio = gpu.fp16_with_fp16_accumulate_dense_tflops / gpu.fp16_dense_tflops
    assert ratio == pytest.approx(2.0, abs=0.01)
    if gpu.fp8_dense_tflops:  # FP8 with FP32 accumulate runs at the FP16-accumulate rate
        assert gpu.fp8_dense_tflops == gpu.fp16_with_fp16_accumulate_dense_tflops
    if gpu.int8_dense_tops:
        assert gpu.int8_dense_tops / gpu.fp16_dense_tflops == pytest.approx(4.0, abs=0.01)


def test_every_tensor_geforce_addition_follows_the_geforce_rule() -> None:
    # TITAN cards are not GeForce: NVIDIA runs their FP16 with FP32 accumulate at full rate
    # (TITAN RTX 130 TFLOPS, the 2080 Ti 53.8 on the same TU102)
    consumer = [
        g
        for g in added_gpus()
        if g.segment == "consumer"
        and g.architecture_family != "pascal"
        and g.tensor_cores
        and not g.name.startswith("TITAN")
    ]
    assert consumer and all(g.tensor_accumulate == "fp32-accumulate-half-rate" for g in consumer)


@pytest.mark.parametrize(
    "gpu",
    [
        g
        for g in added_gpus()
        if g.tf32_dense_tflops and g.fp16_dense_tflops and g.segment != "consumer"
    ],
    ids=lambda gpu: gpu.id,
)
def test_full_rate_parts_have_tf32_at_half_the_fp16_rate(gpu: Gpu) -> None:
    assert gpu.tensor_accumulate == "fp32-accumulate-full-rate"
    assert gpu.tf32_dense_tflops is not None and gpu.fp16_dense_tflops is not None
    assert gpu.tf32_dense_tflops * 2 == pytest.approx(gpu.fp16_dense_tflops, rel=0.01)


@pytest.mark.parametrize(
    "gpu_id, field, value",
    [
        # Turing whitepaper, RTX 2080 Ti reference column (dense)
        ("rtx-2080-ti", "fp16_dense_tflops", 53.8),
        ("rtx-2080-ti", "fp16_with_fp16_accumulate_dense_tflops", 107.6),
        ("rtx-2080-ti", "int8_dense_tops", 215.2),
        ("rtx-2080-ti", "int4_dense_tops", 430.3),
        # GA102 whitepaper, RTX 3080 and RTX 3070 columns
        ("rtx-3080-10gb", "fp16_dense_tflops", 59.5),
        ("rtx-3080-10gb", "tf32_dense_tflops", 29.8),
        ("rtx-3070", "fp16_dense_tflops", 40.6),
        ("rtx-3070", "fp16_with_fp16_accumulate_dense_tflops", 81.3),
        # product pages
        ("rtx-3060-12gb", "memory_bandwidth_gb_s", 360.0),
        ("rtx-3060-8gb", "memory_bandwidth_gb_s", 240.0),
        ("rtx-4060-ti-16gb", "memory_bandwidth_gb_s", 288.0),
        ("rtx-4070-ti-super", "memory_gb", 16.0),
        ("rtx-4070-ti-super", "memory_bandwidth_gb_s", 672.0),
        ("rtx-5080", "memory_bandwidth_gb_s", 960.0),
        # workstation datasheets (sparse figure halved)
        ("rtx-a2000", "fp16_dense_tflops", 31.95),
        ("rtx-a5500", "fp16_dense_tflops", 136.4),
        ("rtx-2000-ada", "fp8_dense_tflops", 96.0),
        ("rtx-5000-ada", "fp8_dense_tflops", 522.2),
        ("rtx-pro-5000-blackwell", "fp16_dense_tflops", 258.0),
        ("rtx-pro-6000-blackwell-max-q", "fp16_dense_tflops", 438.9),
        # data-centre datasheets
        ("p40", "int8_dense_tops", 47.0),
        ("p100-sxm2", "fp16_dense_tflops", 21.2),
        ("a2", "int8_dense_tops", 36.0),
        ("a16", "fp16_dense_tflops", 17.9),
        ("h20", "bf16_dense_tflops", 148.0),
        ("h20", "memory_bandwidth_gb_s", 4000.0),
        ("h200-nvl", "fp8_dense_tflops", 1670.5),
        ("h800-sxm", "bf16_dense_tflops", 989.5),
        ("gb200", "bf16_dense_tflops", 2500.0),
        ("gb200", "memory_gb", 186.0),
        ("b300", "fp8_dense_tflops", 4500.0),
        ("gb300", "fp8_dense_tflops", 5000.0),
        ("dgx-spark-gb10", "memory_bandwidth_gb_s", 273.0),
        ("jetson-agx-thor", "fp8_dense_tflops", 517.5),
    ],
)
def test_values_match_the_cited_datasheets(gpu_id: str, field: str, value: float) -> None:
    assert getattr(gpu_by_id(gpu_id), field) == value


@pytest.mark.parametrize(
    "gpu_id, ai_tops",
    [("rtx-5060-ti-16gb", 759), ("rtx-5070", 988), ("rtx-5070-ti", 1406), ("rtx-5080", 1801)],
)
def test_blackwell_geforce_derivation_reproduces_nvidias_ai_tops(gpu_id: str, ai_tops: int) -> None:
    """NVIDIA's 'AI TOPS' = FP4 with sparsity = 16 x FP16 with FP32 accumulate, dense."""
    fp16 = gpu_by_id(gpu_id).fp16_dense_tflops
    assert fp16 is not None and 16 * fp16 == pytest.approx(ai_tops, rel=0.002)


@pytest.mark.parametrize(
    "gpu_id, empty_fields",
    [
        ("dgx-spark-gb10", ("int8_dense_tops", "tf32_dense_tflops")),
        ("jetson-agx-thor", ("fp16_dense_tflops", "fp32_tflops")),
        ("gtx-1080-ti", ("fp16_dense_tflops", "int8_dense_tops")),
        ("b300", ("int8_dense_tops",)),
    ],
)
def test_unpublished_figures_are_empty_and_the_note_says_so(
    gpu_id: str, empty_fields: tuple[str, ...]
) -> None:
    gpu = gpu_by_id(gpu_id)
    assert all(getattr(gpu, field) is None for field in empty_fields)
    assert any(word in gpu.notes for word in ("EMPTY", "empty", "publishes no", "left empty"))


def test_gb10_16_bit_rates_are_derived_from_the_fp4_headline_and_say_so() -> None:
    """1 PFLOP FP4 with sparsity = 500 dense; Blackwell FP4 : FP8 : FP16 = 4 : 2 : 1."""
    spark = gpu_by_id("dgx-spark-gb10")
    assert (spark.fp16_dense_tflops, spark.bf16_dense_tflops) == (125.0, 125.0)
    assert spark.fp8_dense_tflops == 250.0
    assert "DERIVED" in spark.notes and "62.5" in spark.notes


def test_pascal_cards_have_no_tensor_cores_and_only_fp32() -> None:
    for gpu_id in ("gtx-1060-6gb", "gtx-1070", "gtx-1080-ti"):
        gpu = gpu_by_id(gpu_id)
        assert gpu.tensor_cores == 0 and gpu.fp32_tflops
        assert gpu.dense_tflops("bf16") is None and gpu.dense_tflops("fp8") is None


def test_nvidia_price_file_is_loaded_beside_the_reference_prices() -> None:
    p40 = current_prices("p40")
    assert [(s.provider, s.usd_per_gpu_hour, s.observed_date) for s in p40] == [
        ("Vast.ai", 0.11, "2026-05-20")
    ]
    server = current_prices("rtx-pro-6000-blackwell-server")
    assert server and all(s.gpu_match == "assumed" and s.source for s in server)


def test_consumer_purchase_prices_are_dated_and_sourced() -> None:
    used_3060 = default_purchase_price("rtx-3060-12gb", "used")
    assert used_3060 is not None and used_3060.observed_date == "2026-06"
    assert used_3060.usd_per_gpu == 225
    new_4060ti = default_purchase_price("rtx-4060-ti-16gb", "new")
    assert new_4060ti is not None and new_4060ti.usd_per_gpu == 400 and new_4060ti.source
    spark = default_purchase_price("dgx-spark-gb10", "new")
    assert spark is not None and spark.usd_per_gpu == 3999


def test_runpod_rents_the_new_workstation_and_nvl_parts_with_dated_prices() -> None:
    h200_nvl = {(s.tier, s.usd_per_gpu_hour) for s in current_prices("h200-nvl", "RunPod")}
    assert h200_nvl == {("on-demand", 3.39), ("spot", 2.88)}
    ada_4000 = {(s.tier, s.observed_date) for s in current_prices("rtx-4000-ada", "RunPod")}
    assert ("on-demand", "2026-01-01") in ada_4000 and ("community", "2025-07-13") in ada_4000
