"""Carry ../shared/reference/gpu_specs.csv into src/gpuatlas/catalog/data/gpus.toml.

One-off importer, kept for reproducibility: the TOML it writes is the catalog's source of truth
and is edited by hand afterwards. The overlay below adds what the CSV holds only as prose: the
stable id, the names people write, the segment, the architecture family and the GPU-to-GPU link
as numbers. Run: python tools/import_reference_gpus.py ../shared/reference/gpu_specs.csv
"""

from __future__ import annotations

import csv
import re
import sys
from pathlib import Path

AS_OF = "2026-11-21"
OUT = Path(__file__).resolve().parents[1] / "src/gpuatlas/catalog/data/gpus.toml"

# name -> (id, segment, family, aliases, link kind, link generation, link total GB/s, max GPUs)
OVERLAY: dict[str, tuple[str, str, str, list[str], str, int, float, int]] = {
    "GeForce RTX 3090": (
        "rtx-3090",
        "consumer",
        "ampere",
        ["RTX 3090", "3090", "NVIDIA GeForce RTX 3090"],
        "nvlink-bridge",
        3,
        112.5,
        2,
    ),
    "GeForce RTX 3090 Ti": (
        "rtx-3090-ti",
        "consumer",
        "ampere",
        ["RTX 3090 Ti", "3090 Ti", "3090ti", "NVIDIA GeForce RTX 3090 Ti"],
        "nvlink-bridge",
        3,
        112.5,
        2,
    ),
    "GeForce RTX 4070 Ti": (
        "rtx-4070-ti",
        "consumer",
        "ada",
        ["RTX 4070 Ti", "4070 Ti", "4070ti", "NVIDIA GeForce RTX 4070 Ti"],
        "none",
        0,
        0.0,
        1,
    ),
    "GeForce RTX 4080 (16GB)": (
        "rtx-4080",
        "consumer",
        "ada",
        ["RTX 4080", "4080", "RTX 4080 16GB", "NVIDIA GeForce RTX 4080"],
        "none",
        0,
        0.0,
        1,
    ),
    "GeForce RTX 4090": (
        "rtx-4090",
        "consumer",
        "ada",
        ["RTX 4090", "4090", "NVIDIA GeForce RTX 4090", "GeForce RTX 4090 24GB"],
        "none",
        0,
        0.0,
        1,
    ),
    "GeForce RTX 5090": (
        "rtx-5090",
        "consumer",
        "blackwell",
        ["RTX 5090", "5090", "NVIDIA GeForce RTX 5090"],
        "none",
        0,
        0.0,
        1,
    ),
    "RTX A4000": (
        "rtx-a4000",
        "workstation",
        "ampere",
        ["A4000", "NVIDIA RTX A4000"],
        "none",
        0,
        0.0,
        1,
    ),
    "RTX A5000": (
        "rtx-a5000",
        "workstation",
        "ampere",
        ["A5000", "NVIDIA RTX A5000"],
        "nvlink-bridge",
        3,
        112.5,
        2,
    ),
    "RTX A6000": (
        "rtx-a6000",
        "workstation",
        "ampere",
        ["A6000", "NVIDIA RTX A6000"],
        "nvlink-bridge",
        3,
        112.5,
        2,
    ),
    "RTX 6000 Ada Generation": (
        "rtx-6000-ada",
        "workstation",
        "ada",
        ["RTX 6000 Ada", "6000 Ada", "NVIDIA RTX 6000 Ada Generation"],
        "none",
        0,
        0.0,
        1,
    ),
    "RTX PRO 6000 Blackwell Workstation Edition": (
        "rtx-pro-6000-blackwell",
        "workstation",
        "blackwell",
        [
            "RTX PRO 6000",
            "RTX Pro 6000 Blackwell",
            "NVIDIA RTX PRO 6000 Blackwell Workstation Edition",
        ],
        "none",
        0,
        0.0,
        1,
    ),
    "L4": ("l4", "datacenter", "ada", ["NVIDIA L4", "L4 24GB"], "none", 0, 0.0, 1),
    "L40": ("l40", "datacenter", "ada", ["NVIDIA L40", "L40 48GB"], "none", 0, 0.0, 1),
    "L40S": ("l40s", "datacenter", "ada", ["NVIDIA L40S", "L40S 48GB"], "none", 0, 0.0, 1),
    "T4": ("t4", "datacenter", "turing", ["Tesla T4", "NVIDIA T4", "T4 16GB"], "none", 0, 0.0, 1),
    "V100 16GB SXM2": (
        "v100-16gb-sxm2",
        "datacenter",
        "volta",
        ["Tesla V100-SXM2-16GB", "V100 SXM2 16GB", "V100-SXM2-16GB"],
        "nvlink",
        2,
        300.0,
        8,
    ),
    "V100 16GB PCIe": (
        "v100-16gb-pcie",
        "datacenter",
        "volta",
        ["Tesla V100-PCIE-16GB", "V100 PCIe 16GB", "V100-PCIE-16GB"],
        "none",
        0,
        0.0,
        1,
    ),
    "V100 32GB SXM2": (
        "v100-32gb-sxm2",
        "datacenter",
        "volta",
        ["Tesla V100-SXM2-32GB", "V100 SXM2 32GB", "V100-SXM2-32GB"],
        "nvlink",
        2,
        300.0,
        8,
    ),
    "V100 32GB PCIe": (
        "v100-32gb-pcie",
        "datacenter",
        "volta",
        ["Tesla V100-PCIE-32GB", "V100 PCIe 32GB", "V100-PCIE-32GB"],
        "none",
        0,
        0.0,
        1,
    ),
    "A10": ("a10", "datacenter", "ampere", ["NVIDIA A10", "A10 24GB"], "none", 0, 0.0, 1),
    "A10G": ("a10g", "datacenter", "ampere", ["NVIDIA A10G", "A10G 24GB"], "none", 0, 0.0, 1),
    "A30": (
        "a30",
        "datacenter",
        "ampere",
        ["NVIDIA A30", "A30 24GB"],
        "nvlink-bridge",
        3,
        200.0,
        2,
    ),
    "A40": (
        "a40",
        "datacenter",
        "ampere",
        ["NVIDIA A40", "A40 48GB"],
        "nvlink-bridge",
        3,
        112.5,
        2,
    ),
    "A100 40GB PCIe": (
        "a100-40gb-pcie",
        "datacenter",
        "ampere",
        ["NVIDIA A100-PCIE-40GB", "A100 PCIe 40GB", "A100-PCIE-40GB", "A100 40GB PCIe4"],
        "nvlink-bridge",
        3,
        600.0,
        2,
    ),
    "A100 40GB SXM4": (
        "a100-40gb-sxm",
        "datacenter",
        "ampere",
        ["NVIDIA A100-SXM4-40GB", "A100 SXM4 40GB", "A100-SXM4-40GB", "A100 40GB SXM"],
        "nvlink",
        3,
        600.0,
        8,
    ),
    "A100 80GB PCIe": (
        "a100-80gb-pcie",
        "datacenter",
        "ampere",
        ["NVIDIA A100 80GB PCIe", "A100 PCIe 80GB", "A100-PCIE-80GB", "A100 80GB PCIe4"],
        "nvlink-bridge",
        3,
        600.0,
        2,
    ),
    "A100 80GB SXM4": (
        "a100-80gb-sxm",
        "datacenter",
        "ampere",
        [
            "NVIDIA A100-SXM4-80GB",
            "A100 SXM4 80GB",
            "A100-SXM4-80GB",
            "A100 80GB SXM",
            "A100 SXM 80GB",
        ],
        "nvlink",
        3,
        600.0,
        8,
    ),
    "H100 PCIe": (
        "h100-pcie",
        "datacenter",
        "hopper",
        ["NVIDIA H100 PCIe", "H100 PCIe 80GB", "H100-PCIE-80GB", "H100 80GB PCIe"],
        "nvlink-bridge",
        4,
        600.0,
        2,
    ),
    "H100 SXM5": (
        "h100-sxm",
        "datacenter",
        "hopper",
        ["NVIDIA H100 80GB HBM3", "H100 SXM", "H100 SXM5 80GB", "H100-SXM5-80GB", "H100 80GB SXM5"],
        "nvlink",
        4,
        900.0,
        8,
    ),
    "H100 NVL": (
        "h100-nvl",
        "datacenter",
        "hopper",
        ["NVIDIA H100 NVL", "H100 NVL 94GB", "H100-NVL"],
        "nvlink-bridge",
        4,
        600.0,
        2,
    ),
    "H200 SXM": (
        "h200-sxm",
        "datacenter",
        "hopper",
        ["NVIDIA H200", "H200", "H200 SXM 141GB", "H200 141GB"],
        "nvlink",
        4,
        900.0,
        8,
    ),
    "GH200 Grace Hopper Superchip (96GB HBM3)": (
        "gh200-96gb",
        "datacenter",
        "hopper",
        ["GH200 96GB", "NVIDIA GH200 96GB HBM3", "GH200 480GB"],
        "nvlink",
        4,
        900.0,
        256,
    ),
    "GH200 Grace Hopper Superchip (144GB HBM3e)": (
        "gh200-144gb",
        "datacenter",
        "hopper",
        ["GH200 144GB", "NVIDIA GH200 144G HBM3e", "GH200 HBM3e"],
        "nvlink",
        4,
        900.0,
        256,
    ),
    "B200 (HGX B200, per GPU)": (
        "b200",
        "datacenter",
        "blackwell",
        ["NVIDIA B200", "B200 180GB", "HGX B200"],
        "nvlink",
        5,
        1800.0,
        8,
    ),
    "B100 (HGX B100, per GPU)": (
        "b100",
        "datacenter",
        "blackwell",
        ["NVIDIA B100", "B100 192GB", "HGX B100"],
        "nvlink",
        5,
        1800.0,
        8,
    ),
    "Instinct MI210": (
        "mi210",
        "datacenter",
        "cdna2",
        ["AMD Instinct MI210", "MI210 64GB"],
        "infinity-fabric",
        3,
        300.0,
        4,
    ),
    "Instinct MI250X": (
        "mi250x",
        "datacenter",
        "cdna2",
        ["AMD Instinct MI250X", "MI250X 128GB"],
        "infinity-fabric",
        3,
        800.0,
        8,
    ),
    "Instinct MI300X": (
        "mi300x",
        "datacenter",
        "cdna3",
        ["AMD Instinct MI300X", "MI300X 192GB", "MI300"],
        "infinity-fabric",
        4,
        896.0,
        8,
    ),
    "Instinct MI325X": (
        "mi325x",
        "datacenter",
        "cdna3",
        ["AMD Instinct MI325X", "MI325X 256GB"],
        "infinity-fabric",
        4,
        896.0,
        8,
    ),
    "Gaudi 2 (HL-225 OAM)": (
        "gaudi2",
        "datacenter",
        "gaudi2",
        ["Intel Gaudi 2", "Gaudi2", "HL-225"],
        "roce",
        0,
        600.0,
        8,
    ),
    "Gaudi 3 (HL-325L OAM)": (
        "gaudi3",
        "datacenter",
        "gaudi3",
        ["Intel Gaudi 3", "Gaudi3", "HL-325L"],
        "roce",
        0,
        1200.0,
        8,
    ),
}

