"""CPU time of everyday commands, beside the Python interpreter's own start-up.

Each command runs as a fresh process (what a user's shell does) `--repeats` times after one
unmeasured run that warms the file cache and gpuatlas's own on-disk caches (the parsed catalog);
the figure is the median user+system CPU time of the process (wall time varies with the
machine's load, CPU time much less). A command that fails stops the benchmark: a failing
command is fast and would pass every goal.

Goals (issue 13): `--help` and `--version` under 0.15 s of CPU, catalog commands (`gpus`,
`gpu show`, `prices`) under 0.3 s, `compare` under 1 s warm.

    python benchmarks/cli_latency.py [--repeats 5] [--only gpus] [--cold]

`--cold` turns gpuatlas's parsed-catalog cache off (GPUATLAS_NO_CACHE=1), to see what it saves.

`--instructions` counts the instructions each command executes instead (valgrind's cachegrind,
one run each, `python -m gpuatlas.cli.main` for `gpuatlas`): slow, but the same on a busy
machine, where CPU seconds vary by 2x.

An installed package runs from compiled bytecode. Where PYTHONDONTWRITEBYTECODE is set (CI, some
containers) every run would compile gpuatlas's modules again, so the benchmark gives the commands
a bytecode folder of their own (PYTHONPYCACHEPREFIX, outside the checkout) and measures what a
user's install does; `--no-bytecode` measures with compilation on every run instead.
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
from typing import NamedTuple


class Command(NamedTuple):
    label: str
    arguments: list[str]
    goal_cpu_s: float | None


COMMANDS: tuple[Command, ...] = (
    Command("python -c pass", [sys.executable, "-c", "pass"], None),
    Command("gpuatlas --version", ["gpuatlas", "--version"], 0.15),
    Command("gpuatlas --help", ["gpuatlas", "--help"], 0.15),
    Command("gpuatlas gpus", ["gpuatlas", "gpus"], 0.3),
    Command("gpuatlas gpu show rtx-4090", ["gpuatlas", "gpu", "show", "rtx-4090"], 0.3),
    Command("gpuatlas prices rtx-4090", ["gpuatlas", "prices", "rtx-4090"], 0.3),
    Command(
        "gpuatlas compare a100-80gb-sxm rtx-4090",
        ["gpuatlas", "compare", "a100-80gb-sxm", "rtx-4090"],
        1.0,
    ),
)


def child_cpu_seconds(command: list[str], environment: dict[str, str]) -> float:
    """User+system CPU time of one run of the command (and its children)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(
        command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False, env=environment
    )
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def instructions_millions(command: list[str], environment: dict[str, str]) -> float:
    """Instructions one run executes (cachegrind's "I refs"), in millions."""
    if command[0] == "gpuatlas":
        command = [sys.executable, "-m", "gpuatlas.cli.main", *command[1:]]
    result = subprocess.run(
        [
            "valgrind",
            "--tool=cachegrind",
            "--cache-sim=no",
            "--cachegrind-out-file=/dev/null",
            *command,
        ],
        capture_output=True,
        text=True,
        check=False,
        env=environment,
    )
    match = re.search(r"I\s+refs:\s+([\d,]+)", result.stderr)
    if match is None:
        sys.exit(f"valgrind gave no instruction count for {command}:\n{result.stderr[-2000:]}")
    return int(match.group(1).replace(",", "")) / 1e6


def check_runs(command: Command, environment: dict[str, str]) -> None:
    """Run once (the warm-up); exit with the command's error when it fails."""
    result = subprocess.run(
        command.arguments, capture_output=True, text=True, check=False, env=environment
    )
    if result.returncode != 0:
        sys.exit(
            f"{command.label} failed (exit {result.returncode}); nothing measured:\n"
            + result.stderr[-2000:]
        )


def bytecode_folder() -> str:
    """A bytecode folder for the measured commands, kept between benchmark runs."""
    return os.path.join(tempfile.gettempdir(), "gpuatlas-cli-latency-pycache")


def verdict(median_s: float, goal_s: float | None) -> str:
    if goal_s is None:
        return ""
    return f"< {goal_s:.2f} {'ok' if median_s < goal_s else 'OVER'}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5, help="measured runs per command")
    parser.add_argument("--only", default="", help="only commands whose label contains this")
    parser.add_argument(
        "--cold",
        action="store_true",
        help="turn the parsed-catalog cache off (GPUATLAS_NO_CACHE=1)",
    )
    parser.add_argument(
        "--instructions",
        action="store_true",
        help="count instructions with valgrind instead of timing (one run each)",
    )
    parser.add_argument(
        "--no-bytecode",
        action="store_true",
        help="keep PYTHONDONTWRITEBYTECODE as set (compile on every run)",
    )
    arguments = parser.parse_args()
    if shutil.which("gpuatlas") is None:
        sys.exit("gpuatlas is not on PATH: pip install -e . first")
    environment = {**os.environ, "COLUMNS": "80"}
    if arguments.cold:
        environment["GPUATLAS_NO_CACHE"] = "1"
    if environment.get("PYTHONDONTWRITEBYTECODE") and not arguments.no_bytecode:
        del environment["PYTHONDONTWRITEBYTECODE"]
        environment.setdefault("PYTHONPYCACHEPREFIX", bytecode_folder())
    chosen = [command for command in COMMANDS if arguments.only in command.label]
    if arguments.instructions:
        if shutil.which("valgrind") is None:
            sys.exit("--instructions needs valgrind")
        print(f"{'command':45} {'M instructions':>14}")
        for command in chosen:
            check_runs(command, environment)
            millions = instructions_millions(command.arguments, environment)
            print(f"{command.label:45} {millions:14.0f}")
        return
    print(f"{'command':45} {'median CPU s':>12} {'min':>7} {'max':>7}  goal")
    for command in chosen:
        check_runs(command, environment)
        times = [
            child_cpu_seconds(command.arguments, environment) for _ in range(arguments.repeats)
        ]
        median = statistics.median(times)
        print(
            f"{command.label:45} {median:12.3f} {min(times):7.3f} {max(times):7.3f}  "
            f"{verdict(median, command.goal_cpu_s)}"
        )


if __name__ == "__main__":
    main()
