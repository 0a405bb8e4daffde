"""The four verdicts on a ratio interval, and wins/ties/losses counted separately.

A faster: the whole 95% interval of A/B is above 1.05. B faster: the whole interval is below
1/1.05. Roughly equal: the whole interval lies within [1/1.05, 1.05]. Anything else — including
a ratio with no interval at all (a side with a single run) — is inconclusive.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from gpuatlas.statistics import Interval

EQUIVALENCE_BAND = 1.05


class Verdict(StrEnum):
    A_FASTER = "a_faster"
    B_FASTER = "b_faster"
    ROUGHLY_EQUAL = "roughly_equal"
    INCONCLUSIVE = "inconclusive"


def verdict_for(ratio: Interval, band: float = EQUIVALENCE_BAND) -> Verdict:
    """The verdict the interval supports; a point estimate alone supports none."""
    if ratio.low is None or ratio.high is None:
        return Verdict.INCONCLUSIVE
    if ratio.low > band:
        return Verdict.A_FASTER
    if ratio.high < 1.0 / band:
        return Verdict.B_FASTER
    if ratio.low >= 1.0 / band and ratio.high <= band:
        return Verdict.ROUGHLY_EQUAL
    return Verdict.INCONCLUSIVE


def inconclusive_reason(ratio: Interval, band: float = EQUIVALENCE_BAND) -> str | None:
    """Why a ratio is inconclusive, in words; None when it is not."""
    if not ratio.has_interval:
        return "no interval: a side has a single run"
    if verdict_for(ratio, band) is not Verdict.INCONCLUSIVE:
        return None
    return f"the interval crosses the ±{(band - 1) * 100:.0f}% equivalence band"


@dataclass(frozen=True)
class Tally:
    """Per-benchmark verdicts counted separately (never wins alone)."""

    a_wins: int = 0
    b_wins: int = 0
    ties: int = 0
    inconclusive: int = 0

    @property
    def total(self) -> int:
        return self.a_wins + self.b_wins + self.ties + self.inconclusive


def tally(verdicts: Iterable[Verdict]) -> Tally:
    listed = list(verdicts)
    return Tally(
        a_wins=listed.count(Verdict.A_FASTER),
        b_wins=listed.count(Verdict.B_FASTER),
        ties=listed.count(Verdict.ROUGHLY_EQUAL),
        inconclusive=listed.count(Verdict.INCONCLUSIVE),
    )
