"""A GPU's fields are declared once (`gpu.Gpu`, `gpu.GpuLink`): the data files' schema, the
tables' labels and the parsed-catalog cache all follow that declaration."""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from gpuatlas.catalog import parsed_cache
from gpuatlas.catalog.field_meanings import meaning, meaning_of
from gpuatlas.catalog.gpu import Gpu, GpuLink
from gpuatlas.catalog.gpu_fields import GPU_FIELDS, GPU_USABLE_MEMORY, gpu_field
from gpuatlas.catalog.gpu_records import gpu_file_schema
from gpuatlas.catalog.gpus import load_gpu_file, packaged_gpu_files
from gpuatlas.errors import DataFileError

LINK_FILE_KEYS = {
    "link_kind",
    "interconnect_text",
    "link_generation",
    "link_total_gb_s",
    "link_per_direction_gb_s",
    "link_max_gpus",
    "link_latency_us",
}
VALID_TABLE = (
    'id = "x1"\nvendor = "V"\nname = "X1"\nsegment = "consumer"\narchitecture = "A"\n'
    'architecture_family = "a"\nrelease_year = 2020\nmemory_type = "m"\n'
    'tensor_accumulate = "t"\nform_factor = "f"\ninterconnect_text = "none"\n'
    'link_kind = "none"\nsource = "a datasheet"\nas_of = "2026-11-21"\n'
)


def test_the_file_schema_is_the_gpu_declaration_with_the_link_written_flat() -> None:
    gpu_names = {f.name for f in dataclasses.fields(Gpu)} - {"link", "extra"}  # extra: no file
    assert set(gpu_file_schema().model_fields) == gpu_names | LINK_FILE_KEYS


def test_every_key_the_packaged_files_write_is_a_declared_field() -> None:
    written = {
        key
        for path in packaged_gpu_files()
        for table in tomllib.loads(path.read_text(encoding="utf-8"))["gpu"]
        for key in table
    }
    assert written <= set(gpu_file_schema().model_fields)
    assert {"memory_gb", "link_per_direction_gb_s", "interconnect_text"} <= written


def gpu_file(tmp_path: Path, extra_lines: str) -> Path:
    path = tmp_path / "gpus_test.toml"
    path.write_text(f"[[gpu]]\n{VALID_TABLE}{extra_lines}", encoding="utf-8")
    return path


def test_a_valid_table_becomes_a_gpu_with_its_link(tmp_path: Path) -> None:
    lines = 'link_max_gpus = 2\nlink_per_direction_gb_s = 56.25\naliases = ["x one"]\n'
    [gpu] = load_gpu_file(gpu_file(tmp_path, lines))
    assert gpu.link == GpuLink(
        kind="none", description="none", per_direction_gb_s=56.25, max_gpus=2
    )
    assert gpu.aliases == ("x one",)  # a list in the file, a tuple on the frozen Gpu
    assert gpu.notes == "" and gpu.memory_options_gb == ()


@pytest.mark.parametrize(
    ("line", "field"),
    [
        ("memory_gb = 0", "memory_gb"),  # declared gt=0
        ("gpu_cores = 0", "gpu_cores"),  # declared ge=1
        ("link_max_gpus = 0", "link_max_gpus"),  # a link field, by its file name
        ("gpu_memory_share_default = 1.5", "gpu_memory_share_default"),  # le=1
        ("memory_gbs = 24", "memory_gbs"),  # not a field: a typo is rejected, not ignored
        ("extra = 'x'", "extra"),  # a field the files never write
    ],
)
def test_a_bad_value_names_the_file_the_table_and_the_field(
    tmp_path: Path, line: str, field: str
) -> None:
    path = gpu_file(tmp_path, line + "\n")
    with pytest.raises(DataFileError) as caught:
        load_gpu_file(path)
    message = str(caught.value)
    assert str(path) in message
    assert f"[[gpu]] #1 (x1), field {field}:" in message
    assert len(caught.value.problems) == 1


def test_a_missing_link_field_is_named_as_the_file_writes_it(tmp_path: Path) -> None:
    path = tmp_path / "gpus_test.toml"
    path.write_text("[[gpu]]\n" + VALID_TABLE.replace('link_kind = "none"\n', ""), "utf-8")
    with pytest.raises(DataFileError, match=r"#1 \(x1\), field link_kind: Field required"):
        load_gpu_file(path)


