"""Multi-GPU systems resolve with the links the multi-GPU models need."""

from __future__ import annotations

import pytest

from gpuatlas.catalog.systems import resolve_system
from gpuatlas.errors import InvalidRequestError, UnknownNameError


def test_four_rtx_4090_talk_over_pcie_without_peer_to_peer() -> None:
    system = resolve_system("4x rtx-4090")
    assert system.gpu.id == "rtx-4090" and system.gpu_count == 4 and system.nodes == 1
    assert system.link is not None and not system.link.peer_to_peer
    assert system.link.per_direction_gb_s == 31.5
    assert system.total_memory_gb == 96 and system.total_tdp_w == 1800


def test_two_a100_sxm_talk_over_nvlink() -> None:
    system = resolve_system("2x a100-80gb-sxm")
    assert system.link is not None and system.link.kind == "nvlink"
    assert system.link.per_direction_gb_s == 300 and system.link.peer_to_peer


def test_pcie_a100_pair_uses_its_bridge_but_four_fall_back_to_pcie() -> None:
    assert resolve_system("2x a100-80gb-pcie").link.kind == "nvlink-bridge"  # type: ignore[union-attr]
    four = resolve_system("4 x A100 80GB PCIe")
    assert four.link is not None and four.link.kind == "pcie" and four.link.peer_to_peer


def test_more_than_eight_gpus_span_nodes_over_a_network() -> None:
    system = resolve_system("16x h100-sxm")
    assert system.nodes == 2 and system.gpus_per_node == 8
    assert system.network is not None and system.network.id == "infiniband-ndr-400"
    assert resolve_system("16x h100-sxm", network_id="ethernet-100g").network.id == "ethernet-100g"  # type: ignore[union-attr]


def test_single_gpu_is_a_one_gpu_system() -> None:
    system = resolve_system("A100 80GB SXM4")
    assert system.gpu_count == 1 and system.link is None and system.id == "a100-80gb-sxm"


def test_bad_system_specs_fail_clearly() -> None:
    with pytest.raises(InvalidRequestError):
        resolve_system("0x rtx-4090")
    with pytest.raises(UnknownNameError):
        resolve_system("4x rtx-9999")
    with pytest.raises(UnknownNameError):
        resolve_system("16x h100-sxm", network_id="carrier-pigeon")
