"""The acceptance report: per-router timelines of a run, as one HTML file, JSON and JUnit data.

A :class:`Recorder` collects, per router, what happened and when: tests starting and ending,
each HA operation a :class:`~harness.router.DualRERouter` reports to its ``listeners``, the
master changes the harness observed and the mastership-log events a test matched.  Every entry
carries the router's time (virtual on the emulator) and the wall time.

- :func:`write_html` renders one self-contained file (inline CSS and SVG, no script, no external
  URL) an engineer can attach to a change ticket: a summary header, then per router a timeline
  with one lane per RE coloured by role, the operations and the log events.
- :func:`write_json` / :func:`load_json` round-trip a recorder; under pytest-xdist each worker
  writes its own part and the controller combines them with :func:`merge_parts`.
- :func:`junit_properties` returns the ``record_property`` pairs of one operation.

Pure standard library; no I/O except the ``write_*`` / ``load_json`` / ``merge_parts`` files.
"""

from __future__ import annotations

import bisect
import html
import json
import logging
import math
import os
import statistics
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field, fields, replace
from datetime import UTC, datetime, tzinfo
from enum import Enum
from pathlib import Path
from typing import Any, ClassVar, Protocol, TypeAlias

from harness.errors import HarnessError
from harness.mastership import EntryBase, MastershipEvent
from harness.router import OperationResult

__all__ = [
    "EntryKind",
    "LogDetail",
    "MasterDetail",
    "OperationDetail",
    "Outcome",
    "PhaseReport",
    "Recorder",
    "ReportError",
    "Role",
    "RouterInfo",
    "TestEdge",
    "TestRecord",
    "TimelineEntry",
    "junit_properties",
    "load_json",
    "merge_parts",
    "outcome_of",
    "render_html",
    "to_dict",
    "write_html",
    "write_json",
]

log = logging.getLogger(__name__)

#: Identifies the JSON files this module writes; bumped when the layout changes.
FORMAT = "re-harness-report"
VERSION = 1
DEFAULT_RES = ("re0", "re1")


class ReportError(HarnessError):
    """A report file could not be read or written.  At fault: the file (or the directory)."""


# --------------------------------------------------------------------------- vocabulary


class EntryKind(Enum):
    """What a timeline entry records."""

    TEST_START = "test-start"
    TEST_END = "test-end"
    OPERATION = "operation"
    MASTER = "master"
    LOG_EVENT = "log-event"


class Outcome(Enum):
    """A test's final outcome, as pytest's terminal summary names it."""

    PASSED = "passed"
    FAILED = "failed"
    ERROR = "error"
    SKIPPED = "skipped"
    XFAILED = "xfailed"
    XPASSED = "xpassed"

    @property
    def bad(self) -> bool:
        """Return True for the outcomes that fail an acceptance run."""
        return self in (Outcome.FAILED, Outcome.ERROR)


class Role(Enum):
    """What an RE's lane shows at a moment of the timeline."""

    MASTER = "master"
    BACKUP = "backup"
    CHANGING = "changing"
    HALTED = "halted"
    UNKNOWN = "unknown"


# --------------------------------------------------------------------------- records


@dataclass(frozen=True, slots=True)
class TestEdge:
    """The start (``outcome`` None) or the end of a test on one router's timeline."""

    __test__: ClassVar[bool] = False  # not a test class for pytest to collect

    outcome: Outcome | None = None
    duration: float = 0.0


@dataclass(frozen=True, slots=True)
class OperationDetail:
    """An HA operation as :class:`~harness.router.OperationResult` reported it."""

    operation: str
    target: str
    method: str | None
    master_before: str | None
    master_after: str | None
    duration: float
    wall_duration: float

    @classmethod
    def of(cls, result: OperationResult) -> OperationDetail:
        """Return the detail of ``result`` (``method`` only for a switchover)."""
        method = getattr(result, "method", None)
        return cls(result.operation, result.target, method, result.master_before,
                   result.master_after, result.duration, result.wall_duration)


@dataclass(frozen=True, slots=True)
class MasterDetail:
    """An observed master change: ``re`` is the new master (None: no RE is master)."""

    re: str | None


@dataclass(frozen=True, slots=True)
class LogDetail:
    """A mastership-log entry a test matched; ``code`` is the event code or the entry type."""

    re: str | None
    code: str
    state: str | None
    param: int | None
    text: str


Detail: TypeAlias = TestEdge | OperationDetail | MasterDetail | LogDetail

_DETAIL_TYPES: dict[EntryKind, type[Any]] = {
    EntryKind.TEST_START: TestEdge,
    EntryKind.TEST_END: TestEdge,
    EntryKind.OPERATION: OperationDetail,
    EntryKind.MASTER: MasterDetail,
    EntryKind.LOG_EVENT: LogDetail,
}


@dataclass(frozen=True, slots=True)
class TimelineEntry:
    """One thing that happened on ``router``: router time (None when unknown), wall time (POSIX
    seconds), the test running then (``""`` outside a test), and what happened."""

    router: str
    kind: EntryKind
    router_time: float | None
    wall_time: float
    nodeid: str
    detail: Detail


@dataclass(frozen=True, slots=True)
class TestRecord:
    """A test of the run: the routers it used and its outcome (None while unfinished)."""

    __test__: ClassVar[bool] = False  # not a test class for pytest to collect

    nodeid: str
    routers: tuple[str, ...] = ()
    outcome: Outcome | None = None
    duration: float = 0.0
    wall_start: float = 0.0
    message: str = ""


