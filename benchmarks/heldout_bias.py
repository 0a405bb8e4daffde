"""Where the shipped calibration is off the same way across held-out publications.

Predicts every held-out row the calibration never reads (holdout/ and every holdout/as_written*
folder, names resolved as a user's command resolves them) with the packaged calibration, pools
them, and prints the groups (by default: kind, engine, backend, one GPU or several, dense or
mixture-of-experts) that span at least --min-sources publications, strongest bias first: rows,
publications, the median predicted / measured speed (> 1: predicted too fast) and the share
within 15 %. Read to report, never to fit (see gpuatlas.calibration.bias_groups).

Run: `python benchmarks/heldout_bias.py [--by kind,engine,backend,gpus,experts]
[--min-sources 3] [--limit 20]` (a few seconds).
"""

from __future__ import annotations

import argparse

from gpuatlas.calibration.bias_groups import DEFAULT_KEYS, LABELS, bias_groups, bias_table
from gpuatlas.calibration.fitting import observations
from gpuatlas.calibration.validation import predict_all, source_of
from gpuatlas.calibration.written_rows import later_written_dirs, load_written
from gpuatlas.catalog.measurements import load_holdout
from gpuatlas.performance.calibration_table import current_calibration


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--by", default=",".join(DEFAULT_KEYS), help=f"keys: {', '.join(LABELS)}")
    parser.add_argument("--min-sources", type=int, default=3)
    parser.add_argument("--limit", type=int, default=20)
    arguments = parser.parse_args()
    keys = [key.strip() for key in arguments.by.split(",") if key.strip()]
    rows = list(load_holdout())
    for written in [load_written(), *(load_written(path) for path in later_written_dirs())]:
        rows += written.rows
    calibration = current_calibration()
    predictions = predict_all(observations(rows), calibration)
    groups = bias_groups(predictions, keys, arguments.min_sources)
    publications = len({source_of(p.observation.row) for p in predictions})
    unusable = sum(1 for row in rows if row.unusable_for_calibration)
    print(
        f"{len(predictions)} of {len(rows)} held-out rows with resolved names predicted "
        f"({publications} publications; "
        f"{unusable} marked unusable for calibration, not scored), calibration "
        f"{calibration.version}; {len(groups)} groups span {arguments.min_sources}+ publications\n"
    )
    print("\n".join(bias_table(groups, keys, arguments.limit)))


if __name__ == "__main__":
    main()
