"""How fast the estimator predicts many cases: the Python API and `predict --cases FILE.csv`.

Builds 100,000 LLM cases over 500 configurations (GPU x count x model x weights x engine)
with random batch sizes, lengths and metrics, and times on one core:

1. `predict_llm_many` (the Python API, what the capacity planner calls);
2. the CSV batch mode end to end: the same cases written to a CSV file with 2 % of rows naming
   a misspelt GPU or model (errors with close-match suggestions) and 1 % diffusion rows, then
   the `gpuatlas predict --cases FILE.csv` command's function (read, parse, predict, write CSV);
3. the whole command as a user runs it: `gpuatlas predict --cases FILE.csv -o OUT.csv` as a
   fresh process on one core (start-up, imports, the same work, writing the file), its CPU time
   (user + system) and wall time, after one unmeasured run that fills gpuatlas's on-disk caches
   and the bytecode an installed copy has (PYTHONPYCACHEPREFIX where PYTHONDONTWRITEBYTECODE is
   set, as benchmarks/cli_latency.py does).

Goal: each under 2 s. Run: `python benchmarks/estimate_speed.py [--cases N] [--configs M]`.
"""

from __future__ import annotations

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")

import argparse  # noqa: E402
import csv  # noqa: E402
import random  # noqa: E402
import resource  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

from gpuatlas.catalog.gpus import all_gpus  # noqa: E402
from gpuatlas.catalog.models import all_llms  # noqa: E402
from gpuatlas.cli.predict_batch import _run_cases  # noqa: E402
from gpuatlas.performance.cases import Case  # noqa: E402
from gpuatlas.performance.engine_profiles import all_engines  # noqa: E402
from gpuatlas.performance.llm.memory import clear_fitting_cache  # noqa: E402
from gpuatlas.performance.llm.offload_speed import clear_split_cache  # noqa: E402
from gpuatlas.performance.llm.predict import clear_runtime_caches  # noqa: E402
from gpuatlas.performance.llm.vectorised import VECTOR_METRICS, predict_llm_many  # noqa: E402

FORMATS = ("fp16", "bf16", "fp8", "awq-int4", "q4_k_m", "q8_0")


def configurations(count: int, rng: random.Random) -> list[tuple[str, int, str, str, str]]:
    gpus = [g.id for g in all_gpus() if g.memory_bandwidth_gb_s and g.bf16_dense_tflops]
    models = [m.id for m in all_llms()]
    engines = [e for e in all_engines() if any(e.supports_format(f) for f in FORMATS)]
    found: list[tuple[str, int, str, str, str]] = []
    while len(found) < count:
        engine = rng.choice(engines)  # an engine that runs none of FORMATS (MLC) is left out
        weights = rng.choice([f for f in FORMATS if engine.supports_format(f)])
        found.append(
            (rng.choice(gpus), rng.choice((1, 1, 2, 4, 8)), rng.choice(models), weights, engine.id)
        )
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
        cases.append(
            Case(
                gpu,
                count,
                model,
                weights,
                engine,
                batch,  # type: ignore[arg-type]
                rng.choice((128, 512, 1024, 2048, 8192)),
                rng.choice((64, 128, 256, 1024)),
                metric,
            )
        )
    return cases


CSV_HEADER = (
    "gpu",
    "gpu_count",
    "model",
    "weights",
    "engine",
    "batch",
    "input_tokens",
    "output_tokens",
    "metric",
    "resolution",
    "steps",
)
DIFFUSION_ROWS = (
    ("rtx-4090", "sdxl", "fp16"),
    ("h100-sxm", "flux.1-dev", "bf16"),
    ("a100-80gb-sxm", "sd-1.5", "fp16"),
)


TYPO_GPUS = ("rtx4090x", "h100 sxm6", "a100-90gb", "l40z", "rtx-5900")
TYPO_MODELS = ("llama-3.1-8b-typo", "qwen3-8bb", "mistral-7b-v9", "gpt-oss-20", "lama-3-70b")


def case_row(case: Case, rng: random.Random) -> list[str]:
    """A case as a CSV row; 2 % name a misspelt GPU or model (five of each, as a user's file
    repeats its few mistakes), 1 % are diffusion rows."""
    draw = rng.random()
    if draw < 0.01:
        gpu, model, weights = rng.choice(DIFFUSION_ROWS)
        return [
            gpu,
            "1",
            model,
            weights,
            "diffusers",
            rng.choice(("1", "4")),
            "",
            "",
            "image_s",
            rng.choice(("512x512", "1024x1024")),
            rng.choice(("20", "30", "50")),
        ]
    gpu, model = case.gpu, case.model
    if draw < 0.02:
        gpu = rng.choice(TYPO_GPUS)
    elif draw < 0.03:
        model = rng.choice(TYPO_MODELS)
    return [
        gpu,
        str(case.gpu_count),
        model,
        case.weights,
        case.engine,
        str(case.batch),
        str(case.input_tokens),
        str(case.output_tokens),
        case.metric,
        "",
        "",
    ]


