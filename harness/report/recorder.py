"""The recorder of a run: per router, what happened and when.

A :class:`Recorder` collects tests starting and ending, each HA operation a
:class:`~harness.router.DualRERouter` reports to its ``listeners`` (with the states the router
reported while it was waited for), the states observed around each test, the mastership-log
events and state changes each RE wrote, the emulator's resets (breaks) and the disruptive
actions tests took.  Every entry carries the router's time (virtual on the emulator), the wall
time, who says it happened and the lane it is about (:mod:`harness.report.model`).  The store
(:mod:`harness.report.store`) writes and merges recorders; the renderers read them.  No I/O.
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
from harness.faults import DisruptiveAction
from harness.mastership import EntryBase, MastershipEvent, NewState
from harness.report.model import (
    DEFAULT_RES,
    Detail,
    DisruptionDetail,
    EntryKind,
    LogDetail,
    OperationDetail,
    Outcome,
    ResetDetail,
    RouterInfo,
    Source,
    StateDetail,
    TestEdge,
    TestRecord,
    TimelineEntry,
)
from harness.router import OperationResult
from harness.router.results import Seen

__all__ = ["PhaseReport", "Recorder", "op_details", "outcome_of", "summary",
           "switchover_timings"]

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
        self._keys: set[tuple[object, ...]] = set()

    def __repr__(self) -> str:
        return (f"<Recorder {self.testbed or '?'} {len(self._routers)} routers "
                f"{len(self._tests)} tests {len(self._entries)} entries>")

    # ------------------------------------------------------------ registration
    def add_router(self, name: str, *, platform: str = "",
                   re_names: Sequence[str] = DEFAULT_RES,
                   clock: Callable[[], float] | None = None, lab: bool = False) -> None:
        """Register router ``name``: its platform, RE lanes, whether it is a lab router and
        (optionally) a router clock that stamps entries recorded without an explicit router
        time (``router.clock.now``)."""
        with self._lock:
            self._routers[name] = RouterInfo(name, platform, tuple(re_names) or DEFAULT_RES,
                                             lab)
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
        """Record ``result`` on ``router``'s timeline, and the states the router reported while
        it was waited for; ``at`` is the router time it ended (by default its command's time
        plus its duration, else the router's clock now).  Return the operation's entry."""
        detail = OperationDetail.of(result)
        if at is None and result.started is not None:
            at = result.started + result.duration
        entry = self._record(router, EntryKind.OPERATION, detail, at, nodeid, lane=result.target)
        self.record_states(router, result.seen, nodeid=nodeid)
        return entry

    def record_states(self, router: str, seen: Iterable[Seen], *, nodeid: str | None = None,
                      source: Source = Source.OBSERVED) -> int:
        """Record the lane states ``router`` reported (``seen``).  Return how many."""
        added = 0
        for item in seen:
            self._record(router, EntryKind.STATE, StateDetail(item.lane, item.state, item.via),
                         item.at, nodeid, lane=item.lane, source=source)
            added += 1
        return added

    def record_reset(self, router: str, at: float | None = None, *,
                     nodeid: str | None = None) -> TimelineEntry:
        """Record that the emulator rebuilt ``router`` (a break: no lane state carries over)."""
        return self._record(router, EntryKind.RESET, ResetDetail(), at, nodeid)

    def record_disruption(self, action: DisruptiveAction, at: float | None = None, *,
                          nodeid: str | None = None) -> TimelineEntry:
        """Record a disruptive action a test is about to take (with the router's consent)."""
        detail = DisruptionDetail(action.kind.value, action.what, action.re, action.lab)
        return self._record(action.router, EntryKind.DISRUPTION, detail, at, nodeid,
                            lane=action.re)

    def add_log_events(self, router: str, entries: Iterable[EntryBase], *,
                       nodeid: str | None = None, tz: tzinfo = UTC) -> int:
        """Record mastership-log ``entries`` of ``router`` (their stamps are read in ``tz``; the
        emulator writes UTC): each event of Table 107 as a log event, each ``new state = X``
        as the state of its RE's lane.  An entry already recorded is skipped.

        Return how many were added.
        """
        added = 0
        for entry in entries:
            at = entry.timestamp.replace(tzinfo=entry.timestamp.tzinfo or tz).timestamp()
            if isinstance(entry, NewState) and entry.re:
                seen = Seen(at, entry.re, entry.state.lower(), f"{entry.re}: mastership log")
                if self._first((router, EntryKind.STATE, entry.re, entry.raw, at)):
                    added += self.record_states(router, [seen], nodeid=nodeid,
                                                source=Source.ROUTER_LOG)
                continue
            detail = _log_detail(entry)
            if self._first((router, EntryKind.LOG_EVENT, detail, at)):
                self._record(router, EntryKind.LOG_EVENT, detail, at, nodeid, lane=detail.re)
                added += 1
        return added

    def _first(self, key: tuple[object, ...]) -> bool:
        """Return True (and remember ``key``) unless ``key`` was seen before."""
        with self._lock:
            if key in self._keys:
                return False
            self._keys.add(key)
            return True

    def _record(self, router: str, kind: EntryKind, detail: Detail, at: float | None,
                nodeid: str | None, *, lane: str | None = None, source: Source | None = None
                ) -> TimelineEntry:
        """Append an entry stamped now (about ``lane``, None: the whole router); a test
        running then gains ``router``."""
        test = self._current if nodeid is None else nodeid
        if test:
            self._join(test, router)
        when = at if at is not None else self._router_now(router)
        entry = TimelineEntry(router, kind, when, self._wall(), test, detail, source, lane)
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
        "switchovers": {r.name: switchover_timings(op_details(recorder.operations(r.name)))
                        for r in recorder.routers()},
    }


def _outcome_counts(tests: Iterable[TestRecord]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for test in tests:
        key = test.outcome.value if test.outcome else "unfinished"
        counts[key] = counts.get(key, 0) + 1
    return counts


def switchover_timings(details: Iterable[OperationDetail]) -> dict[str, Any]:
    """Return, over the switchovers of ``details``: their count; min, mean and max of their
    durations (router s); and per phase (control plane, data plane, backup ready) the same
    over the switchovers that measured it, the data plane also split by whether the FPCs
    stayed online (graceful switchover) or were re-initialised."""
    chosen = [d for d in details if d.operation == "switchover"]
    if not chosen:
        return {"count": 0}
    out: dict[str, Any] = {"count": len(chosen), **_stats([d.duration for d in chosen])}
    for name in ("control_plane", "data_plane", "backup_ready"):
        values = [v for d in chosen if (v := getattr(d, name)) is not None]
        if values:
            out[name] = {"count": len(values), **_stats(values)}
    for key, kept in (("fpcs_kept_online", True), ("fpcs_reinitialised", False)):
        values = [d.data_plane for d in chosen
                  if d.fpcs_stayed_online is kept and d.data_plane is not None]
        if values:
            out[key] = {"count": len(values), **_stats(values)}
    return out


def _stats(values: Sequence[float]) -> dict[str, float]:
    return {"min": min(values), "mean": round(statistics.fmean(values), 3), "max": max(values)}


def op_details(entries: Iterable[TimelineEntry]) -> list[OperationDetail]:
    """Return the operation details of ``entries``, in order."""
    return [e.detail for e in entries if isinstance(e.detail, OperationDetail)]
