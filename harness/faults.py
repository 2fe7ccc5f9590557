"""One fault interface, two implementations: the emulator's control RPCs and the lab's own means;
and the consent every disruption of a router needs.

Suites call ``router.faults.sever_link()`` (or ``router.faults.make("sever_link")``) and the
like, never ``if emulated:``.  On the emulator each fault is one control RPC (DESIGN.md "Time
and faults").  On a lab router a fault exists only if the testbed declares how to make it
(``faults:`` in the router's entry: an RPC sent to the router, or a local command such as a PDU
or console script); otherwise :class:`FaultUnavailableError` is raised, which the plugin turns
into a skip with the reason.

Consent (:class:`Consent`): every disruptive operation the harness sends to a router (switchover,
failover, halt, reboot, power on or off, a fault, a configuration change, a raw RPC or CLI line
that is one of these) first asks the router's consent, marked ``disruptive`` or not.  An emulated
router consents when its testbed entry says ``allow_disruptive``; a lab router only when the run
was also started with ``--allow-disruptive``.  Otherwise :class:`DisruptiveNotAllowedError` is
raised and nothing is sent.  Each consented action is told to the consent's listeners *before*
it is taken (the plugin snapshots the router for its restore, and the report lists the action).
"""

from __future__ import annotations

import contextlib
import logging
import re as regex
import shlex
import subprocess
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from enum import Enum

from lxml import etree

from harness.errors import (
    DisruptiveNotAllowedError,
    FaultError,
    FaultUnavailableError,
    RpcFailedError,
)
from harness.recording.transport import CommandRunner, run_command
from re_contract.control import ControlRpc, fault_rpcs
from re_contract.testbed import FaultAction, RouterSpec

__all__ = [
    "FAULTS",
    "ActionListener",
    "Consent",
    "Disruption",
    "DisruptiveAction",
    "EmulatorFaults",
    "FaultError",
    "FaultUnavailableError",
    "Faults",
    "LabFaults",
    "disruption_of",
]

log = logging.getLogger(__name__)

#: The faults a suite may ask for, with the control RPC the emulator implements each with
#: (declared by the contract: ``sever_link`` -> ``sever-link``, ...).
FAULTS: dict[str, ControlRpc] = fault_rpcs()

#: Called after each fault is made (the router forgets which RE it believed master).
AfterFault = Callable[[str], None]


# ------------------------------------------------------------------------------- consent
class Disruption(Enum):
    """The kinds of disruptive operation the harness can take on a router."""

    SWITCHOVER = "switchover"
    FAILOVER = "failover"
    HALT = "halt"
    REBOOT = "reboot"
    POWER = "power"
    FAULT = "fault"
    CONFIGURATION = "configuration"


@dataclass(frozen=True, slots=True)
class DisruptiveAction:
    """A disruptive operation about to be taken on ``router`` (``re``: the RE it is sent to or
    aimed at, when one); ``lab`` for a lab router."""

    router: str
    kind: Disruption
    what: str
    re: str | None = None
    lab: bool = False


#: Told about each consented action, before it is taken.
ActionListener = Callable[[DisruptiveAction], None]


class Consent:
    """Whether router ``spec`` may be disrupted now.

    ``run_allows`` is the run's ``--allow-disruptive`` (the plugin sets it; False for a router
    built outside a pytest run, so a script must say so itself).  ``listeners`` are told about
    each action before it is taken; an action taken inside another (the fault a power-on makes,
    the commit of a rollback) is checked but told once, as the outer one.
    """

    def __init__(self, spec: RouterSpec, *, run_allows: bool = False) -> None:
        self.spec = spec
        self.run_allows = run_allows
        self.listeners: list[ActionListener] = []
        self._depth = 0

    def __repr__(self) -> str:
        return f"<Consent {self.spec.name} run_allows={self.run_allows}>"

    @property
    def lab(self) -> bool:
        """Return True for a lab router (not the emulator)."""
        return not self.spec.emulated

    def refusal(self, what: str) -> str | None:
        """Return why ``what`` may not be done to the router (saying how to allow it), or None
        when it may."""
        name = self.spec.name
        if not self.spec.allow_disruptive:
            extra = " and run with --allow-disruptive" if self.lab else ""
            return (f"{name}: {what} is disruptive and the router's testbed entry does not "
                    f"allow it; set 'allow_disruptive: true' for router {name}{extra} to "
                    f"allow it")
        if self.lab and not self.run_allows:
            return (f"{name}: {what} is disruptive and {name} is a lab router: the run must be "
                    f"started with --allow-disruptive (its testbed entry allows it)")
        return None

    def check(self, what: str) -> None:
        """Raise DisruptiveNotAllowedError (saying how to allow it) unless ``what`` may be
        done now.  Takes nothing and tells nobody."""
        why = self.refusal(what)
        if why is not None:
            raise DisruptiveNotAllowedError(why)

    @contextlib.contextmanager
    def acting(self, kind: Disruption, what: str, re: str | None = None
               ) -> Iterator[DisruptiveAction | None]:
        """Check consent for ``what``, tell the listeners (unless inside another action) and
        run the block; yield the action told (None inside another one).

        Raises DisruptiveNotAllowedError before the block runs and before anyone is told.
        """
        self.check(what)
        action = None
        if self._depth == 0:
            action = DisruptiveAction(self.spec.name, kind, what, re, self.lab)
            for listener in list(self.listeners):
                listener(action)
        self._depth += 1
        try:
            yield action
        finally:
            self._depth -= 1


