"""Refit the noise model from the results store's repeat groups.

    python -m gpuatlas.compare.noise_fit [--database-url URL] [-o FILE] [--version V]

reads every (system, benchmark) group with at least two non-quarantined results, pools their
log-variances per category and engine (``compare.noise``) and writes the model as JSON (by
default over the packaged ``compare/data/noise_model.json``). The version is the date plus a
hash of the result ids it was fitted from, so a refit on unchanged data gives the same file.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import re
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

from gpuatlas.catalog.measurements import all_measurements
from gpuatlas.compare.noise import (
    NoiseModel,
    SpreadObservation,
    default_noise_model_path,
    engine_of,
    fit_noise_model,
    from_published_sd,
    from_values,
)
from gpuatlas.store import open_store
from gpuatlas.store.public_data import public_category, public_result_id

if TYPE_CHECKING:
    from gpuatlas.store import Store


def repeat_groups(store: Store) -> list[SpreadObservation]:
    """Every group of the store with n ≥ 2 comparable results: within one source when all its
    results name the same source, else between sources."""
    keys = [summary.key for summary in store.group_summaries(None) if summary.n >= 2]
    return [
        from_values(
            values.description.category,
            engine_of(values.key.benchmark),
            values.values,
            within_source=_one_source(values.sources, len(values.values)),
            result_ids=values.result_ids,
        )
        for values in store.group_values(keys)
    ]


def _one_source(sources: Sequence[str], results: int) -> bool:
    return len(set(sources)) == 1 and len(sources) == results


# llama-bench prints "mean ± sd" over its repetitions; its default is 5 (-r, --repetitions).
LLAMA_BENCH_DEFAULT_REPETITIONS = 5
PUBLISHED_SD = re.compile(r"±\s*([0-9]+(?:\.[0-9]+)?)\s*published")


def published_spreads() -> list[SpreadObservation]:
    """Run-to-run spreads the public data set's sources published beside their values (rows
    whose notes say '± SD published', llama-bench means over its default repetitions)."""
    found = []
    for row in all_measurements():
        match = PUBLISHED_SD.search(row.notes or "")
        if match is None or row.engine != "llama.cpp" or row.value <= 0:
            continue
        found.append(
            from_published_sd(
                public_category(row),
                row.engine,
                row.value,
                float(match.group(1)),
                LLAMA_BENCH_DEFAULT_REPETITIONS,
                (public_result_id(row),),
            )
        )
    return found


REPEATS_FILE = "run_to_run_repeats.csv"


def published_repeats(path: Path | None = None) -> list[SpreadObservation]:
    """Run-to-run evidence that is not a measured row of the data set: a source's reruns of
    one configuration on one system with one build (``compare/data/run_to_run_repeats.csv``,
    e.g. a README table regenerated at several commits), one within-source observation per
    (category, engine, GPU, build, configuration)."""
    found = path or Path(str(resources.files("gpuatlas.compare") / "data" / REPEATS_FILE))
    groups: dict[tuple[str, str, str, str, str], list[float]] = {}
    with found.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            key = (row["category"], row["engine"], row["gpu"], row["build"], row["configuration"])
            groups.setdefault(key, []).append(float(row["value"]))
    return [
        from_values(key[0], key[1], values, within_source=True)
        for key, values in sorted(groups.items())
        if len(values) >= 2
    ]


def model_version(observations: Sequence[SpreadObservation], today: str) -> str:
    digest = hashlib.sha256()
    for result_id in sorted(i for o in observations for i in o.result_ids):
        digest.update(result_id.encode())
    return f"noise/{today}.{digest.hexdigest()[:8]}"


def refit(store: Store, today: str | None = None) -> NoiseModel:
    observations = repeat_groups(store) + published_spreads() + published_repeats()
    day = today or datetime.now(UTC).strftime("%Y-%m-%d")
    return fit_noise_model(
        observations,
        model_version(observations, day),
        f"results store ({store.backend}) repeat groups + published run-to-run sds of the "
        f"public data set + sources' reruns ({REPEATS_FILE})",
    )


def write_model(model: NoiseModel, path: Path) -> None:
    path.write_text(json.dumps(model.as_dict(), indent=1) + "\n", "utf-8")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=None, help="store URL (default: configured)")
    parser.add_argument("-o", "--output", type=Path, default=default_noise_model_path())
    args = parser.parse_args(argv)
    store = open_store(args.database_url)
    try:
        model = refit(store)
    finally:
        store.close()
    write_model(model, args.output)
    print(f"{model.version} → {args.output}")
    for level, cells in (
        ("within source", model.within_source.cells),
        ("between source", model.between_source.cells),
    ):
        for key, cell in cells.items():
            print(
                f"  {level} {key}: CV {cell.cv * 100:.1f}% [{cell.cv_low * 100:.1f}–"
                f"{cell.cv_high * 100:.1f}%], ν = {cell.degrees_of_freedom}"
            )
    overall = model.overall
    print(
        f"  between source, all: CV {overall.cv * 100:.1f}% [{overall.cv_low * 100:.1f}–"
        f"{overall.cv_high * 100:.1f}%], ν = {overall.degrees_of_freedom}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
