"""``DualRERouter``: a dual-RE Junos router as a suite sees it, lab or emulated alike.

Sessions are per RE and opened lazily; "the master" is resolved from
``get-route-engine-information`` and forgotten after every disruptive operation, fault or
dropped session.  A session that drops (the RE rebooted, mastership moved, the link was
severed, the emulator's ``drop-sessions``) is reopened with bounded backoff on next use.

Every public operation has a time budget (:class:`harness.session.Deadline`): queries (status,
master, mastership_log, rpc, the emulated clock's RPCs) get ``timeouts.connect +
timeouts.rpc``; HA operations get their testbed timeout (``switchover``, ``halt``, ``reboot``)
or the ``timeout`` argument.  Nested network waits are clipped to what is left, so a closed
port, a silent peer or an emulator that dies mid-operation raises a named
:mod:`harness.errors` exception within the budget.  HA operations wait for their end state on
the router's clock and return what they measured.
"""

from __future__ import annotations

import contextlib
import logging
import re
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeVar

from lxml import etree

from harness import mastership as ml
from harness.clock import CONTROL_NS, EmulatedClock, LabClock, RouterClock
from harness.errors import (
    ConfigError,
    ConnectError,
    DisruptiveNotAllowedError,
    HarnessError,
    NoMasterError,
    OperationTimeoutError,
    RouterUnreachableError,
    RpcFailedError,
    RpcTimeoutError,
    SessionClosedError,
    SessionError,
    SwitchoverFailedError,
    SwitchoverRefusedError,
    WaitTimeoutError,
)
from harness.faults import EmulatorFaults, Faults, LabFaults
from harness.junos import (
    NOT_MASTER_TEXT,
    CommitReport,
    RouteEngineStatus,
    load_errors,
    parse_commit,
    parse_route_engines,
    reply_text,
    reply_warnings,
)
from harness.session import ConnectParams, Deadline, RESession
from harness.testbed import Endpoint, HostKeyPolicy, RouterSpec, TimeMode

__all__ = [
    "BACKOFF",
    "MASTER",
    "SWITCH_RPCS",
    "ConnectError",
    "DisruptiveNotAllowedError",
    "DualRERouter",
    "NoMasterError",
    "NotMasterRefusal",
    "OperationResult",
    "OperationTimeoutError",
    "RouterUnreachableError",
    "ShutdownResult",
    "SwitchoverFailedError",
    "SwitchoverRefusedError",
    "SwitchoverResult",
    "WaitTimeoutError",
]

log = logging.getLogger(__name__)
T = TypeVar("T")
_TRY_AFTER = re.compile(r"try after (\d+) secs")

#: The logical RE name that means "whichever RE is master now".
MASTER = "master"
#: Seconds between reconnect attempts after a dropped session (bounded, then the error).
BACKOFF: tuple[float, ...] = (0.05, 0.2, 0.5, 1.0, 2.0)
#: Switchover methods and the RPC each one sends (NOTES.md 3.4).
SWITCH_RPCS = {
    "switch": "request-chassis-routing-engine-switch",
    "acquire": "request-chassis-routing-engine-acquire",
    "release": "request-chassis-routing-engine-release",
}
#: Config formats of ``load_config``: (load-configuration attributes, payload element).
_LOAD_FORMATS = {
    "set": ({"action": "set", "format": "text"}, "configuration-set"),
    "text": ({"action": "merge", "format": "text"}, "configuration-text"),
    "xml": ({"action": "merge"}, "configuration"),
}


class NotMasterRefusal(RpcFailedError):
    """The RE answered "This command can only be used on the master routing engine"."""


@dataclass(frozen=True, slots=True)
class OperationResult:
    """What an HA operation did and how long its end state took (router and wall seconds)."""

    operation: str
    target: str
    master_before: str | None
    master_after: str | None
    duration: float
    wall_duration: float
    text: str = ""


@dataclass(frozen=True, slots=True)
class SwitchoverResult(OperationResult):
    """A switchover's result; ``method`` is switch, acquire or release."""

    method: str = "switch"


