"""The recorder of a run: per router, what happened and when.

A :class:`Recorder` collects tests starting and ending, each HA operation a
:class:`~harness.router.DualRERouter` reports to its ``listeners``, the master changes the
harness observed and the mastership-log events a test matched.  Every entry carries the
router's time (virtual on the emulator), the wall time, who says it happened and the RE it is
about (:mod:`harness.report.model`).  The store (:mod:`harness.report.store`) writes and merges
recorders; the renderers read them.  No I/O.
"""

from __future__ import annotations

import logging
import statistics
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import replace
from datetime import UTC, tzinfo
from typing import Any, Protocol

from harness.errors import HarnessError
from harness.mastership import EntryBase, MastershipEvent
from harness.report.model import (
    DEFAULT_RES,
    Detail,
    EntryKind,
    LogDetail,
    MasterDetail,
    OperationDetail,
    Outcome,
    RouterInfo,
    TestEdge,
    TestRecord,
    TimelineEntry,
)
from harness.router import OperationResult

__all__ = ["PhaseReport", "Recorder", "op_details", "outcome_of", "summary"]

log = logging.getLogger(__name__)


class PhaseReport(Protocol):
    """What :meth:`Recorder.record_report` reads of a ``pytest.TestReport``."""

    @property
    def nodeid(self) -> str:
        """Return the test's node id."""

    @property
    def when(self) -> str | None:
        """Return the phase: setup, call or teardown."""

    @property
    def outcome(self) -> str:
        """Return passed, failed or skipped."""

    @property
    def duration(self) -> float:
        """Return the phase's duration in wall seconds."""


def outcome_of(report: PhaseReport) -> Outcome | None:
    """Return the test outcome one phase report decides, or None when the phase decides nothing
    (a passed setup or teardown).  Follows pytest's terminal summary: a failed setup or teardown
    is an error, an ``xfail`` marker turns a failure into xfailed and a pass into xpassed."""
    xfail = hasattr(report, "wasxfail")
    if report.when == "call":
        if report.outcome == "passed":
            return Outcome.XPASSED if xfail else Outcome.PASSED
        if report.outcome == "skipped":
            return Outcome.XFAILED if xfail else Outcome.SKIPPED
        return Outcome.FAILED
    if report.outcome == "failed":
        return Outcome.ERROR
    if report.outcome == "skipped":
        return Outcome.XFAILED if xfail else Outcome.SKIPPED
    return None


def _brief(report: PhaseReport) -> str:
    """Return the last line of a failed report's text (the exception line), else ``""``."""
    if report.outcome != "failed":
        return ""
    lines = str(getattr(report, "longreprtext", "")).strip().splitlines()
    return lines[-1].strip()[:300] if lines else ""


# --------------------------------------------------------------------------- recorder


