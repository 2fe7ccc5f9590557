"""``--replay``: a run answered from a recording, offline and without waiting.

:class:`ReplayTransport` hands out :class:`ReplaySession` s that connect to nothing: each RPC
must be the next one recorded on its channel for the current test, and gets the recorded reply
(or raises the recorded error).  A lab router's clock is a :class:`ReplayClock`: it reads the
recorded times and sleeps not at all, so the run follows the router's time as recorded.  On the
emulator the clock is already RPCs (``get-clock``, ``advance-clock``) and is replayed as such.

Connects are lenient: a recorded connect is consumed when the replay opens a session, and a
session the recording found open (opened by an earlier test) opens without one, so a test
replays alone as it does in the whole run.  So are clock readings (the emulator's ``get-clock``,
a lab clock's ``now``): they change nothing, and harness code reads the clock more or less often
for reasons outside the test, so a reading the recording did not make is answered with the time
the recording shows at that point, and a recorded reading the replay does not make is passed
over.  Anything else out of step raises
:class:`ReplayMismatchError` naming the test, the channel (router/RE), what was asked and what
the recording holds around that point; running past the end raises
:class:`ReplayMissingError`.  Neither is a :class:`~harness.errors.HarnessError`: harness code
that tolerates router errors must not swallow a replay that went off the recording.
"""

from __future__ import annotations

import math
import subprocess
import threading
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from lxml import etree

from harness.clock import RouterClock, _PollingClock
from harness.errors import RpcFailedError, SessionClosedError
from harness.recording.tape import (
    OUTSIDE,
    Events,
    decode_error,
    describe,
    read_cassette,
    request_text,
)
from harness.recording.transport import CommandRunner
from harness.session import CLOSE_TIMEOUT, ConnectParams, RESession
from re_contract.control import ControlRpc, control_request

__all__ = ["NEARBY", "ReplayClock", "ReplayError", "ReplayMismatchError", "ReplayMissingError",
           "ReplaySession", "ReplayTransport", "Script"]

#: How many recorded events either side of the point a mismatch message shows.
NEARBY = 2
#: The emulator's clock reading (a control RPC that changes nothing), as recorded.
CLOCK_READ = request_text(control_request(ControlRpc.GET_CLOCK))


class ReplayError(Exception):
    """A replayed test asked something the recording does not hold.  Deliberately not a
    HarnessError (see the module docstring).  At fault: the test or the options changed since
    the recording, or the recording is of other tests."""


class ReplayMismatchError(ReplayError):
    """The test asked something other than what the recording holds at this point."""


class ReplayMissingError(ReplayError):
    """The recording holds nothing more for the test on this channel (or not the test)."""


