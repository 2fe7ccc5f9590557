"""pytest-xdist: no router is used by two workers at once.

Each inner test appends ``worker router start end`` to a shared file; the outer test then checks,
per router, that no two intervals overlap.  Under ``-n 2`` (``--dist loadgroup`` by the plugin)
that holds because each router's tests run on one worker; under an explicit ``--dist load`` it
holds for disruptive tests on a lab router because of the per-router file lock.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from pathlib import Path
from typing import NamedTuple

import pytest

from tests.plugin.conftest import LabRouter

RECORDING = """
import os
import time

import pytest

LOG = {log!r}


def record(router, started: float) -> None:
    line = f"{{os.environ.get('PYTEST_XDIST_WORKER', 'main')}} {{router.name}} "
    line += f"{{started!r}} {{time.time()!r}}\\n"
    with open(LOG, "a") as out:
        out.write(line)


@pytest.fixture
def used(router):
    started = time.time()
    yield router
    record(router, started)
"""

FLEET_TESTS = RECORDING + """

@pytest.mark.parametrize("n", range(3))
def test_read(used, n) -> None:
    assert used.master == "re0"
    time.sleep(0.05)  # widen the window in which a second worker would overlap


@pytest.mark.disruptive
def test_switch(used) -> None:
    assert used.switchover("switch").master_after == "re1"
"""

LAB_TESTS = RECORDING + """

@pytest.mark.disruptive
@pytest.mark.parametrize("n", range(6))
def test_disruptive(used, n) -> None:
    assert used.master == "re0"
    time.sleep(0.2)  # widen the window in which the other worker would overlap
"""


class Use(NamedTuple):
    worker: str
    router: str
    start: float
    end: float


def _uses(log: Path) -> list[Use]:
    uses = []
    for line in log.read_text().splitlines():
        worker, router, start, end = line.split()
        uses.append(Use(worker, router, float(start), float(end)))
    return uses


def _overlaps(uses: list[Use]) -> list[tuple[Use, Use]]:
    by_router: dict[str, list[Use]] = defaultdict(list)
    for use in uses:
        by_router[use.router].append(use)
    return [(a, b) for same in by_router.values() for a, b in itertools.combinations(same, 2)
            if a.worker != b.worker and a.start < b.end and b.start < a.end]


def test_fleet_with_n_2_gives_each_worker_routers_of_its_own(pytester: pytest.Pytester,
                                                             small_fleet: Path) -> None:
    log = pytester.path / "uses.log"
    pytester.makepyfile(FLEET_TESTS.format(log=str(log)))
    result = pytester.runpytest_subprocess("--testbed", str(small_fleet), "-n", "2")
    # mx-a and t-b run all four tests; the single-RE m7i-c skips them
    result.assert_outcomes(passed=8, skipped=4)
    uses = _uses(log)
    assert {u.router for u in uses} == {"mx-a", "t-b"}
    assert _overlaps(uses) == []
    workers = {router: {u.worker for u in uses if u.router == router} for router in ("mx-a", "t-b")}
    assert all(len(w) == 1 for w in workers.values()), workers


def test_lab_router_lock_serialises_disruptive_tests_across_workers(
        pytester: pytest.Pytester, lab_router: LabRouter) -> None:
    """``--dist load`` spreads one lab router's tests over both workers; the lock keeps them
    from running at the same time."""
    testbed = lab_router.write(pytester, allow=True)
    log = pytester.path / "uses.log"
    pytester.makepyfile(LAB_TESTS.format(log=str(log)))
    result = pytester.runpytest_subprocess("--testbed", str(testbed), "--allow-disruptive",
                                           "--lock-dir", str(pytester.path / "locks"),
                                           "-n", "2", "--dist", "load")
    result.assert_outcomes(passed=6)
    uses = _uses(log)
    assert {u.worker for u in uses} == {"gw0", "gw1"}  # else the check below proves nothing
    assert _overlaps(uses) == []


PORTABLE_SUITE = """
import pytest


def test_one_master(router) -> None:
    states = sorted(r.mastership_state.lower() for r in router.status())
    assert states == ["backup", "master"]


@pytest.mark.disruptive
def test_switch(router) -> None:
    before = router.master
    assert router.switchover("switch").master_after != before
"""


@pytest.mark.parametrize(("args", "passed", "skipped"), [
    ([], 2, 0),
    (["--testbed", "emulated-fleet", "-n", "2"], 16, 2),
])
def test_a_suite_runs_unchanged_on_both_emulated_testbeds(
        pytester: pytest.Pytester, args: list[str], passed: int, skipped: int) -> None:
    """The packaged emulated.yaml (one MX480) and emulated-fleet.yaml (eight dual-RE routers and
    a single-RE M7i, which skips)."""
    pytester.makepyfile(PORTABLE_SUITE)
    result = pytester.runpytest_subprocess(*args, "-rs")
    result.assert_outcomes(passed=passed, skipped=skipped)
    if skipped:
        result.stdout.fnmatch_lines(["*m7i-1 (M7i) has one Routing Engine*"])
