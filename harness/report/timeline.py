"""The timeline of one router in router time: each entry placed at its router time (estimated
from the wall time when the router gave none), and each RE's role replayed from the operations
and observed masters into segments.  No geometry and no markup: :mod:`harness.report.layout`
draws this, :mod:`harness.report.html` writes it.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import Enum
from typing import TypeAlias

from harness.report.model import (
    Detail,
    EntryKind,
    LogDetail,
    MasterDetail,
    OperationDetail,
    RouterInfo,
    TimelineEntry,
)

__all__ = [
    "Placed",
    "Resolver",
    "Role",
    "RoleState",
    "Segment",
    "lane_names",
    "place",
    "role_segments",
    "span",
]


class Role(Enum):
    """What an RE's lane shows at a moment of the timeline."""

    MASTER = "master"
    BACKUP = "backup"
    CHANGING = "changing"
    HALTED = "halted"
    UNKNOWN = "unknown"



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
    """An entry with its (resolved) router time; ``start`` differs for operations."""

    at: float
    start: float
    entry: TimelineEntry


def place(entries: Sequence[TimelineEntry]) -> list[Placed]:
    resolve = Resolver(entries)
    placed = []
    for entry in entries:
        at = resolve(entry)
        d = entry.detail
        start = at - d.duration if isinstance(d, OperationDetail) else at
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



@dataclass(slots=True)
class RoleState:
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


def _first_master(placed: Sequence[Placed]) -> tuple[bool, str | None]:
    """Return the first master the timeline knows of (assumed to hold from its start: had it
    changed, the harness would have seen it)."""
    for p in placed:
        d = p.entry.detail
        if isinstance(d, MasterDetail):
            return True, d.re
        if isinstance(d, OperationDetail) and d.master_before is not None:
            return True, d.master_before
    return False, None


Segment: TypeAlias = tuple[float, float, Role]
_Step: TypeAlias = tuple[float, int, str, "OperationDetail | MasterDetail"]


def _steps(placed: Sequence[Placed]) -> list[_Step]:
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


def _apply(state: RoleState, action: str, d: OperationDetail | MasterDetail,
           re_names: Sequence[str]) -> None:
    """Apply one step to ``state``."""
    if isinstance(d, MasterDetail):
        state.observe(d.re)
    elif action == "begin":
        state.begin(d, re_names)
    else:
        state.end(d, re_names)


def role_segments(placed: Sequence[Placed], re_names: Sequence[str], t0: float, t1: float
                  ) -> dict[str, list[Segment]]:
    """Return, per RE, its role segments over router time ``t0..t1``."""
    known, first = _first_master(placed)
    state = RoleState(first, known)
    lanes: dict[str, list[Segment]] = {re: [] for re in re_names}
    cursor = t0
    for at, _, action, detail in _steps(placed):
        at = min(max(at, t0), t1)
        _extend(lanes, state, cursor, at)
        _apply(state, action, detail, re_names)
        cursor = max(cursor, at)
    _extend(lanes, state, cursor, t1)
    return lanes


def _extend(lanes: dict[str, list[Segment]], state: RoleState, t0: float, t1: float) -> None:
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




def lane_names(info: RouterInfo, placed: Sequence[Placed]) -> list[str]:
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
