"""Latency targets of a serving plan and the lowest request rate one may ask for: light (no
simulation, no models), so the answer layer's request types load without the serving
simulation (`predict --cases` and the other predict commands start faster)."""

from __future__ import annotations

from dataclasses import dataclass

from gpuatlas.numbers import format_given, format_number

# The smallest request rate a serving plan is made for: 1e-6 req/s, one request in 11.6 days.
# Below it a plan means nothing, and a rate split over replicas can underflow to 0 (a request
# for 5e-324 req/s divided by zero when the simulation drew its arrival gaps).
MIN_RPS = 1e-6

# The p95 TTFT a capacity plan is sized for when the user names neither a TTFT nor an E2E
# target. Without one, the fewest replicas that keep up run each near saturation and the queue
# grows without bound (p95 TTFT of minutes). Serving practice bounds the first token: MLPerf
# Inference's server scenario for its chat/summarisation LLMs (Llama 2 70B, Mixtral 8x7B,
# Llama 3.1 8B) requires TTFT <= 2 s at the 99th percentile (mlcommons/inference
# loadgen mlperf.conf, e.g. llama2-70b.Server.ttft_latency = 2000 ms; MLPerf Inference v4.0+
# rules). Chosen from that rule, not from any measurement of this project; applied at p95.
DEFAULT_P95_TTFT_MS = 2000.0
DEFAULT_TTFT_SOURCE = "MLPerf Inference's server-scenario LLM limit, TTFT ≤ 2 s at p99"


@dataclass(frozen=True)
class Slo:
    """Latency targets at the 95th percentile; None means no target."""

    p95_ttft_ms: float | None = None
    p95_tpot_ms: float | None = None
    p95_e2e_ms: float | None = None
    default_ttft: bool = False  # True: p95_ttft_ms is DEFAULT_P95_TTFT_MS, not the user's

    def problems(self) -> list[str]:
        named = [
            ("p95 TTFT", self.p95_ttft_ms),
            ("p95 TPOT", self.p95_tpot_ms),
            ("p95 E2E", self.p95_e2e_ms),
        ]
        problems = [
            f"{name} target must be > 0 ms, got {value:g}"
            for name, value in named
            if value is not None and value <= 0
        ]
        ttft, e2e = self.p95_ttft_ms, self.p95_e2e_ms
        if not problems and ttft is not None and e2e is not None and e2e < ttft:
            problems.append(
                f"p95 E2E target ({format_given(e2e)} ms) is below the p95 TTFT target "
                f"({format_given(ttft)} ms): a request ends after its first token, so no "
                "setup meets both; raise --p95-e2e-ms or lower --p95-ttft-ms"
            )
        return problems

    def targets_text(self) -> str:
        """'p95 TTFT ≤ 2,000 ms, p95 TPOT ≤ 100 ms': the targets alone, without where a
        default came from (`describe` says that, with the CLI option that changes it)."""
        parts = [
            f"{name} ≤ {format_number(value, 'ms')}"
            for name, value in self._named()
            if value is not None
        ]
        return ", ".join(parts) or "no latency target"

    def describe(self) -> str:
        text = self.targets_text()
        if self.default_ttft:
            return f"{text} (default: {DEFAULT_TTFT_SOURCE}; --p95-ttft-ms sets another)"
        return text

    def _named(self) -> list[tuple[str, float | None]]:
        return [
            ("p95 TTFT", self.p95_ttft_ms),
            ("p95 TPOT", self.p95_tpot_ms),
            ("p95 E2E", self.p95_e2e_ms),
        ]


def planning_slo(slo: Slo) -> Slo:
    """The targets a capacity plan is sized for: `slo`, with the default p95 TTFT
    (DEFAULT_P95_TTFT_MS) added when it bounds neither TTFT nor E2E latency; otherwise nothing
    bounds the queue, and the fewest replicas that keep up serve at ~100 % utilisation."""
    if slo.p95_ttft_ms is not None or slo.p95_e2e_ms is not None:
        return slo
    return Slo(DEFAULT_P95_TTFT_MS, slo.p95_tpot_ms, None, default_ttft=True)
