"""The public data set in the store: one benchmark per workload (n = independent measurements),
variants kept apart, copies stored once, every metric in a category the report knows."""

from __future__ import annotations

from pathlib import Path

import pytest

from gpuatlas.catalog.measurements import COLUMNS, MeasuredRow, all_measurements, load_measurements
from gpuatlas.compare import default_score_method
from gpuatlas.report.measured import CATEGORY_TITLES
from gpuatlas.store import Store, open_store
from gpuatlas.store.public_data import (
    TRAINING_CATEGORY,
    distinct_measurements,
    public_benchmark_key,
    public_category,
    public_rows,
)

TG128 = (
    "{gpu},1,llama.cpp,{build},meta-llama/Llama-2-7b-hf,q4_0,f16,1,0,128,,,decode_tok_s,"
    "{value},tok/s,{source},2025-08,a note,{variant}"
)


def _rows(tmp_path: Path, specs: list[tuple[str, str, float, str]]) -> list[MeasuredRow]:
    """Rows of one llama-bench tg128 workload: (gpu, source, value, variant) each."""
    lines = [
        TG128.format(gpu=gpu, build=f"b{i}", value=value, source=source, variant=variant)
        for i, (gpu, source, value, variant) in enumerate(specs)
    ]
    path = tmp_path / "rows.csv"
    path.write_text("\n".join([",".join(COLUMNS) + ",variant", *lines]) + "\n", "utf-8")
    return load_measurements(path)


def _store_with(tmp_path: Path, rows: list[MeasuredRow]) -> Store:
    store = open_store(f"sqlite:///{tmp_path / 'public.db'}", seed=False)
    store.replace_public_data(public_rows(rows=rows), "test")
    return store


def test_two_sources_of_one_workload_on_one_gpu_are_one_benchmark_with_n_2(
    tmp_path: Path,
) -> None:
    rows = _rows(
        tmp_path,
        [
            ("rtx-4090", "https://example.org/pr-1", 186.2, ""),
            ("rtx-4090", "https://example.org/thread-2", 180.5, ""),
            ("rtx-3090", "https://example.org/pr-1", 158.2, ""),
        ],
    )
    (benchmark,) = _store_with(tmp_path, rows).measurements_for(["rtx-4090", "rtx-3090"])
    assert benchmark.benchmark == public_benchmark_key(rows[0])
    assert sorted(benchmark.values("rtx-4090")) == [180.5, 186.2]
    assert benchmark.sources("rtx-4090") == [
        "https://example.org/pr-1",
        "https://example.org/thread-2",
    ]
    assert benchmark.values("rtx-3090") == [158.2]


def test_each_result_keeps_its_source_date_and_data_set_row(tmp_path: Path) -> None:
    rows = _rows(tmp_path, [("rtx-4090", "https://example.org/pr-1", 186.2, "")])
    store = _store_with(tmp_path, rows)
    (benchmark,) = store.measurements_for(["rtx-4090"])
    document = store.get_document(benchmark.result_ids("rtx-4090")[0])
    assert document is not None
    assert document["source"] == "https://example.org/pr-1"
    assert document["created_at"] == "2025-08"
    assert document["fingerprint"]["data_set_row"] == "rows.csv:2"
    assert document["settings"]["engine_version"] == "b0"


def test_variants_of_one_workload_stay_separate_benchmarks(tmp_path: Path) -> None:
    rows = _rows(
        tmp_path,
        [
            ("rtx-4090", "https://example.org/a", 186.2, ""),
            ("rtx-4090", "https://example.org/a", 200.1, "flash-attention"),
        ],
    )
    found = _store_with(tmp_path, rows).measurements_for(["rtx-4090"])
    assert len(found) == 2
    assert {len(benchmark.values("rtx-4090")) for benchmark in found} == {1}
    assert public_benchmark_key(rows[1]).endswith("-flash-attention/decode_tok_s")


def test_a_repeated_copy_of_a_sources_number_is_stored_once(tmp_path: Path) -> None:
    rows = _rows(
        tmp_path,
        [
            ("rtx-4090", "https://example.org/a", 186.2, ""),
            ("rtx-4090", "https://example.org/a", 186.2, ""),  # the same table quoted twice
            ("rtx-4090", "https://example.org/b", 186.2, ""),  # another source: a measurement
        ],
    )
    assert [row.line for row in distinct_measurements(rows)] == [2, 4]
    (benchmark,) = _store_with(tmp_path, rows).measurements_for(["rtx-4090"])
    assert len(benchmark.values("rtx-4090")) == 2


def test_keys_name_the_workload_not_the_gpu_or_source() -> None:
    for row in all_measurements()[:50]:
        key = public_benchmark_key(row)
        assert row.gpu not in key and row.source not in key
        engine = row.engine if row.backend in (None, row.engine) else f"{row.engine}-{row.backend}"
        assert key.startswith(f"public/{engine}/{row.model}/{row.weights}/")


