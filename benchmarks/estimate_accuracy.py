"""Accuracy of the estimator on the project's measured data set.

Leave-one-GPU-out cross-validation: for each GPU, the calibration is fitted on every other
GPU's rows and predicts this GPU's rows (what a user sees for an unmeasured GPU). Beside it,
a pure roofline at 100 % of peak (no efficiencies, no overheads) predicts the same rows.
Prints median and 90th-percentile absolute percentage error per kind of case, the share of
measurements inside the predicted range, and writes a predicted-vs-measured plot.

Run: `python benchmarks/estimate_accuracy.py [--plot FILE.png] [--data DIR] [--residuals KIND]`
(the plot goes to docs/estimate_accuracy.png by default).
"""

from __future__ import annotations

import argparse
import math
import statistics
from collections.abc import Sequence
from pathlib import Path

from gpuatlas.catalog.measurements import load_measurements
from gpuatlas.errors import GpuAtlasError
from gpuatlas.estimate.calibration import (
    Calibration,
    calibration_text,
    parse_calibration,
    using_calibration,
)
from gpuatlas.estimate.cases import predict_case
from gpuatlas.estimate.fit import fit_calibration, observations
from gpuatlas.estimate.validation import (
    Prediction,
    error_summary,
    leave_one_gpu_out,
    percentile,
    roofline_predictions,
)

KIND_LABELS = {
    "decode": "LLM decode, single stream (llm-single)",
    "prefill": "LLM prefill / static TTFT",
    "serving": "LLM serving throughput (llm-serving)",
    "serving_ttft": "LLM TTFT under load (not modelled)",
    "image": "diffusion s/image, images/min (image)",
    "vision": "vision-language images/min (vision)",
    "train": "training tokens/s",
}
GOALS = {"decode": 0.10, "prefill": 0.15, "serving": 0.15, "image": 0.15}


def band_coverage(rows: Sequence[Prediction], fitted_by_gpu: dict[str, Calibration]) -> float:
    """Share of measurements inside the [low, high] the held-out calibration predicts."""
    inside = 0
    for prediction in rows:
        observation = prediction.observation
        with using_calibration(fitted_by_gpu[observation.row.gpu]):
            try:
                estimate = predict_case(observation.case)
            except GpuAtlasError:
                continue
        inside += estimate.low <= observation.row.value <= estimate.high
    return inside / len(rows) if rows else float("nan")


def cv_calibrations(rows: Sequence, base: Calibration) -> dict[str, Calibration]:  # type: ignore[type-arg]
    """The held-out fit for each GPU, with the full data set's bands (as shipped)."""
    full_bands = error_summary(leave_one_gpu_out(rows, base))
    fitted = {}
    for gpu in sorted({row.gpu for row in rows}):
        calibration = fit_calibration([r for r in rows if r.gpu != gpu], base, f"cv-{gpu}")
        fitted[gpu] = Calibration(**{**calibration.__dict__, "errors": full_bands})
    return fitted


def table(cv: Sequence[Prediction], roofline: Sequence[Prediction],
          coverage: dict[str, float]) -> list[str]:
    cv_summary, roof_summary = error_summary(cv), error_summary(roofline)
    lines = [
        "| case kind | n | median APE (CV) | p90 APE (CV) | in range | roofline median | "
        "roofline p90 | goal |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for kind, label in KIND_LABELS.items():
        if kind not in cv_summary:
            continue
        ours, roof = cv_summary[kind], roof_summary.get(kind, {})
        goal = f"≤ {GOALS[kind]:.0%}" if kind in GOALS else ""
        lines.append(
            f"| {label} | {int(ours['n'])} | {ours['median_ape']:.1%} | {ours['p90_ape']:.1%} | "
            f"{coverage.get(kind, float('nan')):.0%} | {roof.get('median_ape', float('nan')):.1%} "
            f"| {roof.get('p90_ape', float('nan')):.1%} | {goal} |"
        )
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


def plot(cv: Sequence[Prediction], roofline: Sequence[Prediction], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(1, 2, figsize=(12, 5.5), sharex=True, sharey=True)
    for axis, found, title in ((axes[0], cv, "GPU Atlas (leave-one-GPU-out)"),
                               (axes[1], roofline, "roofline at 100 % of peak")):
        kinds = sorted({p.observation.kind for p in found})
        for kind in kinds:
            points = [p for p in found if p.observation.kind == kind]
            ratio_x = [_rate(p, p.observation.row.value) for p in points]
            ratio_y = [_rate(p, p.predicted) for p in points]
            axis.scatter(ratio_x, ratio_y, s=12, alpha=0.7, label=kind)
        low, high = 1e-2, 1e6
        axis.plot([low, high], [low, high], color="black", linewidth=0.8)
        axis.fill_between([low, high], [low * 0.85, high * 0.85], [low * 1.15, high * 1.15],
                          color="grey", alpha=0.15, label="±15 %")
        axis.set(xscale="log", yscale="log", title=title, xlabel="measured",
                 ylabel="predicted")
        axis.legend(fontsize=8)
    figure.suptitle("Predicted vs measured (higher-is-better units: tok/s, images/min, 1/s)")
    figure.tight_layout()
    figure.savefig(path, dpi=120)


def _rate(prediction: Prediction, value: float) -> float:
    """Plot every metric as a rate so 'higher is better' reads the same way."""
    metric = prediction.observation.row.metric
    return 1.0 / value if metric in ("image_s", "ttft_ms", "tpot_ms") else value


def main() -> None:
    parser = argparse.ArgumentParser(description="Estimator accuracy (leave-one-GPU-out)")
    parser.add_argument("--data", type=Path, default=None, help="measured CSVs (default: packaged)")
    parser.add_argument("--plot", type=Path, default=Path("docs/estimate_accuracy.png"))
    parser.add_argument("--residuals", metavar="KIND", default=None,
                        help="also print every held-out prediction of this kind ('all' for every "
                             "kind), worst first: GPU, engine and version, model, lengths, ratio")
    arguments = parser.parse_args()
    rows = load_measurements(arguments.data)
    base = parse_calibration(calibration_text())
    cv = leave_one_gpu_out(rows, base)
    roofline = roofline_predictions(observations(rows), base)
    fitted = cv_calibrations(rows, base)
    coverage = {
        kind: band_coverage([p for p in cv if p.observation.kind == kind], fitted)
        for kind in KIND_LABELS
    }
    usable = len({p.observation.row.row_id for p in cv})
    print(f"measured rows: {len(rows)}; predictable here: {usable} "
          f"(the rest name models missing from the library or lack lengths)")
    print(f"GPUs: {len({p.observation.row.gpu for p in cv})}; "
          f"overall median APE {statistics.median(p.ape for p in cv):.1%} "
          f"(roofline {statistics.median(p.ape for p in roofline):.1%}); "
          f"p90 {percentile([p.ape for p in cv], 0.9):.1%}")
    print()
    print("\n".join(table(cv, roofline, coverage)))
    if arguments.residuals:
        print()
        print("\n".join(residual_lines(cv, arguments.residuals)))
    plot(cv, roofline, arguments.plot)
    print(f"\nplot: {arguments.plot}")


if __name__ == "__main__":
    main()
