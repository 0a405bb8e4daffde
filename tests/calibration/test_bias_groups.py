"""Held-out residuals pooled into groups by kind, engine, backend, GPU count and MoE: the
median speed ratio (> 1: predicted too fast; a time metric inverted), the publications a group
spans (groups of fewer are left out), strongest bias first."""

from __future__ import annotations

import math
from dataclasses import replace

import pytest

from gpuatlas.calibration.bias_groups import BiasGroup, bias_groups, bias_table, speed_ratio
from gpuatlas.calibration.fitting import Observation, observations
from gpuatlas.calibration.validation import Prediction
from gpuatlas.catalog.measurements import load_measurements


def _observation(metric: str, engine: str, gpu_count: int = 1) -> Observation:
    found = next(
        item
        for item in observations(load_measurements())
        if item.row.metric == metric
        and item.row.engine == engine
        and item.row.gpu_count == gpu_count
    )
    return found


def _as_from(item: Observation, source: str, ratio: float) -> Prediction:
    """`item` as if published by `source`, predicted `ratio` x its measured value."""
    row = replace(item.row, source=f"https://example.org/{source}")
    return Prediction(replace(item, row=row), item.row.value * ratio)


@pytest.mark.unit
def test_a_time_metric_is_inverted_so_above_one_is_always_too_fast() -> None:
    decode = _observation("decode_tok_s", "llama.cpp")
    image = _observation("image_s", "diffusers")
    assert speed_ratio(_as_from(decode, "a", 1.25)) == pytest.approx(1.25)
    # predicting an image in 0.8 x its measured seconds is predicting it 1.25x too fast
    assert speed_ratio(_as_from(image, "a", 0.8)) == pytest.approx(1.25)


@pytest.mark.unit
def test_groups_need_enough_publications_and_come_strongest_first() -> None:
    decode = _observation("decode_tok_s", "llama.cpp")
    prefill = _observation("prefill_tok_s", "llama.cpp")
    predictions = [
        *(_as_from(decode, f"d{i}", ratio) for i, ratio in enumerate((1.4, 1.5, 1.6))),
        *(_as_from(prefill, f"p{i}", ratio) for i, ratio in enumerate((0.9, 1.0, 1.12, 1.1))),
        _as_from(prefill, "p0", 3.0),  # a fifth row of a publication already counted
    ]
    groups = bias_groups(predictions, ("kind", "engine"), min_sources=3)
    assert [group.labels for group in groups] == [("decode", "llama.cpp"), ("prefill", "llama.cpp")]
    decode_group, prefill_group = groups
    assert (decode_group.rows, decode_group.sources) == (3, 3)
    assert decode_group.speed_ratio == pytest.approx(1.5)
    assert decode_group.on_target == 0.0
    assert (prefill_group.rows, prefill_group.sources) == (5, 4)
    assert prefill_group.speed_ratio == pytest.approx(1.1)
    assert prefill_group.on_target == pytest.approx(4 / 5)
    assert bias_groups(predictions, ("kind", "engine"), min_sources=5) == []


@pytest.mark.unit
def test_strength_weighs_the_bias_by_the_rows_behind_it() -> None:
    wide = BiasGroup(("a",), rows=16, sources=3, speed_ratio=1.2, on_target=0.5)
    narrow = BiasGroup(("b",), rows=4, sources=3, speed_ratio=1.3, on_target=0.0)
    assert wide.strength == pytest.approx(math.log(1.2) * 4)
    assert wide.strength > narrow.strength


@pytest.mark.unit
def test_labels_say_one_gpu_or_several_and_dense_or_moe() -> None:
    item = _observation("serving_output_tok_s", "vllm", gpu_count=8)
    (group,) = bias_groups([_as_from(item, "x", 1.3)], ("gpus", "experts"), min_sources=1)
    assert group.labels[0] == "several GPUs"
    assert group.labels[1] in {"dense", "moe"}


@pytest.mark.unit
def test_an_unknown_key_is_refused_with_the_known_ones() -> None:
    with pytest.raises(ValueError, match="known: kind, engine"):
        bias_groups([], ("kind", "colour"))


@pytest.mark.unit
def test_the_table_prints_the_ratio_and_share() -> None:
    group = BiasGroup(("decode", "llama.cpp"), rows=61, sources=15, speed_ratio=1.4, on_target=0.15)
    lines = bias_table([group], ("kind", "engine"), limit=5)
    assert lines[-1] == "| decode | llama.cpp | 61 | 15 | 1.40× | 15% |"
