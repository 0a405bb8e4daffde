"""The engines' reported KV capacities: every packaged row loads with its source and date,
bad rows are named, and the calibration's data set never contains them."""

from __future__ import annotations

from pathlib import Path

import pytest

from gpuatlas.catalog.kv_capacity import load_kv_capacity
from gpuatlas.catalog.measurements import load_measurements
from gpuatlas.errors import DataFileError

HEADER = (
    "gpu,gpu_count,engine,engine_version,model,checkpoint,weights,kv_cache,"
    "gpu_memory_utilization,max_model_len,reported_kv_tokens,reported_kv_gib,source,"
    "source_date,notes\n"
)
GOOD = (
    "rtx-3090,1,vllm,V0 (2024-12),llama-3.1-8b,meta-llama/Llama-3.1-8B-Instruct,bf16,auto,"
    "0.9,20000,31232,3.81,https://github.com/vllm-project/vllm/issues/10517,2024-12-02,\n"
)


def test_every_packaged_row_names_its_source_and_date() -> None:
    rows = load_kv_capacity()
    assert len(rows) >= 40
    assert all(row.source.startswith("https://") and row.source_date[:2] == "20" for row in rows)
    assert {row.engine for row in rows} >= {"vllm", "sglang"}


def test_a_dense_row_is_its_pool_divided_by_the_bytes_per_token() -> None:
    """Llama 3.1 8B keeps 32 layers x 8 KV heads x 128 x 2 (K, V) x 2 bytes = 128 KiB per
    token: vLLM's 58.11 GiB pool on one H100 is the 476,016 tokens it logged."""
    row = next(
        r
        for r in load_kv_capacity()
        if r.model == "llama-3.1-8b"
        and r.gpu == "h100-sxm"
        and r.gpu_count == 1
        and r.weights == "bf16"
        and r.kv_cache == "auto"
    )
    assert row.reported_kv_gib is not None
    assert row.reported_kv_gib * 1024**3 / (128 * 1024) == pytest.approx(
        row.reported_kv_tokens, rel=0.001
    )


def test_a_short_file_loads_and_resolves_names(tmp_path: Path) -> None:
    path = tmp_path / "one.csv"
    path.write_text(HEADER + GOOD.replace("rtx-3090", "RTX 3090"), encoding="utf-8")
    (row,) = load_kv_capacity(path)
    assert (row.gpu, row.reported_kv_tokens, row.max_model_len) == ("rtx-3090", 31232, 20000)
    assert row.max_num_batched_tokens is None and row.row_id == "one.csv:2"


def test_bad_rows_are_named_with_line_and_field(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    rows = [GOOD.replace(",bf16,", ",bf17,"), GOOD.replace(",0.9,", ",1.5,")]
    path.write_text(HEADER + "".join(rows), encoding="utf-8")
    with pytest.raises(DataFileError) as raised:
        load_kv_capacity(path)
    text = str(raised.value)
    assert "line 2, field weights" in text and "bf17" in text
    assert "line 3, field gpu_memory_utilization" in text


def test_the_calibration_data_set_never_reads_kv_capacity_rows() -> None:
    assert not any("kv_capacity" in row.source for row in load_measurements())
    files = {Path(str(getattr(row, "file", ""))).name for row in load_measurements()}
    assert not files & {row.file for row in load_kv_capacity()}