def test_table_labels_and_units_are_the_declared_ones() -> None:
    declared = {f.name: meaning_of(f) for f in dataclasses.fields(Gpu)}
    assert gpu_field("tdp_w").label == declared["tdp_w"].label == "TDP"
    assert gpu_field("memory_bandwidth_gb_s").header == "Bandwidth GB/s"
    link = {f.name: meaning_of(f) for f in dataclasses.fields(GpuLink)}
    assert gpu_field("link.per_direction_gb_s").label == link["per_direction_gb_s"].label
    for shown in GPU_FIELDS:
        if "." not in shown.attribute and shown.attribute in declared:
            assert (shown.label, shown.unit) == (
                declared[shown.attribute].label,
                declared[shown.attribute].unit,
            )
    assert GPU_USABLE_MEMORY.unit == "GB"


def test_an_unknown_check_is_refused_where_it_is_declared() -> None:
    with pytest.raises(TypeError, match="greater_than"):
        meaning("Memory", "GB", greater_than=0)


def test_the_cache_key_covers_the_modules_declaring_the_gpu() -> None:
    """Changing the Gpu type or its file schema must invalidate cached catalogs: the cache key
    hashes every module of the catalog package, these included."""
    import gpuatlas.catalog.field_meanings as meanings_module
    import gpuatlas.catalog.file_schemas as schemas_module
    import gpuatlas.catalog.gpu as gpu_module
    import gpuatlas.catalog.gpu_records as records_module

    hashed = set(Path(parsed_cache.__file__).parent.glob("*.py"))
    for module in (gpu_module, meanings_module, schemas_module, records_module):
        assert Path(str(module.__file__)) in hashed


def test_editing_the_gpu_declaration_changes_the_cache_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    catalog_code = Path(parsed_cache.__file__).parent
    copy = tmp_path / "catalog"
    copy.mkdir()
    for path in catalog_code.glob("*.py"):
        (copy / path.name).write_bytes(path.read_bytes())
    monkeypatch.setattr(parsed_cache, "__file__", str(copy / "parsed_cache.py"))
    data = tmp_path / "gpus.toml"
    data.write_text("", encoding="utf-8")
    parsed_cache.catalog_source_fingerprint.cache_clear()
    try:
        before = parsed_cache.entry_key("gpus", [data])
        gpu_source = copy / "gpu.py"
        gpu_source.write_text(
            gpu_source.read_text(encoding="utf-8").replace(
                'notes: str = ""', 'notes: str = ""\n    new_fact: str = ""'
            ),
            encoding="utf-8",
        )
        parsed_cache.catalog_source_fingerprint.cache_clear()
        assert parsed_cache.entry_key("gpus", [data]) != before
    finally:
        parsed_cache.catalog_source_fingerprint.cache_clear()


def test_a_warm_start_builds_no_file_schema(tmp_path: Path) -> None:
    """The schema is built from the declaration only when a file is parsed: a start from the
    cache imports neither the schema modules nor pydantic."""
    script = (
        "import sys\n"
        "from gpuatlas.catalog.gpus import all_gpus, resolve_gpu\n"
        "from gpuatlas.catalog.gpu_fields import GPU_FIELDS\n"
        "assert resolve_gpu('rtx 4090').memory_gb == 24\n"
        "assert len(all_gpus()) > 100 and GPU_FIELDS\n"
        "names = ('pydantic', 'gpuatlas.catalog.file_schemas', 'gpuatlas.catalog.gpu_records')\n"
        "print(sorted(name for name in names if name in sys.modules))\n"
    )
    environment = {**os.environ, "GPUATLAS_CACHE_DIR": str(tmp_path), "GPUATLAS_NO_CACHE": "0"}
    runs = [
        subprocess.run(
            [sys.executable, "-c", script], env=environment, capture_output=True, text=True
        )
        for _ in range(2)
    ]
    assert [run.returncode for run in runs] == [0, 0], runs[0].stderr + runs[1].stderr
    cold, warm = (run.stdout.strip() for run in runs)
    assert "gpuatlas.catalog.gpu_records" in cold  # the first start parsed the files
    assert warm == "[]"
