"""The pytest plugin (entry point ``pytest11``): options, markers, hooks and fixtures, nothing more.

The logic lives in :mod:`harness.options` (the ``re-harness`` option group), :mod:`harness.markers`
(skips, grouping, restoring mastership), :mod:`harness.pool` (routers, emulators, locks) and
:mod:`harness.report` (JUnit properties, the HTML report).

pytest-xdist: every test of one router carries ``xdist_group("router-<name>")``, and ``-n N``
without ``--dist`` runs as ``--dist loadgroup``, so each worker gets routers of its own.  An
explicit ``--dist`` is respected; disruptive tests on lab routers still hold a per-router file
lock then (and across separate runs sharing the lab).
"""

from __future__ import annotations

import contextlib
from collections.abc import Generator, Iterator
from pathlib import Path
from typing import Any

import pytest

from harness import markers, options
from harness.mastership import explain_comparison
from harness.pool import LockSettings, RouterPool
from harness.recording import pytest_side as recording
from harness.recording.transport import LIVE
from harness.report.run import REPORT_KEY, RunReport, junit_recording
from harness.router import DualRERouter
from harness.snapshots.pytest_side import RUN_KEY as SNAPSHOTS_KEY
from harness.snapshots.pytest_side import SnapshotMode, SnapshotRun, TestSnapshots
from harness.terminal import lab_clocks
from re_contract.errors import TestbedError
from re_contract.snapshots import load_snapshot_file
from re_contract.testbed import Testbed, default_testbed_path, load_testbed

__all__ = [
    "pytest_addoption",
    "pytest_assertrepr_compare",
    "pytest_cmdline_main",
    "pytest_collection_modifyitems",
    "pytest_configure",
    "pytest_configure_node",
    "pytest_generate_tests",
    "pytest_report_header",
    "pytest_runtest_makereport",
    "pytest_xdist_make_scheduler",
    "restore_mastership",
    "router",
    "router_name",
    "router_pool",
    "snapshot_around",
    "snapshots",
    "testbed",
]


def pytest_addoption(parser: pytest.Parser) -> None:
    options.add_options(parser)


@pytest.hookimpl(tryfirst=True)
def pytest_cmdline_main(config: pytest.Config) -> None:
    # Before xdist's own hook, which would turn "-n N" alone into "--dist load".
    options.choose_distribution(config.option)


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node: Any) -> None:
    # xdist controller, per worker: pass on the --dist mode chosen above.
    node.workerinput[options.WORKER_DIST] = node.config.getoption("dist")


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    # xdist controller: under loadgroup, one group per router (see harness.scheduling).
    from harness.scheduling import make_scheduler

    return make_scheduler(config, log, markers.selected_routers(config))


def pytest_configure(config: pytest.Config) -> None:
    markers.register(config)
    options.follow_distribution(config)
    path = config.getoption("--testbed")
    try:
        bed = load_testbed(path) if path else load_testbed(default_testbed_path())
    except TestbedError as exc:
        raise pytest.UsageError(f"--testbed: {exc}") from exc
    config.stash[markers.TESTBED_KEY] = bed
    recording.configure(config, bed.name)
    options.progress_after(config)  # a bad ini value is a usage error before collection
    markers.selected_routers(config)  # an unknown --router is a usage error, not a collection one
    _configure_snapshots(config)
    directory = config.getoption("--report-dir")
    if directory:
        run = RunReport(config, Path(directory), bed.name)
        config.stash[REPORT_KEY] = run
        config.pluginmanager.register(run, "re-harness-report")


def _configure_snapshots(config: pytest.Config) -> None:
    file = config.getoption("--snapshot-file")
    try:
        extra = load_snapshot_file(file) if file else None
    except TestbedError as exc:
        raise pytest.UsageError(f"--snapshot-file: {exc}") from exc
    report_dir = config.getoption("--report-dir")
    run = SnapshotRun(SnapshotMode(config.getoption("--snapshots")), extra,
                      Path(report_dir) if report_dir else None)
    config.stash[SNAPSHOTS_KEY] = run
    config.pluginmanager.register(run, "re-harness-snapshots")


def pytest_report_header(config: pytest.Config) -> list[str]:
    """Name the testbed and show its lint warnings (a lab password in the file, host keys
    not checked) where the user sees them, at the top of the run."""
    bed = config.stash[markers.TESTBED_KEY]
    return [f"re-harness testbed: {bed.name} ({len(bed.routers)} router(s))"] + [
        f"re-harness testbed warning: {w}" for w in bed.lint_warnings()]


#: The session's router pool, once the ``router_pool`` fixture made it.
POOL_KEY = pytest.StashKey[RouterPool]()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]
                              ) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    report = markers.skip_unavailable_fault(item, call, report)
    return _fail_on_emulator_errors(item, report)


def _fail_on_emulator_errors(item: pytest.Item, report: pytest.TestReport) -> pytest.TestReport:
    """An exception raised inside the in-process emulator during this phase of the test fails
    it, with the emulator's traceback (as pytest-httpserver's ``check_assertions``)."""
    pool = item.config.stash.get(POOL_KEY, None)
    errors = pool.take_emulator_errors() if pool is not None else []
    if not errors:
        return report
    text = "\n".join(error.format() for error in errors)
    if report.failed:
        report.sections.append(("re-emulator errors", text))
    else:
        report.outcome = "failed"
        report.longrepr = f"the emulator raised while this test ran:\n{text}"
    return report


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if markers.wants_router(metafunc):
        names = markers.selected_routers(metafunc.config)
        metafunc.parametrize(markers.ROUTER_PARAM, names, ids=names, scope="session")


