"""Accuracy of the estimator on the project's measured data set, cross-validated.

Leave-one-source-out (LOSO): for each source, the calibration is fitted on every other
source's rows and predicts this source's rows, so no row of a publication helps predict that
publication. A source is the publication a row cites (a GitHub repository, an issue / pull
request / discussion thread, or a web page; `gpuatlas.calibration.validation.source_key`).
Leave-one-GPU-out (LOGO): the same with GPUs (what a user sees for an unmeasured GPU).
Beside them, a pure roofline at 100 % of peak (no efficiencies, no overheads).

Per kind of case and per vendor: n, median and 90th-percentile absolute percentage error, and
the share of measurements inside the predicted range (the bands the shipped calibration uses:
LOSO errors, widened to the LOGO band where that is wider). Then the held-out set: rows in
`catalog/data/measurements/holdout/` come from sources the calibration never reads; they are
predicted by the calibration fitted on every packaged row.

Then latency under load: each published serving benchmark run in
`catalog/data/measurements/under_load/` (a concurrency or a Poisson rate, its requests and
lengths) is replayed by the serving simulation `gpuatlas plan` uses, with the calibration fitted
without the run's source, and its TTFT, TPOT and E2E statistics (mean, median, p90-p99) compared.

Run: `python benchmarks/estimate_accuracy.py [--plot FILE.png] [--data DIR] [--holdout DIR]
[--residuals KIND] [--by loso|logo] [--jobs N] [--write-calibration FILE]` (the plot goes to
docs/estimate_accuracy.png by default; `--residuals latency` lists every latency-under-load row,
worst first; the folds run in N processes, one per CPU by default; `--write-calibration` also
writes the calibration `gpuatlas calibrate` would write, from the same folds).
"""

from __future__ import annotations

import argparse
import datetime
import functools
import math
import statistics
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path

from gpuatlas.app.calibrate import default_jobs, write_calibration
from gpuatlas.calibration.fitting import fit_calibration, observations, observe
from gpuatlas.calibration.validation import (
    CrossValidation,
    Prediction,
    calibrated,
    cross_validate,
    error_summary,
    gpu_key,
    honest_errors,
    percentile,
    predict_all,
    roofline_predictions,
    share_inside,
    source_key,
    source_of,
)
from gpuatlas.calibration.written_rows import WrittenSet, later_written_dirs, load_written
from gpuatlas.catalog.gpus import gpu_by_id
from gpuatlas.catalog.kv_capacity import load_kv_capacity
from gpuatlas.catalog.latency_under_load import LatencyUnderLoadRow, load_latency_under_load
from gpuatlas.catalog.measurements import MeasuredRow, load_holdout, load_measurements
from gpuatlas.economics.latency_under_load import LatencyPrediction, predict_rows
from gpuatlas.errors import GpuAtlasError
from gpuatlas.performance.calibration_table import (
    DEFAULT_LOG_BAND,
    Calibration,
    calibration_text,
    parse_calibration,
    using_calibration,
)
from gpuatlas.performance.llm.kv_capacity_check import KvCapacityPrediction, predict_kv_capacity

KIND_LABELS = {
    "decode": "LLM decode, single stream (llm-single)",
    "prefill": "LLM prefill / static TTFT",
    "serving": "LLM serving throughput (llm-serving)",
    "serving_ttft": "static-batch TTFT rows under load: see Latency under load",
    "image": "diffusion s/image, images/min (image)",
    "vision": "vision-language images/min (vision)",
    "train": "training tokens/s",
}
GOALS = {"decode": 0.10, "prefill": 0.15, "serving": 0.15, "image": 0.15, "train": 0.15}
RANGE_GOAL = 0.80
VENDORS = ("NVIDIA", "AMD", "Intel", "Apple")
Errors = dict[str, dict[str, float]]


def _figures(found: Sequence[Prediction], errors: Errors) -> str:
    """'n | median | p90 | in range' cells for these predictions."""
    if not found:
        return "0 | – | – | –"
    apes = [p.ape for p in found]
    return (
        f"{len(found)} | {statistics.median(apes):.1%} | {percentile(apes, 0.9):.1%} | "
        f"{share_inside(found, errors):.0%}"
    )


