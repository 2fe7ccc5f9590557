"""The geometry of one router's SVG timeline: where every bar, label, marker and tick goes.

:func:`layout` turns a router's placed entries (:mod:`harness.report.timeline`) into a
:class:`TimelineView` of frozen drawables with coordinates, colours and tooltips; the template
(``templates/timeline.svg.j2``) only writes them out.  From the top: a strip of tests coloured by
outcome; up to :data:`LABEL_ROWS` rows of operation labels; three rows of spans per operation
(control plane, data plane, backup ready: from the command to when the router reported each
back); one lane per RE, per RE's switchover readiness and per FPC, coloured by the states the
router reported; the matched log events as diamonds on their RE's lane; the emulator's resets
as breaks across the lanes; the time axis in UTC router time.

Labels never overlap: an operation label takes the first free row (else a short label, its
number, else none: the operation is still drawn, with its detail in the tooltip and the
table), and a segment shows its state's name only where the name fits inside it.  Widths are
estimated generously (:data:`CHAR_W`); the browser test measures the real ones.
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
from harness.report.timeline import (
    Placed,
    Role,
    Segment,
    breaks,
    lane_names,
    lane_segments,
    span,
)

__all__ = [
    "CHAR_W",
    "OUTCOME_FILL",
    "PHASE_FILL",
    "PHASES",
    "ROLE_FILL",
    "Axis",
    "BarView",
    "LaneView",
    "LogMarkView",
    "OperationView",
    "PhaseView",
    "ResetView",
    "SegmentView",
    "TestSpanView",
    "TickView",
    "TimelineView",
    "layout",
]

ROLE_FILL = {
    Role.MASTER: "#2e7d32", Role.BACKUP: "#1565c0", Role.CHANGING: "#f9a825",
    Role.DISABLED: "#8d6e63", Role.DOWN: "#424242", Role.ONLINE: "#43a047",
    Role.OFFLINE: "#c62828", Role.READY: "#00897b", Role.NOT_READY: "#ad1457",
    Role.UNKNOWN: "#cfd8dc",
}
_ROLE_INK = {Role.CHANGING: "#222", Role.UNKNOWN: "#37474f"}
OUTCOME_FILL = {
    Outcome.PASSED: "#66bb6a", Outcome.FAILED: "#e53935", Outcome.ERROR: "#8e24aa",
    Outcome.SKIPPED: "#bdbdbd", Outcome.XFAILED: "#90a4ae", Outcome.XPASSED: "#fb8c00",
}
_OP_INK = {"switchover": "#e65100", "failover": "#ad1457", "halt": "#b71c1c",
           "reboot": "#6a1b9a", "power_on": "#00695c"}
#: The phase rows: (field of OperationDetail, row label, colour).
PHASES = (("control_plane", "control", "#ef6c00"), ("data_plane", "data", "#6a1b9a"),
          ("backup_ready", "backup", "#00897b"))
PHASE_FILL = {name: fill for name, _, fill in PHASES}

WIDTH, LEFT, RIGHT = 1200.0, 86.0, 16.0
TESTS_Y, TESTS_H = 6.0, 12.0
LABEL_Y, LABEL_ROWS, LABEL_H = 24.0, 3, 16.0
PHASE_Y, PHASE_PITCH, PHASE_H = LABEL_Y + LABEL_ROWS * LABEL_H + 6, 15.0, 8.0
LANE_H, LANE_GAP = 22.0, 6.0
#: Width allowed per character of an 11-unit bold sans-serif label (generous, so that an
#: estimate that fits also fits on the page).
CHAR_W = 7.4
_GAP = 8.0

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
        return round(self.x0 + (t - self.t0) / (self.t1 - self.t0) * (self.x1 - self.x0), 2)

    def ticks(self, most: int = 9) -> list[float]:
        """Return round router times to label, at most ``most`` of them."""
        step = _nice_step((self.t1 - self.t0) / most)
        first = math.ceil(self.t0 / step) * step
        return [first + k * step for k in range(most + 2) if first + k * step <= self.t1]


def _nice_step(raw: float) -> float:
    """Return the smallest round tick step (seconds, minutes, hours) not below ``raw``."""
    return next((float(s) for s in _STEPS if s >= raw), 86400.0 * math.ceil(raw / 86400))


def text_width(text: str) -> float:
    """Return the width a label of ``text`` is given (see :data:`CHAR_W`)."""
    return len(text) * CHAR_W + _GAP


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


@dataclass(frozen=True, slots=True, kw_only=True)
class BarView:
    """A bar standing for router times ``start`` to ``end`` (the page carries them), drawn at
    ``x``, ``y`` with ``width``, ``fill`` and a tooltip."""

    start: float
    end: float
    x: float
    y: float
    width: float
    fill: str
    title: str


@dataclass(frozen=True, slots=True, kw_only=True)
class SegmentView(BarView):
    """A stretch of one lane in one reported state; ``label`` None when the state's name does
    not fit inside."""

    lane: str
    state: str
    role: str
    label: str | None
    label_x: float
    label_y: float
    ink: str


@dataclass(frozen=True, slots=True)
class LaneView:
    """One lane: its name at the left, its segments."""

    lane: str
    y: float
    label_y: float
    segments: tuple[SegmentView, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class PhaseView(BarView):
    """One phase of one operation: a bar from the command to when the router reported it back."""

    phase: str
    seconds: float


@dataclass(frozen=True, slots=True)
class OperationView:
    """An operation: its phase spans, a dashed line across the lanes where it ended, and its
    label (None when no label row had room) with a leader line to its start."""

    n: int
    operation: str
    ink: str
    title: str
    start_x: float
    end_x: float
    end_top: float
    end_bottom: float
    phases: tuple[PhaseView, ...]
    label: str | None
    label_x: float
    label_y: float


@dataclass(frozen=True, slots=True)
class LogMarkView:
    """A matched log event: a diamond on its RE's lane."""

    code: str
    points: str
    title: str


