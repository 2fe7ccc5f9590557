"""The byte pump between an SSH shell channel (or a console socket) and the sans-IO CLI.

The CLI itself (``emulator.cli``) never touches a socket; this module reads what the client
types, feeds it, writes what the CLI answers, and polls the CLI now and then so that an RE
going down while nobody types still ends the session (a halted RE runs no sshd).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Protocol

import paramiko

from emulator.cli.session import CliSession
from emulator.model.router import RouterModel

__all__ = ["POLL_SECONDS", "CliChannelRunner", "Pumpable", "pump"]

log = logging.getLogger(__name__)

#: How often an idle session looks at its RE (a halt from elsewhere ends it within this).
POLL_SECONDS = 0.2
RECV_SIZE = 4096


class Pumpable(Protocol):
    """What :func:`pump` drives: a sans-IO terminal session."""

    @property
    def closed(self) -> bool:
        """Return True once the session is over."""
        ...

    def receive_data(self, data: bytes) -> None:
        """Consume bytes from the client."""

    def data_to_send(self) -> bytes:
        """Return the bytes for the client."""
        ...

    def tick(self) -> None:
        """Look at the model again (called when the client is idle)."""


class _Stream(Protocol):
    def recv(self, size: int) -> bytes: ...

    def sendall(self, data: bytes) -> None: ...

    def settimeout(self, timeout: float | None) -> None: ...


def pump(stream: _Stream, session: Pumpable, stop: threading.Event,
         after: Callable[[], None] | None = None) -> None:
    """Move bytes between ``stream`` and ``session`` until either ends or ``stop`` is set.

    Raises OSError / paramiko.SSHException from the stream.
    """
    stream.settimeout(POLL_SECONDS)
    stream.sendall(session.data_to_send())
    while not session.closed and not stop.is_set():
        try:
            data = stream.recv(RECV_SIZE)
        except TimeoutError:
            session.tick()
            stream.sendall(session.data_to_send())
            continue
        if not data:
            return
        session.receive_data(data)
        stream.sendall(session.data_to_send())
        if after is not None:
            after()


class CliChannelRunner:
    """Runs one interactive CLI session on one SSH channel to RE ``slot`` of ``model``."""

    def __init__(self, channel: paramiko.Channel, model: RouterModel, slot: int, user: str,
                 session_id: int, on_change: Callable[[], None] | None = None) -> None:
        self.channel = channel
        self.model = model
        self.slot = slot
        self._on_change = on_change
        self._stop = threading.Event()
        with model.lock:
            self._epoch = model.session_epoch[slot]
            self._boot_stamp = model.chassis.re(slot).start_time
        self.cli = CliSession(model, slot, user, session_id=session_id)

    def re_still_up(self) -> bool:
        """Return True while the shell's RE runs (same boot) and no drop-sessions fault hit it.

        The CLI ends itself on ``exit``; this is for the server's reaper."""
        with self.model.lock:
            r = self.model.chassis.re(self.slot)
            return (r.alive and r.start_time == self._boot_stamp
                    and self.model.session_epoch[self.slot] == self._epoch)

    def close(self) -> None:
        """End the session: the client sees the channel close."""
        self._stop.set()
        try:
            self.channel.close()
        except (EOFError, OSError, paramiko.SSHException) as exc:
            # The client's transport is already gone: nothing left to close.
            log.debug("closing a shell channel: %s", exc)

    def run(self) -> None:
        """Pump until the user exits, the RE goes down or :meth:`close` is called."""
        self.cli.start()
        try:
            pump(self.channel, self.cli, self._stop, self._on_change)
        finally:
            if not self.channel.closed:
                try:
                    self.channel.send_exit_status(0)
                except (EOFError, OSError, paramiko.SSHException):
                    log.debug("could not send the exit status of a closed shell")
            self.close()