_REQUEST_TAGS = {
    "request-chassis-routing-engine-switch": Disruption.SWITCHOVER,
    "request-chassis-routing-engine-acquire": Disruption.SWITCHOVER,
    "request-chassis-routing-engine-release": Disruption.SWITCHOVER,
    "request-halt": Disruption.HALT,
    "request-reboot": Disruption.REBOOT,
    "request-power-off": Disruption.POWER,
    "request-power-on": Disruption.POWER,
    "load-configuration": Disruption.CONFIGURATION,
    "commit-configuration": Disruption.CONFIGURATION,
}
#: The options of ``request system halt|reboot|power-*`` that reach other REs than the local one.
_SCOPES = frozenset({"both-routing-engines", "other-routing-engine"})
#: CLI lines that disrupt (``request chassis routing-engine master ... check`` asks only).
_CLI = (
    (regex.compile(r"^request\s+chassis\s+routing-engine\s+master\s+(?!.*\bcheck\b)"),
     Disruption.SWITCHOVER),
    (regex.compile(r"^request\s+system\s+halt\b"), Disruption.HALT),
    (regex.compile(r"^request\s+system\s+reboot\b"), Disruption.REBOOT),
    (regex.compile(r"^request\s+system\s+power-(off|on)\b"), Disruption.POWER),
    (regex.compile(r"^(configure|commit(?!\s+check\b)|rollback|load)\b"),
     Disruption.CONFIGURATION),
)


def disruption_of(request: etree._Element | str) -> tuple[Disruption, str] | None:
    """Return the kind of disruption a raw RPC (or ``<command>`` CLI line) is and how to name
    it, or None for a request that only reads (``... switch check`` and ``commit check``
    included) or is not XML (the session reports that)."""
    if isinstance(request, str):
        try:
            request = etree.fromstring(request)
        except etree.XMLSyntaxError:
            return None
    tag = etree.QName(request).localname if isinstance(request.tag, str) else ""
    if tag == "command":
        line = " ".join((request.text or "").split())
        kind = next((k for pattern, k in _CLI if pattern.search(line.lower())), None)
        return None if kind is None else (kind, f"'{line}'")
    kind = _REQUEST_TAGS.get(tag)
    if kind is None or request.find("check") is not None:
        return None
    # The REs a halt/reboot/power request reaches are named as its CLI line names them
    # (``both-routing-engines``, ``other-routing-engine``): the snapshots read them.
    scope = [el.tag for el in request if el.tag in _SCOPES]
    return kind, f"<{' '.join([tag, *scope])}>"


class Faults(ABC):
    """What a suite can break, and mend: ``make(fault, re, **args)`` plus named shortcuts for
    the faults of :data:`FAULTS`, all through ``make``.  Each fault first asks ``consent``
    (when the router gave one): a fault is a disruption."""

    consent: Consent | None = None

    def make(self, fault: str, re: str | None = None, **args: str) -> None:
        """Make ``fault`` on RE ``re``, with the router's consent.

        Raises DisruptiveNotAllowedError (nothing made), FaultError (FaultUnavailableError when
        there is no way to make it here).
        """
        where = f" on {re}" if re else ""
        scope = (self.consent.acting(Disruption.FAULT, f"fault {fault}{where}", re)
                 if self.consent is not None else contextlib.nullcontext())
        with scope:
            self._make(fault, re, **args)

    @abstractmethod
    def _make(self, fault: str, re: str | None, **args: str) -> None:
        """Make ``fault`` on RE ``re`` (consent already given)."""

    @abstractmethod
    def available(self, fault: str) -> bool:
        """Return True when ``fault`` can be made on this router."""

    def require(self, *faults: str) -> None:
        """Check, before a test changes anything, that every fault of ``faults`` can be made
        here.  Raises FaultUnavailableError naming all that cannot (the plugin skips the
        test with that reason)."""
        missing = [f for f in faults if not self.available(f)]
        if missing:
            raise FaultUnavailableError(self.unavailable_reason(missing))

    def unavailable_reason(self, faults: list[str]) -> str:
        """Return why ``faults`` cannot be made here, and how to make them possible."""
        return f"no way to make fault(s) {', '.join(map(repr, faults))} on this router"

    def sever_link(self) -> None:
        """Cut the internal keepalive link between the REs."""
        self.make("sever_link")

    def restore_link(self) -> None:
        """Mend the internal link."""
        self.make("restore_link")

    def kill_process(self, re: str, name: str) -> None:
        """Kill process ``name`` on ``re`` (a failover if configured to)."""
        self.make("kill_process", re, name=name)

    def pull_re(self, re: str) -> None:
        """Hot-swap ``re`` out."""
        self.make("pull_re", re)

    def insert_re(self, re: str) -> None:
        """Insert ``re`` again (it boots)."""
        self.make("insert_re", re)

    def crash_re(self, re: str) -> None:
        """Panic the kernel of ``re`` (it reboots)."""
        self.make("crash_re", re)

    def halt_re(self, re: str) -> None:
        """Halt ``re`` from outside (it stays down until powered on)."""
        self.make("halt_re", re)

    def power_on_re(self, re: str) -> None:
        """Power on a halted ``re``."""
        self.make("power_on_re", re)

    def drop_sessions(self, re: str) -> None:
        """Drop every management session to ``re``."""
        self.make("drop_sessions", re)

    def truncate_next_reply(self, re: str) -> None:
        """Cut the next reply of ``re`` short and close its session (a reboot's reply)."""
        self.make("truncate_next_reply", re)


