"""``--record``: the real world, with everything a router says kept on a :class:`Tape`.

:class:`RecordingTransport` hands out :class:`RecordingSession` s (real sessions that keep each
connect and each RPC with its reply or error), wraps a lab router's clock in a
:class:`RecordingClock` (each reading and sleep kept, so a replay follows the router's time
without waiting) and runs fault commands through a runner that keeps how they ended.
"""

from __future__ import annotations

import subprocess
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from lxml import etree

from harness.clock import RouterClock, _PollingClock
from harness.errors import ConnectError, RpcFailedError, SessionError
from harness.recording.tape import Tape, encode_error, request_text
from harness.recording.transport import LIVE, CommandRunner, Transport
from harness.session import CLOSE_TIMEOUT, ConnectParams, RESession

__all__ = ["RecordingClock", "RecordingSession", "RecordingTransport"]

T = TypeVar("T")


class RecordingSession(RESession):
    """A real session to one RE (or the control user) that keeps what it does on ``tape``
    under channel ``label``."""

    def __init__(self, params: ConnectParams, tape: Tape, label: str) -> None:
        super().__init__(params)
        self._tape = tape
        self._label = label
        #: Open as far as a replay can tell (opened, and no error or close since).
        self._live = False

    @property
    def connected(self) -> bool:
        """Return True while the session is up.  A session found down that a replay would
        still believe up (the peer closed it between RPCs) is kept as a ``lost`` event."""
        real = super().connected
        if self._live and not real:
            self._tape.add(self._label, {"kind": "lost"})
            self._live = False
        return real

    def open(self, timeout: float | None = None) -> RecordingSession:
        """Open the session as :meth:`RESession.open` does, keeping the outcome."""
        if self.connected:
            return self
        try:
            super().open(timeout)
        except ConnectError as exc:
            self._tape.add(self._label, {"kind": "connect", "error": encode_error(exc)})
            raise
        self._tape.add(self._label, {"kind": "connect"})
        self._live = True
        return self

    def close(self, timeout: float = CLOSE_TIMEOUT) -> None:
        """Close as :meth:`RESession.close` does."""
        self._live = False
        super().close(timeout)

    def rpc(self, request: etree._Element | str, timeout: float | None = None,
            ignore_warnings: bool = True) -> etree._Element:
        """Send ``request`` as :meth:`RESession.rpc` does, keeping it with the reply or the
        error."""
        element = etree.fromstring(request) if isinstance(request, str) else request
        event: dict[str, Any] = {"kind": "rpc", "request": request_text(element),
                                 "ignore_warnings": ignore_warnings}
        try:
            reply = super().rpc(element, timeout, ignore_warnings)
        except SessionError as exc:
            self._tape.add(self._label, {**event, "error": encode_error(exc)})
            self._live = self._live and isinstance(exc, RpcFailedError)
            raise
        self._tape.add(self._label, {**event, "reply": etree.tostring(reply, encoding=str)})
        return reply


class RecordingClock(_PollingClock):
    """A lab router's clock (``inner``) whose every reading and sleep is kept on ``tape``
    under channel ``label``; waits show ``inner``'s progress."""

    def __init__(self, inner: RouterClock, tape: Tape, label: str) -> None:
        self._inner = inner
        self._tape = tape
        self._label = label

    def __repr__(self) -> str:
        return f"<RecordingClock {self._label} of {self._inner!r}>"

    def now(self) -> float:
        """Return the inner clock's time, kept."""
        value = self._inner.now()
        self._tape.add(self._label, {"kind": "now", "value": value})
        return value

    def sleep(self, seconds: float, what: str = "") -> None:
        """Sleep on the inner clock, kept."""
        self._tape.add(self._label, {"kind": "sleep", "seconds": seconds, "what": what})
        self._inner.sleep(seconds, what)

    def _poll_sleep(self, seconds: float, what: str) -> None:
        self._tape.add(self._label, {"kind": "sleep", "seconds": seconds, "what": what})
        inner = self._inner
        (inner._poll_sleep if isinstance(inner, _PollingClock)  # noqa: SLF001
         else inner.sleep)(seconds, what)

    def _progress(self, what: str, elapsed: float, limit: float) -> None:
        if isinstance(self._inner, _PollingClock):
            self._inner._progress(what, elapsed, limit)  # noqa: SLF001

    def _progress_done(self) -> None:
        if isinstance(self._inner, _PollingClock):
            self._inner._progress_done()  # noqa: SLF001


class RecordingTransport:
    """``inner`` (default: the real world), with everything kept on ``tape``."""

    offline = False

    def __init__(self, tape: Tape, inner: Transport = LIVE) -> None:
        self.tape = tape
        self._inner = inner

    def __repr__(self) -> str:
        return f"<RecordingTransport {self.tape!r}>"

    def session(self, label: str, params: Callable[[], ConnectParams]) -> RESession:
        """Return a :class:`RecordingSession` for ``label``."""
        return RecordingSession(params(), self.tape, label)

    def clock(self, router: str, clock: RouterClock) -> RouterClock:
        """Return ``clock`` kept under ``router/clock``."""
        return RecordingClock(self._inner.clock(router, clock), self.tape, f"{router}/clock")

    def command_runner(self, router: str) -> CommandRunner:
        """Return the inner runner, each command's outcome kept under ``router/commands``."""
        run = self._inner.command_runner(router)
        label = f"{router}/commands"

        def recorded(argv: Sequence[str], timeout: float) -> subprocess.CompletedProcess[str]:
            event: dict[str, Any] = {"kind": "command", "argv": list(argv)}
            try:
                done = run(argv, timeout)
            except (OSError, subprocess.TimeoutExpired) as exc:
                self.tape.add(label, {**event, "error": f"{type(exc).__name__}: {exc}"})
                raise
            self.tape.add(label, {**event, "returncode": done.returncode,
                                  "stdout": done.stdout, "stderr": done.stderr})
            return done
        return recorded

    def pause(self, seconds: float) -> None:
        """Pause as the inner transport does (nothing to keep: a replay does not wait)."""
        self._inner.pause(seconds)
