"""What one client may cost the server: send buffers with deadlines, connection and session
caps, login and protocol timeouts, a cap on buffered input (DESIGN.md: "No client can block
another: every write to a client has a bounded buffer and a deadline").

:class:`Limits` is the one place these numbers live, named after the Junos knobs they model
(``docs/emulator-model.md``, "Limits", cites the Junos statements and their defaults).
:class:`SendFlow` applies the send side to one session: above ``send_high_water`` buffered bytes
the session stops taking requests from its client (it reads nothing more: the client's SSH
window fills and it blocks, not the server), and a client that does not drain its replies
within ``send_deadline`` seconds is disconnected.  :class:`InputBudget` caps the bytes every
session of the process holds as partial messages together.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass

__all__ = ["DEFAULT_LIMITS", "InputBudget", "Limits", "RateWindow", "SendFlow", "login_delay"]


@dataclass(frozen=True, slots=True)
class Limits:
    """Limits of one router's listeners; ``None`` means "no limit".  Each default is the Junos
    default where Junos has the knob, unless that would make a test wait (then off)."""

    #: Buffered reply bytes above which a session stops taking requests from its client.
    send_high_water: int = 256 * 1024
    #: Seconds a session (or a whole connection) may stay above the high-water mark before it
    #: is disconnected (a client that does not read).
    send_deadline: float = 120.0
    #: Seconds from TCP accept to a successful login: ``system login retry-options
    #: maximum-time`` (Junos default 120).
    login_grace: float = 120.0
    #: Failed passwords before the connection is closed: ``retry-options
    #: tries-before-disconnect`` (Junos default 3).
    tries_before_disconnect: int = 3
    #: Failed passwords after which each further try waits: ``retry-options
    #: backoff-threshold`` (Junos default 2).
    backoff_threshold: int = 2
    #: Seconds added to the wait per failed try past the threshold: ``retry-options
    #: backoff-factor`` (Junos default 5; off here unless set: a test's wrong password would
    #: cost seconds).
    backoff_factor: float | None = None
    #: Seconds from a NETCONF channel's start to the client ``<hello>`` (Junos has no knob).
    hello_timeout: float | None = None
    #: Seconds without a byte from the client before its session is closed (Junos: the login
    #: class ``idle-timeout``, none by default).
    idle_timeout: float | None = None
    #: Open SSH connections per router (all its listeners together), more are refused with a
    #: disconnect reason: ``system services netconf ssh connection-limit`` (Junos default 75).
    connection_limit: int | None = 75
    #: New connections per minute per router, more are refused: ``rate-limit`` (Junos default
    #: 150; off here unless set: a test suite reconnects faster than people do).
    rate_limit: int | None = None
    #: Session channels open at once on one SSH connection: ``system services ssh
    #: max-sessions-per-connection`` (Junos default 10).
    max_sessions_per_connection: int | None = 10
    #: Bytes of one NETCONF message; a larger one closes the session (framing error).
    max_message_size: int = 16 * 2**20
    #: Bytes every session of the router holds as partial input together; the session whose
    #: input passes the cap is closed.
    max_buffered_input: int = 64 * 2**20


DEFAULT_LIMITS = Limits()


def login_delay(limits: Limits, failures: int) -> float:
    """Return the seconds to wait before answering password try number ``failures + 1`` of a
    connection (Junos retry-options: ``backoff-factor`` more per failure past
    ``backoff-threshold``)."""
    factor = limits.backoff_factor
    if factor is None or failures < limits.backoff_threshold:
        return 0.0
    return factor * (failures - limits.backoff_threshold + 1)


class SendFlow:
    """The send side of one session: whether it may take more requests, and the deadline of a
    client that stopped reading.

    The transport reports its buffer crossing the high-water mark (``pause_writing``) and
    draining (``resume_writing``); ``on_stall`` runs when the deadline passes first.
    """

    def __init__(self, loop: asyncio.AbstractEventLoop, limits: Limits,
                 on_stall: Callable[[], None]) -> None:
        self._loop = loop
        self._limits = limits
        self._on_stall = on_stall
        self._timer: asyncio.TimerHandle | None = None

    @property
    def writable(self) -> bool:
        """Return True while the client drains its replies (the session may take requests)."""
        return self._timer is None

    def pause_writing(self) -> None:
        """The buffer went above the high-water mark: start the deadline."""
        if self._timer is None:
            self._timer = self._loop.call_later(self._limits.send_deadline, self._stalled)

    def resume_writing(self) -> None:
        """The buffer drained below the low-water mark: the deadline is off."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def cancel(self) -> None:
        """The session is over: forget the deadline."""
        self.resume_writing()

    def _stalled(self) -> None:
        self._timer = None
        self._on_stall()


class InputBudget:
    """Bytes of partial input every session of a router holds, against one cap.

    Each session reports what it holds after each read (:meth:`hold`); the session whose report
    takes the total past the cap is told so (False) and closes, giving its bytes back.
    """

    def __init__(self, cap: int) -> None:
        self.cap = cap
        self.total = 0
        self._held: dict[int, int] = {}

    def hold(self, holder: object, size: int) -> bool:
        """Record that ``holder`` now holds ``size`` bytes; return False if the total is then
        over the cap (the holder must give them back by closing)."""
        key = id(holder)
        self.total += size - self._held.get(key, 0)
        if size:
            self._held[key] = size
        else:
            self._held.pop(key, None)
        return self.total <= self.cap

    def release(self, holder: object) -> None:
        """``holder`` ended: its bytes no longer count."""
        self.hold(holder, 0)


class RateWindow:
    """Connection attempts of the last minute, against ``rate_limit`` (Junos counts attempts
    per minute)."""

    def __init__(self, per_minute: int | None, now: Callable[[], float]) -> None:
        self._cap = per_minute
        self._now = now
        self._times: list[float] = []

    def admit(self) -> bool:
        """Count one attempt; return False if it is over the rate (it is refused)."""
        if self._cap is None:
            return True
        now = self._now()
        self._times = [t for t in self._times if now - t < 60.0]
        if len(self._times) >= self._cap:
            return False
        self._times.append(now)
        return True
