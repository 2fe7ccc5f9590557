"""The suites' own speed: the main job, and the fleet run with pytest-xdist beside it without.

Each run is a fresh ``python -m pytest`` in a subprocess, as a user starts it, from the
checkout this file is in; wall time by the clock, CPU time (user + system, every thread and
process of the run) by ``getrusage``.  Runs of a round alternate, so a machine that other work
slows down slows both sides of a comparison alike: compare within a round.

  main job     ``pytest suites``, beside ``--snapshots off`` (what the pre/post snapshots
               around the disruptive tests cost) and ``--collect-only`` (start-up and
               collection, the floor of any run)
  fleet        ``pytest suites --testbed testbeds/emulated-fleet.yaml -n 2``, beside the same
               without xdist: the speed-up is the ratio of their wall times in one round

Gates (issue 15, "Done when"): the main job's wall time under ``--max-main`` seconds and the
fleet's speed-up at least ``--min-speedup``, in every round.  Every run is printed, not the
best; the exit status is 1 when a gate fails in some round, 2 when a run fails its tests.

    python bench/suites_speed.py [--rounds 3] [--only main|fleet] [--max-main 10]
                                 [--min-speedup 1.6]
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FLEET = ["--testbed", "testbeds/emulated-fleet.yaml"]
MAIN = {"main job": [], "--snapshots off": ["--snapshots", "off"],
        "--collect-only": ["--collect-only"]}
FLEET_RUNS = {"fleet -n 2": [*FLEET, "-n", "2"], "fleet, no xdist": FLEET}
#: Ample for the slowest run on a busy 2-core machine (the fleet without xdist: ~2 min).
TIMEOUT = 1200.0


@dataclass(frozen=True, slots=True)
class Run:
    """One pytest run: its wall and CPU seconds, and pytest's last line."""

    wall: float
    cpu: float
    summary: str
    ok: bool


def run(args: list[str]) -> Run:
    """Run ``pytest suites -q ARGS`` from the checkout; return its times and summary.

    Raises subprocess.TimeoutExpired after :data:`TIMEOUT` seconds.
    """
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.monotonic()
    done = subprocess.run([sys.executable, "-m", "pytest", "suites", "-q", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=TIMEOUT, check=False)
    wall = time.monotonic() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    lines = done.stdout.strip().splitlines()
    summary = lines[-1].strip("= ") if lines else done.stderr.strip()[-200:]
    ok = done.returncode == 0 and not re.search(r"\b(failed|error)", summary)
    return Run(wall, cpu, summary, ok)


def show(name: str, r: Run) -> None:
    """Print one run."""
    print(f"  {name:18} wall {r.wall:7.2f} s  cpu {r.cpu:7.2f} s  {r.summary}", flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--only", choices=("main", "fleet"))
    parser.add_argument("--max-main", type=float, default=10.0)
    parser.add_argument("--min-speedup", type=float, default=1.6)
    args = parser.parse_args()
    gates_ok, tests_ok = True, True
    for n in range(1, args.rounds + 1):
        print(f"round {n} (load average {os.getloadavg()[0]:.1f})", flush=True)
        if args.only != "fleet":
            main_runs = {name: run(extra) for name, extra in MAIN.items()}
            for name, r in main_runs.items():
                show(name, r)
                tests_ok &= r.ok
            job = main_runs["main job"]
            passed = job.wall < args.max_main
            gates_ok &= passed
            print(f"  main job {job.wall:.2f} s wall ({'<' if passed else '>='} "
                  f"{args.max_main:g} s: {'PASS' if passed else 'FAIL'}); snapshots cost "
                  f"{job.wall - main_runs['--snapshots off'].wall:.2f} s of it", flush=True)
        if args.only != "main":
            fleet_runs = {name: run(extra) for name, extra in FLEET_RUNS.items()}
            for name, r in fleet_runs.items():
                show(name, r)
                tests_ok &= r.ok
            speedup = fleet_runs["fleet, no xdist"].wall / fleet_runs["fleet -n 2"].wall
            passed = speedup >= args.min_speedup
            gates_ok &= passed
            print(f"  fleet speed-up with -n 2: {speedup:.2f}x ({'>=' if passed else '<'} "
                  f"{args.min_speedup:g}x: {'PASS' if passed else 'FAIL'})", flush=True)
    if not tests_ok:
        return 2
    return 0 if gates_ok else 1


if __name__ == "__main__":
    sys.exit(main())
