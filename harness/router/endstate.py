"""Waiting for an HA operation's end state, and timing when each part of the router came back.

:class:`EndStates` runs the waits of one operation from the router time of its command: the
control plane (a master answers as the only master), the data plane (every FPC of the master
Online in ``show chassis fpc``), the backup's readiness (``show system switchover`` on the
backup).  Each wait polls the router on its own clock (virtual on the emulator), within what is
left of the operation's limit, and raises the named :class:`~harness.errors.EndStateTimeoutError`
of its end state.  Times are the router's: an FPC's up-time dates its coming online to the
second whatever the poll interval.  What the router reported is kept (state changes only) for
the report's timeline.

The router's :class:`~re_contract.testbed.Budgets` (testbed key ``budgets``) are the acceptance
profile's pass/fail budgets and the default limits of the waits; their defaults follow the
OpenConfig featureprofiles test gNOI-3.3 "Supervisor Switchover" (see ``docs/suites.md``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TypeVar

from harness.clock import RouterClock
from harness.errors import (
    EndStateTimeoutError,
    ForwardingTimeoutError,
    MasterTimeoutError,
    NoMasterError,
    RedundancyTimeoutError,
    SessionError,
    WaitTimeoutError,
)
from harness.junos import RouteEngineStatus
from harness.router.results import Phases, Seen, Until
from harness.router.status import FpcStatus, RouterStatus
from re_contract.testbed import Budgets

__all__ = ["NOT_ANSWERING", "NOT_BACKUP", "POLL", "EndStates", "ready_lane", "wait_limit"]

log = logging.getLogger(__name__)
T = TypeVar("T")

#: Router seconds between polls, per end state.  An FPC's up-time dates its coming online
#: exactly, so the data plane can be polled less often than the control plane.
POLL: dict[Until, float] = {Until.MASTER: 1.0, Until.FORWARDING: 5.0, Until.REDUNDANT: 5.0}
#: The state an RE lane shows while the RE does not answer NETCONF at all.
NOT_ANSWERING = "not answering"
#: The state of an RE's readiness lane while it is not a backup (readiness does not apply).
NOT_BACKUP = "n/a"


def ready_lane(re_name: str) -> str:
    """Return the lane of ``re_name``'s switchover readiness (``show system switchover``)."""
    return f"{re_name} ready"


def wait_limit(budgets: Budgets, until: Until, floor: float) -> float:
    """Return how long an operation waits for ``until`` by default: the router's budget for
    it (``budgets``, from the testbed), and never less than ``floor`` (the testbed's timeout
    of the operation)."""
    if until is Until.FORWARDING:
        return max(floor, budgets.forwarding_restored)
    if until is Until.REDUNDANT:
        return max(floor, budgets.backup_ready)
    return floor


_ERRORS: dict[Until, type[EndStateTimeoutError]] = {
    Until.MASTER: MasterTimeoutError,
    Until.FORWARDING: ForwardingTimeoutError,
    Until.REDUNDANT: RedundancyTimeoutError,
}


