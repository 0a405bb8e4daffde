"""Whether a result may be pooled and compared. A result is kept and shown either way; one that
is not valid for comparison never reaches a comparison (the store holds it in quarantine and
refuses to release it) and ``gpuatlas bench run`` exits with status 3.

Not valid for comparison:
- no headline value (no successful request, nothing measured), or one that is not a positive
  finite number;
- more than ``FAILURE_RATIO_LIMIT`` (5 %) of the measured requests failed: the survivors are a
  biased sample of a server that was overloaded or broken (MLPerf LoadGen accepts no error at
  all; 5 % leaves room for a rare timeout in a long run);
- the run was interrupted (the load was not held for the planned time).
"""

from __future__ import annotations

import math

from gpuatlas.records.result import BenchResult

FAILURE_RATIO_LIMIT = 0.05
PER_REQUEST_METRICS = ("ttft_ms", "e2e_ms", "output_tokens")


def failure_counts(result: BenchResult) -> tuple[int, int]:
    """(failed, attempted) measured requests: from the samples, else from the tool's counts."""
    measured = [sample for sample in result.samples if not sample.warmup]
    if measured:
        return sum(1 for sample in measured if not sample.ok), len(measured)
    failed = sum(result.failures.values())
    succeeded = max(
        (result.metrics[name].n for name in PER_REQUEST_METRICS if name in result.metrics),
        default=0,
    )
    return failed, failed + succeeded


def comparability_problems(result: BenchResult) -> list[str]:
    """Why a result is not valid for comparison; empty when it is."""
    problems = []
    value = result.headline.value
    if value is None:
        reason = result.headline.reason or "no valid measurement"
        problems.append(f"no headline value: {reason}")
    elif not math.isfinite(value) or value <= 0:
        problems.append(f"headline value {value} is not a positive finite number")
    failed, attempted = failure_counts(result)
    if attempted and failed / attempted > FAILURE_RATIO_LIMIT:
        problems.append(
            f"{failed} of {attempted} requests failed "
            f"({100 * failed / attempted:.0f}% > {100 * FAILURE_RATIO_LIMIT:.0f}%)"
        )
    if result.interrupted:
        problems.append("interrupted before the planned end")
    return problems
