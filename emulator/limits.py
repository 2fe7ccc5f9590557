"""What one client may cost the server: send buffers with deadlines, connection and channel caps,
login and protocol timeouts (DESIGN.md: "No client can block another: every write to a client
has a bounded buffer and a deadline").

:class:`Limits` is the one place these numbers live; :class:`SendFlow` applies the send side to
one session: above ``send_high_water`` buffered bytes the session stops taking requests from its
client (it reads nothing more: the client's SSH window fills and it blocks, not the server), and
a client that does not drain its replies within ``send_deadline`` seconds is disconnected.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass

__all__ = ["DEFAULT_LIMITS", "Limits", "SendFlow"]


@dataclass(frozen=True, slots=True)
class Limits:
    """Per-process limits; ``None`` means "no limit".  The defaults change nothing a
    well-behaved client sees."""

    #: Buffered reply bytes above which a session stops taking requests from its client.
    send_high_water: int = 256 * 1024
    #: Seconds a session may stay above the high-water mark before it is disconnected.
    send_deadline: float = 120.0
    #: Seconds from TCP accept to a successful login (OpenSSH's LoginGraceTime default).
    login_grace: float = 120.0
    #: Seconds from a NETCONF channel's start to the client ``<hello>``.
    hello_timeout: float | None = None
    #: Seconds without a byte from the client before its session is closed.
    idle_timeout: float | None = None
    #: Open SSH connections per router (all its listeners together); more are dropped at once.
    max_connections_per_router: int | None = None
    #: Session channels per SSH connection open at once; more are refused.
    max_channels_per_connection: int | None = None


DEFAULT_LIMITS = Limits()


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
