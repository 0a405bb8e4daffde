"""The GPU catalog: matches the reference rows field by field, resolves names, rejects bad files."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from gpuatlas.catalog.gpus import all_gpus, load_gpu_file, packaged_gpu_files, resolve_gpu
from gpuatlas.errors import DataFileError, UnknownNameError

REFERENCE = Path(__file__).resolve().parents[3] / "shared" / "reference" / "gpu_specs.csv"
NUMERIC_COLUMNS = {
    "memory_gb": "memory_gb",
    "memory_bandwidth_gbs": "memory_bandwidth_gb_s",
    "fp32_tflops": "fp32_tflops",
    "tf32_tensor_dense_tflops": "tf32_dense_tflops",
    "fp16_tensor_dense_tflops": "fp16_dense_tflops",
    "bf16_tensor_dense_tflops": "bf16_dense_tflops",
    "fp8_tensor_dense_tflops": "fp8_dense_tflops",
    "int8_tensor_dense_tops": "int8_dense_tops",
    "int4_tensor_dense_tops": "int4_dense_tops",
    "launch_msrp_usd": "launch_price_usd",
}

# Reference GPUs whose catalog entry fills figures the reference leaves blank, from a source of
# their own appended to the reference's; the reference's own figures are never changed.
# A10G: NVIDIA's A10G datasheet for AWS (2022-02-17), issue 10.
FILLED_BEYOND_REFERENCE: dict[str, frozenset[str]] = {
    "A10G": frozenset(
        {"fp32_tflops", "tf32_dense_tflops", "fp16_dense_tflops", "bf16_dense_tflops"}
    ),
}

# Reference GPUs whose notes keep the reference's text and append a dated check of their tensor
# rates against a published torch.matmul benchmark (issue 10, round 11); no figure changed.
RATE_CHECKED_BEYOND_REFERENCE = frozenset(
    {
        "RTX A6000",
        "RTX 6000 Ada Generation",
        "RTX PRO 6000 Blackwell Workstation Edition",
        "L40",
        "L40S",
    }
)


def reference_rows() -> list[dict[str, str]]:
    if not REFERENCE.exists():
        pytest.skip(f"reference file not found at {REFERENCE}")
    return list(csv.DictReader(REFERENCE.open(encoding="utf-8")))


def leading_number(text: str) -> float | None:
    digits = ""
    for char in text.strip().replace(",", ""):
        if not (char.isdigit() or char == "."):
            break
        digits += char
    return float(digits) if digits else None


def test_catalog_has_every_reference_variant() -> None:
    reference_file = packaged_gpu_files()[0]
    assert reference_file.name == "gpus.toml"
    names = {gpu.name for gpu in load_gpu_file(reference_file)}
    assert {row["name"] for row in reference_rows()} == names
    assert len(names) == 41
    assert names <= {gpu.name for gpu in all_gpus()}


@pytest.mark.parametrize("column, field", sorted(NUMERIC_COLUMNS.items()))
def test_numeric_fields_match_reference(column: str, field: str) -> None:
    by_name = {gpu.name: gpu for gpu in all_gpus()}
    for row in reference_rows():
        found, reference = getattr(by_name[row["name"]], field), leading_number(row[column])
        if field in FILLED_BEYOND_REFERENCE.get(row["name"], frozenset()):
            assert reference is None and found is not None, row["name"]
            continue
        assert found == reference, row["name"]


def test_text_and_structure_fields_match_reference() -> None:
    by_name = {gpu.name: gpu for gpu in all_gpus()}
    for row in reference_rows():
        gpu = by_name[row["name"]]
        assert gpu.vendor == row["vendor"]
        assert gpu.memory_type == row["memory_type"]
        assert gpu.form_factor == row["form_factor"]
        assert gpu.link.description == row["interconnect"]
        filled = row["name"] in FILLED_BEYOND_REFERENCE
        if filled:  # the reference's source kept, the filling source after it
            assert gpu.source.startswith(row["source"] + "; ") and gpu.notes
        elif row["name"] in RATE_CHECKED_BEYOND_REFERENCE:  # reference's notes, then the check
            appended = gpu.notes.removeprefix(row["notes"] + " ")
            assert gpu.source == row["source"] and appended != gpu.notes
            assert "hecked 2026-12-03" in appended, row["name"]
        else:
            assert gpu.source == row["source"] and gpu.notes == row["notes"]
        assert gpu.release_year == int(row["release_year"])
        assert gpu.tdp_text == row["tdp_w"]
        assert gpu.cache_text == row["l2_cache_mb"]
        assert gpu.ecc == {"yes": True, "no": False}.get(row["ecc"])
        assert gpu.compute_capability == (
            None if row["compute_capability"] == "n/a" else row["compute_capability"]
        )
        assert gpu.sm_count == leading_number(row["sm_count"])
        assert gpu.cuda_cores == leading_number(row["cuda_cores"])
        assert gpu.tensor_cores == leading_number(row["tensor_cores"])
        assert gpu.as_of == ("2026-12-02" if filled else "2026-11-21")


def test_errata_facts_are_right_in_the_catalog() -> None:
    a100, rtx4090 = resolve_gpu("a100-80gb-sxm"), resolve_gpu("rtx-4090")
    assert a100.tf32_dense_tflops == 156 and rtx4090.tf32_dense_tflops == 82.6
    assert rtx4090.memory_bandwidth_gb_s == 1008 and a100.memory_bandwidth_gb_s == 2039
    assert resolve_gpu("a100-80gb-pcie").memory_bandwidth_gb_s == 1935
    assert rtx4090.l2_cache_mb == 72 and a100.l2_cache_mb == 40
    assert a100.link.per_direction_gb_s == 300 and a100.link.total_gb_s == 600
    assert rtx4090.link.kind == "none" and rtx4090.pcie_per_direction_gb_s == pytest.approx(
        31.5, abs=0.1
    )
    assert rtx4090.supports_fp8_natively and not a100.supports_fp8_natively
    assert [
        resolve_gpu(g).tdp_w for g in ("a100-40gb-pcie", "a100-80gb-pcie", "a100-80gb-sxm")
    ] == [250, 300, 400]


def test_geforce_accumulate_rule_is_explicit() -> None:
    rtx4090 = resolve_gpu("rtx-4090")
    assert rtx4090.tensor_accumulate == "fp32-accumulate-half-rate"
    assert rtx4090.fp16_with_fp16_accumulate_dense_tflops == 330.3
    assert rtx4090.fp16_dense_tflops == 165.2
    assert resolve_gpu("rtx-a6000").tensor_accumulate == "fp32-accumulate-full-rate"


@pytest.mark.parametrize(
    "written, expected",
    [
        ("A100 80GB SXM4", "a100-80gb-sxm"),
        ("NVIDIA A100-SXM4-80GB", "a100-80gb-sxm"),
        ("NVIDIA A100 80GB PCIe", "a100-80gb-pcie"),
        ("RTX 4090", "rtx-4090"),
        ("4090", "rtx-4090"),
        ("NVIDIA GeForce RTX 4090", "rtx-4090"),
        ("H100 SXM5", "h100-sxm"),
        ("H100 80GB HBM3", "h100-sxm"),
        ("h100-sxm", "h100-sxm"),
        ("mi300x", "mi300x"),
        ("AMD Instinct MI300X", "mi300x"),
        ("Tesla T4", "t4"),
        ("L40S", "l40s"),
        ("l40", "l40"),
        ("Gaudi 3", "gaudi3"),
    ],
)
def test_names_people_write_resolve(written: str, expected: str) -> None:
    assert resolve_gpu(written).id == expected


def test_ambiguous_name_lists_all_variants() -> None:
    with pytest.raises(UnknownNameError) as caught:
        resolve_gpu("Tesla P100")  # a family with no declared default variant
    assert caught.value.ambiguous
    assert caught.value.candidates == ["p100-16gb-pcie", "p100-12gb-pcie", "p100-sxm2"]
    assert "ambiguous" in str(caught.value)


def test_unknown_name_lists_close_matches() -> None:
    with pytest.raises(UnknownNameError) as caught:
        resolve_gpu("RTX 4099")
    assert not caught.value.ambiguous
    assert "rtx-4090" in caught.value.candidates


def test_bad_gpu_file_reports_every_problem(tmp_path: Path) -> None:
    bad = tmp_path / "gpus.toml"
    bad.write_text(
        '[[gpu]]\nid = "x1"\nvendor = "V"\nname = "X1"\nsegment = "consumer"\n'
        'architecture = "A"\narchitecture_family = "a"\nrelease_year = 2020\nmemory_type = "m"\n'
        'memory_bandwidth_gb_s = -5\ntensor_accumulate = "t"\nform_factor = "f"\n'
        'interconnect_text = "none"\nlink_kind = "none"\nsource = "src"\nas_of = "2026-11-21"\n\n'
        '[[gpu]]\nid = "x1"\nvendor = "V"\nname = "X2"\nsegment = "gaming"\n'
        'architecture = "A"\narchitecture_family = "a"\nrelease_year = 2020\nmemory_type = "m"\n'
        'tensor_accumulate = "t"\nform_factor = "f"\ninterconnect_text = "none"\n'
        'link_kind = "none"\n'
        'as_of = "yesterday"\n',
        encoding="utf-8",
    )
    with pytest.raises(DataFileError) as caught:
        load_gpu_file(bad)
    text = str(caught.value)
    assert "#1 (x1), field memory_bandwidth_gb_s" in text
    assert "#2 (x1), field segment" in text
    assert "#2 (x1), field source" in text
    assert "#2 (x1), field as_of" in text
    assert len(caught.value.problems) == 4
