"""Round-17 catalog gaps: the Radeon 780M (Phoenix iGPU), the Meteor Lake Arc iGPUs (8 and 7
Xe-cores) and the NVIDIA CMP 30HX mining card, named the ways people write them, with figures
that are the arithmetic of their units, clock and memory bus (not today's output)."""

from __future__ import annotations

import pytest

from gpuatlas.catalog.gpus import gpu_by_id, resolve_gpu


@pytest.mark.unit
@pytest.mark.parametrize(
    ("name", "gpu_id"),
    [
        ("780M", "radeon-780m"),
        ("AMD Radeon 780M Graphics", "radeon-780m"),
        ("Ryzen 7 7840HS", "radeon-780m"),
        ("Core Ultra 7 155H", "arc-meteor-lake-8c"),
        ("Core Ultra 5 125H", "arc-meteor-lake-7c"),
        ("NVIDIA CMP 30HX", "cmp-30hx"),
        ("CMP 30HX", "cmp-30hx"),
    ],
)
def test_names_people_write(name: str, gpu_id: str) -> None:
    assert resolve_gpu(name).id == gpu_id


@pytest.mark.unit
def test_780m_is_12_rdna3_cus_at_2_7_ghz() -> None:
    gpu = gpu_by_id("radeon-780m")
    assert (gpu.sm_count, gpu.cuda_cores) == (12, 12 * 64)
    assert gpu.fp32_tflops == pytest.approx(12 * 256 * 2.7 / 1000, rel=0.01)
    assert gpu.fp16_dense_tflops == pytest.approx(12 * 512 * 2.7 / 1000, rel=0.01)
    assert gpu.memory_bandwidth_gb_s == pytest.approx(128 * 5.6 / 8)
    assert gpu.unified_memory


@pytest.mark.unit
@pytest.mark.parametrize(
    ("gpu_id", "xe_cores", "ghz"), [("arc-meteor-lake-8c", 8, 2.25), ("arc-meteor-lake-7c", 7, 2.2)]
)
def test_meteor_lake_arc_has_vector_engines_but_no_xmx(
    gpu_id: str, xe_cores: int, ghz: float
) -> None:
    gpu = gpu_by_id(gpu_id)
    lanes = xe_cores * 16 * 8  # 16 vector engines of 8 FP32 lanes per Xe-core
    assert (gpu.sm_count, gpu.cuda_cores, gpu.tensor_cores) == (xe_cores, lanes, 0)
    assert gpu.fp32_tflops == pytest.approx(lanes * 2 * ghz / 1000, rel=0.01)
    assert gpu.int8_dense_tops == pytest.approx(4 * gpu.fp32_tflops, rel=0.01)


@pytest.mark.unit
def test_cmp_30hx_is_the_gtx_1660_super_chip_and_memory() -> None:
    card, geforce = gpu_by_id("cmp-30hx"), gpu_by_id("gtx-1660-super")
    assert (card.cuda_cores, card.tensor_cores, card.memory_gb) == (1408, 0, 6.0)
    assert card.memory_bandwidth_gb_s == pytest.approx(14 * 192 / 8)
    assert card.fp32_tflops == pytest.approx(1408 * 2 * 1.785 / 1000, rel=0.01)
    assert (card.memory_bandwidth_gb_s, card.sm_count) == (
        geforce.memory_bandwidth_gb_s,
        geforce.sm_count,
    )
