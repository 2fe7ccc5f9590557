"""Wall time on lab routers, virtual time on the emulator: one interface for suites.

A suite that must wait out a 300 s keepalive-time calls ``router.clock.sleep(300)``.  On a lab
router that sleeps (showing live progress on the terminal); on the emulator it is one control RPC
that advances the router's virtual clock, so the wait costs milliseconds.  ``wait_until`` polls a
predicate on the same clock and raises :class:`WaitTimeoutError` naming what it waited for.
"""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Callable
from typing import Protocol, TextIO, TypeVar

from lxml import etree

from harness.errors import HarnessError

__all__ = [
    "CONTROL_NS",
    "EmulatedClock",
    "LabClock",
    "RouterClock",
    "WaitTimeoutError",
]

log = logging.getLogger(__name__)

CONTROL_NS = "urn:re-emulator:control:1"
T = TypeVar("T")


class WaitTimeoutError(HarnessError):
    """A condition was not met within its timeout.  At fault: the router (or the limit)."""

    def __init__(self, what: str, timeout: float, last: object = None) -> None:
        super().__init__(f"timed out after {timeout:.0f}s waiting for {what}"
                         + (f" (last seen: {last})" if last is not None else ""))
        self.what = what
        self.timeout = timeout
        self.last = last


class RouterClock(Protocol):
    """Time as a router experiences it."""

    def now(self) -> float:
        """Return the router's current time (POSIX seconds)."""

    def sleep(self, seconds: float, what: str = "") -> None:
        """Let ``seconds`` of router time pass."""

    def wait_until(self, predicate: Callable[[], T], timeout: float, what: str,
                   poll: float = 1.0) -> T:
        """Return the first truthy value of ``predicate()`` within ``timeout`` router seconds.

        Raises WaitTimeoutError.
        """


class _PollingClock:
    def now(self) -> float:
        raise NotImplementedError

    def sleep(self, seconds: float, what: str = "") -> None:
        raise NotImplementedError

    def wait_until(self, predicate: Callable[[], T], timeout: float, what: str,
                   poll: float = 1.0) -> T:
        start = self.now()
        last: object = None
        while True:
            value = predicate()
            if value:
                return value
            last = value
            elapsed = self.now() - start
            if elapsed >= timeout:
                raise WaitTimeoutError(what, timeout, last)
            self.sleep(min(poll, timeout - elapsed), what)


class LabClock(_PollingClock):
    """Wall-clock time.  Long sleeps print live progress (what, elapsed, limit) to ``stream``."""

    def __init__(self, stream: TextIO | None = None, progress_after: float = 5.0) -> None:
        self._stream = stream if stream is not None else sys.stderr
        self._progress_after = progress_after

    def now(self) -> float:
        return time.time()

    def sleep(self, seconds: float, what: str = "") -> None:
        if seconds < self._progress_after:
            time.sleep(max(0.0, seconds))
            return
        end = time.monotonic() + seconds
        start = time.monotonic()
        while (left := end - time.monotonic()) > 0:
            elapsed = time.monotonic() - start
            self._stream.write(f"\r[re-harness] waiting for {what or 'time to pass'}: "
                               f"{elapsed:5.0f}s / {seconds:.0f}s")
            self._stream.flush()
            time.sleep(min(1.0, left))
        self._stream.write("\n")


class EmulatedClock(_PollingClock):
    """The emulator's virtual clock, driven by control RPCs over the control session.

    ``rpc`` sends one control element and returns the reply (a callable so the clock does not
    own a session and works across reconnects).
    """

    def __init__(self, rpc: Callable[[etree._Element], etree._Element]) -> None:
        self._rpc = rpc

    @staticmethod
    def _el(tag: str, **children: object) -> etree._Element:
        el = etree.Element(f"{{{CONTROL_NS}}}{tag}", nsmap={None: CONTROL_NS})
        for name, value in children.items():
            etree.SubElement(el, f"{{{CONTROL_NS}}}{name}").text = str(value)
        return el

    def now(self) -> float:
        reply = self._rpc(self._el("get-clock"))
        return float(reply.findtext(".//now") or 0)

    def sleep(self, seconds: float, what: str = "") -> None:
        if seconds > 0:
            log.debug("advancing virtual clock %.1fs (%s)", seconds, what)
            self._rpc(self._el("advance-clock", seconds=f"{seconds:.3f}"))