@dataclass(frozen=True, slots=True)
class RouterInfo:
    """A router of the report: its platform and the RE lanes it gets."""

    name: str
    platform: str = ""
    re_names: tuple[str, ...] = DEFAULT_RES


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
        return self._record(router, EntryKind.OPERATION, detail, at, nodeid)

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
                self._record(router, EntryKind.LOG_EVENT, detail, at, nodeid)
                added += 1
        return added

    def _seen_log(self, router: str, detail: LogDetail, at: float) -> bool:
        with self._lock:
            return any(e.router == router and e.detail == detail and e.router_time == at
                       for e in self._entries)

    def _record(self, router: str, kind: EntryKind, detail: Detail, at: float | None,
                nodeid: str | None) -> TimelineEntry:
        """Append an entry stamped now; a test running then gains ``router``."""
        test = self._current if nodeid is None else nodeid
        if test:
            self._join(test, router)
        when = at if at is not None else self._router_now(router)
        entry = TimelineEntry(router, kind, when, self._wall(), test, detail)
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


# --------------------------------------------------------------------------- JUnit


def junit_properties(result: OperationResult, router: str | None = None
                     ) -> list[tuple[str, str]]:
    """Return the ``(name, value)`` pairs to pass to ``record_property`` for ``result``:
    router, operation, target, method (switchovers), master before/after (``none`` when no RE
    was master) and the duration in router and wall seconds (3 decimals)."""
    props = [("router", router)] if router else []
    props += [("operation", result.operation), ("target", result.target)]
    method = getattr(result, "method", None)
    if method:
        props.append(("method", str(method)))
    props += [
        ("master_before", result.master_before or "none"),
        ("master_after", result.master_after or "none"),
        ("duration_router_s", f"{result.duration:.3f}"),
        ("duration_wall_s", f"{result.wall_duration:.3f}"),
    ]
    return [(name, str(value)) for name, value in props]


# --------------------------------------------------------------------------- JSON