class Recorder:
    """Collects the timeline of a run, per router.  Safe to call from several threads.

    ``testbed`` names the testbed in the report; ``worker`` is the xdist worker id (``""`` on
    the controller or without xdist).
    """

    def __init__(self, testbed: str = "", *, worker: str = "",
                 wall: Callable[[], float] = time.time) -> None:
        self.testbed = testbed
        self.worker = worker
        self._wall = wall
        self._lock = threading.RLock()
        self._routers: dict[str, RouterInfo] = {}
        self._clocks: dict[str, Callable[[], float]] = {}
        self._entries: list[TimelineEntry] = []
        self._tests: dict[str, TestRecord] = {}
        self._current = ""
        self._masters: dict[str, str | None] = {}

    def __repr__(self) -> str:
        return (f"<Recorder {self.testbed or '?'} {len(self._routers)} routers "
                f"{len(self._tests)} tests {len(self._entries)} entries>")

    # ------------------------------------------------------------ registration
    def add_router(self, name: str, *, platform: str = "",
                   re_names: Sequence[str] = DEFAULT_RES,
                   clock: Callable[[], float] | None = None) -> None:
        """Register router ``name``: its platform, RE lanes and (optionally) a router clock that
        stamps entries recorded without an explicit router time (``router.clock.now``)."""
        with self._lock:
            self._routers[name] = RouterInfo(name, platform, tuple(re_names) or DEFAULT_RES)
            if clock is not None:
                self._clocks[name] = clock

    def listener(self, router: str) -> Callable[[OperationResult], None]:
        """Return a callable for ``DualRERouter.listeners`` that records each operation."""
        def record(result: OperationResult) -> None:
            self.record_operation(router, result)
        return record

    # ------------------------------------------------------------------- tests
    def start_test(self, nodeid: str, routers: Sequence[str] = (), *,
                   at: Mapping[str, float] | None = None) -> None:
        """Record that test ``nodeid`` starts, on the timelines of ``routers`` (``at``: their
        router times, else their clocks); it becomes the test later entries belong to."""
        with self._lock:
            self._current = nodeid
            self._tests[nodeid] = TestRecord(nodeid, (), wall_start=self._wall())
        for name in routers:
            self._join(nodeid, name, (at or {}).get(name))

    def _join(self, nodeid: str, router: str, at: float | None = None) -> None:
        """Add ``router`` to the routers of test ``nodeid`` (once) with its start entry."""
        with self._lock:
            record = self._tests.get(nodeid)
            if record is None or router in record.routers:
                return
            self._tests[nodeid] = replace(record, routers=record.routers + (router,))
        when = at if at is not None else self._router_now(router)
        self._append(TimelineEntry(router, EntryKind.TEST_START, when, self._wall(), nodeid,
                                   TestEdge()))

    def end_test(self, nodeid: str, outcome: Outcome | str, *, duration: float = 0.0,
                 message: str = "") -> None:
        """Record the end of test ``nodeid`` on the timelines of its routers.

        Called again for the same test (a teardown error after a pass), the worse outcome wins
        and ``duration`` adds up.  Raises ValueError for an unknown outcome name.
        """
        result = Outcome(outcome)
        with self._lock:
            record = self._tests.get(nodeid) or TestRecord(nodeid, wall_start=self._wall())
            if record.outcome is not None and not result.bad:
                result = record.outcome
            self._tests[nodeid] = replace(record, outcome=result, message=message or
                                          record.message, duration=record.duration + duration)
            self._entries = [e for e in self._entries
                             if not (e.kind is EntryKind.TEST_END and e.nodeid == nodeid)]
            if self._current == nodeid:
                self._current = ""
            routers = self._tests[nodeid].routers
        for name in routers:
            self._append(TimelineEntry(name, EntryKind.TEST_END, self._router_now(name),
                                       self._wall(), nodeid, TestEdge(result, duration)))

    def record_report(self, report: PhaseReport) -> Outcome | None:
        """Record what one pytest phase report decides (see :func:`outcome_of`): start nothing,
        end the test when the phase settles its outcome.  Return that outcome, or None."""
        outcome = outcome_of(report)
        if outcome is not None:
            self.end_test(report.nodeid, outcome, duration=report.duration,
                          message=_brief(report))
        return outcome

    # ---------------------------------------------------------- router events
    def record_operation(self, router: str, result: OperationResult, *,
                         at: float | None = None, nodeid: str | None = None) -> TimelineEntry:
        """Record ``result`` on ``router``'s timeline; ``at`` is the router time it ended (by
        default the router's clock now).  Return the entry."""
        detail = OperationDetail.of(result)
        with self._lock:
            self._masters[router] = result.master_after
        return self._record(router, EntryKind.OPERATION, detail, at, nodeid, lane=result.target)

    def observe_master(self, router: str, re: str | None, at: float | None = None, *,
                       nodeid: str | None = None) -> TimelineEntry | None:
        """Record that ``re`` is master of ``router`` at router time ``at`` (None: no master).

        Return the entry, or None when that master was already known (nothing changed).
        """
        with self._lock:
            if router in self._masters and self._masters[router] == re:
                return None
            self._masters[router] = re
        return self._record(router, EntryKind.MASTER, MasterDetail(re), at, nodeid)

    def add_log_events(self, router: str, entries: Iterable[EntryBase], *,
                       nodeid: str | None = None, tz: tzinfo = UTC) -> int:
        """Record matched mastership-log ``entries`` of ``router`` (their stamps are read in
        ``tz``; the emulator writes UTC).  An entry already recorded is skipped.

        Return how many were added.
        """
        added = 0
        for entry in entries:
            detail = _log_detail(entry)
            at = entry.timestamp.replace(tzinfo=entry.timestamp.tzinfo or tz).timestamp()
            if not self._seen_log(router, detail, at):
                self._record(router, EntryKind.LOG_EVENT, detail, at, nodeid, lane=detail.re)
                added += 1
        return added

    def _seen_log(self, router: str, detail: LogDetail, at: float) -> bool:
        with self._lock:
            return any(e.router == router and e.detail == detail and e.router_time == at
                       for e in self._entries)

    def _record(self, router: str, kind: EntryKind, detail: Detail, at: float | None,
                nodeid: str | None, *, lane: str | None = None) -> TimelineEntry:
        """Append an entry stamped now (about RE ``lane``, None: the whole router); a test
        running then gains ``router``."""
        test = self._current if nodeid is None else nodeid
        if test:
            self._join(test, router)
        when = at if at is not None else self._router_now(router)
        entry = TimelineEntry(router, kind, when, self._wall(), test, detail, lane=lane)
        self._append(entry)
        return entry

    def _append(self, entry: TimelineEntry) -> None:
        with self._lock:
            if entry.router not in self._routers:
                self._routers[entry.router] = RouterInfo(entry.router)
            self._entries.append(entry)

    def _router_now(self, router: str) -> float | None:
        """Return the router's clock now, or None (no clock, or it failed: the report then
        estimates the router time from the wall time)."""
        clock = self._clocks.get(router)
        if clock is None:
            return None
        try:
            return clock()
        except (HarnessError, OSError) as exc:
            log.warning("%s: no router time for the report (%s)", router, exc)
            return None

    # ------------------------------------------------------------------ views
    def routers(self) -> list[RouterInfo]:
        """Return the routers, registered first then in order of appearance."""
        with self._lock:
            return list(self._routers.values())

    def tests(self) -> list[TestRecord]:
        """Return the tests in the order they started."""
        with self._lock:
            return sorted(self._tests.values(), key=lambda t: t.wall_start)

    def entries(self, router: str | None = None) -> list[TimelineEntry]:
        """Return the entries (of ``router`` only when given), ordered by wall time."""
        with self._lock:
            chosen = [e for e in self._entries if router is None or e.router == router]
        return sorted(chosen, key=lambda e: e.wall_time)

    def operations(self, router: str | None = None) -> list[TimelineEntry]:
        """Return the operation entries (of ``router`` only when given), in order."""
        return [e for e in self.entries(router) if e.kind is EntryKind.OPERATION]

    def merge(self, other: Recorder) -> None:
        """Add everything ``other`` recorded (another worker's part) to this recorder."""
        self.testbed = self.testbed or other.testbed
        with self._lock:
            for info in other.routers():
                known = self._routers.get(info.name)
                if known is None or (not known.platform and info.platform):
                    self._routers[info.name] = info
            for test in other.tests():
                self.merge_test(test)
            self._entries.extend(other.entries())

    def merge_test(self, test: TestRecord) -> None:
        """Add ``test`` (read from a part); a finished record wins over an unfinished one."""
        with self._lock:
            self._tests[test.nodeid] = _later(self._tests.get(test.nodeid), test)

    def merge_entry(self, entry: TimelineEntry) -> None:
        """Add ``entry`` (read from a part) as it is."""
        self._append(entry)