class EmulatorFaults(Faults):
    """Faults as control RPCs (``control(rpc, **children)`` sends one)."""

    def __init__(self, control: Callable[..., etree._Element],
                 after: AfterFault | None = None, consent: Consent | None = None) -> None:
        self._control = control
        self._after = after
        self.consent = consent

    def available(self, fault: str) -> bool:
        """Return True for every fault of :data:`FAULTS`."""
        return fault in FAULTS

    def _make(self, fault: str, re: str | None, **args: str) -> None:
        """Send the control RPC of ``fault``.

        Raises FaultUnavailableError for an unknown fault, FaultError when the emulator
        refuses it, and the session errors when the emulator does not answer.
        """
        rpc = FAULTS.get(fault)
        if rpc is None:
            raise FaultUnavailableError(f"unknown fault {fault!r}: expected one of "
                                        f"{sorted(FAULTS)}")
        children = dict(args)
        if re is not None:
            children["re"] = re
        try:
            self._control(rpc, **children)
        except RpcFailedError as exc:
            raise FaultError(f"emulator refused fault {fault} on {re}: {exc}") from exc
        finally:
            if self._after is not None:
                self._after(fault)


class LabFaults(Faults):
    """Faults as the lab testbed declares them; ``rpc(re, element)`` sends an RPC to an RE."""

    def __init__(self, spec: RouterSpec, rpc: Callable[[str, etree._Element], object],
                 timeout: float = 120.0, after: AfterFault | None = None,
                 consent: Consent | None = None, *, run: CommandRunner = run_command) -> None:
        self._spec = spec
        self._rpc = rpc
        self._timeout = timeout
        self._after = after
        self.consent = consent
        #: Runs a fault's local command (recorded or replayed under --record / --replay).
        self._run_command = run

    def available(self, fault: str) -> bool:
        """Return True when the testbed entry declares ``fault``."""
        return fault in self._spec.faults

    def _make(self, fault: str, re: str | None, **args: str) -> None:
        """Make ``fault`` as the testbed declares it, on ``re`` (default: the first RE).

        Raises FaultUnavailableError when it is not declared, FaultError when its command
        fails or exits non-zero, and the session errors for an RPC fault.
        """
        action = self._spec.faults.get(fault)
        if action is None:
            raise FaultUnavailableError(self.unavailable_reason([fault]))
        target = re or next(iter(self._spec.endpoints))
        try:
            if action.rpc is not None:
                self._send_rpc(action, target, args)
            else:
                self._run(action, target)
        finally:
            if self._after is not None:
                self._after(fault)

    def unavailable_reason(self, faults: list[str]) -> str:
        """Return which faults the testbed entry lacks and how to declare them."""
        names = ", ".join(map(repr, faults))
        example = ", ".join(f"{f}: {{command: ...}}" for f in faults)
        return (f"lab router {self._spec.name} declares no way to make fault(s) {names}: add "
                f"'faults: {{{example}}}' (a command, or an rpc) to its testbed entry")

    def _send_rpc(self, action: FaultAction, target: str, args: dict[str, str]) -> None:
        el = etree.Element(str(action.rpc))
        for key, value in {**action.args, **args}.items():
            child = etree.SubElement(el, key)
            if value is not True:
                child.text = str(value)
        self._rpc(target, el)

    def _run(self, action: FaultAction, target: str) -> None:
        host = self._spec.endpoints[target].host
        line = action.command_line(self._spec.name, target, host)
        log.info("%s: fault command: %s", self._spec.name, line)
        try:
            done = self._run_command(shlex.split(line), self._timeout)
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise FaultError(f"{self._spec.name}: fault command {line!r} failed: {exc}") from exc
        if done.returncode != 0:
            raise FaultError(f"{self._spec.name}: fault command {line!r} exited "
                             f"{done.returncode}: {done.stderr.strip()[-500:]}")
