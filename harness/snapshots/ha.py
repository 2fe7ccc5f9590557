"""The built-in HA rules: what a pre/post diff of a dual-RE router expects without being told.

Both peers (JSNAPy, pyATS) are HA-blind: across a switchover they flag the mastership swap and
every uptime as a change.  Here :func:`ha_rules` reads the two snapshots and expects:

- **roles swap across a switchover** (the chapter's "Manually Switching Routing Engine
  Mastership"): when the master before is the backup after and the backup before the master
  after, every ``mastership-state`` must have swapped master <-> backup (and nothing else may
  have changed role); when mastership stayed, roles must be equal.  Switchovers in between
  (a switch and a switch back) are read from the new lines of the mastership logs: each
  ``new state = ...`` line is an RE changing role;
- **uptimes move forward** by the router time between the snapshots (``up-time``, in seconds:
  ``junos:seconds``), within the time the two snapshots took to read; an uptime that went back
  means a restart and is unexpected, except FPCs across a switchover *without* graceful
  switchover: the PFE is re-initialised ("the Packet Forwarding Engine components are
  rebooted"), so their uptime and start time may start again when mastership changed hands
  (once, or there and back);
- **the REs the test restarted** (its own halt, reboot, power-on, or a crash/pull fault, as
  :mod:`harness.snapshots.restarts` gathers them) may start again: their
  ``route-engine[<slot>]`` entry's uptime may go back, its start time and last reboot reason
  change; restarting every RE, or the master without graceful switchover, restarts the FPCs.
  A restart nobody asked for is still unexpected;
- **alarms that follow mastership** (``Backup RE Active``) may be raised or cleared when
  mastership changed hands, and the alarm count with them;
- **logs only grow** (items with a ``tail``, such as the mastership log): new lines at the end
  are expected, a line that vanished is not (unless more new lines came than the tail keeps);
- **volatile counters are not compared** (:data:`VOLATILE`: CPU and memory use, load averages,
  temperatures), as pyATS's ``learn`` models exclude their counters;
- **everything else must be equal**.

Rules a test or the testbed gives come first (the first rule that decides wins), so any of
these can be overridden.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from harness.mastership import NewState, parse_log
from harness.snapshots.capture import Snapshot
from harness.snapshots.rules import HACheck, Rule, UptimeWindow
from re_contract.snapshots import SnapshotCheck

__all__ = ["FPC_ITEMS", "MASTERSHIP_ALARMS", "RESTART_KEYS", "SWAP", "VOLATILE", "HAContext",
           "ha_rules", "new_lines"]

#: Keys whose values change by themselves from one reading to the next.
VOLATILE: tuple[str, ...] = ("cpu-*", "load-average-*", "*-utilization", "temperature",
                             "*-temperature")
#: The mastership states a switchover exchanges.
SWAP: Mapping[str, str] = {"master": "backup", "backup": "master"}
#: The items holding FPC/PIC state (restarted by a switchover without graceful switchover).
FPC_ITEMS: tuple[str, ...] = ("fpc", "pic")
#: What starts again when an RE restarts, under its ``route-engine[<slot>]`` entry: the uptime
#: (judged as a restart), the start time and the reason of the last reboot (may change).
RESTART_KEYS: tuple[str, ...] = ("start-time", "last-reboot-reason")
#: The alarms Junos raises or clears as mastership moves: "Backup RE Active" while an RE the
#: configuration names backup (RE1 by default) is master (keyed by description, as
#: :data:`~harness.snapshots.items.DEFAULT_KEYS` keys ``alarm-detail``).
MASTERSHIP_ALARMS: tuple[str, ...] = ("Backup RE Active",)
#: Seconds of slack on an uptime: each reading is a whole second.
ROUNDING = 2.0


@dataclass(frozen=True, slots=True)
class HAContext:
    """What happened between two snapshots, as far as redundancy goes."""

    master_before: str | None
    master_after: str | None
    backup_before: str | None
    backup_after: str | None
    #: Router seconds between the snapshots: least and most (each took time to read).
    elapsed_low: float
    elapsed_high: float
    #: Graceful switchover as the backup reported it in the first snapshot (None: unknown).
    gres: bool | None
    #: The most role changes one RE logged between the snapshots (``new state = ...``).
    role_changes: int = 0
    #: The REs the harness's own actions restarted between the snapshots (halt, reboot,
    #: power-on, a crash or pull fault: :mod:`harness.snapshots.restarts`).
    restarted: frozenset[str] = frozenset()
    #: The REs of the router (as the snapshots report their roles).
    re_names: frozenset[str] = frozenset()

    @classmethod
    def of(cls, pre: Snapshot, post: Snapshot,
           restarted: Iterable[str] = ()) -> HAContext:
        """Return the context of ``pre`` -> ``post``; ``restarted``: the REs the test's own
        actions restarted in between."""
        return cls(pre.master, post.master, pre.backup, post.backup,
                   post.started - pre.finished, post.finished - pre.started, _gres(pre),
                   _role_changes(pre, post), frozenset(restarted),
                   frozenset(pre.roles) | frozenset(post.roles))

    @property
    def chassis_restarted(self) -> bool:
        """Return True when the test restarted every RE, or the master without graceful
        switchover: the FPCs lost the RE that ran them and start again."""
        if self.re_names and self.re_names <= self.restarted:
            return True
        return self.master_before in self.restarted and self.gres is not True

    @property
    def mastership_changed(self) -> bool:
        """Return True when mastership changed hands between the snapshots (it may have come
        back since)."""
        return self.switchover or self.role_changes > 0

    @property
    def switchover(self) -> bool:
        """Return True when mastership moved from one RE to the other (roles swapped)."""
        return (None not in (self.master_before, self.master_after)
                and self.master_before != self.master_after
                and self.master_after == self.backup_before
                and (self.backup_after in (None, self.master_before)))

    @property
    def elapsed(self) -> float:
        """Return the router seconds between the starts of the snapshots (about)."""
        return (self.elapsed_low + self.elapsed_high) / 2

    def describe(self) -> str:
        """Return what happened to mastership, in plain words."""
        if self.master_before is None or self.master_after is None:
            return (f"Mastership: {self.master_before or 'no master'} before, "
                    f"{self.master_after or 'no master'} after.")
        if self.switchover:
            gres = {True: "on", False: "off", None: "unknown"}[self.gres]
            return (f"Mastership moved from {self.master_before} to {self.master_after}: a "
                    f"switchover (graceful switchover {gres}); the RE roles swapped.")
        if self.master_before != self.master_after:
            return (f"Mastership moved from {self.master_before} to {self.master_after}, but "
                    f"the roles did not simply swap (backup {self.backup_before} before, "
                    f"{self.backup_after} after).")
        if self.role_changes:
            return (f"Mastership is with {self.master_before} again; it changed hands in "
                    f"between (an RE logged {self.role_changes} role change(s)).")
        return f"Mastership stayed with {self.master_before}."

    def describe_restarts(self) -> str:
        """Return which REs the test restarted, in plain words ("" when none)."""
        if not self.restarted:
            return ""
        return (f"The test restarted {', '.join(sorted(self.restarted))} (halt, reboot, "
                f"power or fault): their restart is expected.")


def _gres(snapshot: Snapshot) -> bool | None:
    """Return graceful switchover as the snapshot's ``switchover-state`` says (On/Off)."""
    for by_where in snapshot.captures.values():
        for capture in by_where.values():
            state = _find(capture.value, "switchover-state")
            if isinstance(state, str):
                return state.strip().lower() == "on"
    return None


