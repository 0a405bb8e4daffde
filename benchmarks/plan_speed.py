"""How long `gpuatlas plan` takes over the whole search space (a figure for the README).

Space: every catalog GPU × {1, 2, 4, 8} GPUs × every weight format × every provider and tier,
for the issue's workload (Llama-2-13B, 100 req/s, 512 in / 256 out, p95 TTFT ≤ 500 ms,
p95 TPOT ≤ 50 ms). Prints the cold time (first plan in a fresh process: catalog loading and
estimator caches included) and the warm median of further runs. Goal: < 3 s on 2 cores.

    python benchmarks/plan_speed.py [--repeats 3]
"""

from __future__ import annotations

import argparse
import statistics
import time

from gpuatlas.app.economics_requests import PlanRequest, run_plan
from gpuatlas.catalog.prices import TIERS
from gpuatlas.economics.serving_candidate import Slo

REQUEST = PlanRequest(
    model="meta-llama/Llama-2-13b-hf",
    weights=("all",),
    rps=100.0,
    input_tokens=512,
    output_tokens=256,
    slo=Slo(p95_ttft_ms=500, p95_tpot_ms=50),
    tiers=TIERS,
)


def timed_plan() -> tuple[float, int, int, str]:
    start = time.perf_counter()
    plan = run_plan(REQUEST)
    elapsed = time.perf_counter() - start
    winner = plan.options[0]
    return (
        elapsed,
        plan.candidates,
        plan.simulated,
        (
            f"{winner.replicas} × {winner.label} on {winner.offer_label}, "
            f"${winner.monthly_cost_usd:,.0f}/month"
        ),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    arguments = parser.parse_args()
    cold, candidates, simulated, winner = timed_plan()
    warm = [timed_plan()[0] for _ in range(arguments.repeats)]
    print(
        f"plan search space: {candidates} candidate configurations assessed "
        f"(GPU × count × weight format with a hosting offer), {simulated} simulated"
    )
    print(f"winner: {winner}")
    print(f"cold: {cold:.2f} s   warm median of {len(warm)}: {statistics.median(warm):.2f} s")


if __name__ == "__main__":
    main()