def test_a_finite_run_and_its_realised_output_length() -> None:
    # a run of a fixed number of prompts is another benchmark than a steady state; how long
    # the requests came out (end-of-sequence) is each GPU's result, not part of the benchmark
    (template,) = [row for row in all_measurements() if row.mean_output_tokens][:1]
    steady = _replace(template, requests=None, mean_output_tokens=None)
    other_gpu_run = _replace(template, mean_output_tokens=template.output_tokens / 2)
    assert public_benchmark_key(template) != public_benchmark_key(steady)
    assert f"n{template.requests}" in public_benchmark_key(template)
    assert public_benchmark_key(template) == public_benchmark_key(other_gpu_run)
    assert template.workload_key == other_gpu_run.workload_key


def test_equal_keys_mean_equal_workloads() -> None:
    # the GPU count is part of the system key ("4x a100-80gb-sxm"), not of the benchmark's
    by_key: dict[str, set[str]] = {}
    for row in all_measurements():
        workload = _replace(row, gpu_count=1).workload_key
        by_key.setdefault(public_benchmark_key(row), set()).add(workload)
    assert all(len(workloads) == 1 for workloads in by_key.values())


@pytest.mark.parametrize(
    ("metric", "batch", "expected"),
    [
        ("decode_tok_s", 1, "llm-single"),
        ("prefill_tok_s", 1, "llm-single"),
        ("ttft_ms", 1, "llm-single"),
        ("decode_tok_s", 8, "llm-serving"),
        ("serving_output_tok_s", "max", "llm-serving"),
        ("serving_output_tok_s", None, "llm-serving"),
        ("train_tok_s", 1, TRAINING_CATEGORY),
    ],
)
def test_llm_metrics_map_to_bench_categories(
    metric: str, batch: int | str | None, expected: str
) -> None:
    template = next(r for r in all_measurements() if r.engine == "llama.cpp")
    row = _replace(template, metric=metric, batch=batch)
    assert public_category(row) == expected


def test_image_rows_are_image_and_vlm_rows_are_vision() -> None:
    sd = next(r for r in all_measurements() if "stable-diffusion-v1-5" in r.model)
    llava = next(r for r in all_measurements() if "llava" in r.model)
    assert public_category(sd) == "image"
    assert public_category(llava) == "vision"


def test_every_category_is_titled_by_the_report_and_only_training_is_unweighted() -> None:
    # Nothing silently dropped: the report titles every category the data set uses, and the
    # one the Atlas Score does not weight (training: mostly multi-GPU systems, and methods that
    # differ between sources) is the deliberate one.
    categories = {public_category(row) for row in all_measurements()}
    assert categories <= set(CATEGORY_TITLES)
    weights = default_score_method().weights
    assert {c for c in categories if weights.get(c, 0.0) <= 0} == {TRAINING_CATEGORY}
    training = [r for r in all_measurements() if public_category(r) == TRAINING_CATEGORY]
    assert training and any(row.gpu_count > 1 for row in training)


def test_seeded_database_has_benchmarks_measured_by_several_sources(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GPUATLAS_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("GPUATLAS_DATABASE_URL", raising=False)
    found = open_store().measurements_for(["rtx-3090", "rtx-3090-ti", "rtx-4090"])
    several = [
        b for b in found if len(b.values("rtx-3090")) >= 2 and len(b.values("rtx-3090-ti")) >= 2
    ]
    assert {b.metric for b in several} >= {"decode_tok_s", "prefill_tok_s"}
    for benchmark in several:
        assert len(benchmark.sources("rtx-3090")) >= 2  # independent sources, not copies
        assert benchmark.values("rtx-4090")  # the 4090 ran the same workload


def test_seeded_database_measures_common_pairs_on_shared_benchmarks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GPUATLAS_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("GPUATLAS_DATABASE_URL", raising=False)
    store = open_store()
    for a, b in [("a100-80gb-sxm", "rtx-4090"), ("h100-sxm", "a100-80gb-sxm")]:
        shared = [m for m in store.measurements_for([a, b]) if m.values(a) and m.values(b)]
        assert len(shared) >= 5, (a, b)


def _replace(row: MeasuredRow, **changes: object) -> MeasuredRow:
    from dataclasses import replace

    return replace(row, **changes)  # type: ignore[arg-type]


def test_a_platforms_default_backend_is_the_same_workload_and_vulkan_is_not() -> None:
    template = next(
        r for r in all_measurements() if r.engine == "llama.cpp" and r.gpu == "rtx-4090"
    )
    on_mac = _replace(template, gpu="apple-m2-ultra-76c", backend="metal")
    on_cuda = _replace(template, backend="cuda")
    on_vulkan = _replace(template, gpu="rx-7900-xtx", backend="vulkan")
    assert public_benchmark_key(on_mac) == public_benchmark_key(on_cuda)
    assert public_benchmark_key(template) == public_benchmark_key(on_cuda)
    assert public_benchmark_key(on_vulkan) != public_benchmark_key(on_cuda)
    assert "llama.cpp-vulkan" in public_benchmark_key(on_vulkan)