def new_lines(pre: list[str], post: list[str]) -> list[str] | None:
    """Return the lines of log tail ``post`` that came after log tail ``pre``: those after
    the longest end of ``pre`` found in ``post``; None when no line of ``pre`` is left."""
    if not pre:
        return list(post)
    last = pre[-1]
    for end in range(len(post), 0, -1):
        n = min(end, len(pre))
        if post[end - 1] == last and post[end - n:end] == pre[len(pre) - n:]:
            return post[end:]
    return None


def _role_changes(pre: Snapshot, post: Snapshot) -> int:
    """Return the most role changes one RE logged between the snapshots: ``new state =
    master|backup`` lines, in the new lines of items with a tail, that differ from the RE's
    role before (a boot back into the same role is no change; other logs parse to nothing)."""
    year = time.gmtime(post.started).tm_year
    most = 0
    for item in (i for i in post.items if i.tail):
        before, after = pre.captures.get(item.name, {}), post.captures.get(item.name, {})
        for where, capture in after.items():
            old = before.get(where)
            if not capture.ok or old is None or not old.ok:
                continue
            lines = new_lines(list(old.value), list(capture.value)) or []
            role, changes = pre.roles.get(where), 0
            for entry in parse_log("\n".join(lines), year=year):
                if isinstance(entry, NewState) and entry.state in SWAP:
                    changes += entry.state != role
                    role = entry.state
            most = max(most, changes)
    return most