def _encode(value: Any) -> Any:
    """Return ``value`` with enums as their values (for json.dumps)."""
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, dict):
        return {k: _encode(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_encode(v) for v in value]
    return value


def _entry_dict(entry: TimelineEntry) -> dict[str, Any]:
    return {"router": entry.router, "kind": entry.kind.value, "router_time": entry.router_time,
            "wall_time": entry.wall_time, "nodeid": entry.nodeid,
            "detail": _encode(asdict(entry.detail))}


def to_dict(recorder: Recorder) -> dict[str, Any]:
    """Return the recorder as plain JSON data, with a ``summary`` for machine readers."""
    return {
        "format": FORMAT, "version": VERSION, "testbed": recorder.testbed,
        "worker": recorder.worker, "written": time.time(),
        "summary": _summary(recorder),
        "routers": [_encode(asdict(r)) for r in recorder.routers()],
        "tests": [_encode(asdict(t)) for t in recorder.tests()],
        "entries": [_entry_dict(e) for e in recorder.entries()],
    }


def _summary(recorder: Recorder) -> dict[str, Any]:
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
    durations = [d.duration for d in _op_details(recorder.operations(router))
                 if d.operation == "switchover"]
    if not durations:
        return {"count": 0}
    return {"count": len(durations), "min": min(durations),
            "mean": round(statistics.fmean(durations), 3), "max": max(durations)}


def _op_details(entries: Iterable[TimelineEntry]) -> list[OperationDetail]:
    return [e.detail for e in entries if isinstance(e.detail, OperationDetail)]


def write_json(recorder: Recorder, path: str | os.PathLike[str]) -> Path:
    """Write ``recorder`` as JSON to ``path`` (atomically: a partial file is never seen by
    :func:`merge_parts`).  Return the path.  Raises ReportError when it cannot be written."""
    target = Path(path)
    text = json.dumps(to_dict(recorder), indent=1, ensure_ascii=False)
    _write_atomic(target, text)
    return target


def _write_atomic(target: Path, text: str) -> None:
    temp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        temp.write_text(text, encoding="utf-8")
        os.replace(temp, target)
    except OSError as exc:
        raise ReportError(f"{target}: cannot write the report: {exc}") from exc


def load_json(path: str | os.PathLike[str]) -> Recorder:
    """Return the recorder written to ``path`` by :func:`write_json`.

    Raises ReportError naming the file (and the entry) when it cannot be read or is not a
    report of this version.
    """
    source = Path(path)
    try:
        data = json.loads(source.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ReportError(f"{source}: cannot read the report: {exc}") from exc
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ReportError(f"{source}: format: expected {FORMAT!r}, got "
                          f"{data.get('format') if isinstance(data, dict) else type(data)!r}")
    if data.get("version") != VERSION:
        raise ReportError(f"{source}: version: expected {VERSION}, got {data.get('version')!r}")
    return _from_dict(data, source)


def _from_dict(data: dict[str, Any], source: Path) -> Recorder:
    recorder = Recorder(str(data.get("testbed", "")), worker=str(data.get("worker", "")))
    for key, where, item in _items(data):
        try:
            _load_item(recorder, key, item)
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise ReportError(f"{source}: {where}: {type(exc).__name__}: {exc}") from exc
    return recorder


def _items(data: dict[str, Any]) -> Iterable[tuple[str, str, Any]]:
    """Yield ``(key, "key[i]", item)`` for the routers, then the tests, then the entries."""
    for key in ("routers", "tests", "entries"):
        for index, item in enumerate(data.get(key) or []):
            yield key, f"{key}[{index}]", item


def _load_item(recorder: Recorder, key: str, item: dict[str, Any]) -> None:
    """Add one router, test or entry read from JSON to ``recorder``."""
    if key == "routers":
        recorder.add_router(item["name"], platform=item.get("platform", ""),
                            re_names=item.get("re_names") or DEFAULT_RES)
    elif key == "tests":
        recorder.merge_test(_test_record(item))
    else:
        recorder.merge_entry(_entry(item))


def _test_record(item: dict[str, Any]) -> TestRecord:
    outcome = Outcome(item["outcome"]) if item.get("outcome") else None
    return TestRecord(item["nodeid"], tuple(item.get("routers") or ()), outcome,
                      float(item.get("duration", 0.0)), float(item.get("wall_start", 0.0)),
                      str(item.get("message", "")))


def _entry(item: dict[str, Any]) -> TimelineEntry:
    kind = EntryKind(item["kind"])
    detail_type = _DETAIL_TYPES[kind]
    values = {f.name: item["detail"].get(f.name) for f in fields(detail_type)}
    if detail_type is TestEdge:
        values["outcome"] = Outcome(values["outcome"]) if values["outcome"] else None
        values["duration"] = float(values["duration"] or 0.0)
    rt = item.get("router_time")
    return TimelineEntry(item["router"], kind, float(rt) if rt is not None else None,
                         float(item["wall_time"]), str(item.get("nodeid", "")),
                         detail_type(**values))


def merge_parts(directory: str | os.PathLike[str], pattern: str = "*.json") -> Recorder:
    """Return one recorder combining every part in ``directory`` (files matching ``pattern``,
    in name order).  An empty or missing directory gives an empty recorder.

    Raises ReportError for a part that cannot be read.
    """
    merged = Recorder()
    folder = Path(directory)
    parts = sorted(folder.glob(pattern)) if folder.is_dir() else []
    for part in parts:
        merged.merge(load_json(part))
    log.debug("merged %d report parts from %s", len(parts), folder)
    return merged


# --------------------------------------------------------------------------- HTML: building


_SVG_NS = "http://www.w3.org/2000/svg"
# Self-closed on output: HTML void elements and the SVG shapes (foreign content allows it).
_SELF_CLOSING = frozenset({"meta", "br", "rect", "line", "circle", "polygon", "path"})


def _esc(text: object) -> str:
    return html.escape(str(text), quote=True)


def _tag(name: str, body: str = "", /, **attrs: object) -> str:
    """Return element ``name`` around ``body`` (already escaped).  Attribute names: a trailing
    ``_`` is dropped (``class_``), ``_`` becomes ``-``; None values are left out.  The output is
    also well-formed XML, so tests can read it with ``xml.etree``."""
    rendered = "".join(f' {k.rstrip("_").replace("_", "-")}="{_esc(v)}"'
                       for k, v in attrs.items() if v is not None)
    if not body and name in _SELF_CLOSING:
        return f"<{name}{rendered}/>"
    return f"<{name}{rendered}>{body}</{name}>"


def _fmt_secs(seconds: float) -> str:
    """Return a duration for people: ``0.42 s``, ``12.3 s``, ``245 s``, ``3 min 05 s``."""
    if seconds < 10:
        return f"{seconds:.2f} s"
    if seconds < 100:
        return f"{seconds:.1f} s"
    if seconds < 600:
        return f"{seconds:.0f} s"
    minutes, rest = divmod(round(seconds), 60)
    return f"{minutes} min {rest:02d} s"


def _utc(stamp: float) -> datetime:
    return datetime.fromtimestamp(stamp, UTC)


def _clock_text(stamp: float | None, fine: bool = False) -> str:
    """Return ``HH:MM:SS`` (``.s`` when ``fine``) of a router time, UTC; ``?`` when unknown."""
    if stamp is None:
        return "?"
    when = _utc(stamp)
    text = when.strftime("%H:%M:%S")
    return f"{text}.{when.microsecond // 100000}" if fine else text


def _op_label(detail: OperationDetail) -> str:
    """Return the short name of an operation: ``switch → re1``, ``halt re1``, ..."""
    if detail.operation == "switchover":
        return f"{detail.method or 'switch'} → {detail.target}"
    return f"{detail.operation.replace('_', '-')} {detail.target}"


def _op_title(detail: OperationDetail, nodeid: str) -> str:
    return (f"{detail.operation} ({detail.method or '-'}) of {detail.target}: master "
            f"{detail.master_before or 'none'} → {detail.master_after or 'none'}; "
            f"{detail.duration:.2f} s router time, {detail.wall_duration:.2f} s wall"
            + (f"; test {nodeid}" if nodeid else ""))


# --------------------------------------------------------------------------- HTML: time


class _Resolver:
    """Gives each entry a router time: its own, else its wall time shifted by the router-minus-
    wall offset of the entry nearest in wall time that has both (virtual time jumps, so the
    nearest offset is the best guess); with no such entry, the wall time."""

    def __init__(self, entries: Sequence[TimelineEntry]) -> None:
        anchors = sorted((e.wall_time, e.router_time - e.wall_time) for e in entries
                         if e.router_time is not None)
        self._walls = [a[0] for a in anchors]
        self._offsets = [a[1] for a in anchors]

    def __call__(self, entry: TimelineEntry) -> float:
        """Return the router time of ``entry`` (estimated when it has none)."""
        if entry.router_time is not None:
            return entry.router_time
        if not self._walls:
            return entry.wall_time
        i = bisect.bisect_left(self._walls, entry.wall_time)
        near = min((j for j in (i - 1, i) if 0 <= j < len(self._walls)),
                   key=lambda j: abs(self._walls[j] - entry.wall_time))
        return entry.wall_time + self._offsets[near]


@dataclass(frozen=True, slots=True)
class _Axis:
    """Maps router time ``t0..t1`` onto x ``x0..x1``."""

    t0: float
    t1: float
    x0: float
    x1: float

    def x(self, t: float) -> float:
        """Return the x of router time ``t`` (clamped to the axis)."""
        t = min(max(t, self.t0), self.t1)
        return round(self.x0 + (t - self.t0) / (self.t1 - self.t0) * (self.x1 - self.x0), 1)

    def ticks(self, most: int = 9) -> list[float]:
        """Return round router times to label, at most ``most`` of them."""
        step = _nice_step((self.t1 - self.t0) / most)
        first = math.ceil(self.t0 / step) * step
        return [first + k * step for k in range(most + 2) if first + k * step <= self.t1]


_STEPS = (0.1, 0.2, 0.5, 1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200,
          10800, 21600, 43200, 86400)


def _nice_step(raw: float) -> float:
    """Return the smallest round tick step (seconds, minutes, hours) not below ``raw``."""
    return next((float(s) for s in _STEPS if s >= raw), 86400.0 * math.ceil(raw / 86400))


@dataclass(frozen=True, slots=True)
class _Placed:
    """An entry with its (resolved) router time; ``start`` differs for operations."""

    at: float
    start: float
    entry: TimelineEntry


def _place(entries: Sequence[TimelineEntry]) -> list[_Placed]:
    resolve = _Resolver(entries)
    placed = []
    for entry in entries:
        at = resolve(entry)
        d = entry.detail
        start = at - d.duration if isinstance(d, OperationDetail) else at
        placed.append(_Placed(at, start, entry))
    return sorted(placed, key=lambda p: (p.at, p.entry.wall_time))


def _span(placed: Sequence[_Placed]) -> tuple[float, float]:
    """Return the router-time range to draw: the run's entries (log events only when there is
    nothing else: a log holds history from before the run), padded 3 % each side."""
    core = [p for p in placed if p.entry.kind is not EntryKind.LOG_EVENT] or list(placed)
    lo = min((p.start for p in core), default=0.0)
    hi = max((p.at for p in core), default=1.0)
    pad = max((hi - lo) * 0.03, 0.5)
    return lo - pad, hi + pad


# --------------------------------------------------------------------------- HTML: roles


@dataclass(slots=True)
class _RoleState:
    """Who is master, who is halted and who is in an operation, while replaying a timeline."""

    master: str | None = None
    known: bool = False
    halted: set[str] = field(default_factory=set)
    changing: dict[str, int] = field(default_factory=dict)

    def role(self, re: str) -> Role:
        """Return the role ``re``'s lane shows now."""
        if re in self.halted:
            return Role.HALTED
        if self.changing.get(re):
            return Role.CHANGING
        if not self.known or self.master is None:
            return Role.UNKNOWN
        return Role.MASTER if re == self.master else Role.BACKUP

    def begin(self, d: OperationDetail, re_names: Sequence[str]) -> None:
        """An operation starts: its REs (all of them for a switchover) are changing."""
        if d.master_before is not None:
            self.master, self.known = d.master_before, True
        for re in _involved(d, re_names):
            self.changing[re] = self.changing.get(re, 0) + 1

    def end(self, d: OperationDetail, re_names: Sequence[str]) -> None:
        """An operation ended: its end state holds (a halted target stays halted until a
        reboot or power-on of it; chapter "request system halt")."""
        for re in _involved(d, re_names):
            self.changing[re] = max(self.changing.get(re, 0) - 1, 0)
        self.master, self.known = d.master_after, True
        if d.operation == "halt":
            self.halted.add(d.target)
        elif d.operation in ("reboot", "power_on"):
            self.halted.discard(d.target)

    def observe(self, re: str | None) -> None:
        """A master was observed (an RE that answers is not halted)."""
        self.master, self.known = re, True
        self.halted.discard(re or "")


def _involved(d: OperationDetail, re_names: Sequence[str]) -> list[str]:
    if d.operation == "switchover":
        return list(re_names)
    return [d.target]


def _first_master(placed: Sequence[_Placed]) -> tuple[bool, str | None]:
    """Return the first master the timeline knows of (assumed to hold from its start: had it
    changed, the harness would have seen it)."""
    for p in placed:
        d = p.entry.detail
        if isinstance(d, MasterDetail):
            return True, d.re
        if isinstance(d, OperationDetail) and d.master_before is not None:
            return True, d.master_before
    return False, None


_Segment: TypeAlias = tuple[float, float, Role]
_Step: TypeAlias = tuple[float, int, str, "OperationDetail | MasterDetail"]


def _steps(placed: Sequence[_Placed]) -> list[_Step]:
    """Return the role changes in time order: operation begin and end, observed masters."""
    steps: list[_Step] = []
    for n, p in enumerate(placed):
        d = p.entry.detail
        if isinstance(d, OperationDetail):
            steps.append((p.start, 2 * n, "begin", d))
            steps.append((p.at, 2 * n + 1, "end", d))
        elif isinstance(d, MasterDetail):
            steps.append((p.at, 2 * n, "observe", d))
    return sorted(steps, key=lambda s: (s[0], s[1]))


def _apply(state: _RoleState, action: str, d: OperationDetail | MasterDetail,
           re_names: Sequence[str]) -> None:
    """Apply one step to ``state``."""
    if isinstance(d, MasterDetail):
        state.observe(d.re)
    elif action == "begin":
        state.begin(d, re_names)
    else:
        state.end(d, re_names)


def _lanes(placed: Sequence[_Placed], re_names: Sequence[str], axis: _Axis
           ) -> dict[str, list[_Segment]]:
    """Return, per RE, its role segments over the axis."""
    known, first = _first_master(placed)
    state = _RoleState(first, known)
    lanes: dict[str, list[_Segment]] = {re: [] for re in re_names}
    cursor = axis.t0
    for at, _, action, detail in _steps(placed):
        at = min(max(at, axis.t0), axis.t1)
        _extend(lanes, state, cursor, at)
        _apply(state, action, detail, re_names)
        cursor = max(cursor, at)
    _extend(lanes, state, cursor, axis.t1)
    return lanes


def _extend(lanes: dict[str, list[_Segment]], state: _RoleState, t0: float, t1: float) -> None:
    """Add ``t0..t1`` in the current roles, merging with the previous segment of the same
    role."""
    if t1 <= t0:
        return
    for re, segments in lanes.items():
        role = state.role(re)
        if segments and segments[-1][2] is role and segments[-1][1] >= t0:
            segments[-1] = (segments[-1][0], t1, role)
        else:
            segments.append((t0, t1, role))


# --------------------------------------------------------------------------- HTML: SVG


_ROLE_FILL = {
    Role.MASTER: "#2e7d32", Role.BACKUP: "#1565c0", Role.CHANGING: "#f9a825",
    Role.HALTED: "#424242", Role.UNKNOWN: "#cfd8dc",
}
_ROLE_INK = {Role.CHANGING: "#222", Role.UNKNOWN: "#37474f"}
_OUTCOME_FILL = {
    Outcome.PASSED: "#66bb6a", Outcome.FAILED: "#e53935", Outcome.ERROR: "#8e24aa",
    Outcome.SKIPPED: "#bdbdbd", Outcome.XFAILED: "#90a4ae", Outcome.XPASSED: "#fb8c00",
}
_OP_INK = {"switchover": "#e65100", "halt": "#b71c1c", "reboot": "#6a1b9a",
           "power_on": "#00695c"}

_WIDTH, _LEFT, _RIGHT = 1200.0, 78.0, 16.0
_TESTS_Y, _TESTS_H = 6.0, 14.0
_LABEL_Y, _LABEL_ROWS, _LABEL_H = 26.0, 3, 15.0
_LANE_H, _LANE_GAP = 30.0, 8.0
_CHAR_W = 6.3  # average width of an 11-unit sans-serif character, to keep labels apart


def _timeline_svg(info: RouterInfo, placed: Sequence[_Placed]) -> str:
    """Return the SVG timeline of one router."""
    axis = _Axis(*_span(placed), _LEFT, _WIDTH - _RIGHT)
    re_names = _re_names(info, placed)
    lanes_y = _LABEL_Y + _LABEL_ROWS * _LABEL_H + 14
    lanes_bottom = lanes_y + len(re_names) * (_LANE_H + _LANE_GAP) - _LANE_GAP
    height = lanes_bottom + 34
    parts = [
        _tests_lane(placed, axis),
        _re_lanes(_lanes(placed, re_names, axis), axis, lanes_y),
        _operation_marks(placed, axis, lanes_y, lanes_bottom),
        _log_marks(placed, axis, re_names, lanes_y),
        _time_axis(axis, lanes_bottom),
    ]
    return _tag("svg", "".join(parts), xmlns=_SVG_NS, viewBox=f"0 0 {_WIDTH:.0f} {height:.0f}",
                class_="timeline", role="img",
                aria_label=f"timeline of {info.name}: Routing Engine roles over router time")


def _re_names(info: RouterInfo, placed: Sequence[_Placed]) -> list[str]:
    """Return the lanes: the router's REs, plus any RE named only by an entry."""
    names = list(info.re_names)
    for p in placed:
        for re in _res_named(p.entry.detail):
            if re and re not in names:
                names.append(re)
    return names


def _res_named(d: Detail) -> tuple[str | None, ...]:
    if isinstance(d, OperationDetail):
        return d.target, d.master_before, d.master_after
    if isinstance(d, MasterDetail | LogDetail):
        return (d.re,)
    return ()


def _tests_lane(placed: Sequence[_Placed], axis: _Axis) -> str:
    """Return the strip of test spans, coloured by outcome, each with its node id as title."""
    starts = {p.entry.nodeid: p.at for p in placed if p.entry.kind is EntryKind.TEST_START}
    label = _tag("text", "tests", x=_LEFT - 8, y=_TESTS_Y + 11, class_="lane-label")
    bars = [label]
    for p in placed:
        d = p.entry.detail
        if p.entry.kind is EntryKind.TEST_END and isinstance(d, TestEdge) and d.outcome:
            x0 = axis.x(starts.get(p.entry.nodeid, p.at))
            title = _tag("title", _esc(f"{p.entry.nodeid}: {d.outcome.value}"))
            bars.append(_tag("rect", title, x=x0, y=_TESTS_Y, height=_TESTS_H,
                             width=max(axis.x(p.at) - x0, 3.0), fill=_OUTCOME_FILL[d.outcome],
                             class_=f"test-span outcome-{d.outcome.value}",
                             data_nodeid=p.entry.nodeid))
    return _tag("g", "".join(bars), class_="tests")


def _re_lanes(lanes: Mapping[str, list[_Segment]], axis: _Axis, top: float) -> str:
    """Return one lane per RE, a rectangle per role segment (its role written inside when it
    fits)."""
    out = []
    for i, (re, segments) in enumerate(lanes.items()):
        y = top + i * (_LANE_H + _LANE_GAP)
        out.append(_tag("text", _esc(re), x=_LEFT - 8, y=y + _LANE_H / 2 + 4,
                        class_="lane-label"))
        out.extend(_segment(re, seg, axis, y) for seg in segments)
    return _tag("g", "".join(out), class_="lanes")


def _segment(re: str, seg: _Segment, axis: _Axis, y: float) -> str:
    t0, t1, role = seg
    x0, x1 = axis.x(t0), axis.x(t1)
    title = _tag("title", _esc(f"{re} {role.value} {_clock_text(t0, True)} – "
                               f"{_clock_text(t1, True)} UTC ({_fmt_secs(t1 - t0)})"))
    rect = _tag("rect", title, x=x0, y=y, width=max(x1 - x0, 0.5), height=_LANE_H,
                fill=_ROLE_FILL[role], class_=f"lane-seg role-{role.value}", data_re=re,
                data_role=role.value)
    if x1 - x0 < len(role.value) * _CHAR_W + 8:
        return rect
    text = _tag("text", role.value, x=(x0 + x1) / 2, y=y + _LANE_H / 2 + 4,
                fill=_ROLE_INK.get(role, "#fff"), class_="seg-label")
    return rect + text


def _operation_marks(placed: Sequence[_Placed], axis: _Axis, top: float, bottom: float
                     ) -> str:
    """Return, per operation, a bar from its start to its end just above the lanes, a dashed
    line at its end across the lanes and its label with the duration, on the first label row
    where it does not overlap (a leader line joins label and bar)."""
    rows_end = [-math.inf] * _LABEL_ROWS
    out = []
    for p in placed:
        d = p.entry.detail
        if not isinstance(d, OperationDetail):
            continue
        x0, x1 = axis.x(p.start), axis.x(p.at)
        label = f"{_op_label(d)} · {_fmt_secs(d.duration)}"
        row, lx = _label_row(rows_end, (x0 + x1) / 2, len(label) * _CHAR_W + 8)
        ink = _OP_INK.get(d.operation, "#37474f")
        ly = _LABEL_Y + row * _LABEL_H
        body = "".join([
            _tag("title", _esc(_op_title(d, p.entry.nodeid))),
            _tag("rect", x=x0, y=top - 7, width=max(x1 - x0, 2.0), height=4, fill=ink,
                 class_="op-span"),
            _tag("line", x1=lx, y1=ly + 13, x2=(x0 + x1) / 2, y2=top - 7, stroke=ink,
                 stroke_opacity="0.5", class_="op-leader"),
            _tag("line", x1=x1, y1=top - 7, x2=x1, y2=bottom + 3, stroke=ink, stroke_width=1.5,
                 stroke_dasharray="3 2", class_="op-end"),
            _tag("text", _esc(label), x=lx, y=ly + 11, fill=ink, class_="op-label"),
        ])
        out.append(_tag("g", body, class_=f"op op-{d.operation}", data_operation=d.operation))
    return _tag("g", "".join(out), class_="operations")


def _label_row(rows_end: list[float], centre: float, width: float) -> tuple[int, float]:
    """Return the row and x centre of a label: the first row free there (else the row whose
    last label ends first), kept inside the drawing.  Updates ``rows_end``."""
    x = min(max(centre, _LEFT + width / 2), _WIDTH - _RIGHT - width / 2)
    row = next((r for r, end in enumerate(rows_end) if end + 4 <= x - width / 2),
               min(range(len(rows_end)), key=lambda r: rows_end[r]))
    rows_end[row] = x + width / 2
    return row, x


def _log_marks(placed: Sequence[_Placed], axis: _Axis, re_names: Sequence[str], top: float
               ) -> str:
    """Return a small diamond on the lane of the RE whose log holds each matched event."""
    out = []
    for p in placed:
        d = p.entry.detail
        if not isinstance(d, LogDetail) or not axis.t0 <= p.at <= axis.t1:
            continue
        lane = re_names.index(d.re) if d.re in re_names else 0
        x, y = axis.x(p.at), top + lane * (_LANE_H + _LANE_GAP) + _LANE_H - 1
        points = f"{x},{y - 5} {x + 4},{y} {x},{y + 5} {x - 4},{y}"
        title = _tag("title", _esc(f"{d.re or '?'} {_clock_text(p.at)} {d.text}"))
        out.append(_tag("polygon", title, points=points, class_="log-mark", data_code=d.code))
    return _tag("g", "".join(out), class_="log-events")


def _time_axis(axis: _Axis, y: float) -> str:
    """Return the axis under the lanes: a tick and an ``HH:MM:SS`` label per round time."""
    base = y + 8
    out = [_tag("line", x1=axis.x0, y1=base, x2=axis.x1, y2=base, class_="axis")]
    ticks = axis.ticks()
    fine = len(ticks) > 1 and ticks[1] - ticks[0] < 1
    for t in ticks:
        x = axis.x(t)
        out.append(_tag("line", x1=x, y1=base, x2=x, y2=base + 5, class_="axis"))
        if axis.x0 + 26 <= x <= axis.x1 - 26:  # a label cut by the edge reads wrong: omit it
            out.append(_tag("text", _clock_text(t, fine), x=x, y=base + 17, class_="tick"))
    out.append(_tag("text", "UTC", x=_LEFT - 8, y=base + 17, class_="lane-label"))
    return _tag("g", "".join(out), class_="axis")


# --------------------------------------------------------------------------- HTML: page


_CSS = """
:root { --ink: #1f2933; --muted: #5f6b7a; --rule: #d9dee5; --band: #f4f6f8; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
  color: var(--ink); margin: 0; padding: 24px 32px; background: #fff; }
h1 { font-size: 22px; margin: 0 0 4px; }
h2 { font-size: 18px; margin: 36px 0 4px; padding-top: 12px; border-top: 2px solid var(--rule); }
h3 { font-size: 14px; margin: 18px 0 6px; color: var(--muted); text-transform: uppercase;
  letter-spacing: .04em; }
.meta { color: var(--muted); margin: 0 0 14px; }
.verdict { display: inline-block; padding: 2px 10px; border-radius: 4px; color: #fff;
  font-weight: 600; margin-left: 8px; font-size: 14px; vertical-align: middle; }
.verdict.passed { background: #2e7d32; } .verdict.failed { background: #c62828; }
.cards { display: flex; flex-wrap: wrap; gap: 12px; margin: 12px 0 8px; }
.card { border: 1px solid var(--rule); border-radius: 6px; padding: 8px 14px; min-width: 120px; }
.card b { display: block; font-size: 20px; }
.card span { color: var(--muted); font-size: 12px; }
table { border-collapse: collapse; width: 100%; margin: 4px 0 8px; font-size: 13px; }
th, td { text-align: left; padding: 4px 8px; border-bottom: 1px solid var(--rule);
  vertical-align: top; }
th { background: var(--band); font-weight: 600; white-space: nowrap; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.time, td.code { font-family: ui-monospace, Menlo, Consolas, monospace; white-space: nowrap; }
td.raw { font-family: ui-monospace, Menlo, Consolas, monospace; font-size: 12px; }
td.nodeid { font-family: ui-monospace, Menlo, Consolas, monospace; font-size: 12px;
  word-break: break-all; }
.badge { display: inline-block; padding: 0 7px; border-radius: 3px; color: #fff;
  font-size: 12px; font-weight: 600; }
.badge.unfinished { background: #757575; }
.empty { color: var(--muted); font-style: italic; }
svg.timeline { width: 100%; height: auto; display: block; margin: 6px 0 2px;
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
svg .lane-label { font-size: 12px; text-anchor: end; fill: var(--muted); }
svg .seg-label { font-size: 11px; text-anchor: middle; font-weight: 600; }
svg .op-label { font-size: 11px; text-anchor: middle; font-weight: 600; }
svg .tick { font-size: 11px; text-anchor: middle; fill: var(--muted); }
svg .axis { stroke: #90a4ae; }
svg .test-span { stroke: #fff; stroke-width: 1; }
svg .log-mark { fill: #fff; stroke: #111; stroke-width: 1.2; }
.legend { display: flex; flex-wrap: wrap; gap: 14px; font-size: 12px; color: var(--muted); }
.swatch { display: inline-block; width: 12px; height: 12px; border-radius: 2px;
  vertical-align: -2px; margin-right: 4px; }
@media print { body { padding: 0; } h2 { break-before: page; } }
"""


def render_html(recorder: Recorder, title: str = "Routing Engine redundancy acceptance report"
                ) -> str:
    """Return the whole report as one HTML document (no script, no external URL)."""
    body = _header(recorder, title) + "".join(
        _router_section(info, recorder) for info in recorder.routers())
    head = _tag("head", _tag("meta", charset="utf-8") + _tag("title", _esc(title))
                + _tag("style", _CSS))
    return "<!DOCTYPE html>\n" + _tag("html", head + _tag("body", body), lang="en") + "\n"


def write_html(recorder: Recorder, path: str | os.PathLike[str], *,
               title: str = "Routing Engine redundancy acceptance report") -> Path:
    """Write the report of ``recorder`` to ``path``.  Return the path.

    Raises ReportError when it cannot be written.
    """
    target = Path(path)
    _write_atomic(target, render_html(recorder, title))
    return target


def _header(recorder: Recorder, title: str) -> str:
    """Return the title, the verdict, the count cards and the table of tests."""
    summary = _summary(recorder)
    verdict = _tag("span", summary["verdict"].upper(), class_=f"verdict {summary['verdict']}")
    written = _utc(time.time()).strftime("%Y-%m-%d %H:%M:%S UTC")
    meta = (f"testbed {_esc(recorder.testbed or '(unnamed)')} · {len(recorder.routers())} "
            f"router(s) · generated {written}")
    return (_tag("h1", _esc(title) + verdict) + _tag("p", meta, class_="meta")
            + _cards(recorder, summary) + _tag("h3", "Tests") + _tests_table(recorder.tests()))


def _cards(recorder: Recorder, summary: dict[str, Any]) -> str:
    counts: dict[str, int] = summary["tests"]
    ops = _op_details(recorder.operations())
    switch = [d.duration for d in ops if d.operation == "switchover"]
    cards = [(str(sum(counts.values())), "tests")]
    cards += [(str(n), name) for name, n in counts.items()]
    cards.append((str(len(ops)), "HA operations"))
    if switch:
        cards.append((_fmt_secs(max(switch)), f"longest of {len(switch)} switchover(s)"))
        cards.append((_fmt_secs(statistics.fmean(switch)), "mean switchover"))
    return _tag("div", "".join(_tag("div", _tag("b", _esc(v)) + _tag("span", _esc(k)),
                                    class_="card") for v, k in cards), class_="cards")


def _badge(outcome: Outcome | None) -> str:
    if outcome is None:
        return _tag("span", "unfinished", class_="badge unfinished")
    return _tag("span", outcome.value, class_=f"badge outcome-{outcome.value}",
                style=f"background:{_OUTCOME_FILL[outcome]}")


def _table(css: str, head: Sequence[str], rows: Sequence[str], empty: str) -> str:
    """Return a table with header ``head`` and ``rows`` (already rendered), or ``empty``."""
    if not rows:
        return _tag("p", _esc(empty), class_="empty")
    header = _tag("thead", _tag("tr", "".join(_tag("th", _esc(h)) for h in head)))
    return _tag("table", header + _tag("tbody", "".join(rows)), class_=css)


def _tests_table(tests: Sequence[TestRecord]) -> str:
    rows = [_tag("tr", "".join([
        _tag("td", _esc(t.nodeid), class_="nodeid"),
        _tag("td", _esc(", ".join(t.routers) or "-")),
        _tag("td", _badge(t.outcome)),
        _tag("td", _fmt_secs(t.duration), class_="num"),
        _tag("td", _esc(t.message)),
    ]), class_=f"test outcome-{t.outcome.value if t.outcome else 'unfinished'}")
        for t in tests]
    return _table("tests", ("test", "router", "outcome", "duration (wall)", "message"), rows,
                  "No test was recorded.")


def _router_section(info: RouterInfo, recorder: Recorder) -> str:
    """Return one router's part: heading, legend, timeline, operations and log events."""
    placed = _place(recorder.entries(info.name))
    lo, hi = _span(placed)
    heading = f"{info.name}" + (f" ({info.platform})" if info.platform else "")
    meta = (f"router time from {_utc(lo).strftime('%Y-%m-%d %H:%M:%S')} to "
            f"{_utc(hi).strftime('%Y-%m-%d %H:%M:%S')} UTC; hover a bar or a marker for "
            "details")
    body = (_tag("h2", _esc(heading)) + _tag("p", _esc(meta), class_="meta") + _legend()
            + _timeline_svg(info, placed)
            + _tag("h3", "Operations") + _operations_table(placed)
            + _tag("h3", "Mastership log events matched") + _log_table(placed))
    return _tag("section", body, class_="router", id=f"router-{info.name}")


def _legend() -> str:
    roles = [(role.value, _ROLE_FILL[role]) for role in Role]
    items = [_tag("span", _tag("span", "", class_="swatch", style=f"background:{fill}")
                  + _esc(name)) for name, fill in roles]
    items.append(_tag("span", "◇ matched log event"))
    items.append(_tag("span", "top strip: tests by outcome"))
    return _tag("div", "".join(items), class_="legend")


def _operations_table(placed: Sequence[_Placed]) -> str:
    rows = []
    for n, p in enumerate((p for p in placed if isinstance(p.entry.detail, OperationDetail)), 1):
        d = p.entry.detail
        assert isinstance(d, OperationDetail)  # filtered above; narrows the type for mypy
        rows.append(_tag("tr", "".join([
            _tag("td", str(n), class_="num"),
            _tag("td", _clock_text(p.at, True), class_="time"),
            _tag("td", _esc(p.entry.nodeid or "-"), class_="nodeid"),
            _tag("td", _esc(d.operation)),
            _tag("td", _esc(d.method or "-")),
            _tag("td", _esc(d.target)),
            _tag("td", _esc(f"{d.master_before or 'none'} → {d.master_after or 'none'}")),
            _tag("td", _fmt_secs(d.duration), class_="num"),
            _tag("td", _fmt_secs(d.wall_duration), class_="num"),
        ]), class_=f"op-row op-{d.operation}"))
    head = ("#", "ended (UTC)", "test", "operation", "method", "target", "master before → after",
            "duration (router)", "duration (wall)")
    return _table("ops", head, rows, "No HA operation was recorded.")


def _log_table(placed: Sequence[_Placed]) -> str:
    rows = []
    for p in placed:
        d = p.entry.detail
        if isinstance(d, LogDetail):
            rows.append(_tag("tr", "".join([
                _tag("td", _clock_text(p.at), class_="time"),
                _tag("td", _esc(d.re or "?")),
                _tag("td", _esc(d.code), class_="code"),
                _tag("td", _esc(d.state or "")),
                _tag("td", "" if d.param is None else f"0x{d.param:x}", class_="code"),
                _tag("td", _esc(d.text), class_="raw"),
            ]), class_="log-row"))
    return _table("log", ("stamp (UTC)", "RE", "event", "state", "param", "log line"), rows,
                  "No mastership-log event was matched.")