@dataclass(frozen=True, slots=True)
class ResetView:
    """A break: the emulator rebuilt the router here."""

    at: float
    x: float
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
    axis: Axis
    tests: tuple[TestSpanView, ...]
    lanes: tuple[LaneView, ...]
    operations: tuple[OperationView, ...]
    log_marks: tuple[LogMarkView, ...]
    resets: tuple[ResetView, ...]
    lanes_top: float
    axis_y: float
    ticks: tuple[TickView, ...]
    phase_rows: tuple[tuple[str, float], ...]


# --------------------------------------------------------------------------- layout
def layout(info: RouterInfo, placed: Sequence[Placed]) -> TimelineView:
    """Return the drawables of router ``info``'s timeline from its placed entries."""
    axis = Axis(*span(placed), LEFT, WIDTH - RIGHT)
    names = lane_names(info, placed)
    lanes_y = PHASE_Y + len(PHASES) * PHASE_PITCH + 6
    lanes_bottom = lanes_y + len(names) * (LANE_H + LANE_GAP) - LANE_GAP
    return TimelineView(
        router=info.name, width=WIDTH, height=lanes_bottom + 34, axis=axis,
        tests=_test_spans(placed, axis),
        lanes=_lanes(lane_segments(placed, names), axis, lanes_y),
        operations=_operations(placed, axis, lanes_bottom),
        log_marks=_log_marks(placed, axis, names, lanes_y),
        resets=tuple(ResetView(t, axis.x(t), f"emulator reset at {clock_text(t, True)} UTC: "
                               "no state carries across") for t in breaks(placed)),
        lanes_top=lanes_y, axis_y=lanes_bottom + 8, ticks=_ticks(axis),
        phase_rows=tuple((label, PHASE_Y + i * PHASE_PITCH + PHASE_H - 0.5)
                         for i, (_, label, _) in enumerate(PHASES)),
    )


def _test_spans(placed: Sequence[Placed], axis: Axis) -> tuple[TestSpanView, ...]:
    """Return a bar per finished test, from its start to its end, coloured by outcome."""
    starts = {p.entry.nodeid: p.at for p in placed if p.entry.kind is EntryKind.TEST_START}
    spans = []
    for p in placed:
        d = p.entry.detail
        if p.entry.kind is EntryKind.TEST_END and isinstance(d, TestEdge) and d.outcome:
            x0 = axis.x(starts.get(p.entry.nodeid, p.at))
            spans.append(TestSpanView(x0, max(axis.x(p.at) - x0, 2.0), OUTCOME_FILL[d.outcome],
                                      d.outcome.value, p.entry.nodeid,
                                      f"{p.entry.nodeid}: {d.outcome.value}"))
    return tuple(spans)


def _lanes(lanes: Mapping[str, list[Segment]], axis: Axis, top: float
           ) -> tuple[LaneView, ...]:
    """Return one lane per name, a segment per reported state."""
    out = []
    for i, (lane, segments) in enumerate(lanes.items()):
        y = top + i * (LANE_H + LANE_GAP)
        out.append(LaneView(lane, y, y + LANE_H / 2 + 4,
                            tuple(_segment(seg, axis, y) for seg in segments)))
    return tuple(out)