LINK_LATENCY_US = {
    "nvlink": 2.0,
    "nvlink-bridge": 2.5,
    "infinity-fabric": 3.0,
    "roce": 5.0,
    "none": 0.0,
}


def number(text: str) -> float | None:
    """Leading number of a cell ('450-1000 (whole superchip)' -> 450.0), None when blank/n.a."""
    match = re.match(r"\s*([0-9][0-9,]*\.?[0-9]*)", text)
    return float(match.group(1).replace(",", "")) if match else None


def upper_number(text: str) -> float | None:
    """Largest number of a range cell ('450-1000 ...' -> 1000.0)."""
    values = [float(v.replace(",", "")) for v in re.findall(r"[0-9][0-9,]*\.?[0-9]*", text)]
    return max(values) if values else None


def fp16_accumulate_rate(notes: str) -> float | None:
    match = re.search(
        r"FP16 w(?:ith|/) FP16 acc(?:umulate)?\s*(?:=\s*)?([0-9]+(?:\.[0-9]+)?)", notes
    )
    return float(match.group(1)) if match else None


def toml_value(value: object) -> str:
    if value is None:
        raise ValueError("None is omitted, not written")
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(item) for item in value) + "]"
    text = str(value).replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ")
    return f'"{text}"'


def gpu_record(row: dict[str, str]) -> dict[str, object]:
    gpu_id, segment, family, aliases, link_kind, link_gen, link_total, max_gpus = OVERLAY[
        row["name"]
    ]
    pcie = re.match(r"([0-9.]+)(?:\s*x(\d+))?", row["pcie_gen"] or "")
    is_geforce = row["name"].startswith("GeForce")
    record: dict[str, object | None] = {
        "id": gpu_id,
        "vendor": row["vendor"],
        "name": row["name"],
        "aliases": aliases,
        "segment": segment,
        "architecture": row["architecture"].replace("\n", " "),
        "architecture_family": family,
        "compute_capability": row["compute_capability"]
        if row["compute_capability"] != "n/a"
        else None,
        "release_year": int(row["release_year"]),
        "memory_gb": number(row["memory_gb"]),
        "memory_type": row["memory_type"],
        "memory_bandwidth_gb_s": number(row["memory_bandwidth_gbs"]),
        "fp32_tflops": number(row["fp32_tflops"]),
        "tf32_dense_tflops": number(row["tf32_tensor_dense_tflops"]),
        "fp16_dense_tflops": number(row["fp16_tensor_dense_tflops"]),
        "bf16_dense_tflops": number(row["bf16_tensor_dense_tflops"]),
        "fp8_dense_tflops": number(row["fp8_tensor_dense_tflops"]),
        "int8_dense_tops": number(row["int8_tensor_dense_tops"]),
        "int4_dense_tops": number(row["int4_tensor_dense_tops"]),
        "tensor_accumulate": "fp32-accumulate-half-rate"
        if is_geforce
        else "fp32-accumulate-full-rate",
        "fp16_with_fp16_accumulate_dense_tflops": fp16_accumulate_rate(row["notes"])
        if is_geforce
        else None,
        "tdp_w": upper_number(row["tdp_w"])
        if re.match(r"^\d+-\d+", row["tdp_w"])
        else number(row["tdp_w"]),
        "tdp_text": row["tdp_w"],
        "form_factor": row["form_factor"],
        "interconnect_text": row["interconnect"],
        "link_kind": link_kind,
        "link_generation": link_gen or None,
        "link_total_gb_s": link_total or None,
        "link_per_direction_gb_s": (link_total / 2) or None,
        "link_max_gpus": max_gpus,
        "link_latency_us": LINK_LATENCY_US[link_kind] or None,
        "pcie_generation": float(pcie.group(1)) if pcie else None,
        "pcie_lanes": int(pcie.group(2)) if pcie and pcie.group(2) else None,
        "l2_cache_mb": None if "SRAM" in row["l2_cache_mb"] else number(row["l2_cache_mb"]),
        "cache_text": row["l2_cache_mb"],
        "ecc": {"yes": True, "no": False}.get(row["ecc"].strip().lower()),
        "sm_count": number(row["sm_count"]),
        "cuda_cores": number(row["cuda_cores"]),
        "tensor_cores": number(row["tensor_cores"]),
        "launch_price_usd": number(row["launch_msrp_usd"]),
        "source": row["source"],
        "as_of": AS_OF,
        "notes": row["notes"],
    }
    for key in ("sm_count", "cuda_cores", "tensor_cores", "release_year", "link_max_gpus"):
        if isinstance(record[key], float):
            record[key] = int(record[key])  # type: ignore[arg-type]
    return {key: value for key, value in record.items() if value is not None}


def main(csv_path: str) -> None:
    with open(csv_path, encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    lines = [
        "# GPU catalog: one [[gpu]] table per variant. Carried from ../shared/reference/gpu_specs.csv",
        "# by tools/import_reference_gpus.py, then maintained by hand. Tensor throughput is DENSE",
        "# (never 2:4-sparse). fp32_tflops is non-tensor FP32. link_total_gb_s adds both directions;",
        "# link_per_direction_gb_s is half of it. tensor_accumulate records the GeForce rule: their",
        "# fp16/bf16/fp8 figures are with FP32 accumulate, at half the FP16-accumulate rate.",
        "",
    ]
    for row in rows:
        lines.append("[[gpu]]")
        for key, value in gpu_record(row).items():
            lines.append(f"{key} = {toml_value(value)}")
        lines.append("")
    OUT.write_text("\n".join(lines), encoding="utf-8")
    print(f"wrote {len(rows)} GPUs to {OUT}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "../shared/reference/gpu_specs.csv")
