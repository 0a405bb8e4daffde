"""Whether a result may be pooled and compared. A result is kept and shown either way; one that
is not valid for comparison never reaches a comparison (the store holds it in quarantine and
refuses to release it) and ``gpuatlas bench run`` exits with status 3.

Not valid for comparison:
- no headline value (no successful request, nothing measured), or one that is not a positive
  finite number;
- more than ``FAILURE_RATIO_LIMIT`` (5 %) of the measured requests failed: the survivors are a
  biased sample of a server that was overloaded or broken (MLPerf LoadGen accepts no error at
  all; 5 % leaves room for a rare timeout in a long run);
- the run was interrupted (the load was not held for the planned time);
- the outputs were shorter than asked (mean below ``OUTPUT_SHORTFALL_SHARE`` of the output
  tokens requested: the server stopped at end-of-sequence, ignore_eos refused or not sent),
  so its throughput is not that of the benchmark's lengths; the harness warned and still
  marked such a run comparable, and imports (AIPerf's 3 of 32 tokens) were not checked.
"""

from __future__ import annotations

import math

from gpuatlas.records.result import BenchResult

FAILURE_RATIO_LIMIT = 0.05
OUTPUT_SHORTFALL_SHARE = 0.9  # mean outputs under 90 % of the tokens asked: not comparable
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
    shortfall = output_shortfall(result)
    if shortfall:
        problems.append(shortfall)
    return problems


def output_shortfall(result: BenchResult) -> str:
    """'outputs shorter than requested: mean 3.0 of 32 tokens' when the successful requests
    generated on average less than OUTPUT_SHORTFALL_SHARE of the output tokens asked (from the
    samples, else the tool's output-token summary); '' otherwise, when unknown, or when each
    request asked its own length (a dataset, a spread of lengths)."""
    asked = result.settings.output_tokens
    extra = result.settings.extra
    if not asked or extra.get("dataset") or extra.get("output_tokens_stddev"):
        return ""  # each request asked its own length (a dataset's, a spread's): not compared
    counts = [
        s.output_tokens
        for s in result.samples
        if s.ok and not s.warmup and s.output_tokens is not None
    ]
    summary = result.metrics.get("output_tokens")
    mean = sum(counts) / len(counts) if counts else (summary.mean if summary else None)
    if mean is None or mean >= OUTPUT_SHORTFALL_SHARE * asked:
        return ""
    return (
        f"outputs shorter than requested: mean {mean:.1f} of {asked} tokens (the server "
        "stopped at end-of-sequence), so the throughput is not that of the benchmark's lengths"
    )
