"""The pytest side of the report: JUnit properties per test, and the HTML/JSON timeline report
of ``--report-dir``.

- :func:`junit_recording` adds, for every test that uses ``router``, the ``router`` property and,
  per HA operation the router reports to its ``listeners``, the properties of
  :func:`harness.report.junit.junit_properties` (operation, method, master before/after,
  durations); ``--junitxml`` writes them as ``<property>`` elements.
- :class:`RunReport` is registered as a plugin when ``--report-dir`` is given.  The process that
  runs the tests records them in a :class:`~harness.report.recorder.Recorder`: test start and
  end, each operation, the master seen at start and end, and the mastership-log events (Table
  107 codes) each RE wrote during the test.  Under pytest-xdist each worker writes its part as
  JSON into a directory the controller chose (passed in ``workerinput``); the controller merges
  the parts and writes ``report.html`` and ``report.json``.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from harness.errors import HarnessError
from harness.mastership import LogMark, MastershipEvent, MastershipLogError
from harness.report.html import write_html
from harness.report.junit import junit_properties
from harness.report.recorder import Recorder
from harness.report.store import merge_parts, write_json
from harness.router import DualRERouter, OperationResult

__all__ = ["HTML_NAME", "JSON_NAME", "PARTS_INPUT", "REPORT_KEY", "RunReport", "junit_recording",
           "listening"]

log = logging.getLogger(__name__)

HTML_NAME = "report.html"
JSON_NAME = "report.json"
#: The ``workerinput`` key by which the xdist controller tells workers where parts go.
PARTS_INPUT = "re_harness_report_parts"
_PARTS_DIR = ".parts"

REPORT_KEY = pytest.StashKey["RunReport"]()


# ----------------------------------------------------------------------------- JUnit
@contextlib.contextmanager
def junit_recording(node: pytest.Item, dut: DualRERouter) -> Iterator[None]:
    """Record the ``router`` property of ``node`` and, while the block runs, the properties of
    each operation ``dut`` reports (``node.user_properties``, as ``record_property`` does)."""
    node.user_properties.append(("router", dut.name))

    def record(result: OperationResult) -> None:
        node.user_properties.extend(junit_properties(result))

    with listening(dut, record):
        yield


@contextlib.contextmanager
def listening(dut: DualRERouter, listener: Callable[[OperationResult], None]
              ) -> Iterator[None]:
    """Have ``listener`` told about each operation of ``dut`` while the block runs."""
    dut.listeners.append(listener)
    try:
        yield
    finally:
        dut.listeners.remove(listener)


# ----------------------------------------------------------------------------- the run
def _worker_id(config: pytest.Config) -> str:
    workerinput: dict[str, Any] | None = getattr(config, "workerinput", None)
    return str(workerinput["workerid"]) if workerinput else ""


class RunReport:
    """The report of one pytest process: records the tests it runs and writes its part (xdist
    worker) or the merged report (controller, or the only process)."""

    def __init__(self, config: pytest.Config, directory: Path, testbed: str) -> None:
        self.config = config
        self.directory = directory
        self.worker = _worker_id(config)
        workerinput: dict[str, Any] | None = getattr(config, "workerinput", None)
        #: The controller of an xdist run records nothing itself: its workers run the tests.
        self.controller = workerinput is None and config.getoption("dist", "no") != "no"
        parts = workerinput.get(PARTS_INPUT) if workerinput else None
        self.parts = Path(parts) if parts else directory / _PARTS_DIR / f"run-{os.getpid()}"
        self.recorder = Recorder(testbed, worker=self.worker)
        self._known: set[str] = set()

    def __repr__(self) -> str:
        return f"<RunReport {self.directory} worker={self.worker or '-'}>"

    # --------------------------------------------------------------- per test
    @contextlib.contextmanager
    def observing(self, node: pytest.Item, dut: DualRERouter) -> Iterator[None]:
        """Record test ``node`` on ``dut``'s timeline while the block runs: its start, the
        master at start and end, each operation and the mastership-log events written."""
        self._register(dut)
        self.recorder.start_test(node.nodeid, [dut.name])
        self._observe_master(dut)
        marks = self._marks(dut)
        with listening(dut, self.recorder.listener(dut.name)):
            try:
                yield
            finally:
                self._observe_master(dut)
                self._add_log_events(node.nodeid, dut, marks)

    def _register(self, dut: DualRERouter) -> None:
        if dut.name not in self._known:
            self._known.add(dut.name)
            self.recorder.add_router(dut.name, platform=dut.spec.platform,
                                     re_names=dut.re_names, clock=dut.clock.now)

    def _observe_master(self, dut: DualRERouter) -> None:
        try:
            master: str | None = dut.master
        except HarnessError as exc:
            # No master (both halted, mid-switchover): that is what the timeline shows.
            log.debug("%s: no master for the report (%s)", dut.name, exc)
            master = None
        self.recorder.observe_master(dut.name, master)

    def _marks(self, dut: DualRERouter) -> dict[str, LogMark]:
        marks = {}
        for re_name in dut.re_names:
            try:
                marks[re_name] = dut.mastership_log(re_name).mark()
            except (HarnessError, MastershipLogError) as exc:
                log.debug("%s/%s: no mastership log mark (%s)", dut.name, re_name, exc)
        return marks

    def _add_log_events(self, nodeid: str, dut: DualRERouter, marks: dict[str, LogMark]
                        ) -> None:
        for re_name, mark in marks.items():
            try:
                written = dut.mastership_log(re_name).since(mark)
            except (HarnessError, MastershipLogError) as exc:
                # A halted RE has no log to read: the timeline shows it halted instead.
                log.debug("%s/%s: mastership log not read (%s)", dut.name, re_name, exc)
                continue
            events = [e for e in written if isinstance(e, MastershipEvent)]
            self.recorder.add_log_events(dut.name, events, nodeid=nodeid)

    # ------------------------------------------------------------------ hooks
    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        """Record the outcome a phase settles (not on an xdist controller: workers do)."""
        if not self.controller:
            self.recorder.record_report(report)

    @pytest.hookimpl(optionalhook=True)
    def pytest_configure_node(self, node: Any) -> None:
        """xdist controller: tell each worker where its JSON part goes."""
        node.workerinput[PARTS_INPUT] = str(self.parts)

    @pytest.hookimpl(tryfirst=True)
    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        """Write this worker's part, or (controller / single process) the merged report.

        Runs first so that a worker's part is on disk before xdist reports the worker done.
        Raises ReportError when a file cannot be written or a part cannot be read.
        """
        if self.worker:
            write_json(self.recorder, self.parts / f"{self.worker}.json")
            return
        if self.parts.is_dir():
            self.recorder.merge(merge_parts(self.parts))
            shutil.rmtree(self.parts, ignore_errors=True)
            with contextlib.suppress(OSError):
                self.parts.parent.rmdir()   # only when no other run's parts are in it
        self.directory.mkdir(parents=True, exist_ok=True)
        write_json(self.recorder, self.directory / JSON_NAME)
        write_html(self.recorder, self.directory / HTML_NAME)
        log.info("report written to %s at %s", self.directory, time.ctime())

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        """Say where the HTML report is (controller / single process only)."""
        if not self.worker:
            terminalreporter.write_line(
                f"re-harness report: {self.directory / HTML_NAME}")
