"""The geometry of one router's SVG timeline: where every bar, label, marker and tick goes.

:func:`layout` turns a router's placed entries (:mod:`harness.report.timeline`) into a
:class:`TimelineView` of frozen drawables with coordinates, colours and tooltips; the template
(``templates/timeline.svg.j2``) only writes them out.  From the top: a strip of tests coloured by
outcome, up to :data:`LABEL_ROWS` rows of operation labels (a label takes the first row where it
does not overlap), one lane per RE coloured by role, the matched log events as diamonds on their
RE's lane, and the time axis in UTC router time.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from harness.report.formats import clock_text, fmt_secs, op_label, op_title
from harness.report.model import (
    EntryKind,
    LogDetail,
    OperationDetail,
    Outcome,
    RouterInfo,
    TestEdge,
)
from harness.report.timeline import Placed, Role, Segment, lane_names, role_segments, span

__all__ = [
    "OUTCOME_FILL",
    "ROLE_FILL",
    "Axis",
    "LaneView",
    "LogMarkView",
    "OperationView",
    "SegmentView",
    "TestSpanView",
    "TickView",
    "TimelineView",
    "layout",
]

ROLE_FILL = {
    Role.MASTER: "#2e7d32", Role.BACKUP: "#1565c0", Role.CHANGING: "#f9a825",
    Role.HALTED: "#424242", Role.UNKNOWN: "#cfd8dc",
}
_ROLE_INK = {Role.CHANGING: "#222", Role.UNKNOWN: "#37474f"}
OUTCOME_FILL = {
    Outcome.PASSED: "#66bb6a", Outcome.FAILED: "#e53935", Outcome.ERROR: "#8e24aa",
    Outcome.SKIPPED: "#bdbdbd", Outcome.XFAILED: "#90a4ae", Outcome.XPASSED: "#fb8c00",
}
_OP_INK = {"switchover": "#e65100", "halt": "#b71c1c", "reboot": "#6a1b9a",
           "power_on": "#00695c"}

WIDTH, LEFT, RIGHT = 1200.0, 78.0, 16.0
TESTS_Y, TESTS_H = 6.0, 14.0
LABEL_Y, LABEL_ROWS, LABEL_H = 26.0, 3, 15.0
LANE_H, LANE_GAP = 30.0, 8.0
_CHAR_W = 6.3  # average width of an 11-unit sans-serif character, to keep labels apart

_STEPS = (0.1, 0.2, 0.5, 1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200,
          10800, 21600, 43200, 86400)


@dataclass(frozen=True, slots=True)
class Axis:
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


def _nice_step(raw: float) -> float:
    """Return the smallest round tick step (seconds, minutes, hours) not below ``raw``."""
    return next((float(s) for s in _STEPS if s >= raw), 86400.0 * math.ceil(raw / 86400))


# --------------------------------------------------------------------------- drawables
@dataclass(frozen=True, slots=True)
class TestSpanView:
    """A test's bar in the top strip."""

    __test__ = False  # not a test class for pytest to collect

    x: float
    width: float
    fill: str
    outcome: str
    nodeid: str
    title: str


@dataclass(frozen=True, slots=True)
class SegmentView:
    """A stretch of one RE's lane in one role; ``label`` None when the role name does not
    fit inside."""

    re: str
    role: str
    x: float
    y: float
    width: float
    fill: str
    title: str
    label: str | None
    label_x: float
    label_y: float
    ink: str


@dataclass(frozen=True, slots=True)
class LaneView:
    """One RE's lane: its name at the left, its segments."""

    re: str
    label_y: float
    segments: tuple[SegmentView, ...]


@dataclass(frozen=True, slots=True)
class OperationView:
    """An operation: a bar from start to end above the lanes, a dashed line at its end across
    the lanes, and its label (with a leader line to the bar) on a free label row."""

    operation: str
    ink: str
    title: str
    bar_x: float
    bar_y: float
    bar_width: float
    bar_centre: float
    end_x: float
    end_bottom: float
    label: str
    label_x: float
    label_y: float


@dataclass(frozen=True, slots=True)
class LogMarkView:
    """A matched log event: a diamond on its RE's lane."""

    code: str
    points: str
    title: str


@dataclass(frozen=True, slots=True)
class TickView:
    """A tick of the time axis; ``label`` None where it would be cut by the edge."""

    x: float
    label: str | None


@dataclass(frozen=True, slots=True)
class TimelineView:
    """Everything the SVG of one router's timeline draws."""

    router: str
    width: float
    height: float
    tests: tuple[TestSpanView, ...]
    lanes: tuple[LaneView, ...]
    operations: tuple[OperationView, ...]
    log_marks: tuple[LogMarkView, ...]
    axis_y: float
    axis_x0: float
    axis_x1: float
    ticks: tuple[TickView, ...]


# --------------------------------------------------------------------------- layout
def layout(info: RouterInfo, placed: Sequence[Placed]) -> TimelineView:
    """Return the drawables of router ``info``'s timeline from its placed entries."""
    axis = Axis(*span(placed), LEFT, WIDTH - RIGHT)
    re_names = lane_names(info, placed)
    lanes_y = LABEL_Y + LABEL_ROWS * LABEL_H + 14
    lanes_bottom = lanes_y + len(re_names) * (LANE_H + LANE_GAP) - LANE_GAP
    segments = role_segments(placed, re_names, axis.t0, axis.t1)
    return TimelineView(
        router=info.name, width=WIDTH, height=lanes_bottom + 34,
        tests=_test_spans(placed, axis),
        lanes=_lanes(segments, axis, lanes_y),
        operations=_operations(placed, axis, lanes_y, lanes_bottom),
        log_marks=_log_marks(placed, axis, re_names, lanes_y),
        axis_y=lanes_bottom + 8, axis_x0=axis.x0, axis_x1=axis.x1, ticks=_ticks(axis),
    )


