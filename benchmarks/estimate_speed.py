"""How fast the estimator predicts many cases (the capacity planner's inner loop).

Builds 100,000 LLM cases over 500 configurations (GPU x count x model x weights x engine)
with random batch sizes, lengths and metrics, and times `predict_llm_many` on one core.
Goal: under 2 s. Run: `python benchmarks/estimate_speed.py [--cases N] [--configs M]`.
"""

from __future__ import annotations

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")

import argparse  # noqa: E402
import random  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402

from gpuatlas.catalog.gpus import all_gpus  # noqa: E402
from gpuatlas.catalog.models import all_llms  # noqa: E402
from gpuatlas.estimate.cases import Case  # noqa: E402
from gpuatlas.estimate.engines import all_engines  # noqa: E402
from gpuatlas.estimate.llm_speed import clear_runtime_cache  # noqa: E402
from gpuatlas.estimate.vectorised import VECTOR_METRICS, predict_llm_many  # noqa: E402

FORMATS = ("fp16", "bf16", "fp8", "awq-int4", "q4_k_m", "q8_0")


def configurations(count: int, rng: random.Random) -> list[tuple[str, int, str, str, str]]:
    gpus = [g.id for g in all_gpus() if g.memory_bandwidth_gb_s and g.bf16_dense_tflops]
    models = [m.id for m in all_llms()]
    found: list[tuple[str, int, str, str, str]] = []
    while len(found) < count:
        engine = rng.choice(all_engines())
        weights = rng.choice([f for f in FORMATS if engine.supports_format(f)])
        found.append((rng.choice(gpus), rng.choice((1, 1, 2, 4, 8)), rng.choice(models),
                      weights, engine.id))
    return found


def make_cases(total: int, config_count: int, seed: int = 7) -> list[Case]:
    rng = random.Random(seed)
    configs = configurations(config_count, rng)
    cases = []
    for _ in range(total):
        gpu, count, model, weights, engine = rng.choice(configs)
        batch: int | str = rng.choice((1, 2, 4, 8, 16, 32, 64, 128, "max"))
        metric = rng.choice(VECTOR_METRICS)
        if batch == "max":
            metric = "serving_output_tok_s"
        cases.append(Case(gpu, count, model, weights, engine, batch,  # type: ignore[arg-type]
                          rng.choice((128, 512, 1024, 2048, 8192)),
                          rng.choice((64, 128, 256, 1024)), metric))
    return cases


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--configs", type=int, default=500)
    arguments = parser.parse_args()
    cases = make_cases(arguments.cases, arguments.configs)
    clear_runtime_cache()
    predict_llm_many(make_cases(10, 5, seed=99))  # parse the catalog files once per process
    clear_runtime_cache()  # the timed run builds every configuration's runtime itself
    start = time.perf_counter()
    values = predict_llm_many(cases)
    elapsed = time.perf_counter() - start
    predicted = int(np.isfinite(values).sum())
    print(f"cases: {len(cases):,} over {arguments.configs} configurations")
    print(f"predicted: {predicted:,} (the rest do not fit or are invalid: NaN)")
    print(f"time: {elapsed:.3f} s on one core = {len(cases) / elapsed:,.0f} cases/s "
          f"(goal: 100,000 in < 2 s)")


if __name__ == "__main__":
    main()
