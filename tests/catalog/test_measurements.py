"""The packaged measured data set loads cleanly, covers what the reports need, and bad files
are rejected with every problem named by file, line and field."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from gpuatlas.catalog.gpus import all_gpus
from gpuatlas.catalog.measurements import (
    COLUMNS,
    METRIC_UNITS,
    MeasuredRow,
    all_measurements,
    load_measurements,
    measurements_dir,
)
from gpuatlas.errors import DataFileError

GOOD_ROW = (
    "rtx-4090,1,llama.cpp,b2837,meta-llama/Meta-Llama-3-8B,q4_k_m,f16,1,0,128,,,"
    "decode_tok_s,130.5,tok/s,https://example.org/bench,2024-05-10,a note"
)


def _write_csv(tmp_path: Path, name: str, lines: list[str]) -> Path:
    path = tmp_path / name
    path.write_text("\n".join([",".join(COLUMNS), *lines]) + "\n", encoding="utf-8")
    return path


def _rows_for(gpu: str, metric: str) -> list[MeasuredRow]:
    return [row for row in all_measurements() if row.gpu == gpu and row.metric == metric]


def test_packaged_data_set_loads_without_problems() -> None:
    rows = load_measurements()
    assert len(rows) >= 150
    assert len(list(measurements_dir().glob("*.csv"))) >= 3


def test_every_packaged_row_names_a_catalog_gpu_and_a_source() -> None:
    catalog_ids = {gpu.id for gpu in all_gpus()}
    for row in all_measurements():
        assert row.gpu in catalog_ids, row.row_id
        assert row.source.strip(), row.row_id
        assert row.unit == METRIC_UNITS[row.metric], row.row_id
        assert row.value > 0, row.row_id


def test_data_set_spans_at_least_ten_gpu_models_and_all_main_metrics() -> None:
    gpus = {row.gpu for row in all_measurements()}
    metrics = Counter(row.metric for row in all_measurements())
    assert len(gpus) >= 10
    for metric in ("decode_tok_s", "prefill_tok_s", "serving_output_tok_s", "image_s"):
        assert metrics[metric] > 0, metric


@pytest.mark.parametrize("gpu", ["rtx-4090", "rtx-3090", "a100-80gb-sxm", "h100-pcie", "l40s"])
def test_single_stream_decode_rows_exist_for_common_gpus(gpu: str) -> None:
    single_stream = [row for row in _rows_for(gpu, "decode_tok_s") if row.batch == 1]
    assert single_stream, gpu


def test_a100_and_rtx_4090_share_a_workload_for_a_like_for_like_pair() -> None:
    def keys(*gpus: str) -> set[str]:
        return {row.workload_key for row in all_measurements() if row.gpu in gpus}

    shared = keys("a100-80gb-sxm", "a100-80gb-pcie") & keys("rtx-4090")
    assert any(key.startswith("decode_tok_s|") for key in shared)
    assert any(key.startswith("prefill_tok_s|") for key in shared)


def test_workload_key_ignores_gpu_and_source_only(tmp_path: Path) -> None:
    other_gpu = GOOD_ROW.replace("rtx-4090", "rtx-3090").replace("a note", "other source")
    longer = GOOD_ROW.replace(",1,0,128,", ",1,0,512,")
    first, second, third = load_measurements(
        _write_csv(tmp_path, "k.csv", [GOOD_ROW, other_gpu, longer])
    )
    assert first.workload_key == second.workload_key
    assert first.workload_key != third.workload_key


def test_llama_bench_decode_is_slower_than_prefill_for_the_same_setup() -> None:
    # Physics, not the data's own numbers: one token at a time is bandwidth-bound, so a GPU
    # decodes far fewer tokens/s than it prefills in one pass.
    for row in _rows_for("rtx-4090", "decode_tok_s"):
        prefill = [
            p
            for p in _rows_for("rtx-4090", "prefill_tok_s")
            if (p.model, p.weights, p.engine, p.source)
            == (row.model, row.weights, row.engine, row.source)
        ]
        assert all(p.value > 5 * row.value for p in prefill), row.row_id


def test_dates_are_iso_where_given() -> None:
    for row in all_measurements():
        if row.source_date is not None:
            year = int(row.source_date[:4])
            assert 2019 <= year <= 2026, row.row_id


def test_good_file_parses_typed_fields(tmp_path: Path) -> None:
    path = _write_csv(tmp_path, "good.csv", [GOOD_ROW])
    (row,) = load_measurements(path)
    assert row.gpu == "rtx-4090"
    assert row.batch == 1
    assert row.input_tokens == 0 and row.output_tokens == 128
    assert row.value == pytest.approx(130.5)
    assert row.resolution is None and row.steps is None
    assert row.row_id == "good.csv:2"


def test_batch_max_and_unstated_batch_are_accepted(tmp_path: Path) -> None:
    serving = GOOD_ROW.replace(",1,0,128,", ",max,1000,1000,").replace(
        "decode_tok_s,130.5,tok/s", "serving_output_tok_s,9000,tok/s"
    )
    unstated = GOOD_ROW.replace(",1,0,128,", ",,0,128,")
    rows = load_measurements(_write_csv(tmp_path, "b.csv", [serving, unstated]))
    assert [row.batch for row in rows] == ["max", None]


def test_malformed_file_reports_every_problem_with_line_and_field(tmp_path: Path) -> None:
    bad_metric = GOOD_ROW.replace("decode_tok_s", "tokens_per_second")
    bad_value_and_gpu = GOOD_ROW.replace("rtx-4090", "rtx-9999").replace(",130.5,", ",-3,")
    bad_date = GOOD_ROW.replace("2024-05-10", "10/05/2024")
    bad_unit = GOOD_ROW.replace("tok/s", "s/image")
    path = _write_csv(
        tmp_path, "bad.csv", [GOOD_ROW, bad_metric, bad_value_and_gpu, bad_date, bad_unit]
    )
    with pytest.raises(DataFileError) as raised:
        load_measurements(path)
    problems = raised.value.problems
    assert len(problems) == 5
    assert any("line 3" in p and "field metric" in p for p in problems)
    assert any("line 4" in p and "field gpu" in p and "rtx-9999" in p for p in problems)
    assert any("line 4" in p and "field value" in p for p in problems)
    assert any("line 5" in p and "field source_date" in p for p in problems)
    assert any("line 6" in p and "field unit" in p for p in problems)
    assert all(p.startswith("bad.csv: line ") for p in problems)


def test_problems_of_several_files_come_together(tmp_path: Path) -> None:
    _write_csv(tmp_path, "one.csv", [GOOD_ROW.replace("llama.cpp", "my-engine")])
    _write_csv(tmp_path, "two.csv", [GOOD_ROW.replace(",1,llama.cpp", ",0,llama.cpp")])
    with pytest.raises(DataFileError) as raised:
        load_measurements(tmp_path)
    problems = raised.value.problems
    assert any(p.startswith("one.csv: line 2, field engine") for p in problems)
    assert any(p.startswith("two.csv: line 2, field gpu_count") for p in problems)


def test_wrong_header_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "header.csv"
    path.write_text("gpu,value\nrtx-4090,1\n", encoding="utf-8")
    with pytest.raises(DataFileError) as raised:
        load_measurements(path)
    assert any("line 1, header: missing column 'metric'" in p for p in raised.value.problems)


def test_row_with_too_few_fields_is_reported(tmp_path: Path) -> None:
    path = _write_csv(tmp_path, "ragged.csv", [GOOD_ROW, "rtx-4090,1"])
    with pytest.raises(DataFileError) as raised:
        load_measurements(path)
    (problem,) = raised.value.problems
    assert problem.startswith("ragged.csv: line 3, row has 2 fields")


def _write_with_parallelism(tmp_path: Path, name: str, rows: list[tuple[str, str]]) -> Path:
    """A file with the optional parallelism column; each row is (gpu_count, parallelism)."""
    lines = [
        GOOD_ROW.replace(",1,llama.cpp,", f",{count},llama.cpp,") + f",{kind}"
        for count, kind in rows
    ]
    path = tmp_path / name
    path.write_text("\n".join([",".join(COLUMNS) + ",parallelism", *lines]) + "\n")
    return path


def test_files_without_the_parallelism_column_still_load(tmp_path: Path) -> None:
    multi_gpu = GOOD_ROW.replace(",1,llama.cpp,", ",2,llama.cpp,")
    single, multi = load_measurements(_write_csv(tmp_path, "old.csv", [GOOD_ROW, multi_gpu]))
    assert single.parallelism == "none"  # one GPU: nothing to split
    assert multi.parallelism is None  # two GPUs, the file does not say how


def test_parallelism_column_is_read_and_checked_against_gpu_count(tmp_path: Path) -> None:
    good = _write_with_parallelism(
        tmp_path, "p.csv", [("2", "layer-split"), ("8", "tp"), ("1", "")]
    )
    assert [row.parallelism for row in load_measurements(good)] == ["layer-split", "tp", "none"]
    bad_rows = [("2", "none"), ("1", "tp"), ("4", "fsdp")]
    with pytest.raises(DataFileError) as raised:
        load_measurements(_write_with_parallelism(tmp_path, "bad.csv", bad_rows))
    problems = raised.value.problems
    assert len(problems) == 3
    assert all("field parallelism" in problem for problem in problems)
    assert any("line 2" in p and "'none' with gpu_count 2" in p for p in problems)
    assert any("line 3" in p and "needs gpu_count > 1" in p for p in problems)


def test_workload_key_tells_tensor_parallel_from_layer_split(tmp_path: Path) -> None:
    path = _write_with_parallelism(tmp_path, "k.csv", [("2", "tp"), ("2", "layer-split")])
    tensor_parallel, layer_split = load_measurements(path)
    assert tensor_parallel.workload_key != layer_split.workload_key


def test_packaged_multi_gpu_llama_cpp_rows_are_layer_splits() -> None:
    # llama.cpp splits a model across GPUs by layers (--split-mode layer) unless told otherwise
    rows = [r for r in all_measurements() if r.engine == "llama.cpp" and r.gpu_count > 1]
    assert rows and all(row.parallelism == "layer-split" for row in rows)
    assert all(r.parallelism == "none" for r in all_measurements() if r.gpu_count == 1)


def test_weights_are_checked_with_the_format_catalog(tmp_path: Path) -> None:
    as_people_write_it = GOOD_ROW.replace(",q4_k_m,", ",Q4_K_M,")
    (row,) = load_measurements(_write_csv(tmp_path, "w.csv", [as_people_write_it]))
    assert row.weights == "q4_k_m"  # stored as the catalog id, so workloads compare
    with pytest.raises(DataFileError) as raised:
        load_measurements(_write_csv(tmp_path, "w.csv", [GOOD_ROW.replace(",q4_k_m,", ",q4km,")]))
    (problem,) = raised.value.problems
    assert "field weights" in problem and "q4_k_m" in problem  # the close match is suggested


def _write_with_variant(tmp_path: Path, name: str, variants: list[str]) -> Path:
    """A file with the optional variant column, one GOOD_ROW per variant."""
    lines = [GOOD_ROW + f",{variant}" for variant in variants]
    path = tmp_path / name
    path.write_text("\n".join([",".join(COLUMNS) + ",variant", *lines]) + "\n")
    return path


def test_variant_column_is_optional_and_read_when_present(tmp_path: Path) -> None:
    (without,) = load_measurements(_write_csv(tmp_path, "old.csv", [GOOD_ROW]))
    assert without.variant is None
    path = _write_with_variant(tmp_path, "v.csv", ["", "torch.compile", "denoise-loop+xformers"])
    assert [row.variant for row in load_measurements(path)] == [
        None,
        "torch.compile",
        "denoise-loop+xformers",
    ]


def test_variant_must_be_lower_case_words_joined_by_plus(tmp_path: Path) -> None:
    path = _write_with_variant(tmp_path, "bad.csv", ["Torch Compile", "a++b"])
    with pytest.raises(DataFileError) as raised:
        load_measurements(path)
    problems = raised.value.problems
    assert len(problems) == 2 and all("field variant" in p for p in problems)


def test_workload_key_keeps_variants_apart(tmp_path: Path) -> None:
    baseline, compiled = load_measurements(
        _write_with_variant(tmp_path, "k.csv", ["", "torch.compile"])
    )
    assert baseline.workload_key != compiled.workload_key


def test_same_source_rows_of_one_workload_differ_in_their_variant() -> None:
    # A source that published two numbers for one GPU and one workload measured two
    # configurations (with and without torch.compile, ...): the variant column says which.
    seen: dict[tuple[str, str, int, str], float] = {}
    for row in all_measurements():
        identity = (row.source, row.gpu, row.gpu_count, row.workload_key)
        assert seen.setdefault(identity, row.value) == row.value, row.row_id


def test_compiled_and_end_to_end_diffusion_rows_are_marked() -> None:
    rows = [r for r in all_measurements() if r.metric in ("image_s", "images_per_min")]
    compiled = [
        r for r in rows if "torch.compile" in r.engine_version or ("torch.compile(" in r.notes)
    ]
    assert compiled and all(r.variant and "torch.compile" in r.variant for r in compiled)
    # the diffusers torch2.0 table times the denoising loop only, not the whole pipeline
    loop_only = [r for r in rows if r.file == "diffusers_torch2_sd15.csv"]
    assert loop_only and all(r.variant and r.variant.startswith("denoise-loop") for r in loop_only)
