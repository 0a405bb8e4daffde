"""Cross-validation of the calibrated models, and the error bands it gives.

Leave-one-GPU-out: for each GPU, fit on every other GPU's rows and predict this GPU's rows
(what a user sees for a GPU the calibration has not measured). Leave-one-source-out: for each
source, fit on every other source's rows and predict this source's rows (what a user sees for a
publication, with its own setup and method, the calibration has never read). A *source* is the
publication a row cites, not the row: the GitHub repository, or the issue / pull request /
discussion thread of a repository, or the web page (URL without query or fragment); see
`source_key`. The roofline baseline predicts the same rows at 100 % of peak, no overheads.
"""

from __future__ import annotations

import hashlib
import math
import multiprocessing
import re
import statistics
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import gpuatlas.performance
from gpuatlas.calibration.fitting import (
    BAND_QUANTILE,
    MIN_LOG_BAND,
    Observation,
    fit_calibration,
    log_error,
    observations,
)
from gpuatlas.catalog.measurements import MeasuredRow
from gpuatlas.errors import GpuAtlasError
from gpuatlas.performance.calibration_table import (
    DEFAULT_LOG_BAND,
    EXTRAPOLATION_WIDENING,
    FITTED_TERM_FIELDS,
    METRIC_KINDS,
    Calibration,
    using_calibration,
)
from gpuatlas.performance.cases import predict_case
from gpuatlas.performance.engine_profiles import all_engines, engine_overheads_off
from gpuatlas.performance.sustained_clocks import datasheet_peaks


@dataclass(frozen=True)
class Prediction:
    observation: Observation
    predicted: float
    extrapolated: bool = False  # the estimate was flagged extrapolated (its range is wider)

    @property
    def log_error(self) -> float:
        return log_error(self.observation, self.predicted)

    @property
    def ape(self) -> float:
        """Absolute percentage error of the prediction against the measurement."""
        return abs(self.predicted - self.observation.row.value) / self.observation.row.value


def predict_all(items: Sequence[Observation], calibration: Calibration) -> list[Prediction]:
    """Each item's prediction under `calibration`; items the model cannot predict are left
    out (see `unpredictable` for why)."""
    predictions = []
    with using_calibration(calibration):
        for item in items:
            try:
                estimate = predict_case(item.case)
            except GpuAtlasError:
                continue
            predictions.append(Prediction(item, estimate.value, estimate.extrapolated))
    return predictions


def inside_range(prediction: Prediction, errors: dict[str, dict[str, float]]) -> bool:
    """Whether the measurement lies in the range a calibration with these error bands would
    print around this prediction (value·exp(±band), widened when extrapolated)."""
    kind = METRIC_KINDS[prediction.observation.row.metric]
    record = errors.get(kind)
    band = float(record["log_band"]) if record else DEFAULT_LOG_BAND
    width = band * (EXTRAPOLATION_WIDENING if prediction.extrapolated else 1.0)
    return abs(prediction.log_error) <= width + 1e-12


def share_inside(predictions: Sequence[Prediction], errors: dict[str, dict[str, float]]) -> float:
    if not predictions:
        return math.nan
    return sum(inside_range(p, errors) for p in predictions) / len(predictions)


def leave_one_gpu_out(rows: Sequence[MeasuredRow], base: Calibration) -> list[Prediction]:
    return cross_validate(rows, base, gpu_key).predictions


def leave_one_source_out(rows: Sequence[MeasuredRow], base: Calibration) -> list[Prediction]:
    return cross_validate(rows, base, source_of).predictions


@dataclass(frozen=True)
class CrossValidation:
    """Held-out predictions and, per held-out group, the calibration fitted without it."""

    predictions: list[Prediction]
    fitted_by_group: dict[str, Calibration]
    group_of: Callable[[MeasuredRow], str]


def cross_validate(
    rows: Sequence[MeasuredRow],
    base: Calibration,
    group_of: Callable[[MeasuredRow], str],
    jobs: int = 1,
) -> CrossValidation:
    """Leave one group out (groups by `group_of`: `gpu_key`, `source_of`): each group's rows
    are predicted by a calibration fitted on every other group's rows only. The folds' fits
    run in `jobs` processes (each fit is independent; the result does not depend on it)."""
    items = observations(rows)
    groups = sorted({group_of(row) for row in rows})
    fitted_by_group = dict(
        zip(groups, fits_without(rows, base, group_of, groups, jobs), strict=True)
    )
    predictions: list[Prediction] = []
    for group in groups:
        held_out = [item for item in items if group_of(item.row) == group]
        predictions += predict_all(held_out, fitted_by_group[group])
    return CrossValidation(predictions, fitted_by_group, group_of)


