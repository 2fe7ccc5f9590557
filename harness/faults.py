"""One fault interface, two implementations: the emulator's control RPCs and the lab's own means.

Suites call ``router.faults.sever_link()`` and the like, never ``if emulated:``.  On the emulator
each fault is one control RPC.  On a lab router a fault exists only if the testbed declares how
to make it (``faults:`` in the router's entry: an RPC sent to the router, or a local command such
as a PDU or console script); otherwise :class:`FaultUnavailableError` is raised, which the plugin
turns into a skip with the reason.
"""

from __future__ import annotations

import logging
import shlex
import subprocess
from collections.abc import Callable
from typing import Protocol

from lxml import etree

from harness.errors import HarnessError
from harness.testbed import FaultAction, RouterSpec

__all__ = ["EmulatorFaults", "FaultError", "FaultUnavailableError", "Faults", "LabFaults"]

log = logging.getLogger(__name__)

#: The faults a suite may ask for, with the control RPC the emulator implements each with.
FAULTS: dict[str, str] = {
    "sever_link": "sever-link",
    "restore_link": "restore-link",
    "kill_process": "kill-process",
    "pull_re": "pull-re",
    "insert_re": "insert-re",
    "crash_re": "crash-re",
    "halt_re": "halt-re",
    "power_on_re": "power-on-re",
    "drop_sessions": "drop-sessions",
    "truncate_next_reply": "truncate-next-reply",
}


class FaultError(HarnessError):
    """Making a fault failed (its command exited non-zero, its RPC was refused)."""


class FaultUnavailableError(FaultError):
    """The router has no way to make this fault (a lab testbed that does not declare it)."""


class Faults(Protocol):
    """What a suite can break, and mend."""

    def make(self, fault: str, re: str | None = None, **args: str) -> None:
        """Make ``fault`` (a key of FAULTS) on RE ``re``.  Raises FaultError."""


class EmulatorFaults:
    """Faults as control RPCs (``control(tag, **children)`` sends one)."""

    def __init__(self, control: Callable[..., etree._Element]) -> None:
        self._control = control

    def make(self, fault: str, re: str | None = None, **args: str) -> None:
        tag = FAULTS.get(fault)
        if tag is None:
            raise FaultUnavailableError(f"unknown fault {fault!r}: expected one of "
                                        f"{sorted(FAULTS)}")
        children = dict(args)
        if re is not None:
            children["re"] = re
        self._control(tag, **children)


class LabFaults:
    """Faults as the lab testbed declares them; ``rpc(re, element)`` sends an RPC to an RE."""

    def __init__(self, spec: RouterSpec, rpc: Callable[[str, etree._Element], object],
                 timeout: float = 120.0) -> None:
        self._spec = spec
        self._rpc = rpc
        self._timeout = timeout

    def make(self, fault: str, re: str | None = None, **args: str) -> None:
        action = self._spec.faults.get(fault)
        if action is None:
            raise FaultUnavailableError(
                f"router {self._spec.name} declares no way to make fault {fault!r}: add "
                f"'faults: {{{fault}: {{command: ...}}}}' (or an rpc) to its testbed entry")
        target = re or next(iter(self._spec.endpoints))
        if action.rpc is not None:
            self._send_rpc(action, target, args)
        else:
            self._run(action, target)

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