def _later(mine: TestRecord | None, theirs: TestRecord) -> TestRecord:
    """Return the record to keep when two parts hold the same test: the finished one."""
    if mine is None or (mine.outcome is None and theirs.outcome is not None):
        return theirs
    return mine


def _log_detail(entry: EntryBase) -> LogDetail:
    """Return the detail of one mastership-log entry."""
    if isinstance(entry, MastershipEvent):
        return LogDetail(entry.re, entry.code.name, entry.state, entry.param, entry.raw)
    return LogDetail(entry.re, type(entry).__name__, getattr(entry, "state", None), None,
                     entry.raw)




def summary(recorder: Recorder) -> dict[str, Any]:
    """Return the verdict, the outcome counts and the switchover timings per router."""
    counts = _outcome_counts(recorder.tests())
    bad = sum(counts.get(o.value, 0) for o in Outcome if o.bad) + counts.get("unfinished", 0)
    return {
        "verdict": "failed" if bad else "passed",
        "tests": counts,
        "operations": len(recorder.operations()),
        "switchovers": {r.name: _timings(recorder, r.name) for r in recorder.routers()},
    }


def _outcome_counts(tests: Iterable[TestRecord]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for test in tests:
        key = test.outcome.value if test.outcome else "unfinished"
        counts[key] = counts.get(key, 0) + 1
    return counts


def _timings(recorder: Recorder, router: str) -> dict[str, float | int]:
    """Return count, min, mean and max of ``router``'s switchover durations (router s)."""
    durations = [d.duration for d in op_details(recorder.operations(router))
                 if d.operation == "switchover"]
    if not durations:
        return {"count": 0}
    return {"count": len(durations), "min": min(durations),
            "mean": round(statistics.fmean(durations), 3), "max": max(durations)}


def op_details(entries: Iterable[TimelineEntry]) -> list[OperationDetail]:
    return [e.detail for e in entries if isinstance(e.detail, OperationDetail)]
