"""Wall time on lab routers, virtual time on the emulator: one interface for suites.

A suite that must wait out a 300 s keepalive-time calls ``router.clock.sleep(300)``.  On a lab
router that sleeps, showing live progress (what, elapsed, limit) on the terminal; on the
emulator it is one control RPC that advances the router's virtual clock, so the wait costs
milliseconds (DESIGN.md "Time and faults").  ``wait_until`` polls a predicate on the same clock
and raises :class:`WaitTimeoutError` naming what it waited for.
"""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Callable
from typing import Protocol, TextIO, TypeVar

from lxml import etree

from harness.errors import WaitTimeoutError
from re_contract.control import ControlRpc, control_request

__all__ = [
    "EmulatedClock",
    "LabClock",
    "ProgressDisplay",
    "RouterClock",
    "StreamProgress",
    "WaitTimeoutError",
    "progress_text",
]

log = logging.getLogger(__name__)

T = TypeVar("T")


class RouterClock(Protocol):
    """Time as a router experiences it."""

    def now(self) -> float:
        """Return the router's current time (POSIX seconds)."""

    def sleep(self, seconds: float, what: str = "") -> None:
        """Let ``seconds`` of router time pass."""

    def pause(self, seconds: float, what: str = "") -> bool:
        """Let ``seconds`` of router time pass, as :meth:`sleep`; return False only when the
        router certainly did not change by itself meanwhile (the emulator knows; a wall clock
        cannot, and returns True): then every reply reads as before, but for continuous
        readings such as up-times."""

    def wait_until(self, predicate: Callable[[], T], timeout: float, what: str,
                   poll: float = 1.0, *, state_only: bool = False) -> T:
        """Return the first truthy value of ``predicate()`` within ``timeout`` router seconds.

        ``state_only`` declares that the predicate reads only the router's discrete state
        (roles, FPC and RE states, readiness, log lines), never a continuous reading such as
        an up-time, and changes nothing: a clock that knows when the router can next change
        (the emulator's) may then skip the polls before it.  Every poll it does make falls on
        the same time as without skipping, so the wait returns the same value at the same
        router time.

        Raises WaitTimeoutError, and whatever ``predicate`` raises.
        """


class _PollingClock:
    """``wait_until`` on top of ``now`` and ``sleep``; subclasses may show progress."""

    def now(self) -> float:
        raise NotImplementedError

    def sleep(self, seconds: float, what: str = "") -> None:
        raise NotImplementedError

    def _poll_sleep(self, seconds: float, what: str) -> None:
        self.sleep(seconds, what)

    def pause(self, seconds: float, what: str = "") -> bool:
        """Sleep ``seconds``; return True: without the router's word, it may have changed."""
        self.sleep(seconds, what)
        return True

    def _progress(self, what: str, elapsed: float, limit: float) -> None:
        """Report a poll of a wait (no-op here)."""

    def _progress_done(self) -> None:
        """The wait ended (no-op here)."""

    def wait_until(self, predicate: Callable[[], T], timeout: float, what: str,
                   poll: float = 1.0, *, state_only: bool = False) -> T:
        """Return the first truthy value of ``predicate()`` within ``timeout`` router seconds;
        the predicate runs once more at the limit.  ``state_only`` changes nothing here: a
        wall clock cannot know when a router will change.

        Raises WaitTimeoutError (with the last falsy value seen), and whatever ``predicate``
        or the clock raises.
        """
        start = self.now()
        try:
            while True:
                value = predicate()
                if value:
                    return value
                elapsed = self.now() - start
                self._progress(what, elapsed, timeout)
                if elapsed >= timeout:
                    raise WaitTimeoutError(what, timeout, value)
                self._poll_sleep(max(0.0, min(poll, timeout - elapsed)), what)
        finally:
            self._progress_done()


class ProgressDisplay(Protocol):
    """Where a lab wait shows its live progress line (a terminal, a stream)."""

    def show(self, text: str) -> None:
        """Show ``text`` as the progress line, replacing the one shown before."""

    def end(self) -> None:
        """The wait is over: keep its last line and move on to a new one."""