def fit_without(
    rows: Sequence[MeasuredRow],
    base: Calibration,
    group_of: Callable[[MeasuredRow], str],
    group: str,
) -> Calibration:
    """The calibration fitted on every row outside `group`."""
    training = [row for row in rows if group_of(row) != group]
    return fit_calibration(training, base, version=f"cv-without-{group}")


def fits_without(
    rows: Sequence[MeasuredRow],
    base: Calibration,
    group_of: Callable[[MeasuredRow], str],
    groups: Sequence[str],
    jobs: int = 1,
) -> list[Calibration]:
    """`fit_without` for each group, in order, in up to `jobs` forked worker processes."""
    if jobs <= 1 or len(groups) <= 1 or "fork" not in multiprocessing.get_all_start_methods():
        return [fit_without(rows, base, group_of, group) for group in groups]
    with ProcessPoolExecutor(
        max_workers=min(jobs, len(groups)),
        mp_context=multiprocessing.get_context("fork"),
        initializer=_hold_fold_inputs,
        initargs=(rows, base, group_of),
    ) as pool:
        return list(pool.map(_fit_held_group, groups))


_FOLD_INPUTS: list[tuple[Sequence[MeasuredRow], Calibration, Callable[[MeasuredRow], str]]] = []


def _hold_fold_inputs(
    rows: Sequence[MeasuredRow], base: Calibration, group_of: Callable[[MeasuredRow], str]
) -> None:
    """Worker start: keep the fold inputs (inherited by the fork, never pickled)."""
    _FOLD_INPUTS.append((rows, base, group_of))


def _fit_held_group(group: str) -> Calibration:
    rows, base, group_of = _FOLD_INPUTS[-1]
    return fit_without(rows, base, group_of, group)


def gpu_key(row: MeasuredRow) -> str:
    return row.gpu


_URL = re.compile(r"https?://[^\s()\"']+")
_GITHUB_THREAD = re.compile(
    r"^github\.com/([^/]+/[^/]+)(?:/(issues|pull|discussions)/(\d+))?", re.IGNORECASE
)


def source_key(source: str) -> str:
    """The publication a `source` text cites: 'github.com/owner/repo' for anything in a
    repository's tree (README, docs, notebooks, at any commit), 'github.com/owner/repo/
    discussions/N' (or issues/N, pull/N) for a thread, else the first URL's host and path
    (no scheme, query, fragment or trailing slash); a text without a URL is its part before
    ' (' (e.g. a seed page's name)."""
    found = _URL.search(source)
    if found is None:
        return source.split(" (")[0].strip().lower()
    address = found.group(0).split("#")[0].split("?")[0].rstrip("/.,;")
    address = re.sub(r"^https?://(www\.)?", "", address)
    thread = _GITHUB_THREAD.match(address)
    if thread is not None:
        repository, kind, number = thread.groups()
        tail = f"/{kind}/{number}" if kind else ""
        return f"github.com/{repository.lower()}{tail}"
    host, _, path = address.partition("/")
    return f"{host.lower()}/{path}".rstrip("/")


def source_of(row: MeasuredRow) -> str:
    return source_key(row.source)


def roofline_calibration(base: Calibration) -> Calibration:
    """Every efficiency 1.0 and no overheads: the '100 % of peak' baseline. The terms a fit
    sets from rows beyond the groups (shares of a rate, times per layer) are left at their
    hand-set priors, so the baseline is the same whichever calibration it starts from."""
    ones = {family: 1.0 for family in base.eta_memory_prior_by_family}
    groups: dict[str, dict[str, float]] = {}
    for kind in ("decode", "prefill", "serving", "image", "train", "vision"):
        for engine in (
            *(profile.id for profile in all_engines()),
            "diffusers",
            "diffusers-compiled",
            "tensorrt",
            "pytorch",
        ):
            groups[f"{kind}|{engine}|*|*"] = {
                "eta_memory": 1.0,
                "eta_compute": 1.0,
                "step_overhead_ms": 0.0,
                "factor": 1.0,
            }
    return replace(
        base,
        version="roofline-100pct",
        eta_memory_prior_by_family=ones,
        eta_compute_prior_by_family=ones,
        groups=groups,
        errors={},
        covered={},
        **_at_their_priors(),
    )


