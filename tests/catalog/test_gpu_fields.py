"""The one table of GPU datasheet fields (label, unit, attribute) that CLI, report and web read;
labels and units come from the `Gpu` declaration (tests/catalog/test_gpu_declaration.py)."""

from __future__ import annotations

import dataclasses

import pytest

from gpuatlas.catalog.gpu import Gpu
from gpuatlas.catalog.gpu_fields import GPU_FIELDS, GPU_USABLE_MEMORY, gpu_field, gpu_fields
from gpuatlas.catalog.gpus import gpu_by_id


def test_every_field_names_a_gpu_value_once() -> None:
    attributes = [field.attribute for field in GPU_FIELDS]
    labels = [field.label for field in GPU_FIELDS]
    assert len(set(attributes)) == len(attributes)
    assert len(set(labels)) == len(labels)
    declared = {f.name for f in dataclasses.fields(Gpu)} | {"pcie_per_direction_gb_s"}
    assert {a.split(".")[0] for a in attributes} <= declared


def test_fields_read_the_datasheet_values() -> None:
    h100 = gpu_by_id("h100-sxm")
    assert gpu_field("memory_bandwidth_gb_s").read(h100) == h100.memory_bandwidth_gb_s
    assert gpu_field("link.per_direction_gb_s").read(h100) == h100.link.per_direction_gb_s
    assert gpu_field("fp16_dense_tflops").label == "FP16 tensor, dense"
    assert gpu_field("fp16_dense_tflops").unit == "TFLOPS"
    assert GPU_USABLE_MEMORY.read(h100) == h100.memory_gb  # a discrete card: all of it


def test_an_unknown_attribute_names_the_known_ones() -> None:
    with pytest.raises(KeyError, match="memory_bandwidth_gb_s"):
        gpu_fields("memory_bandwidth")


def test_cli_report_and_web_use_the_table_labels() -> None:
    from gpuatlas.cli.catalog_commands import gpu_fact_rows
    from gpuatlas.report.sections.hardware import CHART_SPECS
    from gpuatlas.web.rendering import templates

    rows = dict(gpu_fact_rows(gpu_by_id("h100-sxm")))
    assert rows["Memory bandwidth"] == "3,350 GB/s"
    assert rows["BF16 tensor, dense"] == "990 TFLOPS"
    assert {spec.label for spec in CHART_SPECS} <= {field.label for field in GPU_FIELDS}
    home = [field.header for field in templates.env.globals["gpu_home_fields"]]
    assert home == ["Bandwidth GB/s", "BF16 TFLOPS", "FP8 TFLOPS", "TDP W"]
    assert templates.env.globals["gpu_memory_field"].header == "Memory GB"
    page_fields = templates.env.globals["gpu_page_fields"]
    assert [field.label for field in page_fields][:2] == ["Memory bandwidth", "FP32 (non-tensor)"]
