"""Weight formats and KV-cache precisions: real bits per weight, native GPUs, name resolution."""

from __future__ import annotations

import pytest

from gpuatlas.catalog.formats import (
    all_formats,
    find_format,
    parse_formats,
    resolve_format,
    resolve_kv_cache_precision,
)
from gpuatlas.errors import DataFileError, UnknownNameError

REQUIRED = ["fp32", "fp16", "bf16", "fp8", "int8", "awq-int4", "gptq-int4", "nvfp4", "mxfp4",
            "gguf-f16", "q8_0", "q6_k", "q5_k_m", "q4_k_m", "q4_0"]  # fmt: skip


def test_contract_format_ids_exist_with_sources() -> None:
    formats = {weight_format.id: weight_format for weight_format in all_formats()}
    assert set(REQUIRED) <= set(formats)
    assert all(weight_format.source for weight_format in formats.values())


@pytest.mark.parametrize(
    ("name", "bits"),
    [
        ("q8_0", 34 * 8 / 32),  # block_q8_0: fp16 scale + 32 int8 = 34 bytes
        ("q4_0", 18 * 8 / 32),  # block_q4_0: fp16 scale + 16 bytes of nibbles
        ("q5_0", 22 * 8 / 32),
        ("q6_k", 210 * 8 / 256),  # block_q6_K: 210 bytes per 256 weights
        ("q4_k_m", 144 * 8 / 256),  # the Q4_K type itself
        ("awq-int4", 4 + 16 / 128 + 4 / 128),  # fp16 scale + 4-bit zero per 128
        ("nvfp4", 4 + 8 / 16),  # E4M3 scale per 16
        ("mxfp4", 4 + 8 / 32),  # E8M0 scale per 32
        ("bf16", 16),
    ],
)
def test_bits_per_weight_include_scales(name: str, bits: float) -> None:
    assert resolve_format(name).bits_per_weight == pytest.approx(bits)


def test_k_quant_mixes_publish_a_whole_model_average_above_the_base_type() -> None:
    q4_k_m, q5_k_m = resolve_format("Q4_K_M"), resolve_format("Q5_K_M")
    assert q4_k_m.model_bits_per_weight == pytest.approx(4.85, abs=0.05)
    assert q5_k_m.model_bits_per_weight == pytest.approx(5.69, abs=0.05)
    assert resolve_format("q4_0").model_bits_per_weight == 4.5


@pytest.mark.parametrize(
    ("name", "format_id"),
    [("Q4_K_M", "q4_k_m"), ("q4-k-m", "q4_k_m"), ("FP8", "fp8"), ("AWQ", "awq-int4"),
     ("GPTQ", "gptq-int4"), ("bfloat16", "bf16"), ("float16", "fp16"), ("F16", "fp16"),
     ("MXFP4", "mxfp4"), ("e4m3", "fp8"), ("W4A16", "gptq-int4")],
)  # fmt: skip
def test_names_people_write_resolve(name: str, format_id: str) -> None:
    assert resolve_format(name).id == format_id


def test_unknown_format_lists_candidates() -> None:
    with pytest.raises(UnknownNameError) as caught:
        resolve_format("Q4_K_X")
    assert "q4_k_m" in caught.value.candidates or "q4_k_s" in caught.value.candidates


def test_fp8_runs_natively_from_ada_and_hopper_not_ampere() -> None:
    fp8 = resolve_format("fp8")
    assert fp8.is_native_on("ada") and fp8.is_native_on("hopper")
    assert not fp8.is_native_on("ampere")
    assert fp8.compute_precision_on("hopper") == "fp8"
    assert fp8.compute_precision_on("ampere") == "fp16"


def test_fp4_formats_are_native_only_on_blackwell() -> None:
    for name in ("nvfp4", "mxfp4"):
        weight_format = resolve_format(name)
        assert weight_format.native_architectures == ("blackwell",)
        assert weight_format.compute_precision_on("hopper") in ("fp16", "bf16")


def test_awq_is_weight_only_and_computes_in_fp16() -> None:
    awq = resolve_format("awq")
    assert awq.weight_only and awq.compute_precision_on("ada") == "fp16"


def test_format_facts_agree_with_the_gpu_catalog() -> None:
    from gpuatlas.catalog.gpus import resolve_gpu

    fp8 = resolve_format("fp8")
    assert fp8.is_native_on(resolve_gpu("rtx-4090").architecture_family)
    assert fp8.is_native_on(resolve_gpu("h100-sxm").architecture_family)
    assert not fp8.is_native_on(resolve_gpu("a100-80gb-sxm").architecture_family)
    assert resolve_format("nvfp4").is_native_on(resolve_gpu("b200").architecture_family)


@pytest.mark.parametrize(
    ("name", "bytes_per_element"),
    [("fp16", 2.0), ("bf16", 2.0), ("fp8", 1.0), ("fp8_e5m2", 1.0),
     ("q8_0", 34 / 32), ("q4_0", 18 / 32)],
)  # fmt: skip
def test_kv_cache_precisions(name: str, bytes_per_element: float) -> None:
    assert resolve_kv_cache_precision(name).bytes_per_element == pytest.approx(bytes_per_element)


def test_unknown_kv_precision_lists_the_known_ones() -> None:
    with pytest.raises(UnknownNameError) as caught:
        resolve_kv_cache_precision("q3_k")
    assert caught.value.candidates


def test_malformed_formats_file_names_entry_and_field() -> None:
    text = """
[[weight_format]]
id = "broken"
family = "gguf"
bits_per_weight = -1
compute_precision = "fp9"
fallback_compute_precision = "fp16"
native_architectures = []
weight_only = false
source = "x"

[[kv_cache_precision]]
id = "fp16"
bytes_per_element = 2
engines = []
source = "x"
"""
    with pytest.raises(DataFileError) as caught:
        parse_formats(text, "formats.toml")
    problems = "\n".join(caught.value.problems)
    assert "id='broken'" in problems
    assert "bits_per_weight" in problems and "compute_precision" in problems


@pytest.mark.parametrize(
    ("written", "format_id"),
    [("INT4-W4A16", "gptq-int4"), ("int4 w4a16", "gptq-int4"), ("Q4-K-M", "q4_k_m")],
)
def test_a_name_made_of_names_of_one_format_is_that_format(written: str, format_id: str) -> None:
    found = find_format(written)
    assert found is not None and found.id == format_id


@pytest.mark.parametrize("written", ["awq-gptq", "int4-fp8", "int4-turbo"])
def test_parts_that_disagree_or_name_nothing_are_no_format(written: str) -> None:
    assert find_format(written) is None
