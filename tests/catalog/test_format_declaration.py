"""A formats file's tables are the `WeightFormat` and `KvCachePrecision` declarations."""

from __future__ import annotations

import dataclasses

import pytest

from gpuatlas.catalog.formats import KvCachePrecision, WeightFormat, parse_formats
from gpuatlas.errors import DataFileError

WEIGHT_FORMAT = """
[[weight_format]]
id = "q9"
family = "int"
bits_per_weight = 9.0
compute_precision = "int8"
fallback_compute_precision = "fp16"
native_architectures = ["Ampere", "ADA"]
weight_only = true
source = "a paper"
"""
KV = """
[[kv_cache_precision]]
id = "fp9"
bytes_per_element = 1.125
engines = ["vllm"]
source = "a paper"
"""


def test_the_file_reads_every_declared_field() -> None:
    catalog = parse_formats(WEIGHT_FORMAT + 'names = ["Q9"]\nlinear_overhead_ms = 0.5\n' + KV)
    [weight_format] = catalog.weight_formats
    assert weight_format.native_architectures == ("ampere", "ada")  # lower-cased when read
    assert (weight_format.names, weight_format.linear_overhead_ms) == (("Q9",), 0.5)
    assert catalog.kv_cache_precisions == (
        KvCachePrecision(id="fp9", bytes_per_element=1.125, engines=("vllm",), source="a paper"),
    )
    declared = {f.name for f in dataclasses.fields(WeightFormat)}
    assert set(dataclasses.asdict(weight_format)) == declared


@pytest.mark.parametrize(
    ("line", "field"),
    [
        ("linear_overhead_ms = -1", "linear_overhead_ms"),  # declared ge=0
        ("effective_bits_per_weight = 40", "effective_bits_per_weight"),  # declared le=32
        ("bits = 4", "bits"),  # not a field
    ],
)
def test_a_bad_table_names_its_id_and_field(line: str, field: str) -> None:
    with pytest.raises(DataFileError) as caught:
        parse_formats(WEIGHT_FORMAT + line + "\n" + KV, "formats.toml")
    [problem] = caught.value.problems
    assert problem.startswith(f"[[weight_format]] id='q9': field '{field}': ")