def _at_their_priors() -> dict[str, Any]:
    """Every term a fit sets beyond the groups, empty: each falls back to its prior."""
    return {name: {} for name in FITTED_TERM_FIELDS}


def roofline_predictions(items: Sequence[Observation], base: Calibration) -> list[Prediction]:
    """The pure roofline: 100 % of peak and no fixed costs, not even the engine profiles'."""
    with engine_overheads_off(), datasheet_peaks():
        return predict_all(items, roofline_calibration(base))


def percentile(values: Sequence[float], share: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return math.nan
    position = min(len(ordered) - 1, max(0, math.ceil(share * len(ordered)) - 1))
    return ordered[position]


def error_summary(predictions: Sequence[Prediction]) -> dict[str, dict[str, float]]:
    """Per kind: n, median and p90 APE, and the log band covering BAND_QUANTILE of errors."""
    by_kind: dict[str, list[Prediction]] = {}
    for prediction in predictions:
        by_kind.setdefault(prediction.observation.kind, []).append(prediction)
    summary = {}
    for kind, found in sorted(by_kind.items()):
        apes = [p.ape for p in found]
        logs = [abs(p.log_error) for p in found]
        summary[kind] = {
            "n": float(len(found)),
            "median_ape": statistics.median(apes),
            "p90_ape": percentile(apes, 0.9),
            "log_band": max(MIN_LOG_BAND, percentile(logs, BAND_QUANTILE)),
        }
    return summary


def rows_digest(rows: Sequence[MeasuredRow]) -> str:
    """A short content hash of the measured rows (part of the calibration version)."""
    text = "\n".join(f"{r.row_id}|{r.gpu}|{r.model}|{r.metric}|{r.value}" for r in rows)
    return hashlib.sha256(text.encode()).hexdigest()[:8]


def model_code_digest() -> str:
    """A short hash of the performance models' code and engine profiles (part of the version),
    so a model change yields a new calibration version even when the data is unchanged.

    It covers the `gpuatlas.performance` package as a whole (every module, at any depth) and
    its engine profiles and model constants (data/engines.toml, data/model_constants.toml);
    economics and the calibration's own code are other packages."""
    folder = Path(gpuatlas.performance.__file__).resolve().parent
    files = sorted(
        [
            *folder.rglob("*.py"),
            folder / "data" / "engines.toml",
            folder / "data" / "model_constants.toml",
        ]
    )
    digest = hashlib.sha256()
    for path in files:
        digest.update(path.relative_to(folder).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:6]


def honest_errors(
    by_source: Sequence[Prediction], by_gpu: Sequence[Prediction]
) -> dict[str, dict[str, float]]:
    """Per kind: the leave-one-source-out figures (n, median, p90), with the wider of the two
    cross-validations' log bands, so a range covers both an unmeasured GPU and an unread
    source."""
    errors = error_summary(by_source)
    for kind, values in error_summary(by_gpu).items():
        if kind in errors:
            errors[kind]["log_band"] = max(errors[kind]["log_band"], values["log_band"])
        else:
            errors[kind] = values
    return errors


def calibrate(
    rows: Sequence[MeasuredRow], base: Calibration, date: str, jobs: int = 1
) -> Calibration:
    """Fit on every row; bands from the cross-validated errors (`honest_errors`): what a user
    sees for a GPU or a source the calibration has not measured. The folds run in `jobs`
    processes.

    The version is `<date>.<hash of the measured rows>.<hash of the model code>`."""
    loso = cross_validate(rows, base, source_of, jobs).predictions
    logo = cross_validate(rows, base, gpu_key, jobs).predictions
    return calibrated(rows, base, date, loso, logo)


def calibrated(
    rows: Sequence[MeasuredRow],
    base: Calibration,
    date: str,
    loso: Sequence[Prediction],
    logo: Sequence[Prediction],
) -> Calibration:
    """`calibrate`'s answer from folds already run (leave-one-source-out and leave-one-GPU-out
    predictions of the same rows from the same base): the accuracy report reuses its folds."""
    version = f"{date}.{rows_digest(rows)}.{model_code_digest()}"
    fitted = fit_calibration(rows, base, version=version)
    return replace(fitted, errors=honest_errors(loso, logo))
