"""Fixtures the acceptance suites share, built on the re-harness plugin's ``router`` fixture.

- ``config``: configuration changes that are rolled back after the test (lab routers keep no
  trace; the emulator is reset anyway);
- ``logs``: marks on both REs' mastership logs taken at the start of the test;
- ``acceptance_report``: the per-router acceptance report of the pre-upgrade profile, written
  as JSON and text under ``--report-dir`` (or the run's temporary directory) after each test;
- every router test records the router seconds it waited (``router_seconds`` user property);
  the terminal summary adds them up, which is how docs/suites.md reports the router time.
"""

from __future__ import annotations

from collections.abc import Generator, Iterator
from pathlib import Path

import pytest

from harness.procedures import AcceptanceReport, ConfigChanges, LogWatch
from harness.router import DualRERouter

ROUTER_SECONDS = "router_seconds"
_REPORTS = pytest.StashKey[dict[str, AcceptanceReport]]()
_OUTCOME = pytest.StashKey[str]()
#: Router seconds per finished test of this process (the xdist controller sees every worker's).
_TOTALS: list[float] = []


@pytest.fixture
def config(router: DualRERouter) -> Iterator[ConfigChanges]:
    """Configuration changes of this test, undone (rollback + commit per RE) afterwards."""
    changes = ConfigChanges(router)
    yield changes
    changes.undo()


@pytest.fixture
def logs(router: DualRERouter) -> LogWatch:
    """Marks on every RE's mastership log: ``logs.since("re0")`` shows this test's entries."""
    return LogWatch.start(router)


@pytest.fixture
def acceptance_report(request: pytest.FixtureRequest, router: DualRERouter,
                      tmp_path_factory: pytest.TempPathFactory) -> Iterator[AcceptanceReport]:
    """The acceptance report of ``router`` for this run; rewritten after every test that uses
    it, with that test's outcome."""
    reports = request.config.stash.setdefault(_REPORTS, {})
    report = reports.setdefault(router.name, AcceptanceReport(router.name, router.spec.platform))
    yield report
    outcome = request.node.stash.get(_OUTCOME, "passed")
    report.tests[request.node.name] = outcome
    chosen = request.config.getoption("--report-dir")
    directory = Path(chosen) if chosen else tmp_path_factory.getbasetemp() / "acceptance"
    _, text_path = report.write(directory)
    request.node.user_properties.append(("acceptance_report", str(text_path)))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]
                              ) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """Remember the call phase's outcome on the item, for the acceptance report."""
    report = yield
    if report.when == "call" or (report.when == "setup" and report.skipped):
        item.stash[_OUTCOME] = report.outcome
    return report


@pytest.fixture(autouse=True)
def _router_time(request: pytest.FixtureRequest) -> Iterator[None]:
    """Record how many router seconds the test waited (virtual on the emulator)."""
    if "router" not in request.fixturenames:
        yield
        return
    router: DualRERouter = request.getfixturevalue("router")
    start = router.clock.now()
    yield
    request.node.user_properties.append((ROUTER_SECONDS, router.clock.now() - start))


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    """Add up the router seconds of every test (also those run by xdist workers)."""
    if report.when != "teardown":
        return
    seconds = sum(v for k, v in report.user_properties
                  if k == ROUTER_SECONDS and isinstance(v, float))
    _TOTALS.append(seconds)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Print the router time the run waited out, next to pytest's wall time."""
    if _TOTALS:
        total = sum(_TOTALS)
        terminalreporter.write_line(
            f"re-harness suites: {total:.0f} s of router time waited "
            f"({total / 60:.1f} min) over {len(_TOTALS)} tests")