def _find(tree: Any, key: str) -> Any:
    if isinstance(tree, dict):
        if key in tree:
            return tree[key]
        for value in tree.values():
            found = _find(value, key)
            if found is not None:
                return found
    return None


def ha_rules(pre: Snapshot, post: Snapshot, restarted: Iterable[str] = ()) -> list[Rule]:
    """Return the built-in rules for the diff of ``pre`` -> ``post`` (module docstring);
    ``restarted``: the REs the test's own actions restarted in between."""
    ctx = HAContext.of(pre, post, restarted)
    return [*_fpc_rules(ctx), *_restart_rules(ctx), *_role_rules(ctx), *_alarm_rules(ctx),
            *_uptime_rules(ctx), *_log_rules(pre, post),
            *(Rule(key, SnapshotCheck.IGNORE, origin="volatile",
                   why="volatile counters (CPU, memory, load, temperature) are not compared")
              for key in VOLATILE)]


def _role_rules(ctx: HAContext) -> Iterator[Rule]:
    if ctx.switchover:
        yield Rule("mastership-state", HACheck.ROLE_SWAP, SWAP, origin="ha",
                   why="the RE roles swap across a switchover")


def _alarm_rules(ctx: HAContext) -> Iterator[Rule]:
    """When mastership changed hands, the alarms that follow it may be raised or cleared
    (and the alarm count with them)."""
    if not (ctx.mastership_changed or ctx.master_before != ctx.master_after):
        return
    why = "mastership moved: the alarms that follow it (Backup RE Active) may come or go"
    for alarm in MASTERSHIP_ALARMS:  # in any item of alarms (show system|chassis alarms)
        yield Rule(f"*/alarm-detail[{alarm}]", SnapshotCheck.MAY_CHANGE, origin="ha", why=why)
    yield Rule("*/alarm-summary", SnapshotCheck.MAY_CHANGE, origin="ha", why=why)


def _window(ctx: HAContext, restart_ok: bool = False) -> UptimeWindow:
    return UptimeWindow(max(0.0, ctx.elapsed_low - ROUNDING), ctx.elapsed_high + ROUNDING,
                        restart_ok)


def _uptime_rules(ctx: HAContext) -> Iterator[Rule]:
    yield Rule("up-time", HACheck.UPTIME, _window(ctx), origin="ha",
               why="uptimes move forward with the router clock")


def _slot(re_name: str) -> str | None:
    """Return the slot of RE ``re0``/``re1`` (its ``route-engine[<slot>]`` key), or None."""
    found = re.fullmatch(r"re(\d+)", re_name)
    return found.group(1) if found else None


def _restart_rules(ctx: HAContext) -> Iterator[Rule]:
    """The REs the test restarted: their entry (matched by slot, whichever RE reports it) may
    start again: uptime back near zero, a new start time and last reboot reason."""
    for name in sorted(ctx.restarted):
        slot = _slot(name)
        if slot is None:
            continue
        why = f"{name} was restarted by the test (halt, reboot, power or fault)"
        entry = f"re-status/*/route-engine[{slot}]"
        yield Rule(f"{entry}/up-time", HACheck.UPTIME, _window(ctx, restart_ok=True),
                   origin="ha", why=why)
        for key in RESTART_KEYS:
            yield Rule(f"{entry}/{key}", SnapshotCheck.MAY_CHANGE, origin="ha", why=why)


def _fpc_rules(ctx: HAContext) -> Iterator[Rule]:
    if ctx.chassis_restarted and not (ctx.mastership_changed and ctx.gres is False):
        why = ("the test restarted every RE, or the master without graceful switchover: the "
               "FPCs restart with it")
    elif ctx.mastership_changed and ctx.gres is False:
        why = ("without graceful switchover the PFE is re-initialised at a switchover: FPCs "
               "restart")
    else:
        return
    for item in FPC_ITEMS:
        yield Rule(f"{item}/*/up-time", HACheck.UPTIME, _window(ctx, restart_ok=True),
                   origin="ha", why=why)
        yield Rule(f"{item}/*/start-time", SnapshotCheck.MAY_CHANGE, origin="ha", why=why)


def _log_rules(pre: Snapshot, post: Snapshot) -> Iterator[Rule]:
    tails = {i.name: i.tail for i in (*pre.items, *post.items) if i.tail}
    for name, tail in sorted(tails.items()):
        yield Rule(f"{name}/*", HACheck.APPEND_ONLY, tail, origin="ha",
                   why="logs only grow: new lines at the end")