def _of_kind(found: Sequence[Prediction], kind: str) -> list[Prediction]:
    return [p for p in found if p.observation.kind == kind]


def kind_table(
    loso: Sequence[Prediction],
    logo: Sequence[Prediction],
    roofline: Sequence[Prediction],
    errors: Errors,
) -> list[str]:
    roof = error_summary(roofline)
    lines = [
        "| case kind | LOSO n | median | p90 | in range | LOGO n | median | p90 | in range | "
        "roofline median | goal (median) |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for kind, label in KIND_LABELS.items():
        if not _of_kind(loso, kind) and not _of_kind(logo, kind):
            continue
        goal = f"≤ {GOALS[kind]:.0%}" if kind in GOALS else ""
        lines.append(
            f"| {label} | {_figures(_of_kind(loso, kind), errors)} | "
            f"{_figures(_of_kind(logo, kind), errors)} | "
            f"{roof.get(kind, {}).get('median_ape', math.nan):.1%} | {goal} |"
        )
    return lines


def vendor_of(prediction: Prediction) -> str:
    return gpu_by_id(prediction.observation.row.gpu).vendor


def vendor_table(
    loso: Sequence[Prediction], logo: Sequence[Prediction], errors: Errors
) -> list[str]:
    lines = [
        "| vendor | case kind | LOSO n | median | p90 | in range | LOGO n | median | p90 | "
        "in range |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for vendor in VENDORS:
        ours = [p for p in loso if vendor_of(p) == vendor]
        theirs = [p for p in logo if vendor_of(p) == vendor]
        if not ours and not theirs:
            lines.append(f"| {vendor} | (no measured rows) | 0 | – | – | – | 0 | – | – | – |")
            continue
        for kind in KIND_LABELS:
            if _of_kind(ours, kind) or _of_kind(theirs, kind):
                lines.append(
                    f"| {vendor} | {kind} | {_figures(_of_kind(ours, kind), errors)} | "
                    f"{_figures(_of_kind(theirs, kind), errors)} |"
                )
    return lines


def holdout_report(
    held_out: Sequence[MeasuredRow], predictions: Sequence[Prediction], errors: Errors
) -> list[str]:
    """Per kind on the held-out rows, then why the other held-out rows were not predicted."""
    lines = [*held_out_kind_lines(predictions, errors), ""]
    lines += unpredicted_lines(held_out, predictions, "held-out rows")
    return lines


def held_out_kind_lines(predictions: Sequence[Prediction], errors: Errors) -> list[str]:
    """n, median, p90 and in-range share per kind of case, beside the goal."""
    lines = [
        "| case kind | n | median | p90 | in range | goal (median) |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for kind, label in KIND_LABELS.items():
        found = _of_kind(predictions, kind)
        if found:
            goal = f"≤ {GOALS[kind]:.0%}" if kind in GOALS else ""
            lines.append(f"| {label} | {_figures(found, errors)} | {goal} |")
    return lines


def unpredicted_lines(
    rows: Sequence[MeasuredRow], predictions: Sequence[Prediction], label: str
) -> list[str]:
    """How many rows were predicted, and why the others were not (grouped by reason)."""
    predicted = {p.observation.row.row_id for p in predictions}
    reasons = Counter(_why_not(row) for row in rows if row.row_id not in predicted)
    lines = [
        f"{label}: {len(rows)}; predicted: {len(predicted)} ({_share(len(predicted), len(rows))})"
    ]
    lines += [f"  not predicted ({count}): {reason}" for reason, count in reasons.most_common()]
    return lines


def _why_not(row: MeasuredRow) -> str:
    from gpuatlas.performance.cases import predict_case

    if row.unusable_for_calibration:
        return f"marked unusable for calibration ({row.file}:{row.line}: settings unknowable)"
    observation = observe(row)
    if observation is None:
        return f"model or format not in the library ({row.model}, {row.weights})"
    try:
        predict_case(observation.case)
    except GpuAtlasError as error:
        return str(error).splitlines()[0].replace(row.gpu, "<gpu>")[:140]
    return "predicted"


def _share(part: int, whole: int) -> str:
    return f"{part / whole:.0%} coverage" if whole else "no rows"


def written_report(
    written: WrittenSet, predictions: Sequence[Prediction], errors: Errors
) -> list[str]:
    """The held-out rows written as their sources write them: per kind, the coverage (share of
    rows predicted) with the reasons for the others grouped (names that do not resolve first),
    then per source."""
    lines = [*held_out_kind_lines(predictions, errors), ""]
    predicted = {p.observation.row.row_id for p in predictions}
    reasons = Counter(row.grouped_reason for row in written.unresolved)
    reasons.update(_why_not(row) for row in written.rows if row.row_id not in predicted)
    lines.append(
        f"rows as written: {written.total}; names resolved: {len(written.rows)}; predicted: "
        f"{len(predicted)} ({_share(len(predicted), written.total)})"
    )
    lines += [f"  not predicted ({count}): {reason}" for reason, count in reasons.most_common()]
    lines += ["", *written_source_table(written, predictions, errors)]
    return lines


def written_source_table(
    written: WrittenSet, predictions: Sequence[Prediction], errors: Errors
) -> list[str]:
    """One line per source: its rows, how many were predicted, and their errors."""
    totals = Counter(source_key(row.source) for row in written.rows)
    totals.update(source_key(row.source) for row in written.unresolved)
    lines = [
        "| source | rows | predicted | median | p90 | in range |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for source, total in sorted(totals.items()):
        found = [p for p in predictions if source_key(p.observation.row.source) == source]
        lines.append(f"| {source} | {total} | {_figures(found, errors)} |")
    return lines


def residual_lines(cv: Sequence[Prediction], kind: str) -> list[str]:
    """One line per held-out prediction, largest |log error| first (predicted/measured ratio
    in the 'higher is better' direction: > 1 means the model is optimistic)."""
    chosen = [p for p in cv if kind == "all" or p.observation.kind == kind]
    chosen.sort(key=lambda p: -abs(p.log_error))
    lines = ["ratio  kind     gpu xN | engine version | model weights | batch in/out | file:line"]
    for p in chosen:
        r = p.observation.row
        lines.append(
            f"{math.exp(p.log_error):5.2f}  {p.observation.kind:8} {r.gpu} x{r.gpu_count} | "
            f"{r.engine} {r.engine_version or '-'} | {r.model} {r.weights} | {r.batch} "
            f"{r.input_tokens}/{r.output_tokens} {r.resolution or ''} {r.steps or ''}| "
            f"{r.file}:{r.line}"
        )
    return lines


def plot(
    cv: Sequence[Prediction], roofline: Sequence[Prediction], path: Path, by: str = "loso"
) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(1, 2, figsize=(12, 5.5), sharex=True, sharey=True)
    name = "leave-one-source-out" if by == "loso" else "leave-one-GPU-out"
    for axis, found, title in (
        (axes[0], cv, f"GPU Atlas ({name})"),
        (axes[1], roofline, "roofline at 100 % of peak"),
    ):
        kinds = sorted({p.observation.kind for p in found})
        for kind in kinds:
            points = [p for p in found if p.observation.kind == kind]
            ratio_x = [_rate(p, p.observation.row.value) for p in points]
            ratio_y = [_rate(p, p.predicted) for p in points]
            axis.scatter(ratio_x, ratio_y, s=12, alpha=0.7, label=kind)
        low, high = 1e-2, 1e6
        axis.plot([low, high], [low, high], color="black", linewidth=0.8)
        axis.fill_between(
            [low, high],
            [low * 0.85, high * 0.85],
            [low * 1.15, high * 1.15],
            color="grey",
            alpha=0.15,
            label="±15 %",
        )
        axis.set(xscale="log", yscale="log", title=title, xlabel="measured", ylabel="predicted")
        axis.legend(fontsize=8)
    figure.suptitle("Predicted vs measured (higher-is-better units: tok/s, images/min, 1/s)")
    figure.tight_layout()
    figure.savefig(path, dpi=120)


def _rate(prediction: Prediction, value: float) -> float:
    """Plot every metric as a rate so 'higher is better' reads the same way."""
    metric = prediction.observation.row.metric
    return 1.0 / value if metric in ("image_s", "ttft_ms", "tpot_ms") else value


def main() -> None:
    parser = argparse.ArgumentParser(description="Estimator accuracy (LOSO and LOGO)")
    parser.add_argument("--data", type=Path, default=None, help="measured CSVs (default: packaged)")
    parser.add_argument(
        "--holdout",
        type=Path,
        default=None,
        help="held-out CSVs (default: the packaged holdout folder)",
    )
    parser.add_argument("--plot", type=Path, default=Path("docs/estimate_accuracy.png"))
    parser.add_argument(
        "--by",
        choices=("loso", "logo"),
        default="loso",
        help="which cross-validation the plot and residuals show",
    )
    parser.add_argument(
        "--written",
        type=Path,
        default=None,
        help="held-out CSVs with names as their sources write them (default: the packaged "
        "holdout/as_written folder)",
    )
    parser.add_argument(
        "--residuals",
        metavar="KIND",
        default=None,
        help="also print every held-out prediction of this kind ('all' for every "
        "kind), worst first: GPU, engine and version, model, lengths, ratio (the "
        "cross-validation's, then the fresh held-out set's)",
    )
    parser.add_argument(
        "--jobs",
        type=int,
        default=default_jobs(),
        help="processes for the cross-validation's folds (default: one per CPU)",
    )
    parser.add_argument(
        "--write-calibration",
        type=Path,
        default=None,
        metavar="PATH",
        help="also write the calibration `gpuatlas calibrate` would write, from these same "
        "folds (same rows, same base): one run instead of two",
    )
    arguments = parser.parse_args()
    rows = load_measurements(arguments.data)
    base = parse_calibration(calibration_text())
    loso_cv = cross_validate(rows, base, source_of, arguments.jobs)
    loso = loso_cv.predictions
    logo = cross_validate(rows, base, gpu_key, arguments.jobs).predictions
    if arguments.write_calibration:
        written = calibrated(rows, base, datetime.date.today().isoformat(), loso, logo)
        target, _ = write_calibration(written, len(rows), arguments.write_calibration)
        print(f"calibration {written.version} written to {target}")
    errors = honest_errors(loso, logo)

    @functools.cache
    def fitted_on_every_row() -> Calibration:  # one fit for the sections below that need it
        return fit_calibration(rows, base, "all-packaged-rows")

    roofline = roofline_predictions(observations(rows), base)
    sources = len({source_of(row) for row in rows})
    print(
        f"measured rows from {sources} sources (a source = a publication: repository, "
        "thread or page)"
    )
    print("\n".join(unpredicted_lines(rows, roofline, "measured rows")))
    print(
        f"GPUs: {len({row.gpu for row in rows})}; overall median APE LOSO "
        f"{statistics.median(p.ape for p in loso):.1%}, LOGO "
        f"{statistics.median(p.ape for p in logo):.1%} (roofline "
        f"{statistics.median(p.ape for p in roofline):.1%})"
    )
    print(
        "\nPer kind (LOSO: leave-one-source-out; LOGO: leave-one-GPU-out; in range: share "
        "of measurements inside the predicted range; goal in range ≥ "
        f"{RANGE_GOAL:.0%})\n"
    )
    print("\n".join(kind_table(loso, logo, roofline, errors)))
    print("\nPer vendor\n")
    print("\n".join(vendor_table(loso, logo, errors)))
    print(
        "\nLatency under load (published serving benchmarks at a request rate or concurrency, "
        "each run simulated the way `gpuatlas plan` simulates a replica; LOSO: the calibration "
        "fitted without the run's source; in range: the run simulated with every step time "
        "scaled by the serving band each way)\n"
    )
    print("\n".join(latency_report(fitted_on_every_row, loso_cv, errors, arguments.residuals)))
    print(
        "\nKV cache capacity (engines' own start-up figures: vLLM 'GPU KV cache size', SGLang "
        "'#tokens'; the memory model's pool for the same GPU, TP size, weights, KV precision, "
        "memory share and profile tokens; error = model / reported - 1; never fitted)\n"
    )
    print("\n".join(kv_capacity_lines(arguments.residuals)))
    held_out = load_holdout(arguments.holdout) if _has_holdout(arguments.holdout) else []
    if held_out:
        print(
            "\nHeld-out set (sources the calibration never reads; fitted on every packaged row)\n"
        )
        held_found = predict_all(observations(held_out), fitted_on_every_row())
        print("\n".join(holdout_report(held_out, held_found, errors)))
        if arguments.residuals:
            print("\nHeld-out residuals (worst first; read to report, never to fit)\n")
            print("\n".join(residual_lines(held_found, arguments.residuals)))
    written_sets = [("", load_written(arguments.written))]
    if arguments.written is None:  # the later fresh sets, each on its own
        written_sets += [(f" {path.name}/", load_written(path)) for path in later_written_dirs()]
    for label, written in written_sets:
        if not written.total:
            continue
        print(
            f"\nFresh held-out set{label}, names as their sources write them (resolved the way "
            "a user's command resolves them; fitted on every packaged row)\n"
        )
        found = predict_all(observations(written.rows), fitted_on_every_row())
        print("\n".join(written_report(written, found, errors)))
        if arguments.residuals:
            print(f"\nFresh held-out{label} residuals (worst first)\n")
            print("\n".join(residual_lines(found, arguments.residuals)))
    shown = loso if arguments.by == "loso" else logo
    if arguments.residuals:
        print()
        print("\n".join(residual_lines(shown, arguments.residuals)))
    plot(shown, roofline, arguments.plot, arguments.by)
    print(f"\nplot: {arguments.plot}")


LATENCY_LABELS = {
    "ttft_ms": "TTFT under load (simulated)",
    "tpot_ms": "TPOT under load (simulated)",
    "e2e_ms": "E2E latency under load (simulated)",
}
CENTRAL_STATISTICS = ("mean", "median")
KV_FIGURES = {
    "token_error": "KV tokens",
    "pool_error": "KV pool GiB",
    "weights_error": "weights GiB",
}
KV_GOAL = 0.10


def latency_predictions(
    fitted_on_every_row: Callable[[], Calibration], loso_cv: CrossValidation, log_band: float
) -> tuple[list[LatencyPrediction], list[tuple[LatencyUnderLoadRow, str]]]:
    """Every latency-under-load row predicted with the calibration fitted without its source
    (a source with no packaged row: the calibration fitted on every packaged row)."""
    by_source: dict[str, list[LatencyUnderLoadRow]] = {}
    for row in load_latency_under_load():
        by_source.setdefault(source_key(row.source), []).append(row)
    found: list[LatencyPrediction] = []
    unpredicted: list[tuple[LatencyUnderLoadRow, str]] = []
    for source, members in sorted(by_source.items()):
        calibration = loso_cv.fitted_by_group.get(source) or fitted_on_every_row()
        with using_calibration(calibration):
            predicted = predict_rows(members, log_band)
        found += predicted.found
        unpredicted += predicted.unpredicted
    return found, unpredicted


def _latency_cells(found: Sequence[LatencyPrediction]) -> str:
    if not found:
        return "0 | – | – | – | –"
    apes = [p.ape for p in found]
    ratio = statistics.median(p.ratio for p in found)
    inside = sum(p.inside for p in found) / len(found)
    return (
        f"{len(found)} | {statistics.median(apes):.1%} | {percentile(apes, 0.9):.1%} | "
        f"{inside:.0%} | {ratio:.2f}"
    )


def latency_report(
    fitted_on_every_row: Callable[[], Calibration],
    loso_cv: CrossValidation,
    errors: Errors,
    residuals: str | None,
) -> list[str]:
    """Per metric (all statistics; then means and medians; then p90-p99), per source, and
    the rows that could not be predicted; with `residuals` 'latency' or 'all', every row."""
    band = float(errors.get("serving", {}).get("log_band", DEFAULT_LOG_BAND))
    found, unpredicted = latency_predictions(fitted_on_every_row, loso_cv, band)
    lines = [
        "| metric | statistics | LOSO n | median | p90 | in range | predicted/measured (median) |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    for metric, label in LATENCY_LABELS.items():
        of_metric = [p for p in found if p.row.metric == metric]
        central = [p for p in of_metric if p.row.statistic in CENTRAL_STATISTICS]
        tail = [p for p in of_metric if p.row.statistic not in CENTRAL_STATISTICS]
        lines.append(f"| {label} | all | {_latency_cells(of_metric)} |")
        lines.append(f"| {label} | mean, median | {_latency_cells(central)} |")
        lines.append(f"| {label} | p90-p99 | {_latency_cells(tail)} |")
    lines += ["", "| source | metric | n | median | p90 | in range | predicted/measured |"]
    lines.append("|---|---|---:|---:|---:|---:|---:|")
    for source in sorted({source_key(p.row.source) for p in found}):
        for metric in LATENCY_LABELS:
            chosen = [p for p in found if source_key(p.row.source) == source]
            chosen = [p for p in chosen if p.row.metric == metric]
            if chosen:
                lines.append(f"| {source} | {metric} | {_latency_cells(chosen)} |")
    total = len(found) + len(unpredicted)
    lines.append(f"\nlatency rows: {total}; predicted: {len(found)} ({_share(len(found), total)})")
    reasons = Counter(reason[:140] for _, reason in unpredicted)
    lines += [f"  not predicted ({count}): {reason}" for reason, count in reasons.most_common()]
    if residuals in ("latency", "all"):
        lines += ["", *latency_residual_lines(found)]
    return lines


def latency_residual_lines(found: Sequence[LatencyPrediction]) -> list[str]:
    """One line per latency row, largest |log(predicted/measured)| first."""
    ordered = sorted(found, key=lambda p: -abs(math.log(p.ratio)))
    lines = ["ratio  metric statistic | gpu xN | engine | model weights | in/out load | file:line"]
    for p in ordered:
        r = p.row
        load = f"c{r.concurrency}" if r.concurrency else ""
        load += f" {r.request_rate_rps:g} req/s" if r.request_rate_rps else ""
        lines.append(
            f"{p.ratio:5.2f}  {r.metric} {r.statistic} | {r.gpu} x{r.gpu_count} | {r.engine} "
            f"{r.engine_version or '-'} | {r.model} {r.weights} | {r.input_tokens:g}/"
            f"{r.output_tokens:g} {load} | {r.file}:{r.line}"
        )
    return lines


def _kv_cells(found: Sequence[KvCapacityPrediction], error: str) -> str:
    errors = [e for p in found if (e := getattr(p, error)) is not None]
    if not errors:
        return "0 | – | – | –"
    inside = sum(abs(e) <= KV_GOAL for e in errors) / len(errors)
    return (
        f"{len(errors)} | {statistics.median(errors):+.1%} | "
        f"{statistics.median(abs(e) for e in errors):.1%} | {inside:.0%}"
    )


def kv_capacity_lines(residuals: str | None) -> list[str]:
    """KV tokens, KV pool GiB and weights GiB of the model against every reported start-up,
    per engine; with `residuals` 'kv' or 'all', every row (largest token error first)."""
    found = [predict_kv_capacity(row) for row in load_kv_capacity()]
    lines = [
        "| engine | figure | n | median error | median abs error | within ±10 % |",
        "|---|---|---:|---:|---:|---:|",
    ]
    for engine in sorted({p.row.engine for p in found}):
        of_engine = [p for p in found if p.row.engine == engine]
        for error, label in KV_FIGURES.items():
            lines.append(f"| {engine} | {label} | {_kv_cells(of_engine, error)} |")
    sources = len({p.row.source.split("/blob/")[0] for p in found})
    lines.append(f"\nKV capacity rows: {len(found)} from {sources} sources")
    if residuals in ("kv", "all"):
        lines += ["", "tokens  pool  | gpu xN | engine version | model weights kv | file:line"]
        for p in sorted(found, key=lambda p: -abs(p.token_error)):
            r = p.row
            pool = "   –  " if p.pool_error is None else f"{p.pool_error:+6.1%}"
            lines.append(
                f"{p.token_error:+6.1%} {pool} | {r.gpu} x{r.gpu_count} | {r.engine} "
                f"{r.engine_version} | {r.model} {r.weights} {r.kv_cache} | {r.row_id}"
            )
    return lines


def _has_holdout(path: Path | None) -> bool:
    from gpuatlas.catalog.measurements import holdout_dir

    folder = path if path is not None else holdout_dir()
    return folder.is_file() or any(folder.glob("*.csv"))


if __name__ == "__main__":
    main()
