"""Systems from issue 11: bridged RTX 3090 pairs, Radeon boxes over PCIe, Mac configurations as
one unified-memory GPU, several Macs as several machines, and superchips with their CPU memory."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from gpuatlas.catalog.system_facts import extra_system_facts
from gpuatlas.catalog.systems import resolve_system
from gpuatlas.cli.main import app
from gpuatlas.errors import InvalidRequestError


def test_two_rtx_3090_use_their_nvlink_bridge() -> None:
    system = resolve_system("2x rtx-3090")
    assert system.link is not None and system.link.kind == "nvlink-bridge"
    assert system.link.per_direction_gb_s == 56.25 and system.bridged_groups is None


def test_four_rtx_3090_are_two_bridged_pairs_over_pcie() -> None:
    system = resolve_system("4x rtx-3090")
    assert system.link is not None and system.link.kind == "pcie-host-staged"
    assert system.bridged_groups is not None and system.bridged_groups.group_size == 2
    assert system.bridged_groups.link.kind == "nvlink-bridge"
    facts = dict(extra_system_facts(system))
    assert facts["bridged groups"].startswith("2 groups of 2 GPUs")


def test_three_rtx_3090_have_no_bridged_groups() -> None:
    assert resolve_system("3x rtx-3090").bridged_groups is None


def test_two_radeon_cards_talk_over_pcie_without_peer_to_peer() -> None:
    system = resolve_system("2x rx-7900-xtx")
    assert system.link is not None and system.link.id == "pcie-4-x16-radeon-no-p2p"
    assert not system.link.peer_to_peer and "Radeon" in system.link.name
    assert system.total_memory_gb == 48


def test_mac_studio_configuration_is_one_unified_memory_gpu() -> None:
    system = resolve_system("Mac Studio M2 Ultra 192GB")
    assert system.gpu.id == "apple-m2-ultra-76c" and system.gpu_count == 1
    assert system.gpu.memory_gb == 192 and system.total_gpu_usable_memory_gb == 144
    smaller = resolve_system("Mac Studio M2 Ultra 64GB")
    assert smaller.gpu.memory_gb == 64 and smaller.total_gpu_usable_memory_gb == 48
    assert smaller.id == "apple-m2-ultra-76c 64GB"
    assert resolve_system(smaller.id).gpu.memory_gb == 64  # ids resolve back


def test_mac_size_not_sold_is_a_clear_error() -> None:
    with pytest.raises(InvalidRequestError) as error:
        resolve_system("Mac Studio M2 Ultra 96GB")
    assert "choose one of 64 GB, 128 GB, 192 GB" in str(error.value)


def test_gpu_names_with_memory_still_resolve_as_gpus() -> None:
    assert resolve_system("A100 80GB SXM4").gpu.id == "a100-80gb-sxm"
    assert resolve_system("2x A100 80GB PCIe").gpu.id == "a100-80gb-pcie"


def test_two_macs_are_two_machines_over_thunderbolt() -> None:
    system = resolve_system("2x Mac Studio M3 Ultra 512GB")
    assert system.nodes == 2 and system.link is None
    assert system.network is not None and system.network.id == "thunderbolt-5"
    older = resolve_system("2x apple-m2-ultra-76c")
    assert older.network is not None and older.network.id == "thunderbolt-4"


def test_gh200_superchip_has_grace_memory_over_nvlink_c2c() -> None:
    system = resolve_system("GH200 superchip")
    assert system.gpu.id == "gh200-144gb" and system.host_memory is not None
    assert system.host_memory.memory_gb == 480 and "NVLink-C2C" in system.host_memory.link
    assert system.total_gpu_usable_memory_gb == 144  # CPU memory is not GPU memory
    assert resolve_system("GH200 96GB superchip").gpu.id == "gh200-96gb"


def test_system_show_says_the_bridge() -> None:
    result = CliRunner().invoke(app, ["system", "show", "2x rtx-3090"])
    assert result.exit_code == 0, result.output
    assert "NVLink 3 bridge" in result.output


def test_system_show_json_for_bridged_pairs_and_a_mac() -> None:
    runner = CliRunner()
    pairs = json.loads(runner.invoke(app, ["system", "show", "4x rtx-3090", "--json"]).output)
    assert pairs["system"]["bridged_group_size"] == 2
    mac = json.loads(
        runner.invoke(app, ["system", "show", "Mac Studio M2 Ultra 64GB", "--json"]).output
    )
    assert mac["system"]["total_gpu_usable_memory_gb"] == 48
    assert mac["system"]["memory_configuration_gb"] == 64


def test_gb200_superchip_is_two_gpus_on_nvlink_with_one_grace() -> None:
    system = resolve_system("GB200 superchip")
    assert system.gpu.id == "gb200" and system.gpu_count == 2
    assert system.link is not None and system.link.kind == "nvlink"
    assert system.host_memory is not None and system.host_memory.memory_gb == 480
    facts = dict(extra_system_facts(system))
    assert "NVLink-C2C" in facts["CPU memory (offload)"]
