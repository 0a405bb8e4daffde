"""Run a command and report the CPU seconds of its whole process tree (start-up included).

The wrapper makes itself a child subreaper (Linux prctl PR_SET_CHILD_SUBREAPER), so worker
processes a tool spawns and that outlive their parent are re-parented here and reaped here;
`getrusage(RUSAGE_CHILDREN)` then covers every process of the tree. Descendants still alive
`--linger-s` seconds after the command itself ended are terminated (they are ours).

Usage: python cpu_wrapper.py --report FILE [--timeout-s S] -- COMMAND...
Writes {"returncode", "user_s", "system_s", "cpu_s", "wall_s", "stragglers"} to FILE. Stdlib only.
"""

from __future__ import annotations

import argparse
import ctypes
import json
import os
import resource
import signal
import subprocess
import time
from pathlib import Path

PR_SET_CHILD_SUBREAPER = 36


def become_subreaper() -> None:
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_CHILD_SUBREAPER) failed")


def own_children() -> list[int]:
    me, found = os.getpid(), []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == me:
            found.append(int(entry.name))
    return found


def reap_all(linger_s: float) -> int:
    """Wait for re-parented descendants; terminate those still alive after `linger_s`."""
    deadline, stragglers = time.monotonic() + linger_s, 0
    for _ in range(100_000):
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return stragglers
        if pid == 0 and time.monotonic() > deadline:
            for child in own_children():
                stragglers += 1
                os.kill(child, signal.SIGKILL)
            deadline = time.monotonic() + 5
        elif pid == 0:
            time.sleep(0.05)
    return stragglers


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--report", type=Path, required=True)
    parser.add_argument("--timeout-s", type=float, default=600.0)
    parser.add_argument("--linger-s", type=float, default=10.0)
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args()
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    become_subreaper()
    started = time.monotonic()
    try:
        returncode = subprocess.run(command, timeout=args.timeout_s, check=False).returncode
    except subprocess.TimeoutExpired:
        returncode = 124
    stragglers = reap_all(args.linger_s)
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    args.report.write_text(
        json.dumps(
            {
                "returncode": returncode,
                "user_s": usage.ru_utime,
                "system_s": usage.ru_stime,
                "cpu_s": usage.ru_utime + usage.ru_stime,
                "wall_s": time.monotonic() - started,
                "stragglers": stragglers,
            }
        )
    )


if __name__ == "__main__":
    main()
