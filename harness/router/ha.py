"""The HA operations of one router: switchover (switch / acquire / release), failover (a fault
that makes the backup take over), halt, reboot, power-on, the 240 s switchover hold-down, waits
for a master.

Each operation is disruptive: it first asks the router's :class:`~harness.faults.Consent`
(the testbed entry, and for a lab router the run's ``--allow-disruptive``) and sends nothing
without it.  It runs within its testbed timeout (``switchover``, ``halt``, ``reboot``; for
``until`` forwarding or redundant, at least the router's ``budgets`` from the testbed) or its
``timeout`` argument, waits on the router's clock (virtual on the emulator) for
the end state it is asked for (``until``: master, forwarding, redundant) and returns what it
measured: the control-plane, data-plane and backup-ready times from the command
(:class:`~harness.router.results.Phases`).  Each result is also given to every listener (the
report and the JUnit properties listen).
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable

from lxml import etree

from harness import mastership as ml
from harness import rpcs
from harness.clock import RouterClock
from harness.errors import (
    HaltNotConfirmedError,
    OperationTimeoutError,
    RpcFailedError,
    SessionClosedError,
    SessionError,
    SwitchoverFailedError,
    SwitchoverRefusedError,
    WaitTimeoutError,
)
from harness.faults import Consent, Disruption, Faults
from harness.junos import reply_text, reply_warnings
from harness.router.endstate import EndStates, wait_limit
from harness.router.results import (
    OperationResult,
    ShutdownResult,
    SwitchoverResult,
    Until,
)
from harness.router.sessions import RouterSessions
from harness.router.status import SETTLED, RouterStatus

__all__ = ["SWITCH_RPCS", "HAOperations", "Listener"]

log = logging.getLogger(__name__)
_TRY_AFTER = re.compile(r"try after (\d+) secs")

#: Switchover methods and the RPC each one sends (NOTES.md 3.4).
SWITCH_RPCS = {m.name.lower(): m.value for m in rpcs.SwitchMethod}

Listener = Callable[[OperationResult], None]

#: Mastership states of an RE that runs (as another RE reports it); a halted one is "present".
_RUNNING = frozenset({"master", "backup", "disabled", "claim", "giveup"})


class HAOperations:
    """The disruptive operations of one router, over its sessions, status, clock and faults,
    each with the router's ``consent``; the testbed's ``budgets`` of the router bound the waits
    for forwarding and redundancy."""

    def __init__(self, sessions: RouterSessions, status: RouterStatus, clock: RouterClock,
                 faults: Faults, consent: Consent) -> None:
        self._s = sessions
        self._status = status
        #: The router clock this part reads and waits on (replaceable, as a test does).
        self.clock = clock
        self._faults = faults
        self.consent = consent
        #: Observers told about each operation (the report and JUnit properties use it).
        self.listeners: list[Listener] = []

    def __repr__(self) -> str:
        return f"<HAOperations {self._s.name}>"

    # ----------------------------------------------------------------- common
    def require_disruptive(self, what: str) -> None:
        """Raise DisruptiveNotAllowedError unless the router consents to ``what`` now (its
        testbed entry, and for a lab router the run's ``--allow-disruptive``)."""
        self.consent.check(what)

    def _limit(self, until: Until, timeout: float | None, floor: float) -> float:
        return timeout or wait_limit(self._s.spec.budgets, until, floor)

    def _notify(self, result: OperationResult) -> None:
        for listener in list(self.listeners):
            listener(result)

    def _ends(self, t0: float, limit: float) -> EndStates:
        return EndStates(self._status, self.clock, t0, limit)

    # ------------------------------------------------------------- switchover
    def switchover(self, method: str = "switch", via: str | None = None,
                   timeout: float | None = None, *, until: Until | str = Until.FORWARDING
                   ) -> SwitchoverResult:
        """Move mastership with ``request chassis routing-engine master <method>`` and wait for
        the end state ``until``: the other RE answers as the only master (``master``), and
        every FPC is Online (``forwarding``, the default), and the new backup reports it could
        take over (``redundant``).

        ``via``: the RE to run it on (default: master for switch/release, backup for acquire).
        Raises ValueError for an unknown method or end state, DisruptiveNotAllowedError
        (nothing sent), SwitchoverRefusedError (the 240 s hold-down, no backup running, ...),
        SwitchoverFailedError (E_MAXTRY: the RE stayed master), NoMasterError,
        MasterTimeoutError, ForwardingTimeoutError, RedundancyTimeoutError,
        OperationTimeoutError and the session errors.
        """
        kind = rpcs.SwitchMethod.named(method)
        end = Until.of(until)
        limit = self._limit(end, timeout, self._s.spec.timeouts.switchover)
        with self.consent.acting(Disruption.SWITCHOVER, f"switchover ({method})"), \
                self._s.bounded(limit, f"switchover ({method})"):
            w0 = time.monotonic()
            before = self._status.find_master()
            target = self._s.other(before)
            if target is None:
                raise SwitchoverRefusedError(f"{self._s.name}: has one Routing Engine",
                                             method=method)
            via = via or (target if kind is rpcs.SwitchMethod.ACQUIRE else before)
            mark = self._status.mastership_log(via).mark()
            t0 = self.clock.now()
            text = self._send_switch(kind, via, target)
            self._s.forget_master()
            ends = self._ends(t0, limit)
            ends.master(target, f"{target} to become master after {method}",
                        check=lambda: self._no_maxtry(method, target, via, mark))
            ends.through(end, target, before)
            result = SwitchoverResult(
                operation="switchover", target=target, master_before=before,
                master_after=target, duration=self.clock.now() - t0,
                wall_duration=time.monotonic() - w0, text=text, started=t0, until=end.value,
                phases=ends.phases(), seen=tuple(ends.seen), method=method)
        self._notify(result)
        return result

    def _send_switch(self, kind: rpcs.SwitchMethod, via: str, target: str) -> str:
        method = kind.name.lower()
        try:
            reply = self._s.rpc(via, rpcs.request_switch(kind), retries=0)
        except RpcFailedError as exc:
            raise SwitchoverRefusedError(
                f"{self._s.name}: {method} refused on {via}: {exc}", method=method,
                target=target, retry_after=_retry_after(exc)) from exc
        except SessionClosedError as exc:
            # The session died with the mastership change: judged by the end state.
            log.info("%s: %s reply cut short (%s); checking the end state", self._s.name,
                     method, exc)
            return ""
        return reply_text(reply)

    def _no_maxtry(self, method: str, target: str, via: str, mark: ml.LogMark) -> None:
        """Raise SwitchoverFailedError when ``via`` logged E_MAXTRY since ``mark`` (chapter
        sample: release with an unreachable backup gives up and stays master)."""
        try:
            since = self._status.mastership_log(via).since(mark)
        except SessionError:
            return
        if since.events(ml.EventCode.E_MAXTRY):
            masters = self._masters_seen_by(via)
            raise SwitchoverFailedError(
                f"{self._s.name}: {method} on {via} did not move mastership to {target}: "
                f"E_MAXTRY (no answer from the other RE) and masters now {masters or 'none'}",
                method=method, target=target)

    def _masters_seen_by(self, re_name: str) -> list[str]:
        """Return the masters ``re_name`` reports (none when it does not answer)."""
        try:
            roles = self._status.roles(via=re_name)
        except SessionError:
            return []
        return [n for n, s in roles.items() if s == "master"]

    # --------------------------------------------------------------- failover
    def failover(self, fault: str, re_name: str | None = None, *, master: str | None = None,
                 until: Until | str = Until.MASTER, timeout: float | None = None,
                 **args: str) -> OperationResult:
        """Make ``fault`` (``crash_re``, ``pull_re``, ``kill_process`` ...; on ``re_name``,
        default the master) and wait until ``master`` (default: the other RE) answers as the
        only master, then for the rest of ``until``.  Times run from the fault.

        Raises ValueError for an unknown end state, DisruptiveNotAllowedError (nothing made),
        FaultUnavailableError, FaultError, MasterTimeoutError, ForwardingTimeoutError,
        RedundancyTimeoutError, OperationTimeoutError and the session errors.
        """
        end = Until.of(until)
        limit = self._limit(end, timeout, self._s.spec.timeouts.switchover)
        what = f"failover ({fault})"
        with self.consent.acting(Disruption.FAILOVER, what, re_name), \
                self._s.bounded(limit, what):
            w0 = time.monotonic()
            before = self._status.find_master()
            victim = re_name or before
            expected = master or self._s.other(before) or before
            t0 = self.clock.now()
            self._faults.make(fault, victim, **args)
            self._s.forget_master()
            ends = self._ends(t0, limit)
            ends.master(expected, f"{expected} to become master after {fault}")
            ends.through(end, expected, self._s.other(expected))
            result = OperationResult(
                operation="failover", target=expected, master_before=before,
                master_after=expected, duration=self.clock.now() - t0,
                wall_duration=time.monotonic() - w0, text=fault, started=t0, until=end.value,
                phases=ends.phases(), seen=tuple(ends.seen))
        self._notify(result)
        return result

    # ------------------------------------------------------------ waits, hold-down
    def wait_for_master(self, re_name: str, timeout: float, what: str = "") -> None:
        """Wait (router time, and at most ``timeout`` wall seconds) until ``re_name`` reports
        itself master and no other RE does.

        Raises MasterTimeoutError, OperationTimeoutError.
        """
        label = what or f"{re_name} to be master"
        with self._s.bounded(timeout, label):
            self._ends(self.clock.now(), timeout).master(re_name, label)
        self._s.forget_master()

    def hold_down_remaining(self) -> int:
        """Return the seconds before the router accepts a mastership switch (0 when ready),
        asked with ``request chassis routing-engine master switch check``.

        Raises RpcFailedError for any other refusal, and the session errors.
        """
        with self._s.bounded(self._s.query_budget * 2, "hold-down check"):
            via = self._status.find_master()
            check = rpcs.request_switch(rpcs.SwitchMethod.SWITCH, check=True)
            try:
                self._s.rpc(via, check, retries=1)
            except RpcFailedError as exc:
                left = _retry_after(exc)
                if left is not None:
                    return max(1, left)  # refused is not ready, even "0 secs"
                raise
        return 0

    def wait_ready_for_switch(self, timeout: float | None = None) -> None:
        """Wait out the 240 s hold-down between switchovers (on the router's clock).

        Raises WaitTimeoutError when it lasts longer than ``timeout``.
        """
        limit = timeout or self._s.spec.timeouts.switchover
        t0 = self.clock.now()
        remaining = self.hold_down_remaining()
        # Asked again after each sleep: the router counts whole seconds on its own clock, which
        # need not run at exactly our rate (a lab router; "try after 1 secs" after the sleep).
        while remaining:
            if self.clock.now() - t0 + remaining > limit:
                raise WaitTimeoutError("the switchover hold-down to end", limit,
                                       f"{remaining}s left")
            self.clock.sleep(remaining, "the 240 s switchover hold-down")
            remaining = self.hold_down_remaining()

    # ------------------------------------------------------ halt, reboot, power
    def halt(self, re_name: str, *, both: bool = False, timeout: float | None = None,
             until: Until | str | None = None) -> ShutdownResult:
        """``request system halt`` on ``re_name`` (chapter: halts only that RE, with a
        warning; ``both`` adds ``both-routing-engines``); waits until it stops answering and,
        when ``until`` is given (master or forwarding), for that end state of the REs left.
        The control-plane time is when a master answered after the halt, if one did.

        Raises ValueError for ``until="redundant"`` (the halted RE cannot be a ready backup)
        or with ``both``, DisruptiveNotAllowedError (nothing sent), RpcFailedError,
        WaitTimeoutError, MasterTimeoutError, ForwardingTimeoutError, OperationTimeoutError
        and the session errors.
        """
        end = None if until is None else Until.of(until)
        if end is not None and (both or end is Until.REDUNDANT):
            raise ValueError(f"halt of {re_name}: until={end.value} cannot be reached with the "
                             f"halted RE{'s' if both else ''} down")
        limit = self._limit(end or Until.MASTER, timeout, self._s.spec.timeouts.halt)
        scope = rpcs.ShutdownScope.BOTH if both else rpcs.ShutdownScope.LOCAL
        what = f"halt of {re_name}" + (" (both-routing-engines)" if both else "")
        with self.consent.acting(Disruption.HALT, what, re_name), \
                self._s.bounded(limit, what):
            result = self._shutdown(rpcs.request_halt(scope), "halt", re_name, scope, limit,
                                    end)
        self._notify(result)
        return result

    def reboot(self, re_name: str, *, timeout: float | None = None,
               until: Until | str = Until.MASTER) -> ShutdownResult:
        """``request system reboot`` on ``re_name``; waits until it went down, is back and
        answers, with one master on the router (the control plane), then for the rest of
        ``until``.  A reply cut short counts as success once that end state is seen.
        Raises as :meth:`halt` (and RedundancyTimeoutError)."""
        end = Until.of(until)
        limit = self._limit(end, timeout, self._s.spec.timeouts.reboot)
        with self.consent.acting(Disruption.REBOOT, f"reboot of {re_name}", re_name), \
                self._s.bounded(limit, f"reboot of {re_name}"):
            w0, t0 = time.monotonic(), self.clock.now()
            first = self._shutdown(rpcs.request_reboot(), "reboot", re_name,
                                   rpcs.ShutdownScope.LOCAL, limit, None)
            ends = self._back(re_name, end, t0, limit)
            result = ShutdownResult(
                operation="reboot", target=re_name, master_before=first.master_before,
                master_after=self._status.master_or_none(), duration=self.clock.now() - t0,
                wall_duration=time.monotonic() - w0, text=first.text, started=t0,
                until=end.value, phases=ends.phases(), seen=first.seen + tuple(ends.seen),
                reply_cut_short=first.reply_cut_short)
        self._notify(result)
        return result

    def _shutdown(self, request: etree._Element, verb: str, re_name: str,
                  scope: rpcs.ShutdownScope, limit: float, end: Until | None
                  ) -> ShutdownResult:
        """Send ``request`` (a halt or reboot) to ``re_name``, wait until it (and with
        both-routing-engines, the other RE) stops answering, then for ``end`` if given."""
        w0, t0 = time.monotonic(), self.clock.now()
        other = self._s.other(re_name)
        before = self._status.master_or_none(prefer=other)
        text, cut = "", False
        try:
            text = _shutdown_text(self._s.rpc(re_name, request, retries=0))
        except SessionClosedError as exc:
            # A reply cut short by the shutdown it caused: success is judged by the end state.
            log.info("%s: %s reply cut short (%s); checking the end state", self._s.name, verb,
                     exc)
            cut = True
        self._s.drop(re_name)
        self._s.forget_master()
        down = [re_name] + ([other] if scope is rpcs.ShutdownScope.BOTH and other else [])
        ends = self._ends(t0, limit)
        ends.wait(None, lambda: not any(self._answers(ends, n) for n in down),
                  f"{', '.join(down)} to stop answering after {verb}")
        if verb == "halt":
            self._confirm_halted(ends, down)
        after = None
        if len(down) < len(self._s.re_names):
            after = self._after_shutdown(ends, end, other)
        return ShutdownResult(
            operation=verb, target=re_name, master_before=before, master_after=after,
            duration=self.clock.now() - t0, wall_duration=time.monotonic() - w0, text=text,
            started=t0, until=(end.value if end else "down"), phases=ends.phases(),
            seen=tuple(ends.seen), reply_cut_short=cut)

    def _after_shutdown(self, ends: EndStates, end: Until | None, other: str | None
                        ) -> str | None:
        """Return the master after a halt: waited for when ``end`` asks, else as seen now."""
        if end is None:
            master = self._status.master_or_none()
            if master is not None:
                ends.control_plane = ends.elapsed()
            return master
        master = ends.master(None, "a master to answer after the halt")
        ends.through(end, master, None)
        return master

    def _answers(self, ends: EndStates, re_name: str) -> bool:
        answers = self._status.answers(re_name)
        if not answers:
            ends.note_down(re_name)
        return answers

    def _confirm_halted(self, ends: EndStates, down: list[str]) -> None:
        """Wait (what is left of the limit) until the RE that still answers reports each of
        ``down`` not running (the chapter's halted RE shows only as "present"); with no RE left
        to ask, the emulator's control view must say halted (a lab router's silence is all
        there is).  Raises HaltNotConfirmedError: an RE that merely stopped replying is not
        halted."""
        witnesses = [n for n in self._s.re_names if n not in down]
        if not witnesses:
            if self._s.emulated:
                self._check_seen(down, self._control_states(), "the emulator's control view")
            return
        witness = witnesses[0]
        seen: dict[str, str] = {}

        def halted() -> bool:
            seen.update(self._status.roles(via=witness))
            return not any(seen.get(n) in _RUNNING for n in down)

        try:
            ends.wait(None, halted, f"{witness} to report {', '.join(down)} halted", poll=5.0)
        except (WaitTimeoutError, OperationTimeoutError) as exc:
            raise HaltNotConfirmedError(
                f"{self._s.name} {', '.join(down)}",
                {n: seen.get(n) for n in down} | {"seen by": witness}) from exc

    def _control_states(self) -> dict[str, str]:
        """Return each RE's state as the emulator's control RPC ``get-state`` reports it."""
        reply = self._s.control_rpc(rpcs.control("get-state"))
        return {f"re{el.findtext('slot')}": el.findtext("state") or ""
                for el in reply.iter("routing-engine")}

    def _check_seen(self, down: list[str], states: dict[str, str], where: str) -> None:
        running = {n: states.get(n) for n in down if states.get(n) != "halted"}
        if running:
            raise HaltNotConfirmedError(f"{self._s.name} {', '.join(running)}",
                                        f"{running} in {where}")

    def power_on(self, re_name: str, *, timeout: float | None = None,
                 until: Until | str = Until.MASTER) -> OperationResult:
        """Power on a halted ``re_name`` (``request system power-on other-routing-engine`` from
        the other RE, or the testbed's ``power_on_re`` fault on a lab router); waits until it
        answers with one master on the router (the control plane), then for the rest of
        ``until``.

        Raises DisruptiveNotAllowedError (nothing sent), FaultError, WaitTimeoutError,
        MasterTimeoutError, ForwardingTimeoutError, RedundancyTimeoutError,
        OperationTimeoutError and the session errors.
        """
        end = Until.of(until)
        limit = self._limit(end, timeout, self._s.spec.timeouts.reboot)
        with self.consent.acting(Disruption.POWER, f"power-on of {re_name}", re_name), \
                self._s.bounded(limit, f"power-on of {re_name}"):
            w0, t0 = time.monotonic(), self.clock.now()
            other = self._s.other(re_name)
            before = self._status.master_or_none(prefer=other)
            if (self._faults.available("power_on_re") and not self._s.emulated) \
                    or other is None or not self._status.answers(other):
                self._faults.make("power_on_re", re_name)
            else:
                self._s.rpc(other, rpcs.request_power_on_other())
            ends = self._back(re_name, end, t0, limit)
            result = OperationResult(
                operation="power_on", target=re_name, master_before=before,
                master_after=self._status.master_or_none(), duration=self.clock.now() - t0,
                wall_duration=time.monotonic() - w0, started=t0, until=end.value,
                phases=ends.phases(), seen=tuple(ends.seen))
        self._notify(result)
        return result

    def _back(self, re_name: str, end: Until, t0: float, limit: float) -> EndStates:
        """Wait until ``re_name`` booted and joined with one master (the control plane), then
        for the rest of ``end``; return the waits' record."""
        ends = self._ends(t0, limit)
        ends.wait(Until.MASTER, lambda: _settled(ends, re_name), f"{re_name} to boot and join",
                  poll=5.0)
        self._s.forget_master()
        ends.control_plane = ends.elapsed()
        master = self._status.find_master()
        backup = self._s.other(master)
        ends.through(end, master, backup if backup and self._status.answers(backup) else None)
        return ends



def _settled(ends: EndStates, re_name: str) -> bool:
    """Return True when ``re_name`` answers and reports every RE settled with one master (as
    :meth:`RouterStatus.settled`), noting the state it reports."""
    states = list(ends.note_roles(re_name).values())
    return bool(states) and set(states) <= SETTLED and states.count("master") == 1

def _retry_after(exc: RpcFailedError) -> int | None:
    """Return the seconds of a refusal's "try after N secs" (the hold-down), or None."""
    found = _TRY_AFTER.search(str(exc))
    return int(found.group(1)) if found else None


def _shutdown_text(reply: etree._Element) -> str:
    """Return what a halt/reboot reply says: its warnings (the chapter's "This command will not
    halt the other routing-engine."), the per-RE shutdown status and any ``<output>``."""
    status = [" ".join((el.text or "").split()) for el in reply.iter("request-reboot-status")]
    parts = [*reply_warnings(reply), *status, reply_text(reply)]
    return "\n".join(p for p in parts if p)
