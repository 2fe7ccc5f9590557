"""One fault interface, two implementations: the emulator's control RPCs and the lab's own means.

Suites call ``router.faults.sever_link()`` (or ``router.faults.make("sever_link")``) and the
like, never ``if emulated:``.  On the emulator each fault is one control RPC (DESIGN.md "Time
and faults").  On a lab router a fault exists only if the testbed declares how to make it
(``faults:`` in the router's entry: an RPC sent to the router, or a local command such as a PDU
or console script); otherwise :class:`FaultUnavailableError` is raised, which the plugin turns
into a skip with the reason.
"""

from __future__ import annotations

import logging
import shlex
import subprocess
from abc import ABC, abstractmethod
from collections.abc import Callable

from lxml import etree

from harness.errors import FaultError, FaultUnavailableError, RpcFailedError
from re_contract.control import ControlRpc, fault_rpcs
from re_contract.testbed import FaultAction, RouterSpec

__all__ = [
    "FAULTS",
    "EmulatorFaults",
    "FaultError",
    "FaultUnavailableError",
    "Faults",
    "LabFaults",
]

log = logging.getLogger(__name__)

#: The faults a suite may ask for, with the control RPC the emulator implements each with
#: (declared by the contract: ``sever_link`` -> ``sever-link``, ...).
FAULTS: dict[str, ControlRpc] = fault_rpcs()

#: Called after each fault is made (the router forgets which RE it believed master).
AfterFault = Callable[[str], None]


class Faults(ABC):
    """What a suite can break, and mend: ``make(fault, re, **args)`` plus named shortcuts for
    the faults of :data:`FAULTS`, all through ``make``."""

    @abstractmethod
    def make(self, fault: str, re: str | None = None, **args: str) -> None:
        """Make ``fault`` on RE ``re``.  Raises FaultError (FaultUnavailableError when there
        is no way to make it here)."""

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
                 after: AfterFault | None = None) -> None:
        self._control = control
        self._after = after

    def available(self, fault: str) -> bool:
        """Return True for every fault of :data:`FAULTS`."""
        return fault in FAULTS

    def make(self, fault: str, re: str | None = None, **args: str) -> None:
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
                 timeout: float = 120.0, after: AfterFault | None = None) -> None:
        self._spec = spec
        self._rpc = rpc
        self._timeout = timeout
        self._after = after

    def available(self, fault: str) -> bool:
        """Return True when the testbed entry declares ``fault``."""
        return fault in self._spec.faults

    def make(self, fault: str, re: str | None = None, **args: str) -> None:
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
            done = subprocess.run(shlex.split(line), capture_output=True, text=True,
                                  timeout=self._timeout, check=False)
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise FaultError(f"{self._spec.name}: fault command {line!r} failed: {exc}") from exc
        if done.returncode != 0:
            raise FaultError(f"{self._spec.name}: fault command {line!r} exited "
                             f"{done.returncode}: {done.stderr.strip()[-500:]}")