@dataclass(frozen=True, slots=True)
class ShutdownResult(OperationResult):
    """A halt's or reboot's result; ``reply_cut_short`` when the session died before the reply
    (the shutdown it caused), which counts as success once the end state was seen."""

    reply_cut_short: bool = False


class DualRERouter:
    """A dual-RE router of the testbed, reached only over NETCONF/SSH.

    One thread at a time: the operation budget is an attribute of the router.
    """

    def __init__(self, spec: RouterSpec, *, control: Endpoint | None = None,
                 lab_clock: RouterClock | None = None) -> None:
        self.spec = spec
        self.name = spec.name
        self._sessions: dict[str, RESession] = {}
        self._control_endpoint = control
        self._control: RESession | None = None
        self._deadline: Deadline | None = None
        self._master_hint: str | None = None
        # An emulator running in real time is waited for like hardware: only a virtual clock
        # is advanced by control RPC.
        realtime = spec.emulator is not None and spec.emulator.time is TimeMode.REAL
        self.clock: RouterClock = (
            EmulatedClock(self.control_rpc) if control is not None and not realtime
            else (lab_clock or LabClock())
        )
        self.faults: Faults = (
            EmulatorFaults(self.control, after=self._after_fault) if control is not None
            else LabFaults(spec, lambda re_name, el: self.rpc(re_name, el), spec.timeouts.halt,
                           after=self._after_fault)
        )
        #: Observers told about each operation (the report and JUnit properties use it).
        self.listeners: list[Callable[[OperationResult], None]] = []

    def __repr__(self) -> str:
        return f"<DualRERouter {self.name} {self.spec.platform}>"

    # ---------------------------------------------------------------- budgets
    @contextlib.contextmanager
    def bounded(self, seconds: float, what: str) -> Iterator[Deadline]:
        """Run the body within ``seconds`` of wall time (or less, inside an earlier budget);
        yield the deadline in force.  Network waits inside are clipped to it."""
        mine = Deadline.after(seconds, f"{self.name}: {what}")
        outer = self._deadline
        self._deadline = mine.earliest(outer)
        try:
            yield self._deadline
        finally:
            self._deadline = outer

    @property
    def query_budget(self) -> float:
        """Return the budget of one query: one connect plus one RPC (testbed timeouts)."""
        return self.spec.timeouts.connect + self.spec.timeouts.rpc

    def _clip(self, seconds: float) -> float:
        return self._deadline.clip(seconds) if self._deadline is not None else seconds

    # -------------------------------------------------------------- sessions
    @property
    def re_names(self) -> tuple[str, ...]:
        """Return the names of the REs in the testbed entry (``re0``, ``re1``)."""
        return tuple(self.spec.endpoints)

    @property
    def emulated(self) -> bool:
        """Return True when the router is the emulator (time and faults by control RPC)."""
        return self._control_endpoint is not None

    def _params(self, re_name: str, endpoint: Endpoint, control: bool = False) -> ConnectParams:
        creds = self.spec.control if control and self.spec.control else self.spec.credentials
        hk = self.spec.host_keys
        return ConnectParams(
            host=endpoint.host, port=endpoint.port, username=creds.username,
            password=creds.password(),
            key_file=str(creds.key_file) if creds.key_file else None,
            allow_agent=creds.allow_agent,
            hostkey_verify=hk.policy is HostKeyPolicy.KNOWN_HOSTS,
            known_hosts=str(hk.known_hosts) if hk.known_hosts else None,
            connect_timeout=self.spec.timeouts.connect, rpc_timeout=self.spec.timeouts.rpc,
            label=f"{self.name}/{re_name}",
        )

    def session(self, re_name: str) -> RESession:
        """Return an open session to ``re_name`` (``"master"``: the RE that is master now),
        opening it if needed.

        Raises ConnectError (the RE does not answer), NoMasterError (for ``"master"``),
        OperationTimeoutError, or KeyError for an unknown RE name.
        """
        name = self._resolve(re_name)
        endpoint = self.spec.endpoints[name]
        sess = self._sessions.get(name)
        if sess is None or not sess.connected:
            sess = RESession(self._params(name, endpoint))
            sess.open(self._clip(self.spec.timeouts.connect))
            self._sessions[name] = sess
        return sess

    def _resolve(self, re_name: str) -> str:
        if re_name != MASTER:
            return re_name
        if self._master_hint is None:
            self._master_hint = self.find_master()
        return self._master_hint

    def drop_session(self, re_name: str) -> None:
        """Close and forget the session to ``re_name`` (it is reopened on next use)."""
        sess = self._sessions.pop(re_name, None)
        if sess is not None:
            sess.close(min(1.0, self._deadline.remaining()) if self._deadline else 1.0)

    def forget_master(self) -> None:
        """Forget which RE was master: the next ``"master"`` use asks the router again."""
        self._master_hint = None

    def close(self) -> None:
        """Close every session of this router."""
        for name in list(self._sessions):
            self.drop_session(name)
        if self._control is not None:
            self._control.close()
            self._control = None

    def rpc(self, re_name: str, request: etree._Element | str, *, retries: int = 2,
            timeout: float | None = None) -> etree._Element:
        """Send ``request`` to ``re_name`` (an RE or ``"master"``) and return the reply.

        A dropped session is reopened up to ``retries`` times with backoff (:data:`BACKOFF`),
        re-resolving the master for ``"master"``.  The whole call is bounded by
        ``timeouts.connect`` plus ``timeout`` (default ``timeouts.rpc``).
        Raises ConnectError, SessionClosedError, RpcTimeoutError, RpcFailedError,
        NoMasterError or OperationTimeoutError.
        """
        limit = timeout or self.spec.timeouts.rpc
        with self.bounded(self.spec.timeouts.connect + limit, f"rpc to {re_name}"):
            for attempt in range(retries + 1):
                try:
                    return self._rpc_once(re_name, request, limit)
                except SessionClosedError:
                    if attempt >= retries:
                        raise
                    delay = BACKOFF[min(attempt, len(BACKOFF) - 1)]
                    log.info("%s: session to %s dropped; reconnecting in %.2fs",
                             self.name, re_name, delay)
                    time.sleep(self._clip(delay))
        raise AssertionError("unreachable")  # the loop returns or raises

    def _rpc_once(self, re_name: str, request: etree._Element | str, limit: float
                  ) -> etree._Element:
        name = self._resolve(re_name)
        try:
            return self.session(name).rpc(request, self._clip(limit))
        except (SessionClosedError, RpcTimeoutError):
            # A silent or dead session is of no further use; the master may have moved.
            self.drop_session(name)
            self.forget_master()
            raise

    def command(self, re_name: str, cli: str, fmt: str = "text") -> Any:
        """Run a CLI command on ``re_name``; return its text (or the XML reply for xml).

        Raises as :meth:`rpc`.
        """
        el = etree.Element("command")
        el.text = cli
        if fmt == "text":
            el.set("format", "text")
        reply = self.rpc(re_name, el)
        return reply_text(reply) if fmt == "text" else reply

    def control_rpc(self, request: etree._Element) -> etree._Element:
        """Send an emulator control RPC (emulated routers only), within a query budget.

        Raises HarnessError on a lab router, and the session errors.
        """
        if self._control_endpoint is None:
            raise HarnessError(f"{self.name}: control RPCs exist only on the emulator")
        with self.bounded(self.query_budget, f"control {etree.QName(request).localname}"):
            if self._control is None or not self._control.connected:
                self._control = RESession(self._params("control", self._control_endpoint, True))
                self._control.open(self._clip(self.spec.timeouts.connect))
            try:
                return self._control.rpc(request, self._clip(self.spec.timeouts.rpc))
            except (SessionClosedError, RpcTimeoutError):
                self._control.close(0.1)
                self._control = None
                raise

    def control(self, tag: str, **children: object) -> etree._Element:
        """Build and send control RPC ``tag`` with text children; return the reply."""
        el = etree.Element(f"{{{CONTROL_NS}}}{tag}", nsmap={None: CONTROL_NS})
        for name, value in children.items():
            etree.SubElement(el, f"{{{CONTROL_NS}}}{name.replace('_', '-')}").text = str(value)
        return self.control_rpc(el)

    def _after_fault(self, fault: str) -> None:
        self.forget_master()

    # ---------------------------------------------------------------- status
    def _reachable_order(self) -> list[str]:
        live = [n for n, s in self._sessions.items() if s.connected and n in self.spec.endpoints]
        return live + [n for n in self.re_names if n not in live]

    def status(self, via: str | None = None, timeout: float | None = None
               ) -> list[RouteEngineStatus]:
        """Return ``show chassis routing-engine`` as seen from ``via`` (default: the first RE
        that answers), within ``timeout`` (default: the query budget).

        Raises RouterUnreachableError (a NoMasterError) when no RE answers, and
        OperationTimeoutError when the budget runs out.
        """
        with self.bounded(timeout or self.query_budget, "status"):
            problems = []
            for name in [via] if via else self._reachable_order():
                try:
                    return parse_route_engines(
                        self.rpc(name, "<get-route-engine-information/>", retries=1))
                except SessionError as exc:
                    problems.append(f"{name}: {exc}")
            raise RouterUnreachableError(self.name, problems)

    def router_time(self, via: str | None = None) -> datetime:
        """Return the router's own wall-clock time (naive, in its time zone, as its log
        timestamps are): start time plus up time from ``show chassis routing-engine``.  A lab
        router's clock need not agree with this host's (skew, time zone).  Falls back to the
        harness clock, in UTC, when the router reports no times.

        Raises as :meth:`status`.
        """
        view = self.status(via)
        first = via or next((r.name for r in view if r.is_master), None)
        times = [r.local_time for r in view if r.name == first] + [r.local_time for r in view]
        found = next((t for t in times if t is not None), None)
        if found is not None:
            return found
        return datetime.fromtimestamp(self.clock.now(), UTC).replace(tzinfo=None)

    def _roles(self, via: str | None = None) -> Mapping[str, str]:
        return {r.name: r.mastership_state.lower() for r in self.status(via)}

    def find_master(self, timeout: float | None = None) -> str:
        """Return the name of the master RE, asked now (and remembered for ``"master"``).

        Raises NoMasterError (RouterUnreachableError when no RE answers),
        OperationTimeoutError.
        """
        for r in self.status(timeout=timeout):
            if r.is_master:
                self._master_hint = r.name
                return r.name
        raise NoMasterError(f"{self.name}: no Routing Engine is master")

    @property
    def master(self) -> str:
        """Return the name of the master RE.  Raises as :meth:`find_master`."""
        return self.find_master()

    @property
    def backup(self) -> str | None:
        """Return the name of the backup RE, or None when there is none."""
        return next((r.name for r in self.status() if r.mastership_state.lower() == "backup"),
                    None)

    def is_master(self, re_name: str) -> bool:
        """Return True when ``re_name`` itself reports being master."""
        try:
            return any(r.is_master and r.name == re_name for r in self.status(via=re_name))
        except NoMasterError:
            return False

    def answers(self, re_name: str) -> bool:
        """Return True when ``re_name`` accepts a NETCONF session and answers an RPC.

        Raises OperationTimeoutError only when an enclosing budget is spent.
        """
        try:
            self.rpc(re_name, "<get-route-engine-information/>", retries=0)
            return True
        except SessionError:
            self.drop_session(re_name)
            return False

    def chassis_hardware(self, re_name: str) -> etree._Element:
        """Return ``show chassis hardware`` from ``re_name``.

        Raises NotMasterRefusal (a RpcFailedError) when the RE refuses as a backup does.
        """
        reply = self.rpc(re_name, "<get-chassis-inventory/>")
        text = reply_text(reply)
        if NOT_MASTER_TEXT in text:
            raise NotMasterRefusal(f"{self.name}/{re_name}: {text.strip()}",
                                   [("error", text.strip())])
        return reply

    # ----------------------------------------------------------- mastership log
    def raw_log(self, re_name: str) -> str:
        """Return the text of ``show log mastership`` on ``re_name``.  Raises as :meth:`rpc`."""
        reply = self.rpc(re_name, "<get-log><filename>mastership</filename></get-log>")
        content = reply.find(".//file-content")
        if content is not None:
            return content.text or ""
        return reply_text(reply)

    def mastership_log(self, re_name: str, timeout: float | None = None) -> ml.MastershipLog:
        """Return the parsed mastership log of ``re_name`` (oldest first), as a value that
        ``assert [patterns] in log`` reads well.  Raises as :meth:`rpc`."""
        with self.bounded(timeout or self.query_budget, f"mastership log of {re_name}"):
            year = time.gmtime(self.clock.now()).tm_year
            return ml.MastershipLog.parse(self.raw_log(re_name), year=year, re=re_name)

    # ------------------------------------------------------------- operations
    def require_disruptive(self, what: str) -> None:
        """Raise DisruptiveNotAllowedError unless the testbed entry allows disruption."""
        if not self.spec.allow_disruptive:
            raise DisruptiveNotAllowedError(
                f"{self.name}: {what} is disruptive and the testbed entry does not allow it; "
                f"set 'allow_disruptive: true' for router {self.name} (and run with "
                f"--allow-disruptive) to allow it")

    def _other(self, re_name: str) -> str | None:
        return next((n for n in self.re_names if n != re_name), None)

    def _wait(self, predicate: Callable[[], T], what: str, limit: float, t0: float,
              poll: float) -> T:
        """Wait on the router's clock for what is left of ``limit`` router seconds since
        ``t0``.  Raises WaitTimeoutError, OperationTimeoutError and what ``predicate`` raises."""
        left = max(0.0, limit - (self.clock.now() - t0))
        return self.clock.wait_until(predicate, left, what, poll=poll)

    def switchover(self, method: str = "switch", via: str | None = None,
                   timeout: float | None = None) -> SwitchoverResult:
        """Move mastership with ``request chassis routing-engine master <method>`` and wait
        until the other RE answers as master and the old master is backup (or gone).

        ``via``: the RE to run it on (default: master for switch/release, backup for acquire).
        Raises DisruptiveNotAllowedError, SwitchoverRefusedError (the 240 s hold-down, no
        backup running, ...), SwitchoverFailedError (E_MAXTRY: the RE stayed master),
        NoMasterError, WaitTimeoutError, OperationTimeoutError and the session errors.
        """
        if method not in SWITCH_RPCS:
            raise ValueError(f"method: expected one of {sorted(SWITCH_RPCS)}, got {method!r}")
        self.require_disruptive(f"switchover ({method})")
        limit = timeout or self.spec.timeouts.switchover
        with self.bounded(limit, f"switchover ({method})"):
            w0, t0 = time.monotonic(), self.clock.now()
            before = self.find_master()
            target = self._other(before)
            if target is None:
                raise SwitchoverRefusedError(f"{self.name}: has one Routing Engine",
                                             method=method)
            via = via or (target if method == "acquire" else before)
            mark = self.mastership_log(via).mark()
            text = self._send_switch(method, via, target)
            self.forget_master()
            self._wait(lambda: self._switched(method, before, target, via, mark),
                       f"{target} to become master after {method}", limit, t0, poll=1.0)
            result = SwitchoverResult(
                operation="switchover", target=target, master_before=before,
                master_after=target, duration=self.clock.now() - t0,
                wall_duration=time.monotonic() - w0, text=text, method=method)
        self._notify(result)
        return result

    def _send_switch(self, method: str, via: str, target: str) -> str:
        rpc = SWITCH_RPCS[method]
        try:
            reply = self.rpc(via, f"<{rpc}><no-confirm/></{rpc}>", retries=0)
        except RpcFailedError as exc:
            found = _TRY_AFTER.search(str(exc))
            raise SwitchoverRefusedError(
                f"{self.name}: {method} refused on {via}: {exc}", method=method, target=target,
                retry_after=int(found.group(1)) if found else None) from exc
        except SessionClosedError as exc:
            # The session died with the mastership change: judged by the end state.
            log.info("%s: %s reply cut short (%s); checking the end state", self.name, method,
                     exc)
            return ""
        return reply_text(reply)

    def _switched(self, method: str, before: str, target: str, via: str,
                  mark: ml.LogMark) -> bool:
        """Return True once ``target`` is the only master.

        Raises SwitchoverFailedError when ``via`` logged E_MAXTRY since ``mark`` (chapter
        sample: release with an unreachable backup gives up and stays master).
        """
        try:
            roles = self._roles(via=target)
        except SessionError:
            roles = {}
        masters = [n for n, s in roles.items() if s == "master"]
        if masters == [target]:
            return True
        try:
            since = self.mastership_log(via).since(mark)
        except SessionError:
            return False
        if since.events(ml.EventCode.E_MAXTRY):
            raise SwitchoverFailedError(
                f"{self.name}: {method} on {via} did not move mastership to {target}: "
                f"E_MAXTRY (no answer from the other RE) and masters now {masters or 'none'}",
                method=method, target=target)
        return False

    def wait_for_master(self, re_name: str, timeout: float, what: str = "") -> None:
        """Wait (router time, and at most ``timeout`` wall seconds) until ``re_name`` reports
        itself master and no other RE does.

        Raises WaitTimeoutError, OperationTimeoutError.
        """
        def settled() -> bool:
            try:
                roles = self._roles(via=re_name)
            except SessionError:
                return False
            return [n for n, s in roles.items() if s == "master"] == [re_name]

        with self.bounded(timeout, what or f"{re_name} to be master"):
            self._wait(settled, what or f"{re_name} to be master", timeout, self.clock.now(),
                       poll=1.0)
        self.forget_master()

    def _shutdown(self, verb: str, re_name: str, scope: str | None, limit: float
                  ) -> ShutdownResult:
        """Send request-halt/-reboot to ``re_name`` and wait until it (and with
        both-routing-engines, the other RE) stops answering."""
        w0, t0 = time.monotonic(), self.clock.now()
        before = self._master_or_none(prefer=self._other(re_name))
        rpc = "request-halt" if verb == "halt" else "request-reboot"
        body = f"<{scope}/>" if scope else ""
        text, cut = "", False
        try:
            text = _shutdown_text(self.rpc(re_name, f"<{rpc}>{body}</{rpc}>", retries=0))
        except SessionClosedError as exc:
            # A reply cut short by the shutdown it caused: success is judged by the end state.
            log.info("%s: %s reply cut short (%s); checking the end state", self.name, verb, exc)
            cut = True
        self.drop_session(re_name)
        self.forget_master()
        other = self._other(re_name)
        down = [re_name] + ([other] if scope == "both-routing-engines" and other else [])
        self._wait(lambda: not any(self.answers(n) for n in down),
                   f"{', '.join(down)} to stop answering after {verb}", limit, t0, poll=5.0)
        after = self._master_or_none() if len(down) < len(self.re_names) else None
        return ShutdownResult(verb, re_name, before, after, self.clock.now() - t0,
                              time.monotonic() - w0, text, cut)

    def _master_or_none(self, prefer: str | None = None) -> str | None:
        try:
            view = self.status(via=prefer) if prefer else self.status()
        except SessionError:
            try:
                view = self.status() if prefer else []
            except NoMasterError:
                return None
        except NoMasterError:
            return None
        return next((r.name for r in view if r.is_master), None)

    def halt(self, re_name: str, *, both: bool = False, timeout: float | None = None
             ) -> ShutdownResult:
        """``request system halt`` on ``re_name`` (chapter: halts only that RE, with a
        warning; ``both`` adds ``both-routing-engines``); waits until it stops answering.

        Raises DisruptiveNotAllowedError, RpcFailedError, WaitTimeoutError,
        OperationTimeoutError and the session errors.
        """
        self.require_disruptive(f"halt of {re_name}")
        limit = timeout or self.spec.timeouts.halt
        with self.bounded(limit, f"halt of {re_name}"):
            scope = "both-routing-engines" if both else None
            result = self._shutdown("halt", re_name, scope, limit)
        self._notify(result)
        return result

    def reboot(self, re_name: str, *, timeout: float | None = None) -> ShutdownResult:
        """``request system reboot`` on ``re_name``; waits until it went down, is back and
        answers, with one master on the router.  A reply cut short counts as success once
        that end state is seen.  Raises as :meth:`halt`."""
        self.require_disruptive(f"reboot of {re_name}")
        limit = timeout or self.spec.timeouts.reboot
        with self.bounded(limit, f"reboot of {re_name}"):
            w0, t0 = time.monotonic(), self.clock.now()
            first = self._shutdown("reboot", re_name, None, limit)
            self._wait_back(re_name, limit, t0)
            result = ShutdownResult("reboot", re_name, first.master_before,
                                    self._master_or_none(), self.clock.now() - t0,
                                    time.monotonic() - w0, first.text, first.reply_cut_short)
        self._notify(result)
        return result

    def power_on(self, re_name: str, *, timeout: float | None = None) -> OperationResult:
        """Power on a halted ``re_name`` (``request system power-on other-routing-engine`` from
        the other RE, or the testbed's ``power_on_re`` fault on a lab router); waits until it
        answers with one master on the router.

        Raises DisruptiveNotAllowedError, FaultError, WaitTimeoutError,
        OperationTimeoutError and the session errors.
        """
        self.require_disruptive(f"power-on of {re_name}")
        limit = timeout or self.spec.timeouts.reboot
        with self.bounded(limit, f"power-on of {re_name}"):
            w0, t0 = time.monotonic(), self.clock.now()
            other = self._other(re_name)
            before = self._master_or_none(prefer=other)
            if (self.faults.available("power_on_re") and not self.emulated) \
                    or other is None or not self.answers(other):
                self.faults.make("power_on_re", re_name)
            else:
                self.rpc(other, "<request-power-on><other-routing-engine/></request-power-on>")
            self._wait_back(re_name, limit, t0)
            result = OperationResult("power_on", re_name, before, self._master_or_none(),
                                     self.clock.now() - t0, time.monotonic() - w0)
        self._notify(result)
        return result

    def _wait_back(self, re_name: str, limit: float, t0: float) -> None:
        def back() -> bool:
            if not self.answers(re_name):
                return False
            states = [r.mastership_state.lower() for r in self.status(via=re_name)]
            return states.count("master") == 1 and all(
                s in ("master", "backup", "disabled") for s in states)

        self._wait(back, f"{re_name} to boot and join", limit, t0, poll=5.0)
        self.forget_master()

    def reset(self) -> None:
        """Emulated routers only: rebuild the router as the testbed describes it (fresh logs,
        configuration and roles) and drop every session.  Raises HarnessError on a lab router,
        and the session errors."""
        self.control("reset-router")
        for name in list(self._sessions):
            self.drop_session(name)
        self.forget_master()

    def hold_down_remaining(self) -> int:
        """Return the seconds before the router accepts a mastership switch (0 when ready),
        asked with ``request chassis routing-engine master switch check``.

        Raises RpcFailedError for any other refusal, and the session errors.
        """
        with self.bounded(self.query_budget * 2, "hold-down check"):
            via = self.find_master()
            try:
                self.rpc(via, "<request-chassis-routing-engine-switch><check/>"
                              "</request-chassis-routing-engine-switch>", retries=1)
            except RpcFailedError as exc:
                found = _TRY_AFTER.search(str(exc))
                if found:
                    return max(1, int(found.group(1)))  # refused is not ready, even "0 secs"
                raise
        return 0

    def wait_ready_for_switch(self, timeout: float | None = None) -> None:
        """Wait out the 240 s hold-down between switchovers (on the router's clock).

        Raises WaitTimeoutError when it lasts longer than ``timeout``.
        """
        limit = timeout or self.spec.timeouts.switchover
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

    def _notify(self, result: OperationResult) -> None:
        for listener in list(self.listeners):
            listener(result)

    # ---------------------------------------------------------- configuration
    def load_config(self, re_name: str, text: str, format: str = "set") -> tuple[str, ...]:  # noqa: A002
        """Load ``text`` (``set`` commands, curly ``text`` or ``xml``) into the candidate of
        ``re_name`` (``load-configuration``); return the warnings.

        Raises ValueError for an unknown format, ConfigError when the router rejects it.
        """
        if format not in _LOAD_FORMATS:
            raise ValueError(f"format: expected one of {sorted(_LOAD_FORMATS)}, got {format!r}")
        attrs, payload = _LOAD_FORMATS[format]
        el = etree.Element("load-configuration", attrs)
        if format == "xml":
            el.append(etree.fromstring(text))
        else:
            etree.SubElement(el, payload).text = text
        return self._load(re_name, el, f"load ({format})")

    def rollback(self, re_name: str, n: int) -> tuple[str, ...]:
        """Load rollback ``n`` into the candidate of ``re_name`` (commit to apply it); return
        the warnings.  Raises ConfigError (e.g. no such rollback)."""
        el = etree.Element("load-configuration", rollback=str(n))
        return self._load(re_name, el, f"rollback {n}")

    def _load(self, re_name: str, el: etree._Element, what: str) -> tuple[str, ...]:
        try:
            reply = self.rpc(re_name, el)
        except RpcFailedError as exc:
            raise ConfigError(f"{self.name}/{re_name}: {what}: {exc}", exc.errors,
                              exc.reply) from exc
        problems = load_errors(reply)
        errors = [(sev, msg) for sev, msg in problems if sev != "warning"]
        if errors:
            raise ConfigError(f"{self.name}/{re_name}: {what}: "
                              + "; ".join(msg for _, msg in errors), errors,
                              etree.tostring(reply).decode())
        return tuple(msg for sev, msg in problems if sev == "warning")

    def commit(self, re_name: str, synchronize: bool = False, check: bool = False,
               comment: str | None = None) -> CommitReport:
        """Commit the candidate of ``re_name`` (``commit-configuration``; ``synchronize``:
        ``commit synchronize``, NOTES.md 3.6); return the per-RE steps and warnings.

        Raises ConfigError when the commit (or its check) fails.
        """
        el = etree.Element("commit-configuration")
        if check:
            etree.SubElement(el, "check")
        if synchronize:
            etree.SubElement(el, "synchronize")
        if comment:
            etree.SubElement(el, "log").text = comment
        try:
            reply = self.rpc(re_name, el)
        except RpcFailedError as exc:
            raise ConfigError(f"{self.name}/{re_name}: commit: {exc}", exc.errors,
                              exc.reply) from exc
        return parse_commit(reply, self._resolve(re_name), check_only=check)

    def committed_config(self, re_name: str, inherit: bool = False) -> str:
        """Return the committed configuration of ``re_name`` as curly text; with ``inherit``,
        groups (re0/re1 ...) applied as that RE sees them.  Raises as :meth:`rpc`."""
        el = etree.Element("get-configuration", database="committed", format="text")
        if inherit:
            el.set("inherit", "inherit")
        reply = self.rpc(re_name, el)
        return reply.findtext(".//configuration-text") or ""


def _shutdown_text(reply: etree._Element) -> str:
    """Return what a halt/reboot reply says: its warnings (the chapter's "This command will not
    halt the other routing-engine."), the per-RE shutdown status and any ``<output>``."""
    status = [" ".join((el.text or "").split()) for el in reply.iter("request-reboot-status")]
    parts = [*reply_warnings(reply), *status, reply_text(reply)]
    return "\n".join(p for p in parts if p)