class EndStates:
    """The end-state waits of one operation whose command went at router time ``t0``; each
    wait ends within ``limit`` router seconds of ``t0``.  ``seen`` collects what the router
    reported (a lane's state when it changed)."""

    def __init__(self, status: RouterStatus, clock: RouterClock, t0: float, limit: float
                 ) -> None:
        self._status = status
        self._clock = clock
        self.t0 = t0
        self.limit = limit
        self.seen: list[Seen] = []
        self._last: dict[str, str] = {}
        self.control_plane: float | None = None
        self.data_plane: float | None = None
        self.backup_ready: float | None = None
        self.fpcs_stayed_online: bool | None = None

    def __repr__(self) -> str:
        return f"<EndStates t0={self.t0} limit={self.limit}>"

    # ----------------------------------------------------------------- records
    def note(self, lane: str, state: str, via: str, at: float | None = None) -> None:
        """Keep that ``lane`` reported ``state`` (from ``at``, default now), when it changed."""
        if self._last.get(lane) == state:
            return
        self._last[lane] = state
        self.seen.append(Seen(self._clock.now() if at is None else at, lane, state, via))

    def note_down(self, re_name: str) -> None:
        """Note that ``re_name`` does not answer NETCONF (so it is no ready backup either)."""
        self.note(re_name, NOT_ANSWERING, "harness: no NETCONF answer")
        self.note(ready_lane(re_name), NOT_BACKUP, "harness: no NETCONF answer")

    def note_roles(self, via: str) -> dict[str, str]:
        """Ask ``via`` for ``show chassis routing-engine``; note the state ``via`` reports for
        itself (an RE is the authority on its own state) and return every RE's role as it sees
        them.  An RE that does not answer is noted as :data:`NOT_ANSWERING`, with {}."""
        roles = self._status.view_of(via)
        if roles is None:
            self.note_down(via)
            return {}
        now = self._clock.now()
        own = roles.get(via, "absent")
        self.note(via, own, f"{via}: show chassis routing-engine", now)
        if own != "backup":
            self.note(ready_lane(via), NOT_BACKUP, f"{via}: show chassis routing-engine", now)
        return roles

    def phases(self) -> Phases:
        """Return the times measured so far."""
        return Phases(self.control_plane, self.data_plane, self.backup_ready,
                      self.fpcs_stayed_online)

    def elapsed(self) -> float:
        """Return the router seconds since the command."""
        return self._clock.now() - self.t0

    # ------------------------------------------------------------------- waits
    def wait(self, until: Until | None, predicate: Callable[[], T], what: str,
             poll: float | None = None) -> T:
        """Poll ``predicate`` (every ``poll`` seconds, default the :data:`POLL` of ``until``)
        for what is left of the limit.  End states are discrete (roles, FPC and RE states,
        readiness, log lines), so the wait is ``state_only``: the emulator's clock skips the
        polls before the router's next change.

        Raises the EndStateTimeoutError of ``until`` (a plain WaitTimeoutError for None), and
        what ``predicate`` raises.
        """
        left = max(0.0, self.limit - self.elapsed())
        step = poll if poll is not None else POLL[until or Until.FORWARDING]
        try:
            return self._clock.wait_until(predicate, left, what, poll=step, state_only=True)
        except WaitTimeoutError as exc:
            if until is None or isinstance(exc, EndStateTimeoutError):
                raise
            raise _ERRORS[until](what, self.limit, exc.last) from exc

    def master(self, target: str | None, what: str = "",
               check: Callable[[], None] | None = None) -> str:
        """Wait until ``target`` (None: any RE) answers and reports itself the only master;
        return that RE (the control-plane time is :attr:`control_plane`).  ``check`` runs after
        each miss (it may raise, e.g. SwitchoverFailedError when the old master logged
        E_MAXTRY).

        Raises MasterTimeoutError.
        """
        def done() -> str | None:
            found = self._only_master(target)
            if found is None and check is not None:
                check()
            return found

        master = self.wait(Until.MASTER, done, what or f"{target or 'a master'} to be master")
        self.control_plane = self.elapsed()
        log.debug("control plane back after %.1f s (%s master)", self.control_plane, master)
        return str(master)

    def _only_master(self, target: str | None) -> str | None:
        for name in [target] if target else self._status_names():
            roles = self.note_roles(name)
            masters = [n for n, s in roles.items() if s == "master"]
            if masters == [name]:
                return name
        return None

    def _status_names(self) -> list[str]:
        return [r.name for r in self._safe_status()] or ["re0", "re1"]

    def _safe_status(self) -> list[RouteEngineStatus]:
        try:
            return self._status.status()
        except (SessionError, NoMasterError):
            return []

    def forwarding(self, master: str) -> float:
        """Wait until every FPC ``master`` reports is Online; return the data-plane time (when
        the last FPC came online, from its up-time where reported; 0 when every FPC stayed
        online through the operation).

        Raises ForwardingTimeoutError (also when the master reports no FPC at all).
        """
        self.wait(Until.FORWARDING, lambda: self._fpcs_back(master),
                  f"every FPC of {master} to be Online")
        return float(self.data_plane or 0.0)

    def _fpcs_back(self, master: str) -> bool:
        """Ask ``master`` for its FPCs; note their states; once every one is Online, set the
        data-plane time and return True."""
        try:
            fpcs = self._status.fpcs(master)
        except SessionError:
            return False
        now = self._clock.now()
        for fpc in fpcs:
            # Online since its up-time began (when within the operation): the router's own
            # date for it, whatever the poll interval.
            since = now - fpc.up_time if fpc.online and fpc.up_time is not None else now
            self.note(f"fpc{fpc.slot}", fpc.state.lower(), f"{master}: show chassis fpc",
                      min(max(since, self.t0), now))
        if not fpcs or not all(f.online for f in fpcs):
            return False
        self.data_plane, self.fpcs_stayed_online = self._forwarding_time(fpcs)
        return True

    def _forwarding_time(self, fpcs: list[FpcStatus]) -> tuple[float, bool | None]:
        """Return when the last FPC came online (router s from the command) and whether every
        FPC stayed online: from the up-times when all are given, else from the polls."""
        now = self.elapsed()
        offline_seen = any(s.lane.startswith("fpc") and s.state != "online" for s in self.seen)
        if all(f.up_time is not None for f in fpcs):
            latest = max(now - float(f.up_time or 0) for f in fpcs)
            stayed = latest <= 0 and not offline_seen
            return (0.0 if stayed else max(latest, 0.0)), stayed
        return now, (False if offline_seen else None)

    def redundant(self, backup: str) -> float:
        """Wait until ``backup`` reports it could take over (``show system switchover``);
        return the backup-ready time.  Raises RedundancyTimeoutError."""
        self.wait(Until.REDUNDANT, lambda: self._backup_ready(backup),
                  f"{backup} to report itself ready to take over")
        return float(self.backup_ready or 0.0)

    def _backup_ready(self, backup: str) -> bool:
        """Ask ``backup`` whether it could take over; note it; once it says so, set the
        backup-ready time and return True."""
        if self.note_roles(backup).get(backup) != "backup":
            return False  # not (yet) a backup: readiness does not apply, as noted
        readiness = self._status.backup_readiness(backup)
        self.note(ready_lane(backup), "ready" if readiness.ready else "not ready",
                  f"{backup}: show system switchover")
        if readiness.ready:
            self.backup_ready = self.elapsed()
        return readiness.ready

    def through(self, until: Until, master: str, backup: str | None) -> None:
        """After the control plane: wait for forwarding and, for ``redundant``, the backup's
        readiness, polled side by side so that each is timed on its own.

        Raises ForwardingTimeoutError, RedundancyTimeoutError (also when there is no backup to
        wait for), naming the end state still not reached.
        """
        pending: dict[Until, Callable[[], bool]] = {}
        if until.includes(Until.FORWARDING):
            pending[Until.FORWARDING] = lambda: self._fpcs_back(master)
        if until.includes(Until.REDUNDANT):
            if backup is None:
                raise RedundancyTimeoutError("a backup Routing Engine (there is none)",
                                             self.limit)
            pending[Until.REDUNDANT] = lambda: self._backup_ready(backup)

        def done() -> bool:
            for end, check in list(pending.items()):
                if check():
                    del pending[end]
            return not pending

        if not pending:
            return
        what = " and ".join(_WHAT[end].format(master=master, backup=backup) for end in pending)
        try:
            self.wait(None, done, what, poll=min(POLL[end] for end in pending))
        except WaitTimeoutError as exc:
            first = next(iter(pending))
            raise _ERRORS[first](_WHAT[first].format(master=master, backup=backup),
                                 self.limit, exc.last) from exc


_WHAT = {Until.FORWARDING: "every FPC of {master} to be Online",
         Until.REDUNDANT: "{backup} to report itself ready to take over"}
