"""A unified-memory chip is one GPU per machine: plan listed '2x M3 Max' as '3 nodes x 2
engines' and '8x' as '1 node x 8 engines', the same replicas at other prices."""

from __future__ import annotations

from gpuatlas.app.economics_requests import candidate_systems, counts_for
from gpuatlas.catalog.gpus import gpu_by_id


def test_a_mac_is_tried_at_one_gpu_per_replica_other_gpus_at_every_count() -> None:
    problems: list[str] = []
    macs = candidate_systems(["M3 Max 40-core 64GB"], [1, 2, 4, 8], problems)
    assert [s.gpu_count for s in macs] == [1] and not problems
    cards = candidate_systems(["rtx-4090"], [1, 2, 4, 8], problems)
    assert [s.gpu_count for s in cards] == [1, 2, 4, 8]
    assert counts_for(gpu_by_id("apple-m3-max-40c"), [2, 4]) == []
    named = candidate_systems(["2x apple-m3-max-40c"], [1, 2], problems)
    assert [s.gpu_count for s in named] == [2]  # a count written with the name is as written