def _segment(seg: Segment, axis: Axis, y: float) -> SegmentView:
    x0, x1 = axis.x(seg.start), axis.x(seg.end)
    title = (f"{seg.lane} {seg.state} from {clock_text(seg.start, True)} to "
             f"{clock_text(seg.end, True)} UTC ({fmt_secs(seg.end - seg.start)}), reported by "
             f"{seg.via}")
    fits = x1 - x0 >= text_width(seg.state)
    role = seg.role
    return SegmentView(start=seg.start, end=seg.end, x=x0, y=y, width=max(x1 - x0, 0.5),
                       fill=ROLE_FILL[role], title=title, lane=seg.lane, state=seg.state,
                       role=role.value, label=seg.state if fits else None,
                       label_x=(x0 + x1) / 2, label_y=y + LANE_H / 2 + 4,
                       ink=_ROLE_INK.get(role, "#fff"))


def _operations(placed: Sequence[Placed], axis: Axis, bottom: float
                ) -> tuple[OperationView, ...]:
    """Return the operations, numbered as in the table, each label on the first free row."""
    rows_end = [-math.inf] * LABEL_ROWS
    out = []
    ops = [(p, p.entry.detail) for p in placed if isinstance(p.entry.detail, OperationDetail)]
    for n, (p, d) in enumerate(ops, 1):
        if not isinstance(d, OperationDetail):
            continue
        x0, x1 = axis.x(p.start), axis.x(p.at)
        label, row, lx = _place_label(rows_end, x0, (f"{n} {op_label(d)}", str(n)))
        out.append(OperationView(
            n=n, operation=d.operation, ink=_OP_INK.get(d.operation, "#37474f"),
            title=f"#{n} " + op_title(d, p.entry.nodeid), start_x=x0, end_x=x1,
            end_top=PHASE_Y - 2, end_bottom=bottom + 3, phases=_phases(d, p.start, axis),
            label=label, label_x=lx, label_y=LABEL_Y + row * LABEL_H))
    return tuple(out)


def _place_label(rows_end: list[float], x: float, choices: Sequence[str]
                 ) -> tuple[str | None, int, float]:
    """Return the first of ``choices`` that fits on a free row near ``x`` (centred on it, kept
    inside the drawing), its row and its centre; (None, 0, x) when none fits.  Updates
    ``rows_end``."""
    for text in choices:
        width = text_width(text)
        centre = min(max(x, LEFT + width / 2), WIDTH - RIGHT - width / 2)
        for row, end in enumerate(rows_end):
            if end <= centre - width / 2:
                rows_end[row] = centre + width / 2
                return text, row, centre
    return None, 0, x


def _phases(d: OperationDetail, start: float, axis: Axis) -> tuple[PhaseView, ...]:
    """Return the operation's phase spans that were measured, each from the command."""
    out = []
    for i, (name, label, fill) in enumerate(PHASES):
        seconds = getattr(d, name)
        if seconds is None:
            continue
        x0, x1 = axis.x(start), axis.x(start + seconds)
        extra = ""
        if name == "data_plane" and d.fpcs_stayed_online is not None:
            extra = "; FPCs stayed online" if d.fpcs_stayed_online else "; FPCs re-initialised"
        what = (f"{label} plane back" if name != "backup_ready" else "backup ready")
        out.append(PhaseView(
            start=start, end=start + seconds, x=x0, y=PHASE_Y + i * PHASE_PITCH,
            width=max(x1 - x0, 2.0), fill=fill, phase=name, seconds=seconds,
            title=f"{what} {fmt_secs(seconds)} after the {d.operation} command{extra}"))
    return tuple(out)


def _log_marks(placed: Sequence[Placed], axis: Axis, lanes: Sequence[str], top: float
               ) -> tuple[LogMarkView, ...]:
    """Return a diamond on the lane of the RE whose log holds each matched event."""
    out = []
    for p in placed:
        d = p.entry.detail
        if not isinstance(d, LogDetail) or not axis.t0 <= p.at <= axis.t1:
            continue
        lane = lanes.index(d.re) if d.re in lanes else 0
        x, y = axis.x(p.at), top + lane * (LANE_H + LANE_GAP) + LANE_H - 1
        points = f"{x},{y - 4} {x + 3.5},{y} {x},{y + 4} {x - 3.5},{y}"
        out.append(LogMarkView(d.code, points, f"{d.re or '?'} {clock_text(p.at)} {d.text}"))
    return tuple(out)


def _ticks(axis: Axis) -> tuple[TickView, ...]:
    """Return a tick per round time, labelled ``HH:MM:SS`` unless the edge would cut it."""
    times = axis.ticks()
    fine = len(times) > 1 and times[1] - times[0] < 1
    out = []
    for t in times:
        x = axis.x(t)
        shown = axis.x0 + 30 <= x <= axis.x1 - 30  # a label cut by the edge reads wrong
        out.append(TickView(x, clock_text(t, fine) if shown else None))
    return tuple(out)
