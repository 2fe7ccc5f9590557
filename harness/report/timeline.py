"""The timeline of one router in router time: each entry placed at its router time (estimated
from the wall time when the router gave none), and each lane's states as the router reported
them, cut into segments.  No geometry and no markup: :mod:`harness.report.layout` draws this,
:mod:`harness.report.html` writes it.

The rule a segment follows (the browser test checks the page against it, from the JSON): a
lane's state starts at the router time of a report of it (:class:`~harness.report.model.
StateDetail`) and lasts until the next report of a different state on that lane, the next
reset of the router (a break: nothing carries across it) or the last entry of the router's
timeline, whichever comes first; reports at one router time are taken in wall-time order and a
segment of no length is not drawn.  Nothing is inferred from the harness's own operations.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum

from harness.report.model import (
    EntryKind,
    LogDetail,
    OperationDetail,
    RouterInfo,
    StateDetail,
    TimelineEntry,
)

__all__ = [
    "Placed",
    "Resolver",
    "Role",
    "Segment",
    "breaks",
    "lane_names",
    "lane_segments",
    "op_start",
    "place",
    "role_of",
    "span",
]


class Role(Enum):
    """How a lane's reported state is shown (its colour)."""

    MASTER = "master"
    BACKUP = "backup"
    CHANGING = "changing"
    DISABLED = "disabled"
    DOWN = "down"
    ONLINE = "online"
    OFFLINE = "offline"
    READY = "ready"
    NOT_READY = "not ready"
    UNKNOWN = "unknown"


_ROLES = {
    "master": Role.MASTER, "backup": Role.BACKUP, "disabled": Role.DISABLED,
    "giveup": Role.CHANGING, "claim": Role.CHANGING, "booting": Role.CHANGING,
    "not answering": Role.DOWN, "present": Role.DOWN, "absent": Role.DOWN,
    "halted": Role.DOWN, "online": Role.ONLINE, "offline": Role.OFFLINE,
    "ready": Role.READY, "not ready": Role.NOT_READY, "n/a": Role.UNKNOWN,
}


def role_of(state: str) -> Role:
    """Return how the reported ``state`` is shown (unknown words: :attr:`Role.UNKNOWN`)."""
    return _ROLES.get(state.strip().lower(), Role.UNKNOWN)


class Resolver:
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
class Placed:
    """An entry with its (resolved) router time; ``start`` differs for operations (the router
    time of their command)."""

    at: float
    start: float
    entry: TimelineEntry


def op_start(detail: OperationDetail, at: float) -> float:
    """Return the router time an operation that ended at ``at`` was started."""
    return detail.started if detail.started is not None else at - detail.duration


def place(entries: Sequence[TimelineEntry]) -> list[Placed]:
    """Return ``entries`` with their router times, in router-time then wall-time order."""
    resolve = Resolver(entries)
    placed = []
    for entry in entries:
        at = resolve(entry)
        d = entry.detail
        start = op_start(d, at) if isinstance(d, OperationDetail) else at
        placed.append(Placed(at, start, entry))
    return sorted(placed, key=lambda p: (p.at, p.entry.wall_time))


def span(placed: Sequence[Placed]) -> tuple[float, float]:
    """Return the router-time range to draw: the run's entries (log events only when there is
    nothing else: a log holds history from before the run), padded 3 % each side."""
    core = [p for p in placed if p.entry.kind is not EntryKind.LOG_EVENT] or list(placed)
    lo = min((p.start for p in core), default=0.0)
    hi = max((p.at for p in core), default=1.0)
    pad = max((hi - lo) * 0.03, 0.5)
    return lo - pad, hi + pad


def breaks(placed: Sequence[Placed]) -> list[float]:
    """Return the router times of the router's resets, in order."""
    return [p.at for p in placed if p.entry.kind is EntryKind.RESET]


@dataclass(frozen=True, slots=True)
class Segment:
    """A stretch of one lane in one reported state: from ``start`` to ``end`` (router time),
    opened by a report from ``via``."""

    lane: str
    state: str
    start: float
    end: float
    via: str

    @property
    def role(self) -> Role:
        """Return how the state is shown."""
        return role_of(self.state)


def lane_segments(placed: Sequence[Placed], lanes: Sequence[str]) -> dict[str, list[Segment]]:
    """Return, per lane of ``lanes``, its segments (see the module docstring for the rule)."""
    out: dict[str, list[Segment]] = {lane: [] for lane in lanes}
    open_: dict[str, Segment] = {}

    def close(lane: str, at: float) -> None:
        seg = open_.pop(lane, None)
        if seg is not None and at > seg.start and lane in out:
            out[lane].append(Segment(seg.lane, seg.state, seg.start, at, seg.via))

    for p in placed:
        d = p.entry.detail
        if p.entry.kind is EntryKind.RESET:
            for lane in list(open_):
                close(lane, p.at)
        elif isinstance(d, StateDetail):
            current = open_.get(d.lane)
            if current is not None and current.state == d.state:
                continue
            close(d.lane, p.at)
            open_[d.lane] = Segment(d.lane, d.state, p.at, p.at, d.via)
    end = max((p.at for p in placed), default=0.0)
    for lane in list(open_):
        close(lane, end)
    return out


_FPC = re.compile(r"^fpc(\d+)$")


def lane_names(info: RouterInfo, placed: Sequence[Placed]) -> list[str]:
    """Return the lanes, top down: the router's REs (and any RE named only by an entry), each
    RE's switchover readiness, then the FPCs in slot order."""
    res = list(info.re_names)
    others: set[str] = set()
    for p in placed:
        d = p.entry.detail
        name = d.lane if isinstance(d, StateDetail) else (
            d.re if isinstance(d, LogDetail) else None)
        if not name:
            continue
        if name.startswith("re") and " " not in name:
            if name not in res:
                res.append(name)
        else:
            others.add(name)
    ready = sorted(n for n in others if not _FPC.match(n))
    fpcs = sorted((n for n in others if _FPC.match(n)), key=lambda n: int(n[3:]))
    return res + ready + fpcs