@pytest.hookimpl(tryfirst=True)  # before xdist's worker hook, which reads xdist_group marks
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    markers.check_marker_use(items)
    markers.group_by_router(items)
    # Skips the testbed alone decides are marks: no fixture runs, no connection is attempted.
    markers.mark_skips(items, config.stash[markers.TESTBED_KEY],
                       config.getoption("--allow-disruptive"))


def pytest_assertrepr_compare(config: pytest.Config, op: str, left: object, right: object
                              ) -> list[str] | None:
    return explain_comparison(op, left, right)


@pytest.fixture(scope="session")
def testbed(pytestconfig: pytest.Config) -> Testbed:
    """The loaded, validated testbed of this run."""
    return pytestconfig.stash[markers.TESTBED_KEY]


@pytest.fixture(scope="session")
def router_pool(pytestconfig: pytest.Config, testbed: Testbed) -> Iterator[RouterPool]:
    """Every router of the testbed (emulators started on first use); closed at session end."""
    lock_dir = pytestconfig.getoption("--lock-dir") or options.default_lock_dir()
    locks = LockSettings(Path(lock_dir), pytestconfig.getoption("--lock-timeout"))
    pool = RouterPool(testbed, locks, lab_clock=lab_clocks(pytestconfig),
                      transport=pytestconfig.stash.get(recording.TRANSPORT_KEY, LIVE))
    pytestconfig.stash[POOL_KEY] = pool
    yield pool
    pool.close()
    del pytestconfig.stash[POOL_KEY]


@pytest.fixture(scope="session")
def router_name() -> str:
    """The router a test runs against (parametrized over the testbed by the plugin)."""
    raise pytest.UsageError("router_name is parametrized by the re-harness plugin")


@pytest.fixture
def router(request: pytest.FixtureRequest, router_pool: RouterPool, router_name: str
           ) -> Iterator[DualRERouter]:
    """The router under test: reset to its testbed state on the emulator, locked for a
    disruptive test on a lab router, recorded for JUnit and the report, consenting to
    disruption as the testbed and ``--allow-disruptive`` say.  Skips a ``requires_gres`` test
    on a router without graceful switchover."""
    node = request.node
    disruptive = node.get_closest_marker(markers.Mark.DISRUPTIVE.value) is not None
    with router_pool.exclusive(router_name, disruptive):
        dut = router_pool.get(router_name)
        dut.consent.run_allows = bool(request.config.getoption("--allow-disruptive"))
        run = request.config.stash.get(REPORT_KEY, None)
        if dut.emulated:
            dut.reset()
            if run is not None:
                run.reset_done(dut)
        reason = markers.gres_skip_reason(node, dut)
        if reason:
            pytest.skip(reason)
        observed = run.observing(node, dut) if run else contextlib.nullcontext()
        with junit_recording(node, dut), observed:
            yield dut


@pytest.fixture(autouse=True)
def restore_mastership(request: pytest.FixtureRequest) -> Iterator[str | None]:
    """Leave a lab router as the test found it (:class:`harness.markers.Restorer`), whether or
    not the test is marked ``disruptive``: a marked test first waits out a switchover hold-down
    left by an earlier test, and the router is snapshotted then; an unmarked one is snapshotted
    (and the router's lock taken) at its first disruptive action.  Afterwards an RE the test
    left down is powered on and mastership switched back.  Yields the master before a marked
    test (None otherwise: not a ``router`` test, not marked, or an emulated router, which is
    reset before each test anyway)."""
    if markers.ROUTER_PARAM not in request.fixturenames:  # not the plugin's router
        yield None
        return
    dut: DualRERouter = request.getfixturevalue("router")
    if dut.emulated:
        yield None
        return
    marked = request.node.get_closest_marker(markers.Mark.DISRUPTIVE.value) is not None
    pool: RouterPool = request.getfixturevalue("router_pool")
    restorer = markers.Restorer(dut, None if marked else lambda: pool.exclusive(dut.name, True))
    before = restorer.prepare() if marked else None
    dut.consent.listeners.append(restorer.on_action)
    try:
        yield before
    finally:
        dut.consent.listeners.remove(restorer.on_action)
    restorer.restore()


@pytest.fixture(autouse=True)
def snapshot_around(request: pytest.FixtureRequest) -> Iterator[TestSnapshots | None]:
    """Around a ``router`` test marked ``disruptive`` or ``snapshots`` (``--snapshots``): a pre
    snapshot before it, a post snapshot after it (the router settled), their HA-aware diff,
    all written under the report directory (:mod:`harness.snapshots.pytest_side`); in every
    ``router`` test, the snapshots it takes itself are written there too.  Yields the test's
    snapshots, or None when none are taken around it."""
    run = request.config.stash.get(SNAPSHOTS_KEY, None)
    node = request.node
    if run is None or markers.router_of(node) is None:  # not the plugin's router test
        yield None
        return
    dut = request.getfixturevalue("router")
    if not run.wants(node, node.get_closest_marker(markers.Mark.DISRUPTIVE.value) is not None):
        with run.session(request, dut).storing():  # router.snapshot(name) in the test
            yield None
        return
    with run.around(request, dut) as taken:
        yield taken


@pytest.fixture
def snapshots(request: pytest.FixtureRequest, router: DualRERouter
              ) -> Iterator[TestSnapshots]:
    """This test's snapshots of ``router``: ``snapshots.pre`` taken before the test,
    ``snapshots.take(name)``, ``snapshots.check(expect=...)`` for the post snapshot and its
    diff now (else it is taken after the test)."""
    with request.config.stash[SNAPSHOTS_KEY].for_test(request, router) as taken:
        yield taken