def write_cases_csv(cases: list[Case], path: Path, seed: int = 11) -> None:
    rng = random.Random(seed)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(CSV_HEADER)
        writer.writerows(case_row(case, rng) for case in cases)


def time_csv(cases: list[Case], repeats: int) -> None:
    """The `predict --cases` command's function on a CSV of the cases, end to end; the best
    of `repeats` runs (each building every configuration afresh), wall clock and CPU time."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "cases.csv"
        write_cases_csv(cases, path)
        warm = Path(folder) / "warm.csv"
        write_cases_csv(cases[:20], warm)
        _run_cases(warm, as_json=False)  # parse the catalog files once per process
        walls, cpus = [], []
        for _ in range(repeats):
            clear_runtime_caches()
            clear_split_cache()  # the llama.cpp/Ollama splits a batch remembers
            clear_fitting_cache()  # and the sequence counts that fit
            wall, cpu = time.perf_counter(), time.process_time()
            text, _, _ = _run_cases(path, as_json=False)
            walls.append(time.perf_counter() - wall)
            cpus.append(time.process_time() - cpu)
    rows = list(csv.DictReader(text.splitlines()))
    errors = sum(1 for row in rows if row["error"])
    print(
        f"CSV batch mode (predict --cases): {len(rows):,} rows, {errors:,} with an error, "
        f"best of {repeats}: {min(walls):.3f} s wall, {min(cpus):.3f} s CPU on one core = "
        f"{len(rows) / min(walls):,.0f} rows/s (goal: 100,000 in < 2 s)"
    )


def command_environment() -> dict[str, str]:
    """One core for NumPy, and compiled bytecode as an installed copy has it."""
    environment = {**os.environ, "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"}
    environment["MKL_NUM_THREADS"] = "1"
    if environment.pop("PYTHONDONTWRITEBYTECODE", None):
        folder = Path(tempfile.gettempdir()) / "gpuatlas-cli-latency-pycache"
        environment.setdefault("PYTHONPYCACHEPREFIX", str(folder))
    return environment


def run_command(arguments: list[str], environment: dict[str, str]) -> tuple[float, float]:
    """Wall and CPU (user + system) seconds of one run as a fresh process; exits when the
    command fails (a failing command is fast; status 1 says rows without a prediction, which
    the benchmark's file has by design)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    wall = time.perf_counter()
    result = subprocess.run(arguments, capture_output=True, text=True, env=environment)
    wall = time.perf_counter() - wall
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if result.returncode not in (0, 1):  # 1: some rows have no prediction (answered whole)
        sys.exit(f"{' '.join(arguments)} failed:\n{result.stderr[-2000:]}")
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def time_command(cases: list[Case], repeats: int) -> None:
    """`gpuatlas predict --cases FILE.csv -o OUT.csv` as a user runs it: the best of `repeats`
    fresh processes after one warm-up run."""
    with tempfile.TemporaryDirectory() as folder:
        path, output = Path(folder) / "cases.csv", Path(folder) / "predicted.csv"
        write_cases_csv(cases, path)
        arguments = [sys.executable, "-m", "gpuatlas.cli.main", "predict", "--cases", str(path)]
        arguments += ["-o", str(output)]
        environment = command_environment()
        run_command(arguments, environment)  # fills the on-disk caches and the bytecode
        runs = [run_command(arguments, environment) for _ in range(repeats)]
        rows = output.read_text(encoding="utf-8").count("\n") - 1
    wall, cpu = min(run[0] for run in runs), min(run[1] for run in runs)
    print(
        f"whole command (gpuatlas predict --cases FILE.csv -o OUT.csv, fresh process): "
        f"{rows:,} rows, best of {repeats}: {wall:.3f} s wall, {cpu:.3f} s CPU "
        f"(goal: 100,000 in < 2 s)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--configs", type=int, default=500)
    parser.add_argument("--repeats", type=int, default=3)
    arguments = parser.parse_args()
    cases = make_cases(arguments.cases, arguments.configs)
    clear_runtime_caches()
    predict_llm_many(make_cases(10, 5, seed=99))  # parse the catalog files once per process
    clear_runtime_caches()  # the timed run builds every configuration's runtime itself
    clear_split_cache()
    start = time.perf_counter()
    values = predict_llm_many(cases)
    elapsed = time.perf_counter() - start
    predicted = int(np.isfinite(values).sum())
    print(f"cases: {len(cases):,} over {arguments.configs} configurations")
    print(f"predicted: {predicted:,} (the rest do not fit or are invalid: NaN)")
    print(
        f"Python API (predict_llm_many): {elapsed:.3f} s on one core = "
        f"{len(cases) / elapsed:,.0f} cases/s (goal: 100,000 in < 2 s)"
    )
    time_csv(cases, arguments.repeats)
    time_command(cases, arguments.repeats)


if __name__ == "__main__":
    main()
