"""The HA operations of one router: switchover (switch / acquire / release), halt, reboot,
power-on, the 240 s switchover hold-down, waits for a master.

Each operation is disruptive (the testbed entry must allow it), runs within its testbed timeout
(``switchover``, ``halt``, ``reboot``) or its ``timeout`` argument, waits for its end state on
the router's clock (virtual on the emulator) and returns what it measured; each result is also
given to every listener (the report and the JUnit properties listen).
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable
from typing import TypeVar

from lxml import etree

from harness import mastership as ml
from harness import rpcs
from harness.clock import RouterClock
from harness.errors import (
    DisruptiveNotAllowedError,
    RpcFailedError,
    SessionClosedError,
    SessionError,
    SwitchoverFailedError,
    SwitchoverRefusedError,
    WaitTimeoutError,
)
from harness.faults import Faults
from harness.junos import reply_text, reply_warnings
from harness.router.results import OperationResult, ShutdownResult, SwitchoverResult
from harness.router.sessions import RouterSessions
from harness.router.status import RouterStatus

__all__ = ["SWITCH_RPCS", "HAOperations", "Listener"]

log = logging.getLogger(__name__)
T = TypeVar("T")
_TRY_AFTER = re.compile(r"try after (\d+) secs")

#: Switchover methods and the RPC each one sends (NOTES.md 3.4).
SWITCH_RPCS = {m.name.lower(): m.value for m in rpcs.SwitchMethod}

Listener = Callable[[OperationResult], None]


class HAOperations:
    """The disruptive operations of one router, over its sessions, status, clock and faults."""

    def __init__(self, sessions: RouterSessions, status: RouterStatus, clock: RouterClock,
                 faults: Faults) -> None:
        self._s = sessions
        self._status = status
        #: The router clock this part reads and waits on (replaceable, as a test does).
        self.clock = clock
        self._faults = faults
        #: Observers told about each operation (the report and JUnit properties use it).
        self.listeners: list[Listener] = []

    def __repr__(self) -> str:
        return f"<HAOperations {self._s.name}>"

    # ----------------------------------------------------------------- common
    def require_disruptive(self, what: str) -> None:
        """Raise DisruptiveNotAllowedError unless the testbed entry allows disruption."""
        name = self._s.name
        if not self._s.spec.allow_disruptive:
            raise DisruptiveNotAllowedError(
                f"{name}: {what} is disruptive and the testbed entry does not allow it; "
                f"set 'allow_disruptive: true' for router {name} (and run with "
                f"--allow-disruptive) to allow it")

    def _wait(self, predicate: Callable[[], T], what: str, limit: float, t0: float,
              poll: float) -> T:
        """Wait on the router's clock for what is left of ``limit`` router seconds since
        ``t0``.  Raises WaitTimeoutError, OperationTimeoutError and what ``predicate`` raises."""
        left = max(0.0, limit - (self.clock.now() - t0))
        return self.clock.wait_until(predicate, left, what, poll=poll)

    def _notify(self, result: OperationResult) -> None:
        for listener in list(self.listeners):
            listener(result)

    # ------------------------------------------------------------- switchover
    def switchover(self, method: str = "switch", via: str | None = None,
                   timeout: float | None = None) -> SwitchoverResult:
        """Move mastership with ``request chassis routing-engine master <method>`` and wait
        until the other RE answers as master and the old master is backup (or gone).

        ``via``: the RE to run it on (default: master for switch/release, backup for acquire).
        Raises ValueError for an unknown method, DisruptiveNotAllowedError,
        SwitchoverRefusedError (the 240 s hold-down, no backup running, ...),
        SwitchoverFailedError (E_MAXTRY: the RE stayed master), NoMasterError,
        WaitTimeoutError, OperationTimeoutError and the session errors.
        """
        kind = rpcs.SwitchMethod.named(method)
        self.require_disruptive(f"switchover ({method})")
        limit = timeout or self._s.spec.timeouts.switchover
        with self._s.bounded(limit, f"switchover ({method})"):
            w0, t0 = time.monotonic(), self.clock.now()
            before = self._status.find_master()
            target = self._s.other(before)
            if target is None:
                raise SwitchoverRefusedError(f"{self._s.name}: has one Routing Engine",
                                             method=method)
            via = via or (target if kind is rpcs.SwitchMethod.ACQUIRE else before)
            mark = self._status.mastership_log(via).mark()
            text = self._send_switch(kind, via, target)
            self._s.forget_master()
            self._wait(lambda: self._switched(method, target, via, mark),
                       f"{target} to become master after {method}", limit, t0, poll=1.0)
            result = SwitchoverResult(
                operation="switchover", target=target, master_before=before,
                master_after=target, duration=self.clock.now() - t0,
                wall_duration=time.monotonic() - w0, text=text, method=method)
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

    def _switched(self, method: str, target: str, via: str, mark: ml.LogMark) -> bool:
        """Return True once ``target`` is the only master.

        Raises SwitchoverFailedError when ``via`` logged E_MAXTRY since ``mark`` (chapter
        sample: release with an unreachable backup gives up and stays master).
        """
        masters = self._masters_seen_by(target)
        if masters == [target]:
            return True
        try:
            since = self._status.mastership_log(via).since(mark)
        except SessionError:
            return False
        if since.events(ml.EventCode.E_MAXTRY):
            raise SwitchoverFailedError(
                f"{self._s.name}: {method} on {via} did not move mastership to {target}: "
                f"E_MAXTRY (no answer from the other RE) and masters now {masters or 'none'}",
                method=method, target=target)
        return False

    def _masters_seen_by(self, re_name: str) -> list[str]:
        """Return the masters ``re_name`` reports (none when it does not answer)."""
        try:
            roles = self._status.roles(via=re_name)
        except SessionError:
            return []
        return [n for n, s in roles.items() if s == "master"]

    def wait_for_master(self, re_name: str, timeout: float, what: str = "") -> None:
        """Wait (router time, and at most ``timeout`` wall seconds) until ``re_name`` reports
        itself master and no other RE does.

        Raises WaitTimeoutError, OperationTimeoutError.
        """
        label = what or f"{re_name} to be master"
        with self._s.bounded(timeout, label):
            self._wait(lambda: self._masters_seen_by(re_name) == [re_name], label, timeout,
                       self.clock.now(), poll=1.0)
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
    def halt(self, re_name: str, *, both: bool = False, timeout: float | None = None
             ) -> ShutdownResult:
        """``request system halt`` on ``re_name`` (chapter: halts only that RE, with a
        warning; ``both`` adds ``both-routing-engines``); waits until it stops answering.

        Raises DisruptiveNotAllowedError, RpcFailedError, WaitTimeoutError,
        OperationTimeoutError and the session errors.
        """
        self.require_disruptive(f"halt of {re_name}")
        limit = timeout or self._s.spec.timeouts.halt
        scope = rpcs.ShutdownScope.BOTH if both else rpcs.ShutdownScope.LOCAL
        with self._s.bounded(limit, f"halt of {re_name}"):
            result = self._shutdown(rpcs.request_halt(scope), "halt", re_name, scope, limit)
        self._notify(result)
        return result

    def reboot(self, re_name: str, *, timeout: float | None = None) -> ShutdownResult:
        """``request system reboot`` on ``re_name``; waits until it went down, is back and
        answers, with one master on the router.  A reply cut short counts as success once
        that end state is seen.  Raises as :meth:`halt`."""
        self.require_disruptive(f"reboot of {re_name}")
        limit = timeout or self._s.spec.timeouts.reboot
        with self._s.bounded(limit, f"reboot of {re_name}"):
            w0, t0 = time.monotonic(), self.clock.now()
            first = self._shutdown(rpcs.request_reboot(), "reboot", re_name,
                                   rpcs.ShutdownScope.LOCAL, limit)
            self._wait_back(re_name, limit, t0)
            result = ShutdownResult("reboot", re_name, first.master_before,
                                    self._status.master_or_none(), self.clock.now() - t0,
                                    time.monotonic() - w0, first.text, first.reply_cut_short)
        self._notify(result)
        return result

    def _shutdown(self, request: etree._Element, verb: str, re_name: str,
                  scope: rpcs.ShutdownScope, limit: float) -> ShutdownResult:
        """Send ``request`` (a halt or reboot) to ``re_name`` and wait until it (and with
        both-routing-engines, the other RE) stops answering."""
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
        self._wait(lambda: not any(self._status.answers(n) for n in down),
                   f"{', '.join(down)} to stop answering after {verb}", limit, t0, poll=5.0)
        after = self._status.master_or_none() if len(down) < len(self._s.re_names) else None
        return ShutdownResult(verb, re_name, before, after, self.clock.now() - t0,
                              time.monotonic() - w0, text, cut)

    def power_on(self, re_name: str, *, timeout: float | None = None) -> OperationResult:
        """Power on a halted ``re_name`` (``request system power-on other-routing-engine`` from
        the other RE, or the testbed's ``power_on_re`` fault on a lab router); waits until it
        answers with one master on the router.

        Raises DisruptiveNotAllowedError, FaultError, WaitTimeoutError,
        OperationTimeoutError and the session errors.
        """
        self.require_disruptive(f"power-on of {re_name}")
        limit = timeout or self._s.spec.timeouts.reboot
        with self._s.bounded(limit, f"power-on of {re_name}"):
            w0, t0 = time.monotonic(), self.clock.now()
            other = self._s.other(re_name)
            before = self._status.master_or_none(prefer=other)
            if (self._faults.available("power_on_re") and not self._s.emulated) \
                    or other is None or not self._status.answers(other):
                self._faults.make("power_on_re", re_name)
            else:
                self._s.rpc(other, rpcs.request_power_on_other())
            self._wait_back(re_name, limit, t0)
            result = OperationResult("power_on", re_name, before,
                                     self._status.master_or_none(), self.clock.now() - t0,
                                     time.monotonic() - w0)
        self._notify(result)
        return result

    def _wait_back(self, re_name: str, limit: float, t0: float) -> None:
        self._wait(lambda: self._status.settled(re_name), f"{re_name} to boot and join", limit,
                   t0, poll=5.0)
        self._s.forget_master()


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