class StreamProgress:
    """One live line ``[re-harness] waiting for X: 12s / 300s`` on a stream, rewritten in
    place with ``\r``.  ``stream`` None: ``sys.stderr`` as it is at the first line."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self._stream = stream
        self._shown = False

    def _out(self) -> TextIO:
        return self._stream if self._stream is not None else sys.stderr

    def show(self, text: str) -> None:
        """Rewrite the line with ``text``."""
        self._out().write(f"\r{text}")
        self._out().flush()
        self._shown = True

    def end(self) -> None:
        """End the line (if one was shown)."""
        if self._shown:
            self._out().write("\n")
            self._out().flush()
        self._shown = False


def progress_text(what: str, elapsed: float, limit: float) -> str:
    """Return the progress line of a wait: what it waits for, elapsed and limit."""
    return (f"[re-harness] waiting for {what or 'time to pass'}: "
            f"{_secs(elapsed)} / {_secs(limit)}")


def _secs(value: float) -> str:
    return f"{value:.1f}s" if value < 10 else f"{value:.0f}s"


class LabClock(_PollingClock):
    """Wall-clock time.  A sleep or a wait of at least ``progress_after`` seconds shows live
    progress (what, elapsed, limit) on ``display``, by default a :class:`StreamProgress` on
    ``stream`` (default: ``sys.stderr`` at call time).  Under pytest, whose output capture
    would swallow that, the plugin passes a display that writes to its terminal."""

    def __init__(self, stream: TextIO | None = None, progress_after: float = 5.0, *,
                 display: ProgressDisplay | None = None) -> None:
        self._progress_after = progress_after
        self._line: ProgressDisplay = display if display is not None else StreamProgress(stream)
        self._shown = False

    def now(self) -> float:
        """Return the wall-clock time (POSIX seconds)."""
        return time.time()

    def sleep(self, seconds: float, what: str = "") -> None:
        """Sleep ``seconds``; from ``progress_after`` on, rewrite a progress line meanwhile."""
        if seconds < self._progress_after:
            time.sleep(max(0.0, seconds))
            return
        tick = max(0.01, min(1.0, self._progress_after))
        start = time.monotonic()
        try:
            while (elapsed := time.monotonic() - start) < seconds:
                self._progress(what, elapsed, seconds)
                time.sleep(min(tick, seconds - elapsed))
            self._progress(what, seconds, seconds)
        finally:
            self._progress_done()

    def _poll_sleep(self, seconds: float, what: str) -> None:
        # The wait's own progress line covers the polls; no nested line per poll sleep.
        time.sleep(seconds)

    def _progress(self, what: str, elapsed: float, limit: float) -> None:
        if limit < self._progress_after:
            return
        if not self._shown:
            # Logged once per wait too: the line itself is not kept by log capture.
            log.info("waiting up to %s for %s", _secs(limit), what or "time to pass")
        self._line.show(progress_text(what, elapsed, limit))
        self._shown = True

    def _progress_done(self) -> None:
        if self._shown:
            self._line.end()
        self._shown = False


class EmulatedClock(_PollingClock):
    """The emulator's virtual clock, driven by control RPCs over the control session.

    ``rpc`` sends one control element and returns the reply (a callable so the clock does not
    own a session and works across reconnects).  Its errors (the harness's session errors)
    propagate from ``now``, ``sleep`` and ``wait_until``.
    """

    def __init__(self, rpc: Callable[[etree._Element], etree._Element]) -> None:
        self._rpc = rpc
        #: While a predicate of :meth:`wait_until` runs: the virtual time of its poll.
        self._poll_time: float | None = None
        #: The time the last ``advance-clock`` reply reported (None: none since asked).
        self._advanced_to: float | None = None
        #: Whether the router changed by itself during the last advance (None: not told).
        self._changed: bool | None = None

    def now(self) -> float:
        """Return the router's virtual time: one ``get-clock`` control RPC, or none inside a
        predicate of :meth:`wait_until`, which runs at its poll's time (virtual time moves only
        when a control RPC advances it; one this clock sends ends that knowledge)."""
        if self._poll_time is not None:
            return self._poll_time
        reply = self._rpc(control_request(ControlRpc.GET_CLOCK))
        return float(reply.findtext(".//now") or 0)

    def sleep(self, seconds: float, what: str = "") -> None:
        """Advance the virtual clock by ``seconds`` (one ``advance-clock`` control RPC)."""
        self._advance(seconds, what)

    def pause(self, seconds: float, what: str = "") -> bool:
        """Advance the virtual clock by ``seconds``; return the reply's ``<changed>``: False
        when no timer fired and no threshold was passed on the way (True when not told)."""
        self._changed = None
        self._advance(seconds, what)
        return self._changed is not False

    def _advance(self, seconds: float, what: str, until_change: float | None = None) -> None:
        """Advance the virtual clock by ``seconds``; with ``until_change``, on by further steps
        of ``seconds`` while the router cannot change by itself, to at most ``until_change``
        seconds (``advance-clock`` with ``until-change``).  Every advance goes through here;
        a subclass may wrap it."""
        if seconds > 0:
            log.debug("advancing virtual clock %.1fs (%s)", seconds, what)
            self._poll_time = None
            extra = {} if until_change is None else {"until_change": f"{until_change:.3f}"}
            reply = self._rpc(control_request(ControlRpc.ADVANCE_CLOCK,
                                              seconds=f"{seconds:.3f}", **extra))
            self._advanced_to = float(reply.findtext(".//now") or 0)
            changed = reply.findtext(".//changed")
            self._changed = None if changed is None else changed == "true"

    def _poll_advance(self, seconds: float, what: str, until_change: float | None) -> float:
        """Advance between two polls; return the time the advance's reply reported, or ask
        for it."""
        self._advanced_to = None
        self._advance(seconds, what, until_change)
        return self._advanced_to if self._advanced_to is not None else self.now()

    def wait_until(self, predicate: Callable[[], T], timeout: float, what: str,
                   poll: float = 1.0, *, state_only: bool = False) -> T:
        """Return the first truthy value of ``predicate()`` within ``timeout`` virtual seconds;
        the predicate runs once more at the limit.

        Virtual time moves only when a control RPC advances it, so the time a poll's
        ``advance-clock`` reply reports is the time its predicate runs at: one control RPC
        per poll instead of a ``get-clock`` after every predicate as well (the two were half
        of a suites run's RPCs).  A predicate that advanced the clock itself would only make
        the wait poll once more; every poll still advances the clock, so the wait ends.

        With ``state_only`` (see :class:`RouterClock`), each advance asks the emulator to go
        on past the polls before the router's next change by itself (``until-change``): the
        polls left are the ones that could see something new, at the times they would have
        had.  Most of a wait's polls would see nothing new (a reboot's FPCs take minutes).

        Raises WaitTimeoutError (with the last falsy value seen), and whatever ``predicate``
        or the clock raises.
        """
        start = now = self.now()
        while True:
            self._poll_time = now
            try:
                value = predicate()
            finally:
                self._poll_time = None
            if value:
                return value
            elapsed = now - start
            if elapsed >= timeout:
                raise WaitTimeoutError(what, timeout, value)
            now = self._poll_advance(max(0.0, min(poll, timeout - elapsed)), what,
                                     timeout - elapsed if state_only else None)
