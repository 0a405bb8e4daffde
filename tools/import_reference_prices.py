"""Carry ../shared/reference/cloud_prices.csv into the catalog's price-snapshot format.

Maps the reference's GPU labels to catalog ids (marking guesses as `assumed`), names the tier
(RunPod's Community Cloud is its own tier), and pulls the instance type out of the variant text so
that snapshots of one offer line up as its history.
Run: python tools/import_reference_prices.py ../shared/reference/cloud_prices.csv
"""

from __future__ import annotations

import csv
import re
import sys
from pathlib import Path

from gpuatlas.catalog.prices import PRICE_COLUMNS

OUT = Path(__file__).resolve().parents[1] / "src/gpuatlas/catalog/data/prices/reference.csv"
COLUMNS = list(PRICE_COLUMNS)
EXACT = {
    "RTX 4090": "rtx-4090",
    "RTX 5090": "rtx-5090",
    "RTX 3090": "rtx-3090",
    "L40": "l40",
    "L40S": "l40s",
    "L4": "l4",
    "T4": "t4",
    "A10": "a10",
    "A10G": "a10g",
    "RTX A4000": "rtx-a4000",
    "RTX A5000": "rtx-a5000",
    "RTX A6000": "rtx-a6000",
    "A100 80GB PCIe": "a100-80gb-pcie",
    "A100 80GB SXM4": "a100-80gb-sxm",
    "A100 40GB SXM4": "a100-40gb-sxm",
    "H100 PCIe": "h100-pcie",
    "H100 SXM5": "h100-sxm",
    "H100 NVL": "h100-nvl",
    "H200 SXM": "h200-sxm",
    "B200": "b200",
    "V100 16GB SXM2": "v100-16gb-sxm2",
    "GH200 (96GB HBM3)": "gh200-96gb",
    "RTX PRO 6000 Blackwell Workstation Edition": "rtx-pro-6000-blackwell",
}
ASSUMED = {
    "A100 80GB": ("a100-80gb-sxm", "form factor not stated; SXM4 assumed"),
    "A100 40GB": ("a100-40gb-sxm", "form factor not stated; SXM4 assumed"),
    "A100 SXM4 (memory not stated)": ("a100-80gb-sxm", "memory size not stated; 80GB assumed"),
    "A100 (article label: 'A100 PCIe')": (
        "a100-40gb-sxm",
        "article says 'A100 PCIe'; Lambda's $1.48 is its 1x A100 40GB SXM4 instance",
    ),
    "H100 PCIe (article label: 'H100')": (
        "h100-pcie",
        "article says 'H100'; Lambda's $2.86 matches its H100 PCIe instance",
    ),
    "H100 (unspecified)": ("h100-sxm", "variant not stated; SXM assumed"),
    "H100 (variant unspecified)": ("h100-sxm", "variant not stated; SXM assumed"),
    "H100 (variants mixed)": ("h100-sxm", "average over mixed variants; SXM assumed"),
    "H200 (variant unspecified)": ("h200-sxm", "variant not stated; SXM assumed"),
    "V100 16GB": ("v100-16gb-sxm2", "form factor not stated; SXM2 assumed"),
    "RTX PRO 6000 Blackwell (Server Edition)": (
        "rtx-pro-6000-blackwell",
        "Server Edition: same memory and core configuration as the catalog's Workstation Edition",
    ),
}
INSTANCE = re.compile(
    r"^((?:[a-z][a-z0-9]*\d[a-z0-9]*[-.][a-z0-9.-]+)|(?:[a-z]\d[-.][a-z0-9.-]+)|(?:Standard_[A-Za-z0-9_]+))"
)


def gpu_id_for(label: str) -> tuple[str, str, str]:
    if label in EXACT:
        return EXACT[label], "exact", ""
    gpu_id, note = ASSUMED[label]
    return gpu_id, "assumed", note


def tier_for(row: dict[str, str]) -> str:
    text = f"{row['variant']} {row['notes']}"
    if (
        row["provider"] == "RunPod"
        and "Community Cloud" in text
        and "Secure Cloud" not in row["variant"]
    ):
        return "community"
    return row["pricing_type"]


def offer_for(variant: str) -> str:
    match = INSTANCE.match(variant.strip())
    return match.group(1) if match else ""


def convert(row: dict[str, str]) -> dict[str, str]:
    gpu_id, match, note = gpu_id_for(row["gpu"])
    notes = " ".join(
        part
        for part in (f"Offer: {row['variant']}.", note + "." if note else "", row["notes"])
        if part
    )
    return {
        "provider": row["provider"],
        "gpu": gpu_id,
        "gpu_match": match,
        "offer": offer_for(row["variant"]),
        "gpus_per_instance": row["gpus_per_instance"],
        "usd_per_gpu_hour": row["price_per_gpu_hour_usd"],
        "tier": tier_for(row),
        "observed_date": row["observed_date"],
        "source": row["source"],
        "notes": notes,
    }


def main(csv_path: str) -> None:
    with open(csv_path, encoding="utf-8") as source:
        rows = [convert(row) for row in csv.DictReader(source)]
    with OUT.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
    print(f"wrote {len(rows)} price snapshots to {OUT}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "../shared/reference/cloud_prices.csv")