class Script:
    """The recorded events of the current test, consumed channel by channel, in order."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.test = OUTSIDE
        self._events: Events | None = None
        self._next: dict[str, int] = {}
        self._lock = threading.Lock()
        #: The first replay error of the current test (raised, and perhaps swallowed).
        self.failure: ReplayError | None = None

    def __repr__(self) -> str:
        return f"<Script {self.directory} {self.test}>"

    def begin(self, test: str) -> None:
        """Replay test ``test`` from now on."""
        with self._lock:
            self.test, self._events, self._next, self.failure = test, None, {}, None

    def end(self) -> ReplayError | None:
        """End the current test; return its first replay error, if any."""
        failure = self.failure
        self.begin(OUTSIDE)
        return failure

    def _channel(self, channel: str) -> list[dict[str, Any]]:
        if self._events is None:
            self._events = read_cassette(self.directory, self.test)
            if self._events is None:
                self._fail(ReplayMissingError(
                    f"{self.test}: not in the recording {self.directory} (record it with "
                    f"--record, or deselect it)"))
        return (self._events or {}).get(channel, [])

    def _fail(self, error: ReplayError) -> None:
        if self.failure is None:
            self.failure = error
        raise error

    def peek(self, channel: str, *, quiet: bool = False) -> dict[str, Any] | None:
        """Return the next recorded event on ``channel``, or None after the last (``quiet``:
        also None for a test that was not recorded, instead of ReplayMissingError)."""
        with self._lock:
            if quiet and self._events is None and read_cassette(self.directory,
                                                                self.test) is None:
                return None
            events, at = self._channel(channel), self._next.get(channel, 0)
            return events[at] if at < len(events) else None

    def take(self, channel: str, kind: str, asked: str,
             same: Callable[[dict[str, Any]], bool] = lambda event: True, *,
             reads: Callable[[dict[str, Any]], bool] | None = None) -> dict[str, Any]:
        """Consume and return the next event on ``channel``: of ``kind`` and ``same``;
        ``reads`` tells clock readings the replay may pass over (they change nothing).

        Raises ReplayMissingError after the last event, ReplayMismatchError for another.
        """
        with self._lock:
            events, at = self._channel(channel), self._next.get(channel, 0)
            while (reads is not None and at < len(events) and reads(events[at])
                   and not (events[at].get("kind") == kind and same(events[at]))):
                at += 1
            if at >= len(events):
                self._fail(ReplayMissingError(
                    f"{self.test}: {channel}: asked {asked} as event #{at + 1}, but the "
                    f"recording of this test holds only {len(events)} event(s) there"
                    f"{self._around(events, at)}"))
            event = events[at]
            if event.get("kind") != kind or not same(event):
                self._fail(ReplayMismatchError(
                    f"{self.test}: {channel}: asked {asked} as event #{at + 1}, but the "
                    f"recording holds {describe(event)} there{self._around(events, at)}"))
            self._next[channel] = at + 1
            return event

    def read(self, channel: str, reads: Callable[[dict[str, Any]], bool]
             ) -> tuple[dict[str, Any] | None, list[dict[str, Any]], list[dict[str, Any]]]:
        """A clock reading (``reads`` tells which events are one): consume the next event when
        it is one and return it; else return None.  Also return the events consumed so far and
        those still ahead on ``channel``, for the caller to tell the time from.

        A reading changes nothing, and harness code reads the clock more or less often for
        reasons outside the test (the report reads it when the master it saw changes), so a
        replay may read it where the recording did not, and the other way round.
        """
        with self._lock:
            events, at = self._channel(channel), self._next.get(channel, 0)
            if at < len(events) and reads(events[at]):
                self._next[channel] = at + 1
                return events[at], events[:at + 1], events[at + 1:]
            return None, events[:at], events[at:]

    def skip(self, channel: str) -> None:
        """Consume the next event on ``channel`` (a connect the replay does not need)."""
        with self._lock:
            self._next[channel] = self._next.get(channel, 0) + 1

    @staticmethod
    def _around(events: Sequence[Mapping[str, Any]], at: int) -> str:
        lo, hi = max(0, at - NEARBY), min(len(events), at + NEARBY + 1)
        if lo >= hi:
            return ""
        shown = [f"  {'->' if i == at else '  '} #{i + 1} {describe(events[i])}"
                 for i in range(lo, hi)]
        return ".\nRecorded nearby:\n" + "\n".join(shown)


class ReplaySession(RESession):
    """A session that connects to nothing: it answers from ``script`` on channel ``label``."""

    def __init__(self, label: str, script: Script, rpc_timeout: float = 30.0) -> None:
        super().__init__(ConnectParams("replay", 0, "replay", label=label,
                                       rpc_timeout=rpc_timeout))
        self._script = script
        self._label = label
        self._open = False

    def __repr__(self) -> str:
        return f"<ReplaySession {self._label} {'open' if self._open else 'closed'}>"

    @property
    def connected(self) -> bool:
        """Return True while the replayed session is open: until an error, a close, or the
        point where the recording found it closed by the peer (a ``lost`` event)."""
        if self._open:
            event = self._script.peek(self._label, quiet=True)
            if event is not None and event.get("kind") == "lost":
                self._script.skip(self._label)
                self._open = False
        return self._open

    @property
    def session_id(self) -> str | None:
        """Return a stand-in session-id while open."""
        return "replay" if self._open else None

    def open(self, timeout: float | None = None) -> ReplaySession:
        """Open: consume a recorded connect (raising its error, if it failed), or none when
        the recording had the session open already."""
        if self._open:
            return self
        event = self._script.peek(self._label)
        if event is not None and event.get("kind") == "connect":
            self._script.skip(self._label)
            if "error" in event:
                raise decode_error(event["error"])
        self._open = True
        return self

    def close(self, timeout: float = CLOSE_TIMEOUT) -> None:
        """Close (nothing to close)."""
        self._open = False

    def rpc(self, request: etree._Element | str, timeout: float | None = None,
            ignore_warnings: bool = True) -> etree._Element:
        """Return the recorded reply to ``request`` (or raise the recorded error).

        Raises SessionClosedError when not open (as a real session does),
        ReplayMismatchError / ReplayMissingError when the recording differs.
        """
        if not self._open:
            raise SessionClosedError(f"{self._label}: session is not open")
        element = etree.fromstring(request) if isinstance(request, str) else request
        asked = request_text(element)
        if asked == CLOCK_READ:
            return self._clock_reply()
        event = self._script.peek(self._label)
        while event is not None and (event.get("kind") in ("connect", "lost")
                                     or _reads_clock(event)):
            # The recording found the session closed here and reconnected: this one is open.
            self._script.skip(self._label)
            if "error" in event:  # ... and failed to reconnect: so does this one
                self._open = False
                raise decode_error(event["error"])
            event = self._script.peek(self._label)
        found = self._script.take(
            self._label, "rpc", f"rpc {asked}",
            lambda e: e.get("request") == asked
            and bool(e.get("ignore_warnings", True)) == ignore_warnings, reads=_reads_clock)
        if "error" in found:
            error = decode_error(found["error"])
            if not isinstance(error, RpcFailedError):
                self._open = False  # a dropped or silent session is closed, as a real one
            raise error
        return etree.fromstring(str(found["reply"]))


    def _clock_reply(self) -> etree._Element:
        """Return the emulator's clock as the recording shows it here: the reading recorded
        at this point, else the latest time a reply told (``get-clock``, ``advance-clock``;
        the virtual clock moves only when advanced), else the next one."""
        read, before, ahead = self._script.read(self._label, _reads_clock)
        told = [e for e in before if "<now>" in str(e.get("reply", ""))]
        later = [e for e in ahead if "<now>" in str(e.get("reply", ""))]
        found = read or (told[-1] if told else later[0] if later else None)
        if found is None:
            self._script.take(self._label, "rpc", f"rpc {CLOCK_READ}")  # raises: none recorded
            raise AssertionError("unreachable")
        return etree.fromstring(str(found["reply"]))


def _reads_clock(event: Mapping[str, Any]) -> bool:
    """Return True for a recorded ``get-clock`` that succeeded."""
    return event.get("request") == CLOCK_READ and "reply" in event


class ReplayClock(_PollingClock):
    """A lab router's clock as recorded on ``label``: readings are the recorded times, sleeps
    take no wall time (each must be the one recorded)."""

    def __init__(self, script: Script, label: str) -> None:
        self._script = script
        self._label = label

    def __repr__(self) -> str:
        return f"<ReplayClock {self._label}>"

    def now(self) -> float:
        """Return the reading recorded at this point; where the recording read no time, the
        last reading plus the sleeps since (or else the next reading)."""
        read, before, ahead = self._script.read(self._label, _is_now)
        if read is not None:
            return float(read["value"])
        readings = [i for i, e in enumerate(before) if _is_now(e)]
        if readings:
            slept = sum(float(e.get("seconds", 0)) for e in before[readings[-1] + 1:]
                        if e.get("kind") == "sleep")
            return float(before[readings[-1]]["value"]) + slept
        later = next((e for e in ahead if _is_now(e)), None)
        if later is None:
            return float(self._script.take(self._label, "now", "the clock")["value"])  # raises
        return float(later["value"])

    def sleep(self, seconds: float, what: str = "") -> None:
        """Consume the recorded sleep of ``seconds`` (no wall time passes)."""
        self._script.take(self._label, "sleep", f"sleep {seconds} s ({what})",
                          lambda e: math.isclose(float(e.get("seconds", -1)), seconds,
                                                 rel_tol=1e-9, abs_tol=1e-6), reads=_is_now)

    def _poll_sleep(self, seconds: float, what: str) -> None:
        self.sleep(seconds, what)


def _is_now(event: Mapping[str, Any]) -> bool:
    return event.get("kind") == "now"


class ReplayTransport:
    """Everything from the recording in ``script``: nothing real is reached."""

    offline = True

    def __init__(self, script: Script) -> None:
        self.script = script

    def __repr__(self) -> str:
        return f"<ReplayTransport {self.script!r}>"

    def session(self, label: str, params: Callable[[], ConnectParams]) -> RESession:
        """Return a :class:`ReplaySession` (``params`` is not called: no password needed)."""
        return ReplaySession(label, self.script)

    def clock(self, router: str, clock: RouterClock) -> RouterClock:
        """Return the recorded clock of ``router``."""
        return ReplayClock(self.script, f"{router}/clock")

    def command_runner(self, router: str) -> CommandRunner:
        """Return a runner that gives each fault command's recorded outcome, running none."""
        label = f"{router}/commands"

        def replayed(argv: Sequence[str], timeout: float) -> subprocess.CompletedProcess[str]:
            event = self.script.take(label, "command", f"command {' '.join(argv)}",
                                     lambda e: list(e.get("argv", [])) == list(argv))
            if "error" in event:
                raise OSError(f"(recorded) {event['error']}")
            return subprocess.CompletedProcess(list(argv), int(event["returncode"]),
                                               str(event.get("stdout", "")),
                                               str(event.get("stderr", "")))
        return replayed

    def pause(self, seconds: float) -> None:
        """Pause not at all (the recording already waited)."""
