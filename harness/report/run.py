"""The pytest side of the report: JUnit properties per test, and the HTML/JSON timeline report
of ``--report-dir``.

- :func:`junit_recording` adds, for every test that uses ``router``, the ``router`` property and,
  per HA operation the router reports to its ``listeners``, the properties of
  :func:`harness.report.junit.junit_properties` (operation, method, master before/after,
  durations, control-plane, data-plane and backup-ready times), and per disruptive action on a
  lab router a ``disruptive_action`` property; ``--junitxml`` writes them as ``<property>``
  elements.
- :class:`RunReport` is registered as a plugin when ``--report-dir`` is given.  The process that
  runs the tests records them in a :class:`~harness.report.recorder.Recorder`: test start and
  end, the emulator's reset before it, each operation with the states reported while it was
  waited for, each RE's own state, the FPCs and the backup's readiness at start and end, the
  mastership-log entries each RE wrote during the test, and the disruptive actions taken on a
  lab router.  Under pytest-xdist each worker writes its part as
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
from harness.faults import DisruptiveAction
from harness.mastership import LogMark, MastershipEvent, MastershipLogError, NewState
from harness.report.html import write_html
from harness.report.junit import junit_properties
from harness.report.recorder import Recorder
from harness.report.store import merge_parts, write_json
from harness.router import DualRERouter, OperationResult
from harness.router.endstate import NOT_ANSWERING, NOT_BACKUP, ready_lane
from harness.router.results import Seen

__all__ = ["HTML_NAME", "JSON_NAME", "PARTS_INPUT", "REPORT_KEY", "RunReport",
           "consent_listening", "junit_recording", "listening", "observe"]

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

    def acted(action: DisruptiveAction) -> None:
        if action.lab:
            node.user_properties.append(("disruptive_action", action.what))

    with listening(dut, record), consent_listening(dut, acted):
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


@contextlib.contextmanager
def consent_listening(dut: DualRERouter, listener: Callable[[DisruptiveAction], None]
                      ) -> Iterator[None]:
    """Have ``listener`` told about each disruptive action on ``dut`` while the block runs."""
    dut.consent.listeners.append(listener)
    try:
        yield
    finally:
        dut.consent.listeners.remove(listener)


# ----------------------------------------------------------------------------- states
def observe(dut: DualRERouter) -> list[Seen]:
    """Return what ``dut`` reports now, at one router time: each RE's state as it reports it
    itself (``show chassis routing-engine``; :data:`NOT_ANSWERING` when it does not answer),
    the FPCs as the master reports them (``show chassis fpc``) and whether the backup says it
    could take over (``show system switchover``).  Raises the router's errors."""
    now = dut.clock.now()
    seen, master, backup = [], None, None
    for name in dut.re_names:
        view = dut.state.view_of(name)
        own = NOT_ANSWERING if view is None else view.get(name, "absent")
        via = ("harness: no NETCONF answer" if view is None
               else f"{name}: show chassis routing-engine")
        seen.append(Seen(now, name, own, via))
        if own != "backup":
            seen.append(Seen(now, ready_lane(name), NOT_BACKUP, via))
        master = name if own == "master" else master
        backup = name if own == "backup" else backup
    if master is not None:
        seen += [Seen(now, f"fpc{f.slot}", f.state.lower(), f"{master}: show chassis fpc")
                 for f in dut.state.fpcs(master)]
    if backup is not None:
        ready = dut.state.backup_readiness(backup)
        seen.append(Seen(now, ready_lane(backup), "ready" if ready.ready else "not ready",
                         f"{backup}: show system switchover"))
    return seen


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
    def reset_done(self, dut: DualRERouter) -> None:
        """The emulator just rebuilt ``dut`` (before a test): a break in its timeline."""
        self._register(dut)
        self.recorder.record_reset(dut.name)

    @contextlib.contextmanager
    def observing(self, node: pytest.Item, dut: DualRERouter) -> Iterator[None]:
        """Record test ``node`` on ``dut``'s timeline while the block runs: its start, the
        states the router reports at start and end, each operation, the mastership-log
        entries written and (lab routers) each disruptive action."""
        self._register(dut)
        self.recorder.start_test(node.nodeid, [dut.name])
        self._observe(node.nodeid, dut)
        marks = self._marks(dut)

        def acted(action: DisruptiveAction) -> None:
            if action.lab:
                self.recorder.record_disruption(action, nodeid=node.nodeid)

        with listening(dut, self.recorder.listener(dut.name)), consent_listening(dut, acted):
            try:
                yield
            finally:
                self._observe(node.nodeid, dut)
                self._add_log_events(node.nodeid, dut, marks)

    def _register(self, dut: DualRERouter) -> None:
        if dut.name not in self._known:
            self._known.add(dut.name)
            self.recorder.add_router(dut.name, platform=dut.spec.platform,
                                     re_names=dut.re_names, clock=dut.clock.now,
                                     lab=not dut.emulated)

    def _observe(self, nodeid: str, dut: DualRERouter) -> None:
        """Record what the router reports now: each RE's own state (or that it does not
        answer), the master's FPCs and the backup's switchover readiness."""
        try:
            self.recorder.record_states(dut.name, observe(dut), nodeid=nodeid)
        except HarnessError as exc:
            # A router that cannot be asked: the timeline shows what it showed before.
            log.debug("%s: states not observed for the report (%s)", dut.name, exc)

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
                # A halted RE has no log to read: its lane shows it not answering instead.
                log.debug("%s/%s: mastership log not read (%s)", dut.name, re_name, exc)
                continue
            entries = [e for e in written if isinstance(e, MastershipEvent | NewState)]
            self.recorder.add_log_events(dut.name, entries, nodeid=nodeid)

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
