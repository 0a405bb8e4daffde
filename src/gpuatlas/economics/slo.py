"""Latency targets of a serving plan and the lowest request rate one may ask for: light (no
simulation, no models), so the answer layer's request types load without the serving
simulation (`predict --cases` and the other predict commands start faster)."""

from __future__ import annotations

from dataclasses import dataclass

from gpuatlas.numbers import format_number

# The smallest request rate a serving plan is made for: 1e-6 req/s, one request in 11.6 days.
# Below it a plan means nothing, and a rate split over replicas can underflow to 0 (a request
# for 5e-324 req/s divided by zero when the simulation drew its arrival gaps).
MIN_RPS = 1e-6


@dataclass(frozen=True)
class Slo:
    """Latency targets at the 95th percentile; None means no target."""

    p95_ttft_ms: float | None = None
    p95_tpot_ms: float | None = None
    p95_e2e_ms: float | None = None

    def problems(self) -> list[str]:
        named = [
            ("p95 TTFT", self.p95_ttft_ms),
            ("p95 TPOT", self.p95_tpot_ms),
            ("p95 E2E", self.p95_e2e_ms),
        ]
        return [
            f"{name} target must be > 0 ms, got {value:g}"
            for name, value in named
            if value is not None and value <= 0
        ]

    def describe(self) -> str:
        parts = [
            f"{name} ≤ {format_number(value, 'ms')}"
            for name, value in self._named()
            if value is not None
        ]
        return ", ".join(parts) or "no latency target"

    def _named(self) -> list[tuple[str, float | None]]:
        return [
            ("p95 TTFT", self.p95_ttft_ms),
            ("p95 TPOT", self.p95_tpot_ms),
            ("p95 E2E", self.p95_e2e_ms),
        ]
