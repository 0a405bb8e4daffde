"""Public benchmarks keep their workload as values: stored as columns beside the data set and read
back equal, never parsed from the benchmark's name (issue 14)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from gpuatlas.catalog.measurements import all_measurements
from gpuatlas.records.workload import Workload
from gpuatlas.store import Store, open_store
from gpuatlas.store.public_data import (
    public_result_id,
    public_rows,
    public_workload,
    public_workloads,
)

LLAMA_DECODE = Workload(
    engine="llama.cpp",
    model="meta-llama/Llama-2-7b-hf",
    weights="q4_0",
    metric="decode_tok_s",
    batch=1,
    output_tokens=128,
    kv_cache="f16",
)


@pytest.fixture
def store(database_url: str) -> Iterator[Store]:
    opened = open_store(database_url)
    yield opened
    opened.close()


def test_the_stored_workloads_read_back_equal(store: Store) -> None:
    workloads = public_workloads()
    rows = public_rows()
    store.replace_public_data(rows, "with workloads", workloads)
    names = {row["benchmark"] for row in rows}
    read = store.workloads(names)
    assert set(read) == names
    assert read == {workload.benchmark_name(): workload for workload in workloads}


def test_a_name_that_is_not_a_public_benchmark_has_no_workload(store: Store) -> None:
    store.replace_public_data([], "one workload", [LLAMA_DECODE])
    found = store.workloads([LLAMA_DECODE.benchmark_name(), "llm-single-llama3.1-8b"])
    assert found == {LLAMA_DECODE.benchmark_name(): LLAMA_DECODE}


def test_a_new_data_set_replaces_the_workloads(store: Store) -> None:
    store.replace_public_data([], "v1", [LLAMA_DECODE])
    store.replace_public_data([], "v2", [])
    assert store.workloads([LLAMA_DECODE.benchmark_name()]) == {}


def test_the_name_and_title_come_from_the_values() -> None:
    assert LLAMA_DECODE.benchmark_name() == (
        "public/llama.cpp/meta-llama/Llama-2-7b-hf/q4_0/b1-tg128-kv-f16/decode_tok_s"
    )
    assert LLAMA_DECODE.title() == "llama.cpp Llama-2-7b-hf q4_0 b1-tg128-kv-f16 decode"
    unstated = Workload(
        engine="vllm",
        model="m",
        weights="fp16",
        metric="output_tok_s",
        input_tokens=512,
        output_tokens=256,
        split="tp",
    )
    assert unstated.shape == "b?-in512-out256-tp"
    assert unstated.title() == "vllm m fp16 batch not stated-in512-out256-tp output"
    image = Workload(
        engine="diffusers",
        model="sd",
        weights="fp16",
        metric="image_s",
        batch=1,
        image_width_px=1024,
        image_height_px=768,
        steps=30,
        variant="xformers",
    )
    assert image.shape == "b1-1024x768-30steps-xformers"


def test_every_public_row_is_named_by_its_workload() -> None:
    workload_of = {public_result_id(row): public_workload(row) for row in all_measurements()}
    for row in public_rows():
        assert row["benchmark"] == workload_of[row["result_id"]].benchmark_name()
