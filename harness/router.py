"""``DualRERouter``: a dual-RE Junos router as a suite sees it, lab or emulated alike.

Sessions are per RE and opened lazily; "the master" is resolved from
``get-route-engine-information`` each time it matters.  A session that drops (the RE rebooted,
mastership moved, the link was severed) is reopened with bounded backoff on next use.  Every HA
operation waits for its end state on the router's clock and returns what it measured.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from lxml import etree

from harness import mastership as ml
from harness.clock import CONTROL_NS, EmulatedClock, LabClock, RouterClock, WaitTimeoutError
from harness.errors import HarnessError
from harness.faults import EmulatorFaults, Faults, LabFaults
from harness.junos import (
    NOT_MASTER_TEXT,
    RouteEngineStatus,
    parse_route_engines,
    reply_text,
)
from harness.session import (
    ConnectError,
    ConnectParams,
    RESession,
    RpcFailedError,
    SessionClosedError,
    SessionError,
)
from harness.testbed import Endpoint, HostKeyPolicy, RouterSpec

__all__ = [
    "DisruptiveNotAllowedError",
    "DualRERouter",
    "NoMasterError",
    "OperationResult",
    "SwitchoverResult",
]

log = logging.getLogger(__name__)
T = TypeVar("T")
_TRY_AFTER = re.compile(r"try after (\d+) secs")

#: Switchover methods and the RPC each one sends (NOTES.md 3.4).
SWITCH_RPCS = {
    "switch": "request-chassis-routing-engine-switch",
    "acquire": "request-chassis-routing-engine-acquire",
    "release": "request-chassis-routing-engine-release",
}


class NoMasterError(HarnessError):
    """No RE reports itself master (or none can be reached).  At fault: the router."""


class DisruptiveNotAllowedError(HarnessError):
    """A disruptive operation on a router whose testbed entry does not allow it."""


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


@dataclass(slots=True)
class _Backoff:
    delays: tuple[float, ...] = (0.05, 0.2, 0.5, 1.0, 2.0)
    tries: list[float] = field(default_factory=list)


class DualRERouter:
    """A dual-RE router of the testbed, reached only over NETCONF/SSH."""

    def __init__(self, spec: RouterSpec, *, control: Endpoint | None = None,
                 lab_clock: RouterClock | None = None) -> None:
        self.spec = spec
        self.name = spec.name
        self._sessions: dict[str, RESession] = {}
        self._control_endpoint = control
        self._control: RESession | None = None
        self.clock: RouterClock = (
            EmulatedClock(self.control_rpc) if control is not None
            else (lab_clock or LabClock())
        )
        self.faults: Faults = (
            EmulatorFaults(self.control) if control is not None
            else LabFaults(spec, lambda re, el: self.rpc(re, el), spec.timeouts.halt)
        )
        #: Observers told about each operation (the report and JUnit properties use it).
        self.listeners: list[Callable[[OperationResult], None]] = []

    def __repr__(self) -> str:
        return f"<DualRERouter {self.name} {self.spec.platform}>"

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
        """Return an open session to ``re_name``, opening it if needed.

        Raises ConnectError (the RE does not answer) or KeyError for an unknown RE name.
        """
        if re_name == "master" and self.spec.master_only is not None:
            endpoint = self.spec.master_only
        else:
            endpoint = self.spec.endpoints[re_name]
        sess = self._sessions.get(re_name)
        if sess is None or not sess.connected:
            sess = RESession(self._params(re_name, endpoint))
            sess.open()
            self._sessions[re_name] = sess
        return sess

    def drop_session(self, re_name: str) -> None:
        """Close and forget the session to ``re_name`` (it is reopened on next use)."""
        sess = self._sessions.pop(re_name, None)
        if sess is not None:
            sess.close()

    def close(self) -> None:
        """Close every session of this router."""
        for name in list(self._sessions):
            self.drop_session(name)
        if self._control is not None:
            self._control.close()
            self._control = None

    def rpc(self, re_name: str, request: etree._Element | str, *, retries: int = 2,
            timeout: float | None = None) -> etree._Element:
        """Send ``request`` to ``re_name``, reopening a dropped session up to ``retries`` times
        with backoff; return the reply.

        Raises ConnectError, SessionClosedError, RpcTimeoutError or RpcFailedError.
        """
        backoff = _Backoff()
        while True:
            try:
                return self.session(re_name).rpc(request, timeout)
            except SessionClosedError:
                self.drop_session(re_name)
                if len(backoff.tries) >= retries:
                    raise
                delay = backoff.delays[min(len(backoff.tries), len(backoff.delays) - 1)]
                backoff.tries.append(delay)
                time.sleep(delay)

    def command(self, re_name: str, cli: str, fmt: str = "text") -> Any:
        """Run a CLI command on ``re_name``; return its text (or the XML reply for xml)."""
        el = etree.Element("command")
        el.text = cli
        if fmt == "text":
            el.set("format", "text")
        reply = self.rpc(re_name, el)
        return reply_text(reply) if fmt == "text" else reply

    def control_rpc(self, request: etree._Element) -> etree._Element:
        """Send an emulator control RPC (emulated routers only).

        Raises HarnessError on a lab router, and the session errors.
        """
        if self._control_endpoint is None:
            raise HarnessError(f"{self.name}: control RPCs exist only on the emulator")
        if self._control is None or not self._control.connected:
            self._control = RESession(self._params("control", self._control_endpoint, True))
            self._control.open()
        return self._control.rpc(request)

    def control(self, tag: str, **children: object) -> etree._Element:
        """Build and send control RPC ``tag`` with text children; return the reply."""
        el = etree.Element(f"{{{CONTROL_NS}}}{tag}", nsmap={None: CONTROL_NS})
        for name, value in children.items():
            etree.SubElement(el, f"{{{CONTROL_NS}}}{name.replace('_', '-')}").text = str(value)
        return self.control_rpc(el)

    # ---------------------------------------------------------------- status
    def _reachable_order(self) -> list[str]:
        live = [n for n, s in self._sessions.items() if s.connected and n in self.spec.endpoints]
        return live + [n for n in self.re_names if n not in live]

    def status(self, via: str | None = None) -> list[RouteEngineStatus]:
        """Return ``show chassis routing-engine`` as seen from ``via`` (default: the first RE
        that answers).  Raises NoMasterError when no RE answers."""
        order = [via] if via else self._reachable_order()
        errors = []
        for name in order:
            try:
                return parse_route_engines(self.rpc(name, "<get-route-engine-information/>"))
            except (SessionError, ConnectError) as exc:
                errors.append(f"{name}: {exc}")
        raise NoMasterError(f"{self.name}: no Routing Engine answers: " + "; ".join(errors))

    def _roles(self, via: str | None = None) -> Mapping[str, str]:
        return {r.name: r.mastership_state.lower() for r in self.status(via)}

    @property
    def master(self) -> str:
        """Return the name of the master RE.  Raises NoMasterError."""
        for r in self.status():
            if r.is_master:
                return r.name
        raise NoMasterError(f"{self.name}: no Routing Engine is master")

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
        """Return the text of ``show log mastership`` on ``re_name``."""
        reply = self.rpc(re_name, "<get-log><filename>mastership</filename></get-log>")
        content = reply.find(".//file-content")
        if content is not None:
            return content.text or ""
        return reply_text(reply)

    def mastership_log(self, re_name: str) -> ml.MastershipLog:
        """Return the parsed mastership log of ``re_name`` (oldest first), as a value that
        ``assert [patterns] in log`` reads well."""
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

    def switchover(self, method: str = "switch", via: str | None = None,
                   timeout: float | None = None) -> SwitchoverResult:
        """Move mastership with ``request chassis routing-engine master <method>`` and wait
        until the other RE answers as master and the old master is backup (or gone).

        ``via``: the RE to run it on (default: master for switch/release, backup for acquire).
        Raises DisruptiveNotAllowedError, RpcFailedError (refused, e.g. the 240 s hold-down),
        NoMasterError, WaitTimeoutError.
        """
        if method not in SWITCH_RPCS:
            raise ValueError(f"method: expected one of {sorted(SWITCH_RPCS)}, got {method!r}")
        self.require_disruptive(f"switchover ({method})")
        before = self.master
        target = next(n for n in self.re_names if n != before)
        via = via or (target if method == "acquire" else before)
        t0, w0 = self.clock.now(), time.monotonic()
        reply = self.rpc(via, f"<{SWITCH_RPCS[method]}><no-confirm/></{SWITCH_RPCS[method]}>",
                         retries=0)
        text = reply_text(reply)
        self.wait_for_master(target, timeout or self.spec.timeouts.switchover,
                             f"{target} to become master after {method}")
        result = SwitchoverResult(
            operation="switchover", target=target, master_before=before, master_after=target,
            duration=self.clock.now() - t0, wall_duration=time.monotonic() - w0, text=text,
            method=method,
        )
        self._notify(result)
        return result

    def wait_for_master(self, re_name: str, timeout: float, what: str = "") -> None:
        """Wait until ``re_name`` reports itself master and no other RE does.

        Raises WaitTimeoutError.
        """
        def settled() -> bool:
            try:
                roles = self._roles(via=re_name)
            except (SessionError, NoMasterError):
                return False
            return roles.get(re_name) == "master" and list(roles.values()).count("master") == 1

        self.clock.wait_until(settled, timeout, what or f"{re_name} to be master", poll=1.0)

    # ------------------------------------------------------- halt, reboot, power
    def _other(self, re_name: str) -> str | None:
        return next((n for n in self.re_names if n != re_name), None)

    def answers(self, re_name: str) -> bool:
        """Return True when ``re_name`` accepts a NETCONF session and answers an RPC."""
        try:
            self.rpc(re_name, "<get-route-engine-information/>", retries=0)
            return True
        except SessionError:
            self.drop_session(re_name)
            return False

    def _shutdown(self, verb: str, re_name: str, scope: str | None, timeout: float
                  ) -> OperationResult:
        self.require_disruptive(f"{verb} of {re_name}")
        before = self._master_or_none()
        other = self._other(re_name)
        t0, w0 = self.clock.now(), time.monotonic()
        rpc = "request-halt" if verb == "halt" else "request-reboot"
        body = f"<{scope}/>" if scope else ""
        text = ""
        try:
            text = reply_text(self.rpc(re_name, f"<{rpc}>{body}</{rpc}>", retries=0))
        except SessionClosedError as exc:
            # A reply cut short by the shutdown it caused: success is judged by the end state.
            log.info("%s: %s reply cut short (%s); checking the end state", self.name, verb, exc)
        self.drop_session(re_name)
        down = [re_name] + ([other] if scope == "both-routing-engines" and other else [])
        self.clock.wait_until(lambda: not any(self.answers(n) for n in down), timeout,
                              f"{', '.join(down)} to stop answering after {verb}", poll=5.0)
        after = self._master_or_none() if len(down) < len(self.re_names) else None
        return self._finish(verb, re_name, before, after, t0, w0, text)

    def _finish(self, op: str, target: str, before: str | None, after: str | None, t0: float,
                w0: float, text: str) -> OperationResult:
        result = OperationResult(op, target, before, after, self.clock.now() - t0,
                                 time.monotonic() - w0, text)
        self._notify(result)
        return result

    def _master_or_none(self) -> str | None:
        try:
            return self.master
        except NoMasterError:
            return None

    def halt(self, re_name: str, *, both: bool = False, timeout: float | None = None
             ) -> OperationResult:
        """``request system halt`` on ``re_name`` (chapter: halts only that RE, with a
        warning; ``both`` adds ``both-routing-engines``); waits until it stops answering.

        Raises DisruptiveNotAllowedError, RpcFailedError, WaitTimeoutError.
        """
        scope = "both-routing-engines" if both else None
        return self._shutdown("halt", re_name, scope, timeout or self.spec.timeouts.halt)

    def reboot(self, re_name: str, *, timeout: float | None = None) -> OperationResult:
        """``request system reboot`` on ``re_name``; waits until it is back and answers, with
        one master on the router.  Raises as :meth:`halt`."""
        limit = timeout or self.spec.timeouts.reboot
        t0, w0 = self.clock.now(), time.monotonic()
        first = self._shutdown("reboot", re_name, None, limit)
        self._wait_back(re_name, limit)
        return self._finish("reboot", re_name, first.master_before, self._master_or_none(),
                            t0, w0, first.text)

    def power_on(self, re_name: str, *, timeout: float | None = None) -> OperationResult:
        """Power on a halted ``re_name`` (``request system power-on other-routing-engine`` from
        the other RE, or the testbed's ``power_on_re`` fault on a lab router); waits until it
        answers.  Raises DisruptiveNotAllowedError, FaultError, WaitTimeoutError."""
        self.require_disruptive(f"power-on of {re_name}")
        limit = timeout or self.spec.timeouts.reboot
        before = self._master_or_none()
        t0, w0 = self.clock.now(), time.monotonic()
        other = self._other(re_name)
        if "power_on_re" in self.spec.faults or other is None or not self.answers(other):
            self.faults.make("power_on_re", re_name)
        else:
            self.rpc(other, "<request-power-on><other-routing-engine/></request-power-on>")
        self._wait_back(re_name, limit)
        return self._finish("power_on", re_name, before, self._master_or_none(), t0, w0, "")

    def _wait_back(self, re_name: str, timeout: float) -> None:
        def back() -> bool:
            if not self.answers(re_name):
                return False
            states = [r.mastership_state.lower() for r in self.status(via=re_name)]
            return states.count("master") == 1 and all(
                s in ("master", "backup", "disabled") for s in states)

        self.clock.wait_until(back, timeout, f"{re_name} to boot and join", poll=5.0)

    def reset(self) -> None:
        """Emulated routers only: rebuild the router as the testbed describes it (fresh logs,
        configuration and roles) and drop every session.  Raises HarnessError on a lab router."""
        self.control("reset-router")
        for name in list(self._sessions):
            self.drop_session(name)

    def hold_down_remaining(self) -> int:
        """Return the seconds before the router accepts a mastership switch (0 when ready),
        asked with ``request chassis routing-engine master switch check``."""
        via = self.master
        try:
            self.rpc(via, "<request-chassis-routing-engine-switch><check/>"
                          "</request-chassis-routing-engine-switch>", retries=1)
        except RpcFailedError as exc:
            found = _TRY_AFTER.search(str(exc))
            if found:
                return int(found.group(1))
            raise
        return 0

    def wait_ready_for_switch(self, timeout: float | None = None) -> None:
        """Wait out the 240 s hold-down between switchovers (on the router's clock).

        Raises WaitTimeoutError when it lasts longer than ``timeout``.
        """
        limit = timeout or self.spec.timeouts.switchover
        remaining = self.hold_down_remaining()
        if remaining > limit:
            raise WaitTimeoutError("the switchover hold-down to end", limit, f"{remaining}s left")
        if remaining:
            self.clock.sleep(remaining, "the 240 s switchover hold-down")

    def _notify(self, result: OperationResult) -> None:
        for listener in list(self.listeners):
            listener(result)


class NotMasterRefusal(RpcFailedError):
    """The RE answered "This command can only be used on the master routing engine"."""


__all__ += ["NotMasterRefusal", "WaitTimeoutError"]