def _test_spans(placed: Sequence[Placed], axis: Axis) -> tuple[TestSpanView, ...]:
    """Return a bar per finished test, from its start to its end, coloured by outcome."""
    starts = {p.entry.nodeid: p.at for p in placed if p.entry.kind is EntryKind.TEST_START}
    spans = []
    for p in placed:
        d = p.entry.detail
        if p.entry.kind is EntryKind.TEST_END and isinstance(d, TestEdge) and d.outcome:
            x0 = axis.x(starts.get(p.entry.nodeid, p.at))
            spans.append(TestSpanView(x0, max(axis.x(p.at) - x0, 3.0), OUTCOME_FILL[d.outcome],
                                      d.outcome.value, p.entry.nodeid,
                                      f"{p.entry.nodeid}: {d.outcome.value}"))
    return tuple(spans)


def _lanes(lanes: Mapping[str, list[Segment]], axis: Axis, top: float
           ) -> tuple[LaneView, ...]:
    """Return one lane per RE, a segment per role stretch."""
    out = []
    for i, (re, segments) in enumerate(lanes.items()):
        y = top + i * (LANE_H + LANE_GAP)
        out.append(LaneView(re, y + LANE_H / 2 + 4,
                            tuple(_segment(re, seg, axis, y) for seg in segments)))
    return tuple(out)


def _segment(re: str, seg: Segment, axis: Axis, y: float) -> SegmentView:
    t0, t1, role = seg
    x0, x1 = axis.x(t0), axis.x(t1)
    title = (f"{re} {role.value} {clock_text(t0, True)} – {clock_text(t1, True)} UTC "
             f"({fmt_secs(t1 - t0)})")
    fits = x1 - x0 >= len(role.value) * _CHAR_W + 8
    return SegmentView(re, role.value, x0, y, max(x1 - x0, 0.5), ROLE_FILL[role], title,
                       role.value if fits else None, (x0 + x1) / 2, y + LANE_H / 2 + 4,
                       _ROLE_INK.get(role, "#fff"))


def _operations(placed: Sequence[Placed], axis: Axis, top: float, bottom: float
                ) -> tuple[OperationView, ...]:
    """Return the operations, each label on the first label row where it does not overlap."""
    rows_end = [-math.inf] * LABEL_ROWS
    out = []
    for p in placed:
        d = p.entry.detail
        if not isinstance(d, OperationDetail):
            continue
        x0, x1 = axis.x(p.start), axis.x(p.at)
        label = f"{op_label(d)} · {fmt_secs(d.duration)}"
        row, lx = _label_row(rows_end, (x0 + x1) / 2, len(label) * _CHAR_W + 8)
        out.append(OperationView(
            operation=d.operation, ink=_OP_INK.get(d.operation, "#37474f"),
            title=op_title(d, p.entry.nodeid), bar_x=x0, bar_y=top - 7,
            bar_width=max(x1 - x0, 2.0), bar_centre=(x0 + x1) / 2, end_x=x1,
            end_bottom=bottom + 3, label=label, label_x=lx, label_y=LABEL_Y + row * LABEL_H))
    return tuple(out)


def _label_row(rows_end: list[float], centre: float, width: float) -> tuple[int, float]:
    """Return the row and x centre of a label: the first row free there (else the row whose
    last label ends first), kept inside the drawing.  Updates ``rows_end``."""
    x = min(max(centre, LEFT + width / 2), WIDTH - RIGHT - width / 2)
    row = next((r for r, end in enumerate(rows_end) if end + 4 <= x - width / 2),
               min(range(len(rows_end)), key=lambda r: rows_end[r]))
    rows_end[row] = x + width / 2
    return row, x


def _log_marks(placed: Sequence[Placed], axis: Axis, re_names: Sequence[str], top: float
               ) -> tuple[LogMarkView, ...]:
    """Return a diamond on the lane of the RE whose log holds each matched event."""
    out = []
    for p in placed:
        d = p.entry.detail
        if not isinstance(d, LogDetail) or not axis.t0 <= p.at <= axis.t1:
            continue
        lane = re_names.index(d.re) if d.re in re_names else 0
        x, y = axis.x(p.at), top + lane * (LANE_H + LANE_GAP) + LANE_H - 1
        points = f"{x},{y - 5} {x + 4},{y} {x},{y + 5} {x - 4},{y}"
        out.append(LogMarkView(d.code, points, f"{d.re or '?'} {clock_text(p.at)} {d.text}"))
    return tuple(out)


def _ticks(axis: Axis) -> tuple[TickView, ...]:
    """Return a tick per round time, labelled ``HH:MM:SS`` unless the edge would cut it."""
    times = axis.ticks()
    fine = len(times) > 1 and times[1] - times[0] < 1
    out = []
    for t in times:
        x = axis.x(t)
        shown = axis.x0 + 26 <= x <= axis.x1 - 26  # a label cut by the edge reads wrong
        out.append(TickView(x, clock_text(t, fine) if shown else None))
    return tuple(out)
