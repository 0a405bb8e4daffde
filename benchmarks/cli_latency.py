"""CPU time of everyday commands, beside the Python interpreter's own start-up.

Each command runs as a fresh process (what a user's shell does) `--repeats` times; the figure is
the median user+system CPU time of the process (wall time varies with the machine's load, CPU
time much less). Goals (issue 13): `--help` and `--version` under 0.15 s of CPU, catalog
commands (`gpus`, `gpu show`, `prices`) under 0.3 s, `compare` under 1 s warm.

    python benchmarks/cli_latency.py [--repeats 5]
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys

COMMANDS: tuple[tuple[str, list[str]], ...] = (
    ("python -c pass", [sys.executable, "-c", "pass"]),
    ("gpuatlas --version", ["gpuatlas", "--version"]),
    ("gpuatlas --help", ["gpuatlas", "--help"]),
    ("gpuatlas gpus", ["gpuatlas", "gpus"]),
    ("gpuatlas gpu show rtx-4090", ["gpuatlas", "gpu", "show", "rtx-4090"]),
    ("gpuatlas prices rtx-4090", ["gpuatlas", "prices", "rtx-4090"]),
    ("gpuatlas compare a100-80gb-sxm rtx-4090",
     ["gpuatlas", "compare", "a100-80gb-sxm", "rtx-4090"]),
)


def child_cpu_seconds(command: list[str]) -> float:
    """User+system CPU time of one run of the command (and its children)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False,
                   env={**os.environ, "COLUMNS": "80"})
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    arguments = parser.parse_args()
    if shutil.which("gpuatlas") is None:
        sys.exit("gpuatlas is not on PATH: pip install -e . first")
    print(f"{'command':45} {'median CPU s':>12} {'min':>7} {'max':>7}")
    for label, command in COMMANDS:
        child_cpu_seconds(command)  # warm the file cache (and the report's data) once
        times = [child_cpu_seconds(command) for _ in range(arguments.repeats)]
        print(f"{label:45} {statistics.median(times):12.3f} {min(times):7.3f} {max(times):7.3f}")


if __name__ == "__main__":
    main()
